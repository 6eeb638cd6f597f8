import CFulgurMPI
import Dispatch
import Foundation
import Synchronization

/// The processes of one data-parallel job. Started by `mpirun -np N`, every rank sees the MPI
/// world (Open MPI, loaded at run time: see CFulgurMPI); started alone, `Cluster.world` is a
/// cluster of one whose collectives cost nothing, so the one-process path is exactly today's.
///
/// The calls are collectives: every rank must make the same calls in the same order.
public final class Cluster: @unchecked Sendable {
    public let rank: Int
    public let size: Int
    /// The library, for run records ("Open MPI v4.1.4, …"), or nil for a cluster of one.
    public let library: String?
    /// Seconds spent in collectives so far (this rank): the communication share of a step.
    public private(set) var collectiveSeconds: Double = 0

    /// Rank 0 writes checkpoints, metrics, plots and transcripts, and prints progress.
    public var isRoot: Bool { rank == 0 }
    public var isDistributed: Bool { size > 1 }

    /// The job this process belongs to; MPI is loaded and initialized on first use, and only when
    /// the process was started by `mpirun`. A broken MPI install ends the process with a reason.
    public static let world: Cluster = {
        guard fulgur_mpi_launched() != 0 else { return Cluster(rank: 0, size: 1, library: nil) }
        var error = [CChar](repeating: 0, count: 512)
        guard fulgur_mpi_init(&error, UInt(error.count)) == 0 else {
            let reason = error.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            FileHandle.standardError.write(Data("Error: MPI: \(reason)\n".utf8))
            exit(2)
        }
        active.withLock { $0 = true }
        let version = String(cString: fulgur_mpi_library_version())
            .split(whereSeparator: \.isNewline).first.map { String($0).trimmingCharacters(in: .whitespaces) }
        return Cluster(rank: Int(fulgur_mpi_rank()), size: Int(fulgur_mpi_size()), library: version)
    }()

    init(rank: Int, size: Int, library: String?) {
        self.rank = rank
        self.size = size
        self.library = library
    }

    private static let active = Mutex(false)

    /// Whether MPI was initialized in this process (without initializing it).
    public static var isActive: Bool { active.withLock { $0 } }

    /// After a successful command: MPI_Finalize.
    public static func finish() {
        if isActive { fulgur_mpi_finalize() }
    }

    /// After an error on this rank: ends every rank (MPI_Abort), so none waits in a collective.
    public static func abortJob(code: Int32) -> Never {
        if isActive { fulgur_mpi_abort(code) }
        exit(code)
    }

    // MARK: collectives

    /// Largest piece handed to one MPI call: MPI counts are 32-bit, and pieces of 16 MB let a
    /// ring allreduce pipeline while staying cache-friendly on the way back.
    public static let bucketFloats = 1 << 22

    /// Sums `count` floats over all ranks, in place, in buckets.
    public func sum(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        guard isDistributed else { return }
        timed {
            var i = 0
            while i < count {
                let n = min(Cluster.bucketFloats, count - i)
                check(fulgur_mpi_allreduce_sum_f32(buffer + i, n), "allreduce")
                i += n
            }
        }
    }

    /// Sums doubles over all ranks (statistics: losses, token counts, routing counts).
    public func sum(_ values: inout [Double]) {
        guard isDistributed, !values.isEmpty else { return }
        let n = values.count
        timed { values.withUnsafeMutableBufferPointer { check(fulgur_mpi_allreduce_sum_f64($0.baseAddress!, n), "allreduce") } }
    }

    public func sum(_ value: Double) -> Double {
        var v = [value]
        sum(&v)
        return v[0]
    }

    /// The maximum over all ranks.
    public func maximum(_ value: Double) -> Double {
        guard isDistributed else { return value }
        var v = value
        timed { check(fulgur_mpi_allreduce_max_f64(&v, 1), "allreduce") }
        return v
    }

    /// Rank `root`'s bytes, on every rank.
    public func broadcast(_ data: Data, from root: Int = 0) -> Data {
        guard isDistributed else { return data }
        var count = Int64(data.count)
        timed { withUnsafeMutableBytes(of: &count) { check(fulgur_mpi_bcast($0.baseAddress!, 8, Int32(root)), "broadcast") } }
        var bytes = rank == root ? [UInt8](data) : [UInt8](repeating: 0, count: Int(count))
        if !bytes.isEmpty {
            let n = bytes.count
            timed { bytes.withUnsafeMutableBytes { check(fulgur_mpi_bcast($0.baseAddress!, n, Int32(root)), "broadcast") } }
        }
        return Data(bytes)
    }

    public func barrier() {
        guard isDistributed else { return }
        timed { check(fulgur_mpi_barrier(), "barrier") }
    }

    private func timed(_ body: () -> Void) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        collectiveSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    private func check(_ code: Int32, _ what: String) {
        guard code != 0 else { return }
        FileHandle.standardError.write(Data("Error: MPI: \(what) failed with code \(code) on rank \(rank)\n".utf8))
        Cluster.abortJob(code: 3)
    }
}
