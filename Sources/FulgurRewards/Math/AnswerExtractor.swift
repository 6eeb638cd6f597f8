/// Where the final answer of a response was found.
public enum AnswerSource: String, Sendable, Codable {
    case boxed, statement, hashes, answerTag
}

/// The final answer of a response and where it came from.
public struct ExtractedAnswer: Sendable, Equatable {
    public var text: String
    public var source: AnswerSource
}

/// Finds the final answer of a response, exactly per ADJUDICATION.md rule 1:
///
/// 1. The last `\boxed{…}` / `\fbox{…}` (space before the brace, nesting and a missing closing
///    brace are forgiven). Boxes separated only by connectors ("\boxed{3} and \boxed{4}",
///    "x = \boxed{-1} or x = \boxed{6}") form one multi-part answer; a later box after other
///    words supersedes an earlier one; "only the second …" picks one of a group.
/// 2. With no box: the last explicit final-answer statement — "the (final) answer is X",
///    "answer: X", "X is the/our answer", "The result is X" closing the response, `#### X`,
///    `<answer>X</answer>`.
/// 3. Otherwise nothing: a bare `$7$` or a number inside the reasoning is not an answer.
///
/// Linear in the response length (byte scans, no regular expressions); 1 MB takes milliseconds.
public enum AnswerExtractor {
    public static func extract(_ response: String) -> ExtractedAnswer? {
        let b = Array(response.utf8)
        if let boxed = lastBoxedAnswer(b) { return ExtractedAnswer(text: boxed, source: .boxed) }
        return lastStatement(b)
    }

    // MARK: - Boxes

    struct Box { var start: Int; var end: Int; var content: String }

    static func boxes(_ b: [UInt8]) -> [Box] {
        var out: [Box] = []
        var i = 0
        let n = b.count
        while i < n {
            guard b[i] == UInt8(ascii: "\\") else { i += 1; continue }
            var len = 0
            if hasPrefix(b, i + 1, boxedBytes) { len = 6 } else if hasPrefix(b, i + 1, fboxBytes) { len = 5 }
            guard len > 0, !isLetter(at(b, i + len)) else { i += 1; continue }
            let start = i
            var j = i + len
            while j < n, b[j] == 32 || b[j] == 9 { j += 1 }
            if j < n, b[j] == UInt8(ascii: "{") {
                let (contentEnd, closed) = matchBrace(b, open: j)
                var content = Array(b[(j + 1)..<contentEnd])
                if !closed { content = cutUnclosed(content) }
                out.append(Box(start: start, end: closed ? contentEnd + 1 : contentEnd,
                               content: String(decoding: content, as: UTF8.self)))
                i = closed ? contentEnd + 1 : n
            } else {
                // `\boxed 7`: a single token argument.
                var k = j
                while k < n, !isSpace(b[k]), b[k] != UInt8(ascii: "$"), b[k] != UInt8(ascii: "\\") { k += 1 }
                var content = Array(b[j..<k])
                while let last = content.last, last == UInt8(ascii: ".") || last == UInt8(ascii: ",") { content.removeLast() }
                out.append(Box(start: start, end: k, content: String(decoding: content, as: UTF8.self)))
                i = max(k, i + 1)
            }
        }
        return out
    }

    /// Index of the matching `}` (or the end and `false` when the brace never closes).
    static func matchBrace(_ b: [UInt8], open: Int) -> (Int, Bool) {
        var level = 0
        var k = open
        while k < b.count {
            let c = b[k]
            if c == UInt8(ascii: "\\") { k += 2; continue }
            if c == UInt8(ascii: "{") { level += 1 } else if c == UInt8(ascii: "}") {
                level -= 1
                if level == 0 { return (k, true) }
            }
            k += 1
        }
        return (b.count, false)
    }

    /// An unclosed box ends where the math ends: `$\boxed{8$`, `\boxed{7` at the end of the text.
    static func cutUnclosed(_ c: [UInt8]) -> [UInt8] {
        var k = 0
        while k < c.count {
            if c[k] == UInt8(ascii: "$") { return Array(c[..<k]) }
            if c[k] == UInt8(ascii: "\\"), k + 1 < c.count, c[k + 1] == UInt8(ascii: "]") || c[k + 1] == UInt8(ascii: ")") {
                return Array(c[..<k])
            }
            if c[k] == 10, k + 1 < c.count, c[k + 1] == 10 { return Array(c[..<k]) }
            k += 1
        }
        return c
    }

    static let boxedBytes = Array("boxed".utf8), fboxBytes = Array("fbox".utf8)

    /// `\boxed{\boxed{7}}` and `\fbox{\boxed{91}}` are the inner answer (a few levels deep; a
    /// deeper pile is left to the parser, which rejects it).
    static func unwrapNested(_ s: String) -> String {
        var text = trimmed(s)
        for _ in 0..<8 {
            var b = Array(text.utf8)
            guard b.count <= MathLexer.maxLength else { break } // rejected later as too long anyway
            var len = 0
            if b.first == UInt8(ascii: "\\") {
                if hasPrefix(b, 1, boxedBytes) { len = 6 } else if hasPrefix(b, 1, fboxBytes) { len = 5 }
            }
            guard len > 0 else { break }
            var j = len
            while j < b.count, b[j] == 32 { j += 1 }
            guard j < b.count, b[j] == UInt8(ascii: "{") else { break }
            let (end, closed) = matchBrace(b, open: j)
            if closed {
                guard b[(end + 1)...].allSatisfy(isSpace) else { break }
                b = Array(b[(j + 1)..<end])
            } else {
                b = cutUnclosed(Array(b[(j + 1)...]))
            }
            text = String(decoding: trimmed(b[...]), as: UTF8.self)
        }
        return text
    }

    static let maxGroup = 64
    /// Longest statement answer scanned after (or before) a marker: keeps extraction linear.
    static let maxCapture = 4096

    static func lastBoxedAnswer(_ b: [UInt8]) -> String? {
        let all = boxes(b)
        guard let last = all.last else { return nil }
        // Walk back over boxes joined only by connectors: one multi-part answer (at most 64 parts).
        var group = [last]
        var k = all.count - 2
        while k >= 0, group.count < maxGroup, joinable(b, from: all[k].end, to: group[group.count - 1].start) {
            group.append(all[k])
            k -= 1
        }
        group.reverse()
        if group.count == 1 { return unwrapNested(last.content) }
        if let pick = selectedIndex(b, after: last.end, count: group.count) { return unwrapNested(group[pick].content) }
        var contents: [String] = []
        for g in group {
            let c = unwrapNested(g.content)
            if !contents.contains(c) { contents.append(c) }
        }
        return contents.joined(separator: ", ")
    }

    /// Whether the text between two boxes only joins them: punctuation, math delimiters,
    /// "and"/"or", and variable names with `=` ("x = \boxed{-1} or x = \boxed{6}").
    static func joinable(_ b: [UInt8], from: Int, to: Int) -> Bool {
        guard to >= from else { return false }
        guard to - from <= 80 else { return false }
        let gap = String(decoding: b[from..<to], as: UTF8.self)
        var words: [Substring] = []
        var cleaned = gap
        for cmd in ["\\text", "\\mbox", "\\textrm", "\\quad", "\\qquad", "\\qquad", "\\(", "\\)", "\\[", "\\]", "\\,", "\\;", "\\\\"] {
            cleaned = cleaned.replacingOccurrences(of: cmd, with: " ")
        }
        words = cleaned.split(whereSeparator: { " \t\n$,;&{}()=:.".contains($0) })
        for w in words {
            let l = w.lowercased()
            if l == "and" || l == "or" { continue }
            // A variable name: x, y_1, x_{2}.
            if let f = l.first, f.isLetter, l.count == 1 || (l.count <= 5 && l.dropFirst().first == "_") { continue }
            return false
        }
        // A sentence break (". ") between boxes separates them.
        return !gap.contains(". ") && !gap.contains(".\n")
    }

    /// "only the second satisfies …": the box of a group the response picks.
    static func selectedIndex(_ b: [UInt8], after: Int, count: Int) -> Int? {
        let end = min(b.count, after + 200)
        let tail = String(decoding: b[after..<end], as: UTF8.self).lowercased()
        let ordinals = ["first": 0, "second": 1, "third": 2, "fourth": 3, "former": 0, "latter": count - 1, "last": count - 1]
        let verbs = ["satisf", "work", "is valid", "is correct", "holds", "fits", "is right", "meets", "is the answer", "is admissible"]
        for (word, index) in ordinals where index < count {
            guard let r = tail.range(of: "the \(word)") else { continue }
            let before = tail[..<r.lowerBound]
            let after = tail[r.upperBound...].prefix(40)
            if before.hasSuffix("only ") || verbs.contains(where: { after.contains($0) }) { return index }
        }
        return nil
    }

    // MARK: - Statements

    /// Markers of one kind examined from the end: the last acceptable one wins, and a hostile
    /// response with thousands of markers costs at most this many captures.
    static let maxMarkers = 64

    static func lastStatement(_ b: [UInt8]) -> ExtractedAnswer? {
        var best: (pos: Int, answer: ExtractedAnswer)? = nil
        func offer(_ pos: Int, _ text: String, _ source: AnswerSource) {
            if best == nil || pos >= best!.pos { best = (pos, ExtractedAnswer(text: text, source: source)) }
        }
        let lower = b.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        // <answer>X</answer>
        if let r = occurrences(lower, "<answer>").last {
            let start = r + 8
            let limit = min(b.count, start + maxCapture)
            let close = firstOccurrence(lower, Array("</answer>".utf8), from: start, limit: limit) ?? limit
            offer(r, cleanStatement(b[start..<close]), .answerTag)
        }
        // #### X
        if let r = occurrences(lower, "####").last {
            var s = r + 4
            while s < b.count, b[s] == UInt8(ascii: "#") { s += 1 }
            var e = s
            while e < b.count, e < s + maxCapture, b[e] != 10 { e += 1 }
            offer(r, cleanStatement(b[s..<e]), .hashes)
        }
        // "answer is X", "answer: X" (with optional ** around), and "X is the answer".
        for r in occurrences(lower, "answer").reversed().prefix(maxMarkers) {
            if r > 0, isLetter(lower[r - 1]) { continue }
            var k = r + 6
            if at(lower, k) == UInt8(ascii: "s") { continue } // "answers"
            k = skip(lower, k, " *")
            if hasPrefix(lower, k, "is") && !isLetter(at(lower, k + 2)) {
                k += 2
            } else if at(lower, k) == UInt8(ascii: ":") {
                k += 1
            } else if let s = trailingAnswerPhraseStart(lower, r), let x = answerBefore(b, phraseStart: s) {
                offer(r, x, .statement)
                break
            } else { continue }
            k = skip(lower, k, " *:\t\n")
            let x = captureAfter(b, from: k)
            if !isProse(x) { offer(r, x, .statement); break }
        }
        // "The result is X" as the closing sentence (so only the last one can count).
        if let r = occurrences(lower, "result is").last {
            let k = skip(lower, r + 9, " *:\t\n")
            let x = captureAfter(b, from: k)
            let rest = restAfterCapture(b, from: k)
            if rest.count < maxCapture, rest.allSatisfy({ isSpace($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "$") }) {
                offer(r, x, .statement)
            }
        }
        return best?.answer
    }

    /// Where "… is the answer" / "is our answer" / "is the final answer" starts, when `answer` at `r` ends one.
    static func trailingAnswerPhraseStart(_ lower: [UInt8], _ r: Int) -> Int? {
        for phrase in ["is the answer", "is our answer", "is the final answer", "is my answer", "is our final answer",
                       "is the correct answer", "is the required answer"] {
            let p = Array(phrase.utf8)
            let s = r + 6 - p.count
            if s > 0, Array(lower[s..<(r + 6)]) == p, isSpace(lower[s - 1]) { return s }
        }
        return nil
    }

    /// The math (or last word) just before "is the answer", which starts at `phraseStart`.
    static func answerBefore(_ b: [UInt8], phraseStart: Int) -> String? {
        var k = phraseStart
        while k > 0, isSpace(b[k - 1]) { k -= 1 }
        guard k > 0 else { return nil }
        for (open, close) in [("$$", "$$"), ("\\)", "\\("), ("\\]", "\\["), ("$", "$")] {
            let c = Array(open.utf8)
            if k >= c.count, Array(b[(k - c.count)..<k]) == c {
                let end = k - c.count
                if let s = lastOccurrence(b, Array(close.utf8), before: end, limit: maxCapture) {
                    return cleanStatement(b[(s + close.utf8.count)..<end])
                }
            }
        }
        var s = k
        while s > 0, s > k - maxCapture, !isSpace(b[s - 1]) { s -= 1 }
        return cleanStatement(b[s..<k])
    }

    /// What follows an answer marker: a math span (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`) or the
    /// rest of the sentence.
    static func captureAfter(_ b: [UInt8], from k: Int) -> String {
        guard k < b.count else { return "" }
        for (open, close) in [("$$", "$$"), ("\\(", "\\)"), ("\\[", "\\]"), ("$", "$")] {
            if hasPrefix(b, k, open) {
                let s = k + open.utf8.count
                let limit = min(b.count, s + maxCapture)
                let e = firstOccurrence(b, Array(close.utf8), from: s, limit: limit) ?? limit
                return cleanStatement(b[s..<e])
            }
        }
        return cleanStatement(b[k..<sentenceEnd(b, from: k)])
    }

    static func restAfterCapture(_ b: [UInt8], from k: Int) -> ArraySlice<UInt8> {
        guard k < b.count else { return [] }
        for (open, close) in [("$$", "$$"), ("\\(", "\\)"), ("\\[", "\\]"), ("$", "$")] where hasPrefix(b, k, open) {
            let s = k + open.utf8.count
            guard let e = firstOccurrence(b, Array(close.utf8), from: s, limit: min(b.count, s + maxCapture)) else { return [] }
            return b[(e + close.utf8.count)...]
        }
        return b[sentenceEnd(b, from: k)...]
    }

    /// End of a sentence: a newline, or `.`/`!`/`?` followed by a space or the end of the text
    /// (a decimal point such as `7.5` does not end it).
    static func sentenceEnd(_ b: [UInt8], from k: Int) -> Int {
        var e = k
        while e < b.count, e < k + maxCapture {
            let c = b[e]
            if c == 10 { break }
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "!") || c == UInt8(ascii: "?") {
                if e + 1 >= b.count || isSpace(b[e + 1]) { break }
            }
            // "7, which is …", "12; this …": a clause after the answer is not part of it.
            if (c == UInt8(ascii: ",") || c == UInt8(ascii: ";")) && at(b, e + 1) == 32 && startsClause(b, e + 2) { break }
            e += 1
        }
        return e
    }

    /// "the answer is correct", "the answer is that …": a marker followed by prose, not an answer.
    static func isProse(_ x: String) -> Bool {
        guard let first = x.split(separator: " ").first?.lowercased() else { return false }
        return ["correct", "incorrect", "wrong", "right", "clear", "clearly", "obvious", "simple", "straightforward",
                "below", "as", "that", "not", "because", "given", "obtained", "therefore", "then", "indeed",
                "found", "computed", "the", "a", "an", "to", "in", "consistent", "confirmed", "verified"].contains(first)
            && x.split(separator: " ").count > 1 || ["correct", "incorrect", "wrong", "right", "confirmed", "verified",
                                                     "consistent", "below", "clear", "obvious"].contains(first)
    }

    /// A word of three or more letters other than "and"/"or" (which join parts of one answer).
    static func startsClause(_ b: [UInt8], _ k: Int) -> Bool {
        var j = k
        while j < b.count, isLetter(b[j]) { j += 1 }
        guard j - k >= 3 else { return false }
        let w = String(decoding: b[k..<j], as: UTF8.self).lowercased()
        return w != "and"
    }

    /// Trims spaces, `**`, `$`, math delimiters and a trailing period from a statement's answer.
    static func cleanStatement(_ raw: ArraySlice<UInt8>) -> String {
        var s = trimmed(raw)
        let wrappers: [[UInt8]] = ["**", "$$", "$", "\\(", "\\[", "\\)", "\\]"].map { Array($0.utf8) }
        for _ in 0..<4 {
            let before = s.count
            for w in wrappers {
                if s.starts(with: w) { s = s.dropFirst(w.count) }
                if s.count >= w.count, s.suffix(w.count).elementsEqual(w) { s = s.dropLast(w.count) }
            }
            if s.last == UInt8(ascii: ".") { s = s.dropLast() }
            s = trimmed(s)
            if s.count == before { break }
        }
        return String(decoding: s, as: UTF8.self)
    }

    static func cleanStatement(_ raw: [UInt8]) -> String { cleanStatement(raw[...]) }

    /// Leading and trailing ASCII whitespace removed (bytes; Foundation trimming is slow on Linux).
    static func trimmed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lo = s.startIndex, hi = s.endIndex
        while lo < hi, isSpace(s[lo]) { lo += 1 }
        while hi > lo, isSpace(s[hi - 1]) { hi -= 1 }
        return s[lo..<hi]
    }

    static func trimmed(_ s: String) -> String {
        let b = Array(s.utf8)
        let t = trimmed(b[...])
        return t.count == b.count ? s : String(decoding: t, as: UTF8.self)
    }

    // MARK: - Byte helpers

    @inline(__always) static func at(_ b: [UInt8], _ k: Int) -> UInt8 { k >= 0 && k < b.count ? b[k] : 0 }
    @inline(__always) static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 }

    static func hasPrefix(_ b: [UInt8], _ k: Int, _ s: String) -> Bool { hasPrefix(b, k, Array(s.utf8)) }

    static func hasPrefix(_ b: [UInt8], _ k: Int, _ p: [UInt8]) -> Bool {
        guard k >= 0, k + p.count <= b.count else { return false }
        for t in 0..<p.count where b[k + t] != p[t] { return false }
        return true
    }

    static func skip(_ b: [UInt8], _ k: Int, _ chars: String) -> Int {
        let set = Set(chars.utf8)
        var j = k
        while j < b.count, set.contains(b[j]) { j += 1 }
        return j
    }

    static func occurrences(_ b: [UInt8], _ s: String) -> [Int] {
        let p = Array(s.utf8)
        guard let first = p.first, b.count >= p.count else { return [] }
        var out: [Int] = []
        var i = 0
        let last = b.count - p.count
        while i <= last {
            if b[i] == first {
                var k = 1
                while k < p.count, b[i + k] == p[k] { k += 1 }
                if k == p.count { out.append(i); i += p.count; continue }
            }
            i += 1
        }
        return out
    }

    /// The first `p` starting in `from..<limit`-ish (the match must end by `limit`).
    static func firstOccurrence(_ b: [UInt8], _ p: [UInt8], from: Int, limit: Int) -> Int? {
        guard !p.isEmpty, limit <= b.count, limit >= p.count else { return nil }
        var i = from
        while i <= limit - p.count {
            if b[i] == p[0] {
                var k = 1
                while k < p.count, b[i + k] == p[k] { k += 1 }
                if k == p.count { return i }
            }
            i += 1
        }
        return nil
    }

    static func lastOccurrence(_ b: [UInt8], _ p: [UInt8], before: Int, limit: Int) -> Int? {
        var i = before - p.count
        let stop = max(0, before - limit)
        while i >= stop {
            if b[i] == p[0] {
                var k = 1
                while k < p.count, b[i + k] == p[k] { k += 1 }
                if k == p.count { return i }
            }
            i -= 1
        }
        return nil
    }
}

import Foundation
