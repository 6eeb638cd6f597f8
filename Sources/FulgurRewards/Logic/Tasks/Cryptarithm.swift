import FulgurSupport

/// Cryptarithm (alphametic addition): each letter is a distinct digit, no number starts with 0,
/// and the sum must hold. Every puzzle has exactly one solution (the solver counts them);
/// when a random sum is ambiguous, letters are revealed as hints until it is not.
public struct CryptarithmTask: PuzzleTask {
    public struct Puzzle: Codable, Sendable {
        public var addends: [String]
        public var result: String
        /// Letters whose digit the prompt reveals.
        public var hints: [String: Int]
    }

    public init() {}
    public let name = "cryptarithm"
    public let summary = "Alphametic addition (SEND + MORE = MONEY style) with a unique letter-to-digit solution."
    public let difficultyScale = """
        Number and length of the words grow: 1: 2 words of 2–3 letters (+3 revealed letters); 2: 2×3 (+2); \
        3: 2×3–4 (+1); 4: 2×4; 5: 2×4–5; 6: 3×3–4; 7: 2×5–6; 8: 3×4–5; 9: 3×5–6; 10: 4×5–6 \
        (extra letters are revealed only when needed for uniqueness).
        """

    struct Level { let words: Int; let lengths: ClosedRange<Int>; let extraHints: Int }
    static func level(_ d: Int) -> Level {
        [Level(words: 2, lengths: 2...3, extraHints: 3), Level(words: 2, lengths: 3...3, extraHints: 2),
         Level(words: 2, lengths: 3...4, extraHints: 1), Level(words: 2, lengths: 4...4, extraHints: 0),
         Level(words: 2, lengths: 4...5, extraHints: 0), Level(words: 3, lengths: 3...4, extraHints: 0),
         Level(words: 2, lengths: 5...6, extraHints: 0), Level(words: 3, lengths: 4...5, extraHints: 0),
         Level(words: 3, lengths: 5...6, extraHints: 0), Level(words: 4, lengths: 5...6, extraHints: 0)][d - 1]
    }

    public func make(difficulty: Int, rng: inout RNG) throws -> GeneratedPuzzle<Puzzle> {
        let level = CryptarithmTask.level(difficulty)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var best: (words: [String], result: String, solution: [Character: Int])?
        for attempt in 0..<40 {
            let letterOf = rng.sample(alphabet, 10)                     // digit → letter
            var numbers: [Int] = []
            for _ in 0..<level.words {
                let len = rng.int(in: level.lengths)
                var n = rng.int(in: 1...9)
                for _ in 1..<len { n = n * 10 + rng.below(10) }
                numbers.append(n)
            }
            let spell = { (n: Int) in String(String(n).map { letterOf[$0.wholeNumberValue!] }) }
            let words = numbers.map(spell), result = spell(numbers.reduce(0, +))
            let solution = Dictionary(uniqueKeysWithValues: (0..<10).map { (letterOf[$0], $0) })
                .filter { (words + [result]).joined().contains($0.key) }
            best = (words, result, solution)
            if CryptarithmSolver(addends: words, result: result, hints: [:]).solve(limit: 2).count == 1 || attempt == 39 {
                break
            }
        }
        guard let (words, result, solution) = best else {
            throw LogicTaskError.generationFailed(task: name, detail: "no equation")
        }
        // Reveal letters until unique: each time the letter whose true digit rules out the most
        // of the other solutions found, then the level's extra hints.
        var hints: [Character: Int] = [:]
        var hidden = rng.shuffled(solution.keys.sorted())
        while true {
            let found = CryptarithmSolver(addends: words, result: result, hints: hints).solve(limit: 64)
            if found.count <= 1 { break }
            let agreeing = hidden.map { l in found.filter { $0[l] == solution[l] }.count }
            let pick = agreeing.indices.min { agreeing[$0] < agreeing[$1] }!
            let l = hidden.remove(at: pick)
            hints[l] = solution[l]
        }
        for _ in 0..<level.extraHints where hidden.count > 2 {
            let l = hidden.removeLast()
            hints[l] = solution[l]
        }
        let p = Puzzle(addends: words, result: result,
                       hints: Dictionary(uniqueKeysWithValues: hints.map { (String($0.key), $0.value) }))
        let answer = solution.keys.sorted().map { "\($0)=\(solution[$0]!)" }.joined(separator: ", ")
        return GeneratedPuzzle(puzzle: p, prompt: prompt(p), answer: answer)
    }

    func prompt(_ p: Puzzle) -> String {
        let width = max(p.result.count, p.addends.map(\.count).max() ?? 0) + 2
        func pad(_ s: String) -> String { String(repeating: " ", count: width - s.count) + s }
        var lines = p.addends.enumerated().map { i, w in i == p.addends.count - 1 ? "+ " + pad(w).dropFirst(2) : pad(w) }
        lines.append(String(repeating: "-", count: width))
        lines.append(pad(p.result))
        let letters = Set((p.addends + [p.result]).joined()).sorted()
        let hintText = p.hints.isEmpty ? "" :
            "\nYou are also told: \(p.hints.keys.sorted().map { "\($0)=\(p.hints[$0]!)" }.joined(separator: ", ")).\n"
        return """
            Solve this cryptarithm. Each letter stands for a digit from 0 to 9, different letters stand for \
            different digits, and no number with more than one digit starts with 0. The addition must be correct:

            \(lines.joined(separator: "\n"))

            In one line: \(p.addends.joined(separator: " + ")) = \(p.result).
            \(hintText)
            \(AnswerTag.instruction("Give the digit of every letter (\(letters.map(String.init).joined(separator: ", "))) as `LETTER=DIGIT` pairs separated by commas, for example `A=1, B=2`."))
            """
    }

    public func check(_ answer: String, puzzle p: Puzzle) -> Verdict {
        let words = p.addends + [p.result]
        guard !p.addends.isEmpty, words.allSatisfy({ !$0.isEmpty && $0.count <= 12 && $0.allSatisfy { $0.isASCII && $0.isUppercase } }),
              p.hints.allSatisfy({ $0.key.count == 1 && (0...9).contains($0.value) })
        else { return .fail("malformed puzzle metadata") }
        let letters = Set(words.joined())
        let assignment: [Character: Int]
        switch CryptarithmTask.parseAssignment(answer) {
        case .failure(let f): return .fail(f.reason)
        case .success(let a): assignment = a
        }
        for l in assignment.keys where !letters.contains(l) { return .fail("letter \(l) is not in the puzzle") }
        for l in letters.sorted() where assignment[l] == nil { return .fail("no digit for \(l)") }
        var owner: [Int: Character] = [:]
        for l in letters.sorted() {
            let d = assignment[l]!
            if let other = owner[d] { return .fail("\(other) and \(l) are both \(d)") }
            owner[d] = l
        }
        for (l, d) in p.hints where assignment[Character(l)] != d { return .fail("\(l) must be \(d) (given)") }
        for w in words where w.count > 1 && assignment[w.first!] == 0 { return .fail("\(w) starts with 0") }
        let value = { (w: String) in w.reduce(0) { $0 * 10 + assignment[$1]! } }
        let sum = p.addends.map(value).reduce(0, +)
        guard sum == value(p.result) else { return .fail("the digits give \(sum) ≠ \(value(p.result))") }
        return .pass()
    }

    /// `A=1, B=2` (also `A: 1`, `A → 1`, `A -> 1`; separators commas, semicolons, whitespace).
    static func parseAssignment(_ text: String) -> Result<[Character: Int], ParseFailure> {
        let s = Array(text)
        var i = 0
        var out: [Character: Int] = [:]
        func skip(_ set: Set<Character>) { while i < s.count, set.contains(s[i]) || s[i].isWhitespace { i += 1 } }
        while true {
            skip([",", ";"])
            if i == s.count { break }
            guard s[i].isASCII, s[i].isLetter else { return .failure(ParseFailure("expected a letter at '\(s[i])'")) }
            let letter = Character(s[i].uppercased()); i += 1
            if i < s.count, s[i].isLetter { return .failure(ParseFailure("expected LETTER=DIGIT pairs, found a word")) }
            skip([])
            if i < s.count, ["=", ":", "→"].contains(s[i]) { i += 1 }
            else if i + 1 < s.count, s[i] == "-", s[i + 1] == ">" { i += 2 }
            else { return .failure(ParseFailure("expected '=' after \(letter)")) }
            skip([])
            guard i < s.count, s[i].isASCII, let d = s[i].wholeNumberValue else {
                return .failure(ParseFailure("expected a digit for \(letter)"))
            }
            i += 1
            if i < s.count, s[i].isNumber { return .failure(ParseFailure("\(letter) has more than one digit")) }
            if let old = out[letter], old != d { return .failure(ParseFailure("\(letter) is given two digits")) }
            out[letter] = d
        }
        return out.isEmpty ? .failure(ParseFailure("no LETTER=DIGIT pairs")) : .success(out)
    }
}
