import Foundation
import Testing
@testable import FulgurModel
@testable import FulgurTensor
@testable import FulgurSupport

/// bf16-resident weights (`--weights bf16`): the kernels widen bf16 to f32 exactly, so a model
/// holding bf16 weights must compute what the same weights widened to f32 compute, up to the
/// order of float sums.
@Suite struct WeightPrecisionTests {
    static let tolerance: Float = 1e-4

    func tokens(_ n: Int, seed: UInt64) -> [Int] {
        var rng = RNG(seed: seed)
        return (0..<n).map { _ in Int(rng.next() % 97) }
    }

    /// A bf16 checkpoint of the random hybrid test model.
    func bf16Checkpoint() throws -> String {
        let dir = TestModels.tempDir()
        try TestModels.hybrid(blockSize: 4).save(to: dir, dtype: .bf16)
        return dir
    }

    @Test func bf16ResidentMatchesWidenedF32() throws {
        let dir = try bf16Checkpoint()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let wide = try MiniMaxModel(directory: dir, precision: .f32)
        let half = try MiniMaxModel(directory: dir, precision: .bf16)
        #expect(half.layers[0].moe.gateUpWeight.precision == .bf16)
        #expect(half.lmHeadWeight.bytes * 2 == wide.lmHeadWeight.bytes)
        let ids = tokens(19, seed: 3)
        // prefill (BLAS path, many rows) over all positions
        let a = try wide.logits(ids), b = try half.logits(ids)
        let prefillDiff = TestModels.maxAbsDiff(a.pointer, b.pointer, a.count)
        #expect(prefillDiff <= Self.tolerance, "prefill max |Δ logit| = \(prefillDiff)")
        // decode steps (streaming kernels, one row)
        let ca = wide.newCache(), cb = half.newCache()
        _ = try wide.forward(ForwardBatch([(Array(ids[..<5]), ca)]))
        _ = try half.forward(ForwardBatch([(Array(ids[..<5]), cb)]))
        var worst: Float = 0
        for t in 5..<ids.count {
            let x = try wide.forward(ForwardBatch([([ids[t]], ca)]))
            let y = try half.forward(ForwardBatch([([ids[t]], cb)]))
            worst = max(worst, TestModels.maxAbsDiff(x.pointer, y.pointer, x.count))
            // and both equal the full forward at that position
            worst = max(worst, TestModels.maxAbsDiff(y.pointer, a.row(t), a.cols))
        }
        #expect(worst <= Self.tolerance, "decode max |Δ logit| = \(worst)")
    }

    @Test func f32CheckpointRoundedOnLoadEqualsBF16Checkpoint() throws {
        let bfDir = try bf16Checkpoint()
        let f32Dir = TestModels.tempDir()
        defer { try? FileManager.default.removeItem(atPath: bfDir); try? FileManager.default.removeItem(atPath: f32Dir) }
        try TestModels.hybrid(blockSize: 4).save(to: f32Dir, dtype: .f32)
        let fromBF = try MiniMaxModel(directory: bfDir, precision: .bf16)
        let fromF32 = try MiniMaxModel(directory: f32Dir, precision: .bf16)
        let ids = tokens(11, seed: 5)
        // the weight matrices are rounded the same way (the norms and router stay f32 in the
        // second model, so compare with a tolerance)
        let a = try fromBF.logits(ids), b = try fromF32.logits(ids)
        #expect(TestModels.maxAbsDiff(a.pointer, b.pointer, a.count) <= 0.05)
        let w1 = fromBF.layers[0].moe.gateUpWeight.widened(), w2 = fromF32.layers[0].moe.gateUpWeight.widened()
        #expect(TestModels.maxAbsDiff(w1.pointer, w2.pointer, w1.count) == 0)
    }

    @Test func bf16ModelRefusesToSave() throws {
        let dir = try bf16Checkpoint()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let half = try MiniMaxModel(directory: dir, precision: .bf16)
        #expect(throws: (any Error).self) { try half.save(to: dir + "/out") }
    }

    @Test func randomInitBF16MatchesF32WithinRounding() throws {
        // same seed, same draws: the bf16 model holds the f32 model's weights rounded
        let cfgModel = try TestModels.hybrid(blockSize: 4)
        let half = try MiniMaxModel(config: cfgModel.config, weights: RandomWeights(seed: 1, std: 0.15), precision: .bf16)
        let q = half.layers[0].moe.downWeight.widened(), f = cfgModel.layers[0].moe.down
        var worst: Float = 0
        for i in 0..<f.count { worst = max(worst, abs(q[i] - Convert.roundedToBF16(f[i]))) }
        #expect(worst == 0)
    }
}
