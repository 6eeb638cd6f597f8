import Foundation
import Testing
@testable import FulgurModel
@testable import FulgurTensor

/// Exact gradients (issue 4 acceptance): the mean next-token cross-entropy and the gradient
/// of every tensor match HF transformers' autograd on the fixtures, ‖g − g_ref‖/‖g_ref‖ ≤ 1e-3.
@Suite struct GradientTests {
    static func crossEntropyGradients(_ model: MiniMaxModel, _ ids: [Int]) throws -> (Float, Gradients) {
        let pass = try model.trainingForward([ids])
        let count = Float(ids.count - 1)
        let loss = -pass.logProbs.reduce(0, +) / count
        let g = model.makeGradients()
        pass.backward(dLogProbs: pass.hasTarget.map { $0 ? -1 / count : 0 }, into: g)
        return (loss, g)
    }

    @Test(arguments: ["hf-tiny", "m1-tiny"])
    func gradientsMatchTransformers(name: String) throws {
        let model = try MiniMaxModel(directory: Fixtures.path(name))
        let ref = try SafetensorsFile(path: Fixtures.path(name + "/reference.safetensors"))
        let ids = try ref.integers("input_ids")
        let (loss, g) = try Self.crossEntropyGradients(model, ids)
        let want = try Fixtures.json(name + "/grads.json")["loss"] as! Double
        #expect(abs(Double(loss) - want) <= 1e-5, "loss \(loss) vs \(want)")
        let refGrads = try SafetensorsFile(path: Fixtures.path(name + "/grads.safetensors"))
        let named = model.checkpointNamed(g)
        #expect(Set(named.map(\.0)) == Set(refGrads.names), "gradient names differ from the checkpoint's")
        var worst = (0.0, "")
        for (tensorName, got) in named {
            let r = try refGrads.float32(tensorName)
            var num = 0.0, den = 0.0
            for i in 0..<r.count { let dd = Double(got[i] - r[i]); num += dd * dd; den += Double(r[i]) * Double(r[i]) }
            guard den.squareRoot() > 1e-6 else { continue }
            let rel = (num / den).squareRoot()
            if rel > worst.0 { worst = (rel, tensorName) }
            #expect(rel <= 1e-3, "\(tensorName): relative error \(rel)")
        }
        print("\(name): loss \(loss) (ref \(want)); worst relative gradient error \(worst.0) at \(worst.1)")
    }

    /// The fused softmax + entropy of the training pass (H = log s − Σ e·t / s) against a
    /// float64 softmax and −Σ p log p, on rows with small and large logit spreads.
    @Test func softmaxEntropyMatchesFloat64() {
        for (spread, v) in [(0.5, 37), (4.0, 2048), (40.0, 301)] {
            var state: UInt64 = 11
            let z = (0..<v).map { _ -> Float in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(Double(state >> 11) / Double(1 << 53) * 2 - 1) * Float(spread)
            }
            var row = z
            let h = row.withUnsafeMutableBufferPointer { TrainingPass.softmaxEntropy($0.baseAddress!, v) }
            let m = z.map(Double.init).max()!
            let e = z.map { Foundation.exp(Double($0) - m) }, s = e.reduce(0, +)
            let p = e.map { $0 / s }
            let want = -p.reduce(0) { $0 + ($1 > 0 ? $1 * Foundation.log($1) : 0) }
            #expect(abs(Double(h) - want) <= 1e-5 * max(1, want), "spread \(spread): \(h) vs \(want)")
            #expect(zip(row, p).allSatisfy { abs(Double($0) - $1) <= 1e-6 }, "spread \(spread): probabilities")
        }
    }
}

