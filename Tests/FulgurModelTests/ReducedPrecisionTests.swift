import Foundation
import Testing
@testable import FulgurModel
@testable import FulgurTensor
@testable import FulgurSupport

/// Rollout copies in reduced precision (ReducedPrecision.swift, Figure 3): what is rounded,
/// that nothing else changes, and the bf16 LM head against a float64 recomputation.
@Suite struct ReducedPrecisionTests {
    let ids = [3, 17, 42, 5, 88, 13, 61, 2, 9, 70, 33, 4, 19]

    func isBF16(_ x: Float) -> Bool { Convert.roundedToBF16(x) == x }

    /// A model whose parameters are all bf16-representable.
    func roundedModel() throws -> MiniMaxModel {
        let m = try TestModels.hybrid(blockSize: 4)
        for (_, t) in m.parameters { Convert.roundToBF16(t.pointer, count: t.count) }
        return m
    }

    @Test func fp32CopyComputesExactlyWhatTheModelComputes() throws {
        let m = try TestModels.hybrid(blockSize: 4)
        let copy = try MiniMaxModel.rolloutCopy(of: m, ReducedPrecision(weights: .f32, head: .f32))
        let a = try m.logits(ids), b = try copy.logits(ids)
        #expect(TestModels.maxAbsDiff(a.pointer, b.pointer, a.count) == 0)
    }

    @Test func weightsAreRoundedAndTheHeadOnlyWhenAsked() throws {
        let m = try TestModels.hybrid(blockSize: 4)
        let bfHead = try MiniMaxModel.rolloutCopy(of: m, ReducedPrecision(weights: .bf16, head: .bf16))
        let fpHead = try MiniMaxModel.rolloutCopy(of: m, ReducedPrecision(weights: .bf16, head: .f32))
        let src = Dictionary(uniqueKeysWithValues: m.parameters.map { ($0.0, $0.1) })
        for (name, t) in bfHead.parameters {
            let s = try #require(src[name])
            #expect((0..<t.count).allSatisfy { t.pointer[$0] == Convert.roundedToBF16(s.pointer[$0]) }, "\(name) not rounded")
        }
        let head = fpHead.lmHead, orig = m.lmHead
        #expect(TestModels.maxAbsDiff(head.pointer, orig.pointer, head.count) == 0)
        #expect(!(0..<orig.count).allSatisfy { isBF16(orig.pointer[$0]) })  // so the check above means something
        // logits of a bf16 head are bf16 values (the output of a bf16 GEMM)
        let l = try bfHead.logits(ids)
        #expect((0..<l.count).allSatisfy { isBF16(l.pointer[$0]) })
        let l2 = try fpHead.logits(ids)
        #expect(!(0..<l2.count).allSatisfy { isBF16(l2.pointer[$0]) })
    }

    /// On bf16-representable weights only the activation rounding differs from fp32:
    /// log-probs stay within 0.05 but are not identical.
    @Test func bf16RolloutOnBF16WeightsStaysCloseToFP32() throws {
        let m = try roundedModel()
        let copy = try MiniMaxModel.rolloutCopy(of: m, ReducedPrecision(weights: .bf16, head: .bf16))
        let a = try m.nextTokenLogProbs(ids), b = try copy.nextTokenLogProbs(ids)
        let worst = zip(a, b).map { abs($0 - $1) }.max()!
        #expect(worst <= 0.05, "max |Δ log p| = \(worst)")
        #expect(worst > 0)
    }

    /// The bf16 head against float64: logits = bf16(Σ_k bf16(y_k) · bf16(W_jk)), y the final
    /// RMSNorm output (from a training forward, whose layers match the unrounded copy's).
    @Test func bf16HeadMatchesAFloat64Recomputation() throws {
        let m = try TestModels.hybrid(blockSize: 4)
        let copy = try MiniMaxModel.rolloutCopy(of: m, ReducedPrecision(weights: .f32, head: .bf16))
        let pass = try m.trainingForward([ids])
        let got = try copy.logits(ids)
        let d = m.config.hiddenSize, v = m.config.vocabSize
        var worst = 0.0
        for r in 0..<ids.count {
            for j in 0..<v {
                var s = 0.0
                for k in 0..<d {
                    s += Double(Convert.roundedToBF16(pass.y.row(r)[k])) * Double(Convert.roundedToBF16(m.lmHead.row(j)[k]))
                }
                let ref = Double(Convert.roundedToBF16(Float(s)))
                // one bf16 ulp (2^-7 relative at most) where a Float sum lands on the other side of a rounding boundary
                worst = max(worst, abs(Double(got.row(r)[j]) - ref) / (abs(ref) / 128 + 1e-3))
            }
        }
        #expect(worst <= 1, "max |Δ| in units of one bf16 ulp: \(worst)")
    }

    @Test func syncPicksUpTrainingUpdates() throws {
        let m = try TestModels.hybrid(blockSize: 4)
        let copy = try MiniMaxModel.rolloutCopy(of: m, ReducedPrecision(weights: .bf16, head: .f32))
        for i in 0..<m.embedTokens.count { m.embedTokens.pointer[i] += 0.013 }
        m.lmHead.pointer[5] += 0.25
        copy.syncRounded(from: m)
        #expect((0..<m.embedTokens.count).allSatisfy { copy.embedTokens.pointer[$0] == Convert.roundedToBF16(m.embedTokens.pointer[$0]) })
        #expect(copy.lmHead.pointer[5] == m.lmHead.pointer[5])
    }
}
