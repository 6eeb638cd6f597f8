/// Hand-written matchers for the split regexes of current LLM tokenizers. Each one returns,
/// for a position, where the regex's leftmost-first backtracking match starting there ends
/// — exactly what Oniguruma computes, at a few hundred MB/s instead of ~1 MB/s.
/// All of these regexes match at every position, so consecutive matches cover the text.
enum KnownPattern: Sendable, Equatable {
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    case gpt2
    /// Llama-3 / cl100k: `(?i:'s|…|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    /// (Qwen2 uses `\p{N}` alone: maxDigits 1).
    case cl100k(maxDigits: Int)
    /// GPT-4o / o200k: case-aware letter runs with optional contractions, `\p{N}{1,3}`,
    /// punctuation followed by `[\r\n/]*`, then the whitespace rules.
    case o200k

    static let gpt2Regex = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let cl100kRegex = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Regex = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let o200kRegex = #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// The known pattern a regex string spells, if any.
    init?(regex: String) {
        switch regex {
        case Self.gpt2Regex: self = .gpt2
        case Self.cl100kRegex: self = .cl100k(maxDigits: 3)
        case Self.qwen2Regex: self = .cl100k(maxDigits: 1)
        case Self.o200kRegex: self = .o200k
        default: return nil
        }
    }

    /// End of the match that starts at `i` (always `> i` for `i < t.end`).
    @inline(__always)
    func matchEnd(_ t: ClassifiedText, at i: Int) -> Int {
        switch self {
        case .gpt2: return gpt2(t, i)
        case .cl100k(let maxDigits): return cl100k(t, i, maxDigits)
        case .o200k: return o200k(t, i)
        }
    }

    // MARK: - GPT-2

    @inline(__always)
    private func gpt2(_ t: ClassifiedText, _ i: Int) -> Int {
        let b = t.p[i]
        if b == UInt8(ascii: "'") {
            let c = t.contraction(at: i, caseInsensitive: false)
            if c > 0 { return i + c }
        }
        let (f, n) = t.at(i)
        if f & CharClass.letter != 0 { return t.run(from: i + n, CharClass.letter) }
        if f & CharClass.number != 0 { return t.run(from: i + n, CharClass.number) }
        if b == 0x20 && i + 1 < t.end {
            let (f2, n2) = t.at(i + 1)
            if f2 & CharClass.letter != 0 { return t.run(from: i + 1 + n2, CharClass.letter) }
            if f2 & CharClass.number != 0 { return t.run(from: i + 1 + n2, CharClass.number) }
            if t.isOther(f2) { return t.otherRun(from: i + 1 + n2) }
        }
        if t.isOther(f) { return t.otherRun(from: i + n) }
        return whitespace(t, i, n)
    }

    // MARK: - Llama-3 / cl100k

    @inline(__always)
    private func cl100k(_ t: ClassifiedText, _ i: Int, _ maxDigits: Int) -> Int {
        let b = t.p[i]
        if b == UInt8(ascii: "'") {
            let c = t.contraction(at: i, caseInsensitive: true)
            if c > 0 { return i + c }
        }
        let (f, n) = t.at(i)
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if f & CharClass.letter != 0 { return t.run(from: i + n, CharClass.letter) }
        if f & (CharClass.newline | CharClass.number) == 0 && t.flags(i + n) & CharClass.letter != 0 {
            return t.run(from: i + n, CharClass.letter)
        }
        // \p{N}{1,maxDigits}
        if f & CharClass.number != 0 { return digits(t, i, maxDigits) }
        // ' '?[^\s\p{L}\p{N}]+[\r\n]*
        if let e = punctuation(t, i, f, n, alsoSlash: false) { return e }
        return newlineOrWhitespace(t, i, n)
    }

    // MARK: - GPT-4o / o200k

    @inline(__always)
    private func o200k(_ t: ClassifiedText, _ i: Int) -> Int {
        let (f, n) = t.at(i)
        // P = [^\r\n\p{L}\p{N}], the optional first character of the two letter alternatives.
        let isP = f & (CharClass.newline | CharClass.letter | CharClass.number) == 0
        // P? U* W+ C?
        if isP, let e = upperThenLower(t, i + n) { return withContraction(t, e) }
        if let e = upperThenLower(t, i) { return withContraction(t, e) }
        // P? U+ W* C?
        if isP && t.flags(i + n) & CharClass.upperish != 0 { return upperRun(t, i + n) }
        if f & CharClass.upperish != 0 { return upperRun(t, i) }
        // \p{N}{1,3}
        if f & CharClass.number != 0 { return digits(t, i, 3) }
        // ' '?[^\s\p{L}\p{N}]+[\r\n/]*
        if let e = punctuation(t, i, f, n, alsoSlash: true) { return e }
        return newlineOrWhitespace(t, i, n)
    }

    /// `[U]*[W]+` from `q` with backtracking: nil when it cannot match.
    @inline(__always)
    private func upperThenLower(_ t: ClassifiedText, _ q: Int) -> Int? {
        var j = q
        var lastLowerEnd = -1  // end of the last W scalar inside the U run
        while j < t.end {
            let (f, n) = t.at(j)
            if f & CharClass.upperish == 0 { break }
            j += n
            if f & CharClass.lowerish != 0 { lastLowerEnd = j }
        }
        // The scalar after the greedy U run is W (so Ll): W+ takes the whole W run.
        if j < t.end && t.at(j).flags & CharClass.lowerish != 0 { return t.run(from: j, CharClass.lowerish) }
        // Otherwise the U run gives back its last W scalar to W+.
        return lastLowerEnd >= 0 ? lastLowerEnd : nil
    }

    /// `[U]+[W]*[C]?` from `q` where the scalar at `q` is U.
    @inline(__always)
    private func upperRun(_ t: ClassifiedText, _ q: Int) -> Int {
        let u = t.run(from: q, CharClass.upperish)
        return withContraction(t, t.run(from: u, CharClass.lowerish))
    }

    @inline(__always)
    private func withContraction(_ t: ClassifiedText, _ e: Int) -> Int {
        e + t.contraction(at: e, caseInsensitive: true)
    }

    // MARK: - Shared pieces

    @inline(__always)
    private func digits(_ t: ClassifiedText, _ i: Int, _ maxDigits: Int) -> Int {
        var j = i
        var count = 0
        while j < t.end && count < maxDigits {
            let (f, n) = t.at(j)
            if f & CharClass.number == 0 { break }
            j += n
            count += 1
        }
        return j
    }

    /// ` ?[^\s\p{L}\p{N}]+` followed by `[\r\n]*` (or `[\r\n/]*`); nil when it cannot match at `i`.
    @inline(__always)
    private func punctuation(_ t: ClassifiedText, _ i: Int, _ f: UInt8, _ n: Int, alsoSlash: Bool) -> Int? {
        var e: Int
        if t.p[i] == 0x20 && i + 1 < t.end && t.isOther(t.at(i + 1).flags) {
            e = t.otherRun(from: i + 1)
        } else if t.isOther(f) {
            e = t.otherRun(from: i + n)
        } else {
            return nil
        }
        while e < t.end {
            let c = t.p[e]
            guard c == 0x0A || c == 0x0D || (alsoSlash && c == UInt8(ascii: "/")) else { break }
            e += 1
        }
        return e
    }

    /// `\s*[\r\n]+|\s+(?!\S)|\s+` at a whitespace scalar.
    @inline(__always)
    private func newlineOrWhitespace(_ t: ClassifiedText, _ i: Int, _ n: Int) -> Int {
        // \s*[\r\n]+ backtracks to the last CR/LF of the whitespace run.
        var j = i
        var lastNewlineEnd = -1
        while j < t.end {
            let c = t.p[j]
            if c == 0x0A || c == 0x0D { j += 1; lastNewlineEnd = j; continue }
            let (f, m) = t.at(j)
            if f & CharClass.space == 0 { break }
            j += m
        }
        if lastNewlineEnd >= 0 { return lastNewlineEnd }
        return whitespaceTail(t, i, j, n)
    }

    /// `\s+(?!\S)|\s+` at a whitespace scalar.
    @inline(__always)
    private func whitespace(_ t: ClassifiedText, _ i: Int, _ n: Int) -> Int {
        whitespaceTail(t, i, t.run(from: i, CharClass.space), n)
    }

    /// Given the whitespace run `[i, e)`: all of it at the end of the text, all but its last
    /// scalar when it has two or more (that one joins the next word), else the single scalar.
    @inline(__always)
    private func whitespaceTail(_ t: ClassifiedText, _ i: Int, _ e: Int, _ n: Int) -> Int {
        if e <= i { return i + n }  // not whitespace at all: cannot happen for these patterns
        if e == t.end { return e }
        let last = t.previousStart(e)
        return last > i ? last : e
    }
}
