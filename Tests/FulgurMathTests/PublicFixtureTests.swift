import Foundation
import FulgurRewards
import Testing

/// The acceptance test of issue 5: agreement with the adjudicated verdicts of
/// Tests/Fixtures/math/public.jsonl (Math-Verify itself agrees on 89%).
@Suite struct PublicFixtureTests {
    struct Case: Decodable {
        var gold: String
        var response: String
        var expected: Bool
        var math_verify: Bool
        var category: String
    }

    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/math/public.jsonl").path

    @Test func agreesWithAdjudicatedVerdicts() throws {
        let data = try #require(FileManager.default.contents(atPath: Self.path), "missing \(Self.path)")
        let cases = try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Case.self, from: Data($0)) }
        #expect(cases.count == 250)
        var agreeExpected = 0, agreeMathVerify = 0, mathVerifyRight = 0
        var disagreements: [String] = []
        for (k, c) in cases.enumerated() {
            let v = MathChecker.check(gold: c.gold, response: c.response)
            if v.correct == c.expected { agreeExpected += 1 } else {
                disagreements.append("  line \(k + 1) [\(c.category)] gold \(c.gold) extracted \(v.extracted ?? "null"): got \(v.correct), expected \(c.expected) — \(v.reason)")
            }
            if v.correct == c.math_verify { agreeMathVerify += 1 }
            if c.math_verify == c.expected { mathVerifyRight += 1 }
        }
        let n = Double(cases.count)
        print("math checker vs expected:    \(agreeExpected)/\(cases.count) = \(String(format: "%.1f", 100 * Double(agreeExpected) / n))%")
        print("math checker vs math_verify: \(agreeMathVerify)/\(cases.count) = \(String(format: "%.1f", 100 * Double(agreeMathVerify) / n))%")
        print("Math-Verify vs expected:     \(mathVerifyRight)/\(cases.count) = \(String(format: "%.1f", 100 * Double(mathVerifyRight) / n))%")
        print(disagreements.isEmpty ? "no disagreements with expected" : "disagreements:\n" + disagreements.joined(separator: "\n"))
        #expect(Double(agreeExpected) / n >= 0.98)
        #expect(mathVerifyRight == 223) // the fixture's own statistic: 27 flipped lines
    }
}
