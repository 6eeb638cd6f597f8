/// Character classes used by tokenizer regexes, as bit flags per Unicode scalar.
/// Definitions follow Oniguruma (the regex engine of HF tokenizers): `\s` is White_Space
/// (U+0009–000D, U+0020, U+0085, Zs, Zl, Zp), `\p{L}` is Lu|Ll|Lt|Lm|Lo, `\p{N}` is Nd|Nl|No.
enum CharClass {
    static let letter: UInt8 = 1 << 0  // \p{L}
    static let number: UInt8 = 1 << 1  // \p{N}
    static let space: UInt8 = 1 << 2  // \s
    static let upperish: UInt8 = 1 << 3  // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
    static let lowerish: UInt8 = 1 << 4  // [\p{Ll}\p{Lm}\p{Lo}\p{M}]
    static let mark: UInt8 = 1 << 5  // \p{M}
    static let newline: UInt8 = 1 << 6  // \r or \n
    static let punctuation: UInt8 = 1 << 7  // \p{P} or ASCII punctuation

    /// The flags of one scalar (computed from the Unicode tables of the Swift runtime).
    static func compute(_ value: UInt32) -> UInt8 {
        guard let s = Unicode.Scalar(value) else { return 0 }
        var f: UInt8 = 0
        switch s.properties.generalCategory {
        case .uppercaseLetter, .titlecaseLetter: f |= letter | upperish
        case .lowercaseLetter: f |= letter | lowerish
        case .modifierLetter, .otherLetter: f |= letter | upperish | lowerish
        case .nonspacingMark, .spacingMark, .enclosingMark: f |= mark | upperish | lowerish
        case .decimalNumber, .letterNumber, .otherNumber: f |= number
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            f |= punctuation
        default: break
        }
        // HF's Punctuation pre-tokenizer also counts ASCII symbols ($ + < = > ^ ` | ~) as punctuation.
        if value < 0x80 && (33...47 ~= value || 58...64 ~= value || 91...96 ~= value || 123...126 ~= value) { f |= punctuation }
        if s.properties.isWhitespace { f |= space }
        if value == 0x0A || value == 0x0D { f |= newline }
        return f
    }

    /// Flags for the Basic Multilingual Plane, computed once; other planes are computed on demand.
    nonisolated(unsafe) static let bmp: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 0x10000)
        for v in 0..<UInt32(0x10000) { p[Int(v)] = compute(v) }
        return UnsafePointer(p)
    }()

    @inline(__always)
    static func of(_ value: UInt32, _ table: UnsafePointer<UInt8>) -> UInt8 {
        value < 0x10000 ? table[Int(value)] : compute(value)
    }
}

/// Decodes the scalar starting at `i` of valid UTF-8; returns its value and byte length.
@inline(__always)
func decodeUTF8(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> (value: UInt32, length: Int) {
    let b0 = UInt32(p[i])
    if b0 < 0x80 { return (b0, 1) }
    if b0 < 0xE0, i + 1 < end { return ((b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F), 2) }
    if b0 < 0xF0, i + 2 < end {
        return ((b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F), 3)
    }
    if i + 3 < end {
        return ((b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6 | UInt32(p[i + 3] & 0x3F), 4)
    }
    return (0xFFFD, 1)  // truncated input: never produced from a Swift String
}

/// A cursor over UTF-8 text that classifies scalars; the building block of the hand-written
/// pre-tokenizer scanners.
struct ClassifiedText {
    let p: UnsafePointer<UInt8>
    let end: Int
    let table = CharClass.bmp

    init(_ p: UnsafePointer<UInt8>, end: Int) {
        self.p = p
        self.end = end
    }

    /// The flags and byte length of the scalar at `i` (`i < end`).
    @inline(__always)
    func at(_ i: Int) -> (flags: UInt8, length: Int) {
        let b = p[i]
        if b < 0x80 { return (table[Int(b)], 1) }
        let (v, n) = decodeUTF8(p, i, end)
        return (CharClass.of(v, table), n)
    }

    @inline(__always)
    func flags(_ i: Int) -> UInt8 { i < end ? at(i).flags : 0 }

    /// End of the run of scalars, starting at `i`, whose flags intersect `mask`.
    @inline(__always)
    func run(from i: Int, _ mask: UInt8) -> Int {
        var j = i
        while j < end {
            let (f, n) = at(j)
            if f & mask == 0 { break }
            j += n
        }
        return j
    }

    /// End of the run of scalars that are neither whitespace, letters nor numbers: `[^\s\p{L}\p{N}]+`.
    @inline(__always)
    func otherRun(from i: Int) -> Int {
        var j = i
        while j < end {
            let (f, n) = at(j)
            if f & (CharClass.space | CharClass.letter | CharClass.number) != 0 { break }
            j += n
        }
        return j
    }

    @inline(__always)
    func isOther(_ f: UInt8) -> Bool { f & (CharClass.space | CharClass.letter | CharClass.number) == 0 }

    /// Start of the scalar that ends at `i` (`i > 0`).
    @inline(__always)
    func previousStart(_ i: Int) -> Int {
        var j = i - 1
        while j > 0 && p[j] & 0xC0 == 0x80 { j -= 1 }
        return j
    }

    /// Length of an English contraction at `i` (`'s 't 're 've 'm 'll 'd`), 0 if none.
    /// `caseInsensitive` is the `(?i:…)` form (which, in Oniguruma, also lets ſ U+017F match s).
    @inline(__always)
    func contraction(at i: Int, caseInsensitive: Bool) -> Int {
        guard i + 1 < end, p[i] == UInt8(ascii: "'") else { return 0 }
        @inline(__always) func lower(_ b: UInt8) -> UInt8 { caseInsensitive && b >= 65 && b <= 90 ? b | 0x20 : b }
        let c1 = lower(p[i + 1])
        switch c1 {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"): return 2
        case UInt8(ascii: "r"), UInt8(ascii: "v"):
            return i + 2 < end && lower(p[i + 2]) == UInt8(ascii: "e") ? 3 : 0
        case UInt8(ascii: "l"):
            return i + 2 < end && lower(p[i + 2]) == UInt8(ascii: "l") ? 3 : 0
        case 0xC5 where caseInsensitive:
            return i + 2 < end && p[i + 2] == 0xBF ? 3 : 0  // ſ folds to s
        default: return 0
        }
    }
}
