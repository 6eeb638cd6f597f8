import Foundation
import Testing
@testable import FulgurModel
@testable import FulgurTensor
@testable import FulgurSupport

/// Finite-difference checks of the backward pass, tensor by tensor: lightning attention across
/// block boundaries (block size 4, sequences of 11 and 6 tokens), softmax attention with
/// partial RoPE, MoE routing (with the load-balancing loss on), norms, embedding and LM head.
@Suite struct FiniteDifferenceTests {
    static let sequences = [[3, 17, 44, 9, 81, 23, 5, 60, 12, 33, 70], [8, 91, 2, 47, 15, 66]]
    static let aux: Float = 0.05

    /// A scalar loss: Σ c_r · log p_r (random weights c) + aux · L_aux, in Double.
    static func loss(_ model: MiniMaxModel, _ c: [Float]) throws -> (Double, TrainingPass) {
        let pass = try model.trainingForward(sequences, temperature: 0.9)
        var s = 0.0
        for r in 0..<c.count where pass.hasTarget[r] { s += Double(c[r]) * Double(pass.logProbs[r]) }
        return (s + Double(aux) * Double(pass.auxLoss), pass)
    }

    static func routing(_ pass: TrainingPass) -> [[Int]] { pass.tapes.map { $0.moe.routing.experts } }

    @Test func everyTensorMatchesCentralDifferences() throws {
        let model = try TestModels.hybrid(blockSize: 4, std: 0.15)
        // well-separated router choices, so small perturbations do not flip a top-k selection
        for l in model.layers { Vec.scale(l.moe.gate.pointer, 5, l.moe.gate.count) }
        var rng = RNG(seed: 11)
        let rows = Self.sequences.reduce(0) { $0 + $1.count }
        let c = (0..<rows).map { _ in rng.normal() }
        let (_, pass) = try Self.loss(model, c)
        let g = model.makeGradients()
        pass.backward(dLogProbs: c, auxCoefficient: Self.aux, into: g)
        let baseRouting = Self.routing(pass)
        var checked = 0
        var skipped: [String] = []
        for (name, p) in model.trainableParameters {
            // a unit direction mixing the gradient and a random vector: a strong signal against
            // float32 noise that still probes components the gradient would miss
            let gp = g[p].toArray()
            let gn = gp.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let r = (0..<p.count).map { _ in rng.normal() }
            let rn = r.reduce(0) { $0 + $1 * $1 }.squareRoot()
            var u = zip(gp, r).map { $0 / max(gn, 1e-12) + $1 / rn }
            let un = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
            u = u.map { $0 / un }
            let analytic = zip(g[p].toArray(), u).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let saved = p.toArray()
            // the largest step that leaves every top-k choice unchanged (away from routing ties)
            var done = false
            for eps: Float in [5e-3, 2e-3, 1e-3, 5e-4] {
                for i in 0..<p.count { p[i] = saved[i] + eps * u[i] }
                let (lp, passP) = try Self.loss(model, c)
                for i in 0..<p.count { p[i] = saved[i] - eps * u[i] }
                let (lm, passM) = try Self.loss(model, c)
                for i in 0..<p.count { p[i] = saved[i] }
                guard Self.routing(passP) == baseRouting, Self.routing(passM) == baseRouting else { continue }
                let numeric = (lp - lm) / (2 * Double(eps))
                // float32 forward: the loss carries ~1e-5 of rounding noise, ~1e-3 after dividing by 2ε
                let err = abs(numeric - analytic)
                #expect(err < 1e-2 * max(abs(analytic), abs(numeric)) + 2e-3, "\(name): analytic \(analytic), numeric \(numeric)")
                checked += 1
                done = true
                break
            }
            if !done { skipped.append(name) }
        }
        // a tensor may sit at a routing tie for every step size; allow two such
        #expect(checked >= model.trainableParameters.count - 2, "skipped: \(skipped)")
    }
}
