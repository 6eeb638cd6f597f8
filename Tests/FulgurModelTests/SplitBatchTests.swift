import Foundation
import Testing
@testable import FulgurModel
@testable import FulgurTensor

/// Data parallelism rests on this: a batch split in two, with the routing statistics of the
/// load-balancing loss summed over the halves, gives the gradients of the whole batch (the
/// cross-entropy and the aux loss), up to float rounding. Checked against the unsplit pass.
@Suite struct SplitBatchTests {
    static func gradients(_ model: MiniMaxModel, _ parts: [[[Int]]], scale: Float, aux: Float) throws -> (Gradients, RoutingStatistics) {
        let passes = try parts.map { try model.trainingForward($0) }
        let stats = passes.map(\.routing)
        let total = RoutingStatistics(flattened: stats.map(\.flattened).reduce(Array(repeating: 0, count: stats[0].flattened.count)) {
            zip($0, $1).map { $0 + $1 }
        })
        let g = model.makeGradients()
        for pass in passes {
            pass.backward(dLogProbs: pass.hasTarget.map { $0 ? scale : 0 }, auxCoefficient: aux, routing: total, into: g)
        }
        return (g, total)
    }

    @Test func halvesWithSummedRoutingGiveTheWholeBatchGradient() throws {
        let model = try TestModels.hybrid(seed: 5)
        var rng = SystemRandomNumberGenerator()
        let seqs = (0..<5).map { i in (0..<(7 + 3 * i)).map { _ in Int.random(in: 0..<97, using: &rng) } }
        let tokens = seqs.reduce(0) { $0 + $1.count - 1 }
        let scale = -1 / Float(tokens), aux: Float = 0.5  // a large aux weight so its gradient matters
        let (whole, all) = try Self.gradients(model, [seqs], scale: scale, aux: aux)
        let (split, summed) = try Self.gradients(model, [Array(seqs[0..<2]), Array(seqs[2...])], scale: scale, aux: aux)
        #expect(summed.rows == all.rows)
        #expect(abs(summed.auxLoss - all.auxLoss) <= 1e-6 * all.auxLoss)
        var num = 0.0, den = 0.0
        for (a, b) in zip(split.tensors, whole.tensors) {
            for i in 0..<a.count { let d = Double(a.pointer[i] - b.pointer[i]); num += d * d; den += Double(b.pointer[i] * b.pointer[i]) }
        }
        #expect((num / den).squareRoot() <= 1e-5, "relative L2 of the gradient difference \((num / den).squareRoot())")
        // the aux part is not negligible here: without the summed statistics the halves disagree
        let gLocal = model.makeGradients()
        for part in [Array(seqs[0..<2]), Array(seqs[2...])] {
            let pass = try model.trainingForward(part)
            pass.backward(dLogProbs: pass.hasTarget.map { $0 ? scale : 0 }, auxCoefficient: aux, into: gLocal)
        }
        var numLocal = 0.0
        for (a, b) in zip(gLocal.tensors, whole.tensors) {
            for i in 0..<a.count { let d = Double(a.pointer[i] - b.pointer[i]); numLocal += d * d }
        }
        #expect((numLocal / den).squareRoot() > 1e-4, "per-half aux statistics should differ from the whole batch's")
    }

    /// The accumulators live in one flat buffer (what an allreduce sums), each 64-byte aligned.
    @Test func gradientsShareOneFlatBuffer() throws {
        let model = try TestModels.hybrid(seed: 2)
        let g = model.makeGradients()
        var end = 0
        for t in g.tensors {
            let offset = g.flat.pointer.distance(to: t.pointer)
            #expect(offset >= end && offset % 16 == 0)
            end = offset + t.count
        }
        #expect(end <= g.flat.count)
        g.flat.pointer[g.flat.count - 1] = 3
        g.zero()
        #expect(g.flat.buffer.allSatisfy { $0 == 0 })
    }
}
