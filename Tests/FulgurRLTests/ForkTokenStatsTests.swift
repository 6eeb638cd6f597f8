import Foundation
import Testing
@testable import FulgurRL

/// Who clipping drops (Figure 2's explanation) and truncated importance sampling (Figure 3),
/// checked against a float64 recomputation of the test vector of PolicyLossTests.
@Suite struct ForkTokenStatsTests {
    var adv: [Double] { AdvantageEstimator.groupStd.advantages([PolicyLossTests.rewards], eps: 1e-6)[0] }

    /// Float64 reference: which tokens PPO's mask (Eq. 7) zeroes, and their π_old probabilities.
    func reference(clipLow: Double, clipHigh: Double) -> (zeroed: [Double], all: [Double]) {
        var zeroed: [Double] = [], all: [Double] = []
        for i in 0..<4 {
            for t in 0..<PolicyLossTests.lengths[i] {
                let old = Double(PolicyLossTests.logpOld[i][t]), r = exp(Double(PolicyLossTests.delta[i][t]))
                let a = adv[i]
                all.append(exp(old))
                if (a > 0 && r > 1 + clipHigh) || (a < 0 && r < 1 - clipLow) { zeroed.append(exp(old)) }
            }
        }
        return (zeroed, all)
    }

    @Test func dapoZeroedTokensAndTheirProbabilities() {
        let r = PolicyLoss(kind: .dapo).evaluate(PolicyLossTests.responses(adv), batchTokens: 10, batchResponses: 4)
        let ref = reference(clipLow: 0.2, clipHigh: 0.28)
        let st = r.stats, f = st.fork
        // zeroed: (0,1) Â>0 r=e^0.5, (2,0) Â<0 r=e^-0.4, (2,3) Â<0 r=e^-0.6, (3,0) Â>0 r=e^1.6
        #expect(st.zeroed == ref.zeroed.count && st.zeroed == 4)
        #expect(st.outsideTrustRegion == st.zeroed)
        #expect(abs(f.zeroedProbSum - ref.zeroed.reduce(0, +)) < 1e-6)
        #expect(abs(f.probSum - ref.all.reduce(0, +)) < 1e-6)
        #expect(f.zeroedLow == ref.zeroed.filter { $0 < 0.1 }.count && f.zeroedLow == 1)  // p = e^-2.5
        #expect(f.low == ref.all.filter { $0 < 0.1 }.count && f.low == 2)  // p = e^-3.0, e^-2.5
        #expect(st.capped == 0 && f.cappedProbSum == 0)
    }

    @Test func cispoKeepsTheTokensPPOWouldZero() {
        var l = PolicyLoss(kind: .cispo)
        l.isHigh = 0.2
        let r = l.evaluate(PolicyLossTests.responses(adv), batchTokens: 10, batchResponses: 4)
        let ref = reference(clipLow: 0.2, clipHigh: 0.2)
        #expect(r.stats.zeroed == 0)
        #expect(r.stats.outsideTrustRegion == ref.zeroed.count)
        // capped: r > 1.2 → tokens with δ > ln 1.2 = 0.182: 0.5, 1.0, 0.2, 1.6
        #expect(r.stats.capped == 4)
        let capped: [Double] = [exp(-1.2), exp(-3.0), exp(-0.2), exp(-2.5)]
        #expect(abs(r.stats.fork.cappedProbSum - capped.reduce(0, +)) < 1e-6)
        #expect(r.stats.fork.cappedLow == 2)
    }

    @Test func truncatedISWeightsScaleEachTokenLossAndGradient() {
        var l = PolicyLoss(kind: .cispo)
        l.isHigh = 0.2
        let base = l.evaluate(PolicyLossTests.responses(adv), batchTokens: 10, batchResponses: 4)
        var weighted = PolicyLossTests.responses(adv)
        // min(π_old/π_rollout, C = 2) with arbitrary rollout log-probs
        let cap = 2.0
        var w64: [[Double]] = []
        for i in weighted.indices {
            let rollout = weighted[i].oldLogProbs.enumerated().map { t, o in o + Float(t % 3) * 0.4 - 0.5 }
            let w = zip(weighted[i].oldLogProbs, rollout).map { min(exp(Double($0) - Double($1)), cap) }
            w64.append(w)
            weighted[i].weights = w.map { Float($0) }
        }
        let r = l.evaluate(weighted, batchTokens: 10, batchResponses: 4)
        for i in 0..<4 { for t in 0..<PolicyLossTests.lengths[i] {
            let expect = Double(base.dLogProbs[i][t]) * w64[i][t]
            #expect(abs(Double(r.dLogProbs[i][t]) - expect) <= 1e-6 * max(1, abs(expect)))
        } }
        let meanW = w64.flatMap { $0 }.reduce(0, +) / 10
        #expect(abs(r.stats.tisWeightMean - meanW) < 1e-6)
        #expect(abs(base.stats.tisWeightMean - 1) < 1e-12)
    }

    @Test func mergedStatsWeightMeansByTokens() {
        var a = PolicyLoss.Stats(), b = PolicyLoss.Stats()
        a.tokens = 2; a.ratioMean = 1.0; a.ratioMax = 1.5; a.zeroed = 1
        b.tokens = 6; b.ratioMean = 2.0; b.ratioMax = 1.2; b.capped = 3
        a.merge(b)
        #expect(a.tokens == 8 && a.zeroed == 1 && a.capped == 3 && a.ratioMax == 1.5)
        #expect(abs(a.ratioMean - 1.75) < 1e-12)
    }
}
