import Foundation
import Testing
@testable import FulgurModel
@testable import FulgurSupport
@testable import FulgurTensor
@testable import FulgurTraining

@Suite struct OptimizerTests {
    /// AdamW against a float64 re-computation over several steps, with clipping and decay.
    @Test func adamWMatchesFloat64Reference() {
        var rng = RNG(seed: 3)
        let w = Tensor(shape: [4, 5]) { _ in rng.normal() }
        let b = Tensor(shape: [5]) { _ in rng.normal() }
        let settings = AdamW.Settings(beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, clipNorm: 1.0)
        let opt = AdamW(parameters: [("w", w), ("b", b)], settings: settings)
        let grads = Gradients([("w", w), ("b", b)])
        var refW = w.toArray().map(Double.init), refB = b.toArray().map(Double.init)
        var mW = [Double](repeating: 0, count: 20), vW = mW, mB = [Double](repeating: 0, count: 5), vB = mB
        for step in 1...5 {
            let gw = (0..<20).map { _ in Double(rng.normal()) * 2 }, gb = (0..<5).map { _ in Double(rng.normal()) }
            for i in 0..<20 { grads[w][i] = Float(gw[i]) }
            for i in 0..<5 { grads[b][i] = Float(gb[i]) }
            let lr = 0.01
            opt.update(grads, lr: lr)
            let norm = (gw + gb).reduce(0) { $0 + $1 * $1 }.squareRoot()
            let s = norm > 1 ? 1 / norm : 1
            func adam(_ p: inout [Double], _ m: inout [Double], _ v: inout [Double], _ g: [Double], decay: Double) {
                for i in p.indices {
                    let gi = g[i] * s
                    m[i] = 0.9 * m[i] + 0.1 * gi
                    v[i] = 0.95 * v[i] + 0.05 * gi * gi
                    let mh = m[i] / (1 - pow(0.9, Double(step))), vh = v[i] / (1 - pow(0.95, Double(step)))
                    p[i] -= lr * (mh / (vh.squareRoot() + 1e-8) + decay * p[i])
                }
            }
            adam(&refW, &mW, &vW, gw, decay: 0.1)
            adam(&refB, &mB, &vB, gb, decay: 0)  // norm weights are not decayed
        }
        #expect(zip(w.toArray(), refW).allSatisfy { abs(Double($0) - $1) < 1e-5 })
        #expect(zip(b.toArray(), refB).allSatisfy { abs(Double($0) - $1) < 1e-5 })
    }

    @Test func scheduleWarmsUpHoldsAndDecays() {
        let cos = LearningRateSchedule(peak: 1e-3, warmupSteps: 10, decayStart: 50, decayEnd: 100, floor: 1e-4, decay: .cosine)
        #expect(abs(cos.lr(at: 0) - 1e-4) < 1e-15)
        #expect(abs(cos.lr(at: 9) - 1e-3) < 1e-15)
        #expect(cos.lr(at: 30) == 1e-3)
        #expect(abs(cos.lr(at: 75) - 5.5e-4) < 1e-12)
        #expect(abs(cos.lr(at: 100) - 1e-4) < 1e-15)
        #expect(abs(cos.lr(at: 500) - 1e-4) < 1e-15)
        let lin = LearningRateSchedule(peak: 1e-3, decayStart: 0, decayEnd: 10, floor: 0, decay: .linear)
        #expect(abs(lin.lr(at: 5) - 5e-4) < 1e-15)
    }

    @Test func dataLoaderResumesAtTheSamePlace() {
        let examples = (0..<37).map { i in Example(ids: Array(repeating: i, count: 2 + i % 5)) }
        var a = DataLoader(examples: examples, tokensPerBatch: 12, seed: 9)
        var seen: [[Example]] = []
        for _ in 0..<30 { seen.append(a.next()) }
        var b = DataLoader(examples: examples, tokensPerBatch: 12, seed: 9)
        for _ in 0..<13 { _ = b.next() }
        var c = DataLoader(examples: examples, tokensPerBatch: 12, seed: 9, position: b.position)
        for i in 13..<30 { #expect(c.next() == seen[i]) }
        // the first epoch is a permutation of all examples
        var d = DataLoader(examples: examples, tokensPerBatch: 12, seed: 1)
        var consumed: [Int] = []
        while consumed.count < 37 { consumed += d.next().map { $0.ids[0] } }
        #expect(Set(consumed.prefix(37)) == Set(0..<37))
    }
}
