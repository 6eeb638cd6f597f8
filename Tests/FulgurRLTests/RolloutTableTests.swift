import Foundation
import FulgurRewards
import Testing
@testable import FulgurRL

@Suite struct RolloutTableTests {
    /// The Pearson correlation from sums (what ranks add up) equals the two-pass one.
    @Test func pearsonFromSumsMatchesTheTwoPassFormula() throws {
        var rng = SystemRandomNumberGenerator()
        let x = (0..<500).map { _ in Double.random(in: 0...1, using: &rng) }
        let y = x.map { 0.7 * $0 + 0.3 * Double.random(in: 0...1, using: &rng) }
        var whole = PearsonSums(), a = PearsonSums(), b = PearsonSums()
        for (i, (u, v)) in zip(x, y).enumerated() {
            whole.add(u, v)
            if i < 200 { a.add(u, v) } else { b.add(u, v) }
        }
        let merged = PearsonSums(flattened: zip(a.flattened, b.flattened).map { $0 + $1 })
        let want = try #require(LengthBiasMonitor.pearson(x, y))
        #expect(abs(try #require(whole.value) - want) <= 1e-9)
        #expect(abs(try #require(merged.value) - want) <= 1e-9)
        var one = PearsonSums()
        one.add(1, 2)
        #expect(one.value == nil)
    }

    @Test func tableRowsByGroup() {
        var t = RolloutTable(groups: 2, groupSize: 3)
        t.set(group: 1, (0..<3).map { RolloutTable.Row(env: 1, reward: Double($0), length: 10 + $0) })
        #expect(t.group(1).map(\.reward) == [0, 1, 2])
        #expect(t.group(0).allSatisfy { $0 == RolloutTable.Row() })
        #expect(t.groups == 2)
    }
}
