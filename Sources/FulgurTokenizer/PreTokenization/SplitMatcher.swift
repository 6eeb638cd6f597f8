import Foundation

/// Finds the delimiter matches of a pre-tokenizer inside a byte range of UTF-8 text.
enum SplitMatcher: Sendable {
    /// A regex with a hand-written scanner (GPT-2, cl100k/Llama-3, o200k).
    case known(KnownPattern)
    /// Any other regex, run by ICU (`NSRegularExpression`): correct, but ~1 MB/s.
    case regex(FallbackRegex)
    /// A literal string.
    case literal([UInt8])
    /// Each scalar whose class intersects the mask is a one-scalar match (`char::is_numeric` etc.).
    case scalarClass(UInt8)
    /// `\w+|[^\w\s]+` (the `Whitespace` pre-tokenizer's regex, Rust `regex` crate classes).
    case wordsAndSymbols

    /// Appends the matches in `[start, end)` as (start, end) pairs.
    func matches(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into out: inout [Int]) {
        switch self {
        case .known(let pattern):
            let t = ClassifiedText(p, end: end)
            var i = start
            while i < end {
                let e = pattern.matchEnd(t, at: i)
                out.append(i)
                out.append(e)
                i = e
            }
        case .regex(let re):
            re.matches(p, start, end, into: &out)
        case .literal(let needle):
            guard !needle.isEmpty else { return }
            var i = start
            let n = needle.count
            needle.withUnsafeBufferPointer { nb in
                while i + n <= end {
                    if p[i] == nb[0] && memcmp(p + i, nb.baseAddress!, n) == 0 {
                        out.append(i)
                        out.append(i + n)
                        i += n
                    } else {
                        i += 1
                    }
                }
            }
        case .scalarClass(let mask):
            let t = ClassifiedText(p, end: end)
            var i = start
            while i < end {
                let (f, n) = t.at(i)
                if f & mask != 0 { out.append(i); out.append(i + n) }
                i += n
            }
        case .wordsAndSymbols:
            var i = start
            while i < end {
                let (kind, n) = WordClass.of(p, i, end)
                if kind == .space { i += n; continue }
                var j = i + n
                while j < end {
                    let (k, m) = WordClass.of(p, j, end)
                    if k != kind { break }
                    j += m
                }
                out.append(i)
                out.append(j)
                i = j
            }
        }
    }
}

/// The classes of the `Whitespace` pre-tokenizer: Rust `regex` `\w` (Alphabetic, marks,
/// decimal digits, connector punctuation, join controls) and `\s` (White_Space).
enum WordClass {
    case word, space, symbol

    static func of(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> (WordClass, Int) {
        let (v, n) = decodeUTF8(p, i, end)
        if v < 0x80 {
            let c = UInt8(v)
            if (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 { return (.word, n) }
            if c == 32 || (c >= 9 && c <= 13) { return (.space, n) }
            return (.symbol, n)
        }
        guard let s = Unicode.Scalar(v) else { return (.symbol, n) }
        let pr = s.properties
        if pr.isWhitespace { return (.space, n) }
        switch pr.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            return (.word, n)
        default:
            return (pr.isAlphabetic || pr.isJoinControl) ? (.word, n) : (.symbol, n)
        }
    }
}

/// A regex without a hand-written scanner, run by ICU. ICU and Oniguruma agree on the
/// syntax tokenizers use (`\p{…}`, `(?i:…)`, lookahead, `\s` = White_Space); matching
/// follows the onig crate's `find_iter` (no empty match right after a match).
final class FallbackRegex: @unchecked Sendable {  // NSRegularExpression is immutable and thread-safe
    let pattern: String
    private let regex: NSRegularExpression

    init(_ pattern: String) throws {
        self.pattern = pattern
        regex = try NSRegularExpression(pattern: pattern, options: [])
    }

    func matches(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into out: inout [Int]) {
        let text = String(decoding: UnsafeBufferPointer(start: p + start, count: end - start), as: UTF8.self)
        let ns = text as NSString
        // UTF-16 offset → UTF-8 offset, for the scalar boundaries of the text.
        var utf8At = [Int](repeating: 0, count: ns.length + 1)
        var u16 = 0, u8 = 0
        for s in text.unicodeScalars {
            utf8At[u16] = u8
            u16 += s.utf16.count
            u8 += s.utf8.count
        }
        utf8At[u16] = u8
        var lastEnd = -1
        for m in regex.matches(in: text, options: [], range: NSRange(location: 0, length: ns.length)) {
            let s = utf8At[m.range.location], e = utf8At[m.range.location + m.range.length]
            if s == e && s == lastEnd { continue }
            out.append(start + s)
            out.append(start + e)
            lastEnd = e
        }
    }
}
