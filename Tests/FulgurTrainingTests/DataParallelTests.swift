import Foundation
import Testing
@testable import FulgurCluster
@testable import FulgurTraining

/// How ranks share a batch (the multi-process runs themselves: scripts/check_mpi.py).
@Suite struct DataParallelTests {
    static func example(_ n: Int) -> Example { Example(ids: Array(repeating: 1, count: n), lossMask: Array(repeating: true, count: n)) }

    @Test func sharesCoverTheBatchOnceInOrderAndBalanceTokens() {
        let batch = [40, 10, 10, 10, 30, 20, 5, 5, 50].map(Self.example)
        for size in 1...5 {
            let shares = (0..<size).map { DataParallel.share(of: batch, rank: $0, size: size) }
            #expect(shares.flatMap { $0 } == batch, "size \(size): the shares are not the batch in order")
            for (r, s) in shares.enumerated() where r > 0 { #expect(s.startIndex == shares[r - 1].endIndex) }
            let total = 180.0, tokens = shares.map { Double($0.reduce(0) { $0 + $1.ids.count }) }
            // each share holds its 1/size of the tokens, give or take one example (≤ 50 here)
            for t in tokens { #expect(abs(t - total / Double(size)) <= 50) }
        }
        // fewer examples than ranks: some ranks get nothing, none gets an example twice
        let two = [7, 9].map(Self.example)
        let shares = (0..<4).map { DataParallel.share(of: two, rank: $0, size: 4) }
        #expect(shares.flatMap { $0 } == two)
        #expect(shares.filter(\.isEmpty).count == 2)
    }

    @Test func dealingIsRoundRobin() {
        #expect(Array(DataParallel.dealt(7, rank: 1, size: 3)) == [1, 4])
        #expect(Array(DataParallel.dealt(2, rank: 2, size: 3)).isEmpty)
        #expect((0..<3).flatMap { DataParallel.dealt(10, rank: $0, size: 3) }.sorted() == Array(0..<10))
    }

    @Test func aBatchThatDoesNotDivideIsRefused() throws {
        let four = Cluster(rank: 0, size: 4, library: nil)
        #expect { try DataParallel.checkDivides(batchSize: 6, field: "batch_size", cluster: four) } throws: {
            "\($0)" == "batch_size = 6 does not divide over 4 ranks: use a multiple of 4"
        }
        try DataParallel.checkDivides(batchSize: 8, field: "batch_size", cluster: four)
        try DataParallel.checkDivides(batchSize: 7, field: "batch_size", cluster: .world)  // alone: anything divides
    }

    /// Without mpirun the world is one process whose collectives change nothing.
    @Test func aloneTheWorldIsOneRank() {
        let w = Cluster.world
        #expect(w.size == 1 && w.rank == 0 && w.isRoot && !w.isDistributed && w.library == nil)
        var v = [1.5, 2.5]
        w.sum(&v)
        #expect(v == [1.5, 2.5])
        #expect(w.broadcast(Data([1, 2, 3])) == Data([1, 2, 3]))
        #expect(!Cluster.isActive)
    }
}
