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

    /// Every stored value of `copy` (widened exactly where stored in bf16) against `m`'s,
    /// rounded to bf16 where `rounded(name)` says.
    func storedValuesMatch(_ copy: MiniMaxModel, _ m: MiniMaxModel, rounded: (String) -> Bool) -> Bool {
        let src = m.storedWeights, dst = copy.storedWeights
        guard src.count == dst.count else { return false }
        return zip(src, dst).allSatisfy { s, d in
            let a = s.1.widened(), b = d.1.widened(), r = rounded(s.0)
            let ok = s.0 == d.0 && a.count == b.count
                && (0..<a.count).allSatisfy { b.pointer[$0] == (r ? Convert.roundedToBF16(a.pointer[$0]) : a.pointer[$0]) }
            if !ok { Issue.record("\(d.0) does not hold the \(r ? "rounded " : "")model values") }
            return ok
        }
    }

    @Test func weightsAreRoundedAndTheHeadOnlyWhenAsked() throws {
        let m = try TestModels.hybrid(blockSize: 4)
        let bfHead = try MiniMaxModel.rolloutCopy(of: m, ReducedPrecision(weights: .bf16, head: .bf16))
        let fpHead = try MiniMaxModel.rolloutCopy(of: m, ReducedPrecision(weights: .bf16, head: .f32))
        #expect(storedValuesMatch(bfHead, m) { _ in true })
        #expect(storedValuesMatch(fpHead, m) { $0 != "lm_head.weight" })
        let head = fpHead.lmHead, orig = m.lmHead
        #expect(TestModels.maxAbsDiff(head.pointer, orig.pointer, head.count) == 0)
        #expect(!(0..<orig.count).allSatisfy { isBF16(orig.pointer[$0]) })  // so the check above means something
        // logits of a bf16 head are bf16 values (the output of a bf16 GEMM)
        let l = try bfHead.logits(ids)
        #expect((0..<l.count).allSatisfy { isBF16(l.pointer[$0]) })
        let l2 = try fpHead.logits(ids)
        #expect(!(0..<l2.count).allSatisfy { isBF16(l2.pointer[$0]) })
    }

    /// A bf16 rollout copy is a bf16 engine: the projection, lightning and expert matrices
    /// (and the head when bf16) are stored in bf16, half the bytes; embeddings, norms and
    /// routers stay Float32 (rounded).
    @Test func matricesAreStoredInBF16() throws {
        let m = try TestModels.hybrid(blockSize: 4)
        for rp in [ReducedPrecision(weights: .bf16, head: .bf16), ReducedPrecision(weights: .bf16, head: .f32),
                   ReducedPrecision(weights: .f32, head: .bf16)] {
            let copy = try MiniMaxModel.rolloutCopy(of: m, rp)
            #expect(copy.precision == rp.weights && copy.headPrecision == rp.head)
            #expect(copy.lmHeadWeight.bytes == (rp.head == .bf16 ? 2 : 4) * copy.lmHeadWeight.count)
            for (name, w) in copy.storedWeights where name != "lm_head.weight" {
                guard case .matrix(let t) = w else { #expect(w.precision == .f32, "\(name)"); continue }
                #expect(t.precision == rp.weights, "\(name)")
                #expect(t.bytes == (rp.weights == .bf16 ? 2 : 4) * t.count, "\(name)")
            }
            let matrices = copy.storedWeights.filter { if case .matrix = $0.1 { true } else { false } }
            // 3 matrices per lightning layer (6), 4 per softmax layer (2), 2 expert stacks per layer, the head
            #expect(matrices.count == 6 * 3 + 2 * 4 + 8 * 2 + 1)
        }
        let copy = try MiniMaxModel.rolloutCopy(of: m, ReducedPrecision(weights: .bf16, head: .f32))
        let dir = NSTemporaryDirectory() + "fulgur-test-\(UUID().uuidString)"
        #expect(throws: MiniMaxModel.InputError.self) { try copy.save(to: dir) }  // inference only
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    /// The bf16 engine computes what the Float32 emulation (rounded values in Float32 storage)
    /// computed: the widened bf16 values are the rounded values and the kernels compute in
    /// Float32, so only the summation order of the SIMD dot kernels may differ.
    @Test func bf16StorageMatchesTheFloat32Emulation() throws {
        let m = try TestModels.hybrid(blockSize: 4)
        var rng = RNG(seed: 11)
        let tokens = (0..<24).map { _ in Int(rng.next() % 97) }
        for rp in [ReducedPrecision(weights: .bf16, head: .bf16), ReducedPrecision(weights: .bf16, head: .f32),
                   ReducedPrecision(weights: .f32, head: .bf16)] {
            let engine = try MiniMaxModel.rolloutCopy(of: m, rp)
            let emulation = try MiniMaxModel.rolloutCopy(of: m, rp, bf16Storage: false)
            #expect(emulation.precision == .f32 && emulation.headPrecision == .f32)
            try expectSameLogits(engine, emulation, tokens, "\(rp)")
        }
    }

    /// Logits of prefills of several lengths (streaming kernels up to 8 rows, BLAS beyond)
    /// and of decode steps after a prefill.
    func expectSameLogits(_ a: MiniMaxModel, _ b: MiniMaxModel, _ tokens: [Int], _ label: String) throws {
        for n in [1, 3, 8, 9, 17, 24] where n <= tokens.count {
            let x = try a.logits(Array(tokens[..<n])), y = try b.logits(Array(tokens[..<n]))
            let diff = TestModels.maxAbsDiff(x.pointer, y.pointer, x.count)
            #expect(diff <= 1e-5, "\(label) prefill \(n): max |Δ logit| = \(diff)")
        }
        let ca = a.newCache(), cb = b.newCache()
        _ = try a.forward(ForwardBatch([(Array(tokens[..<6]), ca)]))
        _ = try b.forward(ForwardBatch([(Array(tokens[..<6]), cb)]))
        for t in tokens[6..<min(14, tokens.count)] {
            let x = try a.forward(ForwardBatch([([t], ca)])), y = try b.forward(ForwardBatch([([t], cb)]))
            let diff = TestModels.maxAbsDiff(x.pointer, y.pointer, x.count)
            #expect(diff <= 1e-5, "\(label) decode at \(ca.length): max |Δ logit| = \(diff)")
        }
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
        let emulation = try MiniMaxModel.rolloutCopy(of: m, ReducedPrecision(weights: .bf16, head: .f32), bf16Storage: false)
        let before = try copy.logits(ids)
        let storage = copy.storedWeights.map { $0.1.raw }
        // an optimizer-like step on every parameter, and a large one on some matrices
        var rng = RNG(seed: 4)
        for (_, t) in m.parameters { for i in 0..<t.count { t.pointer[i] += 0.01 * rng.normal() } }
        for i in 0..<m.embedTokens.count { m.embedTokens.pointer[i] += 0.013 }
        m.lmHead.pointer[5] += 0.25
        m.layers[3].moe.gateUp.pointer[7] += 0.5
        if case .softmax(let a) = m.layers[3].mixer { a.qProj.pointer[2] -= 0.5 }
        copy.syncRounded(from: m)
        emulation.syncRounded(from: m)
        #expect((0..<m.embedTokens.count).allSatisfy { copy.embedTokens.pointer[$0] == Convert.roundedToBF16(m.embedTokens.pointer[$0]) })
        #expect(copy.lmHead.pointer[5] == m.lmHead.pointer[5])
        #expect(storedValuesMatch(copy, m) { $0 != "lm_head.weight" })
        #expect(copy.layers[3].moe.gateUpWeight.widened()[7] == Convert.roundedToBF16(m.layers[3].moe.gateUp.pointer[7]))
        #expect(copy.storedWeights.map { $0.1.raw } == storage, "sync reallocated storage")
        let after = try copy.logits(ids)
        #expect(TestModels.maxAbsDiff(before.pointer, after.pointer, before.count) > 1e-3)
        try expectSameLogits(copy, emulation, ids, "after sync")
    }
}
