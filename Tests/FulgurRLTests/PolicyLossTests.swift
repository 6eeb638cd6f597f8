import Testing
@testable import FulgurRL

/// Values of the spec's reference script rl_testvec.py (rl-algorithms.md Appendix A; not in this repository).
@Suite struct PolicyLossTests {
    static let rewards: [Double] = [1, 0, 0, 1]
    static let lengths = [3, 2, 4, 1]
    static let logpOld: [[Float]] = [[-0.5, -1.2, -2.0], [-0.1, -3.0], [-0.7, -0.2, -1.5, -0.9], [-2.5]]
    static let delta: [[Float]] = [[0.1, 0.5, -0.3], [0.0, 1.0], [-0.4, 0.2, 0.05, -0.6], [1.6]]

    static func responses(_ adv: [Double]) -> [PolicyLoss.Response] {
        (0..<4).map { i in
            PolicyLoss.Response(logProbs: zip(logpOld[i], delta[i]).map { $0 + $1 }, oldLogProbs: logpOld[i],
                                advantage: adv[i], mask: Array(repeating: true, count: lengths[i]))
        }
    }

    static func close(_ a: [[Float]], _ b: [[Double]], tol: Double = 2e-6) -> Bool {
        zip(a, b).allSatisfy { x, y in zip(x, y).allSatisfy { abs(Double($0) - $1) <= tol } }
    }

    @Test func advantagesFollowEachConvention() {
        let trl = AdvantageEstimator.groupStd.advantages([Self.rewards], eps: 1e-4)[0]
        let verl = AdvantageEstimator.groupStd.advantages([Self.rewards], eps: 1e-6)[0]
        let dr = AdvantageEstimator.groupMean.advantages([Self.rewards])[0]
        #expect(abs(AdvantageEstimator.std(Self.rewards) - 0.5773502691896257) < 1e-12)
        #expect(zip(trl, [0.865875, -0.865875, -0.865875, 0.865875]).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(zip(verl, [0.866024, -0.866024, -0.866024, 0.866024]).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(dr == [0.5, -0.5, -0.5, 0.5])
        // a constant group has zero advantage, not NaN
        #expect(AdvantageEstimator.groupStd.advantages([[1, 1, 1]])[0] == [0, 0, 0])
    }

    var adv: [Double] { AdvantageEstimator.groupStd.advantages([Self.rewards], eps: 1e-6)[0] }

    @Test func cispoWithCap1_2AndNoLowerBound() {
        var l = PolicyLoss(kind: .cispo)
        l.isHigh = 0.2
        let r = l.evaluate(Self.responses(adv), batchTokens: 10, batchResponses: 4)
        #expect(abs(r.loss - -0.131546) < 2e-6)
        #expect(Self.close(r.dLogProbs, [[-0.09571, -0.103923, -0.064157], [0.086602, 0.103923],
                                          [0.058051, 0.103923, 0.091043, 0.047528], [-0.103923]]))
    }

    @Test func cispoScaleRLBounds() {
        var l = PolicyLoss(kind: .cispo)
        l.isLow = 1.0  // r̂ ∈ [0, 5]
        let r = l.evaluate(Self.responses(adv), batchTokens: 10, batchResponses: 4)
        #expect(abs(r.loss - -0.074798) < 2e-6)
        #expect(Self.close(r.dLogProbs, [[-0.09571, -0.142783, -0.064157], [0.086602, 0.23541],
                                          [0.058051, 0.105776, 0.091043, 0.047528], [-0.428944]]))
    }

    @Test func dapoClipTokenMean() {
        let l = PolicyLoss(kind: .dapo)
        let r = l.evaluate(Self.responses(adv), batchTokens: 10, batchResponses: 4)
        #expect(abs(r.loss - 0.275826) < 2e-6)
        #expect(Self.close(r.dLogProbs, [[-0.09571, 0, -0.064157], [0.086602, 0.23541], [0, 0.105776, 0.091043, 0], [0]]))
        #expect(r.stats.zeroed == 4)
    }

    @Test func grpoSequenceMean() {
        var l = PolicyLoss(kind: .grpo)
        l.clipHigh = 0.28
        let r = l.evaluate(Self.responses(adv), batchTokens: 10, batchResponses: 4)
        #expect(abs(r.loss - 0.109403) < 2e-6)
    }

    @Test func unifiedMaskMatchesEquation7() {
        var l = PolicyLoss(kind: .cispo)
        l.unifiedMask = true
        l.clipLow = 0.2; l.clipHigh = 0.28
        let r = l.evaluate(Self.responses(adv), batchTokens: 10, batchResponses: 4)
        let m = r.dLogProbs.map { $0.map { $0 == 0 ? 0 : 1 } }
        #expect(m == [[1, 0, 1], [1, 1], [0, 1, 1, 0], [0]])
    }

    @Test func softOverlongPunishmentValues() {
        let want: [(Int, Double)] = [(16000, 0), (16384, 0), (18432, -0.5), (20480, -1), (20481, -1)]
        for (y, v) in want { #expect(abs(softOverlongPunishment(length: y, maxLength: 20480, cache: 4096) - v) < 1e-12) }
    }
}
