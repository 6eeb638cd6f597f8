/// The verdict on one math response.
public struct MathVerdict: Sendable, Equatable {
    public var correct: Bool
    /// The final answer found in the response, or nil when there is none.
    public var extracted: String?
    /// Where the answer was found (nil when none was).
    public var source: AnswerSource?
    /// A short reason: "matched", "no final answer", "not equal", "unreadable answer: …".
    public var reason: String
}

/// The math answer checker: extraction (`AnswerExtractor`) plus equivalence (`MathEquivalence`)
/// under the grading rules of `Tests/Fixtures/math/ADJUDICATION.md`.
///
/// Every check is bounded: answers longer than 20 kB or 4,000 tokens are rejected, parsing depth
/// is capped at 100, evaluation at 20,000 steps, exact powers at |exponent| ≤ 4096, collections at
/// 64 elements. Responses of any length are scanned in linear time.
public enum MathChecker {
    public static func check(gold: String, response: String) -> MathVerdict {
        guard let found = AnswerExtractor.extract(response) else {
            return MathVerdict(correct: false, extracted: nil, source: nil, reason: "no final answer")
        }
        let (ok, reason) = compare(gold: gold, answer: found.text)
        return MathVerdict(correct: ok, extracted: found.text, source: found.source, reason: reason)
    }

    /// Whether an extracted answer equals the gold, with the reason.
    public static func compare(gold: String, answer: String) -> (Bool, String) {
        let g = goldAnswer(gold)
        let a = AnswerExtractor.trimmed(answer)
        guard !a.isEmpty else { return (false, "empty answer") }
        guard a.utf8.count <= MathLexer.maxLength else { return (false, "answer longer than \(MathLexer.maxLength) bytes") }
        guard g.utf8.count <= MathLexer.maxLength else { return (false, "gold longer than \(MathLexer.maxLength) bytes") }
        if squeezed(g) == squeezed(a) { return (true, "matched (same text)") }
        if let gc = choiceLetter(g, strict: true) {
            guard let ac = choiceLetter(a, strict: false) else { return (false, "gold is choice \(gc); answer is not a choice") }
            return ac == gc ? (true, "matched choice \(gc)") : (false, "choice \(ac) ≠ \(gc)")
        }
        let goldExpr: MathExpr
        do { goldExpr = try MathParser.parse(g) } catch {
            return (false, "unreadable gold: \(error)")
        }
        let answerExpr: MathExpr
        do { answerExpr = try MathParser.parse(a) } catch {
            return (false, "unreadable answer: \(error)")
        }
        var equivalence = MathEquivalence()
        if equivalence.equivalent(gold: goldExpr, answer: answerExpr) { return (true, "matched") }
        if equivalence.steps >= MathEquivalence.maxSteps { return (false, "not equal (evaluation budget exhausted)") }
        return (false, "not equal")
    }

    /// The gold with a `\boxed{…}` or `$…$` wrapper removed.
    static func goldAnswer(_ gold: String) -> String {
        let t = AnswerExtractor.trimmed(gold)
        if t.contains("\\boxed") || t.contains("\\fbox"), let b = AnswerExtractor.lastBoxedAnswer(Array(t.utf8)) { return b }
        return t
    }

    /// The text with `$`, `\left`/`\right`, `\displaystyle` and a final period removed, for the
    /// identical-text fast path. Spaces are kept: `3 1/4` and `31/4` differ.
    static func squeezed(_ s: String) -> String {
        var t = s
        for junk in ["\\left", "\\right", "\\displaystyle", "$"] { t = t.replacingOccurrences(of: junk, with: "") }
        t = AnswerExtractor.trimmed(t)
        while t.hasSuffix(".") { t.removeLast() }
        return t
    }

    /// A multiple-choice letter: `D`, `(D)`, `\text{(D)}`, `\textbf{D}`, and for answers also
    /// `(D) 42`, `D. 42`, `Option D`. Golds must be an uppercase letter A–J (optionally in
    /// parentheses) so that a variable `x` is never taken for a choice.
    static func choiceLetter(_ s: String, strict: Bool) -> Character? {
        var t = s
        for w in ["\\textbf", "\\text", "\\mathrm", "\\mathbf", "\\textrm", "{", "}", "$", "\\(", "\\)"] {
            t = t.replacingOccurrences(of: w, with: "")
        }
        t = t.trimmingCharacters(in: .whitespacesAndNewlines)
        for prefix in ["option ", "choice ", "answer "] where t.lowercased().hasPrefix(prefix) {
            t = String(t.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
        }
        let chars = Array(t)
        func letter(_ c: Character) -> Character? {
            guard let a = c.asciiValue else { return nil }
            if a >= 65 && a <= 74 { return c }
            if !strict && a >= 97 && a <= 106 { return Character(UnicodeScalar(a - 32)) }
            return nil
        }
        if chars.count == 1 { return letter(chars[0]) }
        if chars.count >= 3, chars[0] == "(", chars[2] == ")" {
            // Inside parentheses a lowercase letter is a choice too: "(d)".
            guard let a = chars[1].asciiValue, (65...74).contains(a) || (97...106).contains(a) else { return nil }
            let l = Character(UnicodeScalar(a >= 97 ? a - 32 : a))
            return chars.count == 3 || !strict ? l : nil
        }
        if !strict, chars.count >= 3, let l = letter(chars[0]), chars[1] == "." || chars[1] == ")" || chars[1] == ":", chars[2] == " " {
            return l
        }
        return nil
    }
}

import Foundation
