@testable import FulgurRewards
import Testing

@Suite struct AnswerTagTests {
    @Test func extractsTheLastAnswerAfterReasoning() {
        #expect(AnswerTag.extract(from: "<answer> 42 </answer>") == "42")
        #expect(AnswerTag.extract(from: "<answer>1</answer> then <ANSWER>2</Answer>") == "2")
        #expect(AnswerTag.extract(from: "<think>maybe <answer>1</answer></think> so <answer>3</answer>") == "3")
        // Drafts inside the reasoning do not count.
        #expect(AnswerTag.extract(from: "<think>try <answer>1</answer></think> no tags here") == nil)
        #expect(AnswerTag.extract(from: "I think…</think><answer>7</answer>") == "7")
        // Cut-off reasoning has no answer.
        #expect(AnswerTag.extract(from: "<think>long <answer>5</answer>") == nil)
        #expect(AnswerTag.extract(from: "<answer>   </answer>") == nil)
        #expect(AnswerTag.extract(from: "<answer>unclosed") == nil)
        #expect(AnswerTag.extract(from: "") == nil)
        #expect(AnswerTag.extract(from: "</answer><answer>") == nil)
        #expect(AnswerTag.extract(from: "<answer>A\nB</answer>") == "A\nB")
        #expect(AnswerTag.extract(from: "<answer>é ü 🙂</answer>") == "é ü 🙂")
    }
}

@Suite struct ArithmeticTests {
    func value(_ s: String) -> String? {
        guard case .success(let r) = ArithParser.parse(s) else { return nil }
        return (try? r.expr.value())?.description
    }

    /// Classic game-of-24 solutions (published puzzle answers) evaluate to exactly 24.
    @Test func knownSolutions() {
        #expect(value("8 / (3 - 8 / 3)") == "24")
        #expect(value("(5 - 1 / 5) * 5") == "24")
        #expect(value("6 / (1 - 3 / 4)") == "24")
        #expect(value("(3 + 3 / 7) * 7") == "24")
        #expect(value("1 - 2 - 3") == "-4")           // left associative
        #expect(value("2 * 3 + 4 * 5") == "26")       // precedence
        #expect(value("12 / 4 / 3") == "1")
        #expect(value("1 / 3 + 1 / 6") == "1/2")
        #expect(value("(2 × 3) ÷ 4 − 1") == "1/2")
        #expect(value("$2 \\times (3 + 1)$") == "8")
        #expect(value("\\left(1 + 2\\right) \\cdot 4") == "12")
    }

    @Test func rejectsNonArithmetic() {
        for bad in ["", "-3 + 27", "2 ** 3", "2 ^ 3", "2(3)", "1.5 * 16", "(1 + 2", "1 + 2)", "abs(3)", "24 = ",
                    "__import__('os')", "1 + + 2", "3 4", "1e3", String(repeating: "(", count: 100) + "1"
                        + String(repeating: ")", count: 100)] {
            if case .success = ArithParser.parse(bad) { Issue.record("accepted '\(bad.prefix(40))'") }
        }
        if case .success(let r) = ArithParser.parse("4 * 6 = 24") { #expect(r.stated == 24) } else { Issue.record("= form") }
    }

    @Test func expressionsReportOverflowAndDivisionByZero() throws {
        #expect(Rational(1).divided(by: Rational(0)) == nil)
        if case .success(let r) = ArithParser.parse("4 / (2 - 2)") {
            #expect(throws: ArithExpr.EvaluationFailure.divisionByZero) { try r.expr.value() }
        } else { Issue.record("parse") }
        // 10^45 does not fit the 128-bit rationals
        if case .success(let r) = ArithParser.parse("999999999 * 999999999 * 999999999 * 999999999 * 999999999") {
            #expect(throws: ArithExpr.EvaluationFailure.overflow) { try r.expr.value() }
        } else { Issue.record("parse") }
        #expect(Rational(6, -4) == Rational(-3, 2))
    }

    @Test func printerRoundTrips() throws {
        let cases: [ArithExpr] = [
            .binary(.sub, .number(8), .binary(.sub, .number(3), .number(1))),
            .binary(.div, .number(8), .binary(.mul, .number(2), .number(2))),
            .binary(.mul, .binary(.add, .number(1), .number(2)), .number(3)),
            .binary(.add, .number(1), .binary(.add, .number(2), .number(3))),
        ]
        for e in cases {
            guard case .success(let r) = ArithParser.parse(e.text) else { Issue.record("cannot parse \(e.text)"); continue }
            let parsed = try r.expr.value(), original = try e.value()
            #expect(parsed == original, "\(e.text)")
        }
        #expect(cases[0].text == "8 - (3 - 1)")
        #expect(cases[2].text == "(1 + 2) * 3")
    }
}

@Suite struct GridParsingTests {
    @Test func digitGridsInSeveralLayouts() {
        let rows = [[1, 2, 3, 4], [3, 4, 1, 2], [2, 1, 4, 3], [4, 3, 2, 1]]
        for text in ["1234\n3412\n2143\n4321", "1 2 3 4\n3 4 1 2\n2 1 4 3\n4 3 2 1",
                     "[[1,2,3,4],[3,4,1,2],[2,1,4,3],[4,3,2,1]]", "1 2 | 3 4\n3 4 | 1 2\n----+----\n2 1 | 4 3\n4 3 | 2 1"] {
            guard case .success(let g) = AnswerParsing.digitGrid(text, size: 4) else { Issue.record("rejected \(text)"); continue }
            #expect(g == rows)
        }
        for bad in ["1234\n3412\n2143", "1234\n3412\n2143\n4325", "row1: 1234 3412 2143 4321", "12345\n3412\n2143\n4321"] {
            if case .success = AnswerParsing.digitGrid(bad, size: 4) { Issue.record("accepted \(bad)") }
        }
    }

    @Test func lists() {
        #expect(AnswerParsing.listItems("Alice, Bob and Carol.") == ["alice", "bob", "carol"])
        #expect(AnswerParsing.listItems("(A); C\n'D'") == ["a", "c", "d"])
        #expect(AnswerParsing.integer(" 1,234 ") == 1234)
        #expect(AnswerParsing.integer("12.") == 12)
        #expect(AnswerParsing.integer("1,23") == nil)
        #expect(AnswerParsing.integer("-3") == nil)
        #expect(AnswerParsing.integer("twelve") == nil)
    }
}
