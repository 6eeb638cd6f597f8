import FulgurSupport

/// Classical ciphers with the key given: encrypt or decrypt a text with Caesar, a
/// monoalphabetic substitution, or Vigenère. The checker compares the letters (case and
/// spacing ignored); it never evaluates the answer (SynLogic's cipher verifier `eval`s it).
public struct CipherTask: PuzzleTask {
    public enum Kind: String, Codable, Sendable { case caesar, substitution, vigenere }
    public enum Mode: String, Codable, Sendable { case encrypt, decrypt }
    public struct Puzzle: Codable, Sendable {
        public var cipher: Kind
        public var mode: Mode
        /// Caesar: the shift ("3"); substitution: the 26 cipher letters for A…Z; Vigenère: the keyword.
        public var key: String
        public var input: String
        /// The expected output (uppercase, spaces as in the input).
        public var output: String
    }

    public init() {}
    public let name = "cipher"
    public let summary = "Encrypt or decrypt a text with a given key: Caesar, substitution or Vigenère."
    public let difficultyScale = """
        1–2: Caesar; 3–4: substitution; 5–10: Vigenère with keys of 3, 4, 5, 6, 7, 8 letters. \
        Text length 3, 4, 5, 6, 7, 8, 9, 10, 12, 14 words.
        """

    static let textWords = [3, 4, 5, 6, 7, 8, 9, 10, 12, 14]
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    public func make(difficulty: Int, rng: inout RNG) throws -> GeneratedPuzzle<Puzzle> {
        let kind: Kind = difficulty <= 2 ? .caesar : difficulty <= 4 ? .substitution : .vigenere
        let mode: Mode = rng.chance(0.5) ? .encrypt : .decrypt
        let key: String
        switch kind {
        case .caesar: key = String(rng.int(in: 1...25))
        case .substitution: key = String(rng.shuffled(CipherTask.alphabet))
        case .vigenere:
            let length = difficulty - 2
            let keywords = Vocabulary.words.filter { $0.count == length }
            key = keywords.isEmpty ? String((0..<length).map { _ in rng.pick(CipherTask.alphabet) })
                                   : rng.pick(keywords).uppercased()
        }
        let plain = (0..<CipherTask.textWords[difficulty - 1]).map { _ in rng.pick(Vocabulary.words) }
            .joined(separator: " ").uppercased()
        let encrypted = CipherTask.apply(kind, key: key, to: plain, decrypt: false)!
        let (input, output) = mode == .encrypt ? (plain, encrypted) : (encrypted, plain)
        let p = Puzzle(cipher: kind, mode: mode, key: key, input: input, output: output)
        return GeneratedPuzzle(puzzle: p, prompt: prompt(p), answer: output)
    }

    /// Applies the cipher to the letters of `text` (other characters are kept); nil for a bad key.
    static func apply(_ kind: Kind, key: String, to text: String, decrypt: Bool) -> String? {
        var out = ""
        switch kind {
        case .caesar:
            guard let k = Int(key) else { return nil }
            let shift = ((decrypt ? -k : k) % 26 + 26) % 26
            for ch in text { out.append(letterIndex(ch).map { alphabet[($0 + shift) % 26] } ?? ch) }
        case .substitution:
            let table = Array(key.uppercased())
            guard table.count == 26, Set(table).count == 26, table.allSatisfy({ letterIndex($0) != nil }) else { return nil }
            for ch in text {
                guard let i = letterIndex(ch) else { out.append(ch); continue }
                out.append(decrypt ? alphabet[table.firstIndex(of: alphabet[i])!] : table[i])
            }
        case .vigenere:
            let shifts = key.compactMap(letterIndex)
            guard !shifts.isEmpty, shifts.count == key.count else { return nil }
            var k = 0
            for ch in text {
                guard let i = letterIndex(ch) else { out.append(ch); continue }
                let s = shifts[k % shifts.count]
                out.append(alphabet[(i + (decrypt ? 26 - s : s)) % 26])
                k += 1
            }
        }
        return out
    }

    static func letterIndex(_ ch: Character) -> Int? {
        guard let a = ch.asciiValue else { return nil }
        if a >= 65 && a <= 90 { return Int(a) - 65 }
        if a >= 97 && a <= 122 { return Int(a) - 97 }
        return nil
    }

    func prompt(_ p: Puzzle) -> String {
        let rule: String
        switch p.cipher {
        case .caesar:
            rule = "Caesar cipher with shift \(p.key): encryption replaces each letter by the letter \(p.key) places " +
                "later in the alphabet, wrapping from Z to A; decryption shifts back."
        case .substitution:
            rule = "Substitution cipher: encryption replaces each letter of the plain alphabet by the letter below it; " +
                "decryption goes the other way.\nPlain:  \(String(CipherTask.alphabet))\nCipher: \(p.key)"
        case .vigenere:
            rule = "Vigenère cipher with key \(p.key): number the letters A=0 … Z=25; the key is repeated over the " +
                "letters of the text (spaces are kept and do not use a key letter); encryption adds the key letter's " +
                "number to each text letter modulo 26, decryption subtracts it."
        }
        return """
            \(rule)

            \(p.mode == .encrypt ? "Encrypt" : "Decrypt") this text:
            \(p.input)

            \(AnswerTag.instruction("Write the resulting text in capital letters, keeping the spaces between words."))
            """
    }

    public func check(_ answer: String, puzzle p: Puzzle) -> Verdict {
        guard !p.output.isEmpty else { return .fail("malformed puzzle metadata") }
        var letters = ""
        for ch in answer {
            if let i = CipherTask.letterIndex(ch) { letters.append(CipherTask.alphabet[i]); continue }
            guard ch.isWhitespace || ch == "." || ch == "\"" else { return .fail("unexpected character '\(ch)'") }
        }
        let expected = String(p.output.filter { CipherTask.letterIndex($0) != nil }).uppercased()
        if letters == expected { return .pass() }
        if letters.count != expected.count { return .fail("expected \(expected.count) letters, found \(letters.count)") }
        let wrong = zip(letters, expected).filter { $0 != $1 }.count
        return .fail("\(wrong) of \(expected.count) letters are wrong")
    }
}
