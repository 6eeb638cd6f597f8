import FulgurSupport

/// Dyck-language completion (BIG-Bench "dyck_languages" style): given an unfinished sequence of
/// brackets, write the shortest sequence of closing brackets that closes everything still open.
public struct DyckCompletionTask: PuzzleTask {
    public struct Puzzle: Codable, Sendable {
        /// The given prefix, brackets only, no spaces.
        public var prefix: String
    }

    public init() {}
    public let name = "dyck_language"
    public let summary = "Dyck language: close every bracket left open in a sequence of (), [], {}, <>."
    public let difficultyScale = """
        Prefix length 4d + 6 (10 … 46), brackets left open d + 1 (2 … 11), \
        bracket types 2 (d 1–2), 3 (d 3–5), 4 (d 6–10).
        """

    static let pairs: [Character: Character] = ["(": ")", "[": "]", "{": "}", "<": ">"]
    static let openers: [Character] = ["(", "[", "{", "<"]

    public func make(difficulty: Int, rng: inout RNG) throws -> GeneratedPuzzle<Puzzle> {
        let types = difficulty <= 2 ? 2 : difficulty <= 5 ? 3 : 4
        let open = difficulty + 1
        var length = 4 * difficulty + 6
        if (length - open) % 2 != 0 { length += 1 }
        var stack: [Character] = []
        var prefix = ""
        for step in 0..<length {
            let remaining = length - step - 1
            let canPush = abs(stack.count + 1 - open) <= remaining
            let canPop = !stack.isEmpty && abs(stack.count - 1 - open) <= remaining
            if canPush && (!canPop || rng.chance(0.55)) {
                let o = DyckCompletionTask.openers[rng.below(types)]
                stack.append(o); prefix.append(o)
            } else {
                prefix.append(DyckCompletionTask.pairs[stack.removeLast()]!)
            }
        }
        let p = Puzzle(prefix: prefix)
        let closing = stack.reversed().map { String(DyckCompletionTask.pairs[$0]!) }.joined(separator: " ")
        return GeneratedPuzzle(puzzle: p, prompt: prompt(p), answer: closing)
    }

    /// The brackets still open after `prefix`, or nil if the prefix closes something wrongly.
    static func openStack(_ prefix: String) -> [Character]? {
        var stack: [Character] = []
        for ch in prefix {
            if pairs[ch] != nil { stack.append(ch) }
            else if let top = stack.last, pairs[top] == ch { stack.removeLast() }
            else { return nil }
        }
        return stack
    }

    func prompt(_ p: Puzzle) -> String {
        """
        Complete the rest of the sequence, making sure that the brackets are closed properly. Write only the \
        closing brackets needed, in order, and nothing else (the shortest completion).

        Input: \(p.prefix.map(String.init).joined(separator: " "))

        \(AnswerTag.instruction("Write the closing brackets separated by spaces, for example `] ) }`."))
        """
    }

    public func check(_ answer: String, puzzle p: Puzzle) -> Verdict {
        guard let stack = DyckCompletionTask.openStack(p.prefix), !stack.isEmpty else {
            return .fail("malformed puzzle metadata")
        }
        let expected = String(stack.reversed().map { DyckCompletionTask.pairs[$0]! })
        var given = ""
        for ch in answer where !(ch.isWhitespace || ch == ",") {
            guard "()[]{}<>".contains(ch) else { return .fail("unexpected character '\(ch)'") }
            given.append(ch)
        }
        if given == expected { return .pass() }
        if given == p.prefix + expected { return .pass("correct (full sequence repeated)") }
        if given.count < expected.count, expected.hasPrefix(given) { return .fail("leaves brackets open") }
        return .fail("wrong closing sequence")
    }
}
