import FulgurRewards
import Testing

@Suite struct SwissTournamentTests {
    /// With a noiseless comparator the strongest candidate wins, in ⌈log₂ n⌉ rounds of n/2 matches.
    @Test(arguments: [2, 3, 5, 8, 13, 16])
    func findsTheStrongest(count: Int) async throws {
        let strength = (0..<count).map { ($0 * 7 + 3) % count } // a permutation
        let result = try await SwissTournament().run(count: count) { a, b in (strength[a] - strength[b]).signum() }
        #expect(strength[result.best] == count - 1)
        let rounds = Int(log2(Double(count)).rounded(.up))
        #expect(Set(result.matches.map(\.round)) == Set(1...rounds))
        #expect(result.matches.count == rounds * (count / 2))
        #expect(result.points.reduce(0, +) == Double(rounds * (count / 2) + rounds * (count % 2)))
    }

    @Test func noRematchesWhileAvoidable() async throws {
        let result = try await SwissTournament(rounds: 3).run(count: 8) { a, b in (a - b).signum() }
        let pairs = result.matches.map { Set([$0.first, $0.second]) }
        #expect(Set(pairs).count == pairs.count)
    }

    @Test func tiesScoreHalfAndByesRotate() async throws {
        let result = try await SwissTournament(rounds: 3).run(count: 3) { _, _ in 0 }
        // 3 rounds, one match each (½ + ½) and one bye each (1): every candidate ends with 2 points.
        #expect(result.points == [2, 2, 2])
        #expect(result.matches.allSatisfy { $0.outcome == 0 })
    }

    @Test func singleCandidateNeedsNoMatch() async throws {
        let result = try await SwissTournament().run(count: 1) { _, _ in Issue.record("no comparison expected"); return 0 }
        #expect(result.best == 0 && result.matches.isEmpty)
    }
}

@Suite struct LengthBiasMonitorTests {
    /// Reference values from Python's statistics.correlation on the same ten samples.
    @Test func correlationsMatchPython() throws {
        let r = [1, 0, 1, 1, 0, 0.5, 1, 0, 0.25, 0.75]
        let l = [120, 80, 300, 250, 60, 150, 400, 90, 100, 200]
        let c = [true, false, true, false, false, true, true, false, false, true]
        var m = LengthBiasMonitor(window: 10, minimumSamples: 5)
        for i in 0..<10 { m.record(reward: r[i], length: l[i], correct: c[i]) }
        let x = m.metrics
        #expect(abs(try #require(x.rewardLengthCorrelation) - 0.7880253201855687) < 1e-12)
        #expect(abs(try #require(x.rewardCorrectnessCorrelation) - 0.6974858324629157) < 1e-12)
        #expect(abs(try #require(x.lengthCorrectnessCorrelation) - 0.5593736465051732) < 1e-12)
        #expect(abs(try #require(x.partialRewardLengthCorrelation) - 0.6698153013616903) < 1e-12)
        #expect(x.samples == 10 && abs(x.meanLength - 175) < 1e-12)
        #expect(!x.flagged) // 0.788 does not exceed 0.697 by the 0.1 margin
        #expect(x.dictionary["length_bias/flagged"] == 0)
    }

    /// A judge that pays for length is flagged; one that pays for correctness is not.
    @Test func flagsLengthSeekingRewards() {
        var biased = LengthBiasMonitor(window: 200, minimumSamples: 50)
        var fair = LengthBiasMonitor(window: 200, minimumSamples: 50)
        for i in 0..<400 {
            let length = 100 + (i * 37) % 900
            let correct = (i * 13) % 3 != 0
            biased.record(reward: Double(length) / 1000, length: length, correct: correct)
            fair.record(reward: correct ? 1 : 0, length: length, correct: correct)
        }
        #expect(biased.metrics.flagged)
        #expect(!fair.metrics.flagged)
        #expect(biased.metrics.samples == 200) // the window slides
    }

    @Test func needsEnoughSamples() {
        var m = LengthBiasMonitor(window: 100, minimumSamples: 50)
        for i in 0..<20 { m.record(reward: Double(i), length: i) }
        #expect(m.metrics.rewardLengthCorrelation != nil && !m.metrics.flagged)
        var constant = LengthBiasMonitor(window: 10, minimumSamples: 2)
        for i in 0..<10 { constant.record(reward: 1, length: i) }
        #expect(constant.metrics.rewardLengthCorrelation == nil && !constant.metrics.flagged)
    }
}

import Foundation
