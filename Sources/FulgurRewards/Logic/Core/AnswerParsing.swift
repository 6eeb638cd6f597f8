/// Small, strict parsers for answer texts. They never evaluate anything: they split, match
/// and convert, and return a reason when the text does not have the expected shape.
enum AnswerParsing {
    /// Items of a list written with commas, semicolons, newlines or spaces between them
    /// ("Alice, Bob and Carol", "A B D"). A standalone "and" is dropped; surrounding quotes,
    /// brackets and a trailing full stop are stripped from each item; items are lowercased.
    static func listItems(_ text: String) -> [String] {
        var items: [String] = []
        var current = ""
        func flush() {
            let item = strip(current)
            if !item.isEmpty && item != "and" { items.append(item.lowercased()) }
            current = ""
        }
        for ch in text {
            if ch == "," || ch == ";" || ch.isWhitespace { flush() } else { current.append(ch) }
        }
        flush()
        return items
    }

    /// The item without surrounding quotes, brackets, asterisks and trailing full stops.
    static func strip(_ s: String) -> String {
        let junk: Set<Character> = ["\"", "'", "`", "(", ")", "[", "]", "{", "}", "*", "."]
        var t = Substring(s)
        while let f = t.first, junk.contains(f) { t = t.dropFirst() }
        while let l = t.last, junk.contains(l) { t = t.dropLast() }
        return String(t)
    }

    /// Non-empty lines, trimmed.
    static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map { String($0).trimmingWhitespace() }
            .filter { !$0.isEmpty }
    }

    /// A square grid of digits, `size` × `size`, each in 1...`size`, written row by row.
    /// Separators allowed anywhere: whitespace, commas, `|`, `-`, `+` and brackets (so plain
    /// digit rows, spaced rows, Python-like lists and ASCII box drawings all parse). Digits
    /// are read in order; any other character is an error.
    static func digitGrid(_ text: String, size: Int) -> Result<[[Int]], ParseFailure> {
        let separators: Set<Character> = [",", "|", "-", "+", "[", "]", "(", ")"]
        var digits: [Int] = []
        for ch in text {
            if ch.isWhitespace || separators.contains(ch) { continue }
            guard let v = ch.wholeNumberValue, ch.isASCII else {
                return .failure(ParseFailure("unexpected character '\(ch)' in the grid"))
            }
            guard (1...size).contains(v) else {
                return .failure(ParseFailure("digit \(v) is outside 1…\(size)"))
            }
            digits.append(v)
            if digits.count > size * size { break }
        }
        guard digits.count == size * size else {
            return .failure(ParseFailure("expected \(size * size) digits (\(size) rows of \(size)), found \(digits.count)\(digits.count > size * size ? "+" : "")"))
        }
        return .success((0..<size).map { r in Array(digits[(r * size)..<(r * size + size)]) })
    }

    /// A non-negative decimal integer written with ASCII digits, optionally with thousands
    /// commas ("1,234"); nil for anything else or more than 15 digits.
    static func integer(_ text: String) -> Int? {
        var t = strip(text.trimmingWhitespace())
        if t.contains(",") {
            let groups = t.split(separator: ",", omittingEmptySubsequences: false)
            guard groups.count > 1, (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 })
            else { return nil }
            t = groups.joined()
        }
        guard !t.isEmpty, t.count <= 15, t.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(t)
    }
}

/// Why an answer text could not be parsed.
struct ParseFailure: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
