import Foundation
import Synchronization
import Testing
@testable import FulgurTensor

@Suite struct LinearParallelTests {
    func random(_ n: Int, seed: UInt64) -> [Float] {
        var s = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<n).map { _ in
            s ^= s << 13; s ^= s >> 7; s ^= s << 17
            return Float(Int(s % 2001) - 1000) / 1000
        }
    }

    /// The streaming kernel (few rows) and BLAS (many rows), with f32 and bf16 weights, all
    /// agree with a Double reference of x · Wᵀ on the bf16-rounded weights.
    @Test(arguments: [1, 2, 3, 4, 5, 7, 8, 9, 40])
    func linearMatchesReference(rows m: Int) {
        let n = 77, k = 300
        let x = random(m * k, seed: 1)
        var w = random(n * k, seed: 2)
        for i in w.indices { w[i] = Convert.roundedToBF16(w[i]) }
        var bits = [UInt16](repeating: 0, count: n * k)
        w.withUnsafeBufferPointer { Convert.f32ToBF16($0.baseAddress!, &bits, count: n * k) }
        var want = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for c in 0..<k { want[i * n + j] += Double(x[i * k + c]) * Double(w[j * k + c]) } } }
        var y32 = [Float](repeating: .nan, count: m * n), y16 = y32
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                Linear.forward(xp.baseAddress!, .f32(wp.baseAddress!), &y32, m: m, n: n, k: k)
            }
            bits.withUnsafeBufferPointer { bp in
                Linear.forward(xp.baseAddress!, .bf16(bp.baseAddress!), &y16, m: m, n: n, k: k)
            }
        }
        for i in 0..<(m * n) {
            #expect(abs(Double(y32[i]) - want[i]) < 1e-3)
            #expect(abs(Double(y16[i]) - want[i]) < 1e-3)
        }
    }

    /// A row's product does not depend on the batch around it: the streaming kernel dots a row
    /// alone (`Dot.single`) or paired (`Dot.pair`) in the same order (a sequence decodes the
    /// same alone or in a batch of up to `streamingMaxRows`). k covers every tail: 31 = three
    /// 8-wide blocks + 7 scalars, 203 = six 32-blocks + one 8-block + 3, 256 = none, 280 = three 8-blocks.
    @Test(arguments: [31, 203, 256, 280])
    func streamingResultsAreBatchInvariant(k: Int) {
        let n = 37, m = 7
        let x = random(m * k, seed: 6), w = random(n * k, seed: 7)
        var bits = [UInt16](repeating: 0, count: n * k)
        w.withUnsafeBufferPointer { Convert.f32ToBF16($0.baseAddress!, &bits, count: n * k) }
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                bits.withUnsafeBufferPointer { bp in
                    for weights in [WeightData.f32(wp.baseAddress!), .bf16(bp.baseAddress!)] {
                        var batched = [Float](repeating: .nan, count: m * n)
                        Linear.stream([Linear.Job(x: xp.baseAddress!, w: weights, y: &batched, m: m, n: n, k: k)])
                        for i in 0..<m {
                            var alone = [Float](repeating: .nan, count: n)
                            Linear.stream([Linear.Job(x: xp.baseAddress! + i * k, w: weights, y: &alone, m: 1, n: n, k: k, readOnce: true)])
                            #expect(alone == Array(batched[i * n..<(i + 1) * n]), "row \(i) differs alone and in a batch of \(m)")
                        }
                    }
                }
            }
        }
    }

    /// Several jobs in one streaming pass each get their own product.
    @Test func jobsShareOnePass() {
        let k = 64
        let x = random(k, seed: 3), w1 = random(50 * k, seed: 4), w2 = random(30 * k, seed: 5)
        var y1 = [Float](repeating: 0, count: 50), y2 = [Float](repeating: 0, count: 30)
        x.withUnsafeBufferPointer { xp in
            w1.withUnsafeBufferPointer { a in
                w2.withUnsafeBufferPointer { b in
                    y1.withUnsafeMutableBufferPointer { o1 in
                        y2.withUnsafeMutableBufferPointer { o2 in
                            Linear.forward([Linear.Job(x: xp.baseAddress!, w: .f32(a.baseAddress!), y: o1.baseAddress!, m: 1, n: 50, k: k),
                                            Linear.Job(x: xp.baseAddress!, w: .f32(b.baseAddress!), y: o2.baseAddress!, m: 1, n: 30, k: k)])
                        }
                    }
                    for j in 0..<50 { #expect(abs(y1[j] - Vec.dot(xp.baseAddress!, a.baseAddress! + j * k, k)) < 1e-4) }
                    for j in 0..<30 { #expect(abs(y2[j] - Vec.dot(xp.baseAddress!, b.baseAddress! + j * k, k)) < 1e-4) }
                }
            }
        }
    }

    /// Every task index runs exactly once, also with nested regions and several callers at once.
    @Test func tasksRunEachIndexOnce() async {
        let count = 1000
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let hits = UnsafeMutablePointer<Int>.allocate(capacity: count)
                    hits.initialize(repeating: 0, count: count)
                    defer { hits.deallocate() }
                    let h = SendablePointer(hits)
                    for _ in 0..<50 {
                        Parallel.tasks(count) { i in
                            h.p[i] += 1
                            Parallel.tasks(2) { _ in }  // nested: runs inline
                        }
                    }
                    return (0..<count).allSatisfy { hits[$0] == 50 }
                }
            }
            for await ok in group { #expect(ok) }
        }
    }

    @Test func forRangesCoversRangeOnce() {
        let total = Atomic<Int>(0)
        Parallel.forRanges(10_001, minChunk: 7) { r in total.add(r.count, ordering: .relaxed) }
        #expect(total.load(ordering: .relaxed) == 10_001)
    }
}
