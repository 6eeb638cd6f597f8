import Dispatch
import FulgurRewards
import Testing

/// Hostile inputs must end quickly with a verdict: huge exponents, deep nesting, megabyte
/// responses, thousands of boxes. Each check is timed; the bound is generous (a shared 2-core
/// machine) but catches any super-linear path, which would take minutes.
@Suite struct AdversarialTests {
    struct Hostile: Sendable, CustomTestStringConvertible {
        let name: String, gold: String, response: String, correct: Bool
        var testDescription: String { name }
    }

    static let megabyte = 1 << 20

    static let cases: [Hostile] = [
        Hostile(name: "power tower 2^(10^10)", gold: "1", response: "\\boxed{2^{10^{10}}}", correct: false),
        Hostile(name: "10^(10^8)", gold: "1", response: "\\boxed{10^{100000000}}", correct: false),
        Hostile(name: "9^9^9^9", gold: "1", response: "\\boxed{9^{9^{9^{9}}}}", correct: false),
        Hostile(name: "overflowing quotient", gold: "10", response: "\\boxed{10^{400}/10^{399}}", correct: false),
        Hostile(name: "huge factorial", gold: "1", response: "\\boxed{(10^{30})!}", correct: false),
        Hostile(name: "huge binomial", gold: "1", response: "\\boxed{\\binom{10^{18}}{10^{17}}}", correct: false),
        Hostile(name: "exponent with a million digits", gold: "1", response: "\\boxed{1e999999}", correct: false),
        Hostile(name: "5,000-digit integer", gold: "1", response: "\\boxed{1" + String(repeating: "0", count: 5000) + "}", correct: false),
        Hostile(name: "50,000 nested braces", gold: "1", response: "\\boxed{" + String(repeating: "{", count: 50_000) + "1" + String(repeating: "}", count: 50_000) + "}", correct: false),
        Hostile(name: "50,000 unclosed braces", gold: "1", response: "\\boxed{" + String(repeating: "{", count: 50_000) + "1", correct: false),
        Hostile(name: "3,000 nested parentheses", gold: "1", response: "\\boxed{" + String(repeating: "(", count: 3000) + "1" + String(repeating: ")", count: 3000) + "}", correct: false),
        Hostile(name: "3,000 nested fractions", gold: "1", response: "\\boxed{" + String(repeating: "\\frac{", count: 3000) + "1" + String(repeating: "}{2}", count: 3000) + "}", correct: false),
        Hostile(name: "2,000 nested square roots", gold: "1", response: "\\boxed{" + String(repeating: "\\sqrt{", count: 2000) + "1" + String(repeating: "}", count: 2000) + "}", correct: false),
        Hostile(name: "100,000 unclosed boxes", gold: "1", response: String(repeating: "\\boxed{", count: 100_000), correct: false),
        Hostile(name: "100,000 adjacent boxes", gold: "1", response: String(repeating: "\\boxed{1}", count: 100_000), correct: true),
        Hostile(name: "1 MB of text then a box", gold: "1", response: String(repeating: "x", count: megabyte) + " \\boxed{1}", correct: true),
        Hostile(name: "1 MB of backslashes", gold: "1", response: String(repeating: "\\", count: megabyte), correct: false),
        Hostile(name: "1 MB of dollar signs", gold: "1", response: String(repeating: "$", count: megabyte), correct: false),
        Hostile(name: "100,000 'answer is' without a period", gold: "1", response: String(repeating: "the answer is ", count: 100_000), correct: false),
        Hostile(name: "100,000 unclosed <answer> tags", gold: "1", response: String(repeating: "<answer>", count: 100_000), correct: false),
        Hostile(name: "100,000 #### markers", gold: "1", response: String(repeating: "#### ", count: 100_000), correct: false),
        Hostile(name: "1 MB box", gold: "1", response: "\\boxed{" + String(repeating: "1+", count: megabyte / 2) + "1}", correct: false),
        Hostile(name: "sum of 5,000 terms", gold: "5001", response: "\\boxed{" + String(repeating: "1+", count: 5000) + "1}", correct: false),
        Hostile(name: "60×60 matrix", gold: "1", response: "\\boxed{\\begin{pmatrix}" + Array(repeating: Array(repeating: "1", count: 60).joined(separator: "&"), count: 60).joined(separator: "\\\\") + "\\end{pmatrix}}", correct: false),
        Hostile(name: "64-element sets in reverse order", gold: "\\{" + (0..<64).map(String.init).joined(separator: ",") + "\\}",
                response: "\\boxed{\\{" + (0..<64).reversed().map(String.init).joined(separator: ",") + "\\}}", correct: true),
        Hostile(name: "1,000-variable polynomial", gold: "0", response: "\\boxed{" + (0..<1000).map { "x_{\($0)}" }.joined(separator: "+") + "}", correct: false),
    ]

    @Test(arguments: cases)
    func finishesQuicklyWithAVerdict(_ c: Hostile) {
        let start = DispatchTime.now().uptimeNanoseconds
        let v = MathChecker.check(gold: c.gold, response: c.response)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        #expect(v.correct == c.correct, "\(c.name): \(v.reason)")
        #expect(seconds < 2, "\(c.name) took \(seconds) s")
    }
}
