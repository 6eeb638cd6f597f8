import Foundation

/// Turns a LaTeX or plain-text answer into tokens, applying the formatting rules of
/// ADJUDICATION.md rule 13 on the way: unicode minus and friends, `\left`/`\right`/`\big`,
/// spacing commands, `\text{…}` unwrapping, `\dfrac`→`\frac`, digit grouping (rule 6),
/// scientific notation (rule 5) and repeating decimals.
struct MathLexer {
    private var b: [UInt8]
    private var i = 0
    private var out: [LexedToken] = []
    private var space = false
    private let textMode: Bool
    private let depth: Int

    /// Longest answer the lexer accepts; longer ones are rejected (bounded time).
    static let maxLength = 20_000

    static func tokenize(_ s: String) throws -> [LexedToken] {
        let bytes = normalizeUnicode(s)
        guard bytes.count <= maxLength else { throw MathParseError("answer longer than \(maxLength) bytes") }
        var lx = MathLexer(bytes: bytes, textMode: false, depth: 0)
        try lx.run()
        return lx.out
    }

    private init(bytes: [UInt8], textMode: Bool, depth: Int) {
        b = bytes; self.textMode = textMode; self.depth = depth
    }

    // MARK: - Unicode

    /// Maps the unicode forms answers use to their ASCII LaTeX spelling.
    static func normalizeUnicode(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            if scalar.isASCII { out.append(UInt8(scalar.value)); continue }
            if let rep = unicodeMap[scalar.value] { out.append(contentsOf: rep.utf8); continue }
            if (0x2000...0x200A).contains(scalar.value) || scalar.value == 0x00A0 || scalar.value == 0x202F {
                out.append(32); continue
            }
            if scalar.value == 0x200B || scalar.value == 0xFEFF { continue }
            out.append(contentsOf: String(scalar).utf8)
        }
        return out
    }

    static let unicodeMap: [UInt32: String] = [
        0x2212: "-", 0x2013: "-", 0x2010: "-", 0x2011: "-", 0xFE63: "-", 0xFF0D: "-",
        0x00D7: "\\times ", 0x00B7: "\\cdot ", 0x22C5: "\\cdot ", 0x2219: "\\cdot ", 0x2217: "*",
        0x00F7: "\\div ", 0x2044: "/", 0x2215: "/",
        0x2264: "\\le ", 0x2A7D: "\\le ", 0x2265: "\\ge ", 0x2A7E: "\\ge ", 0x2260: "\\ne ",
        0x221A: "\\sqrt ", 0x03C0: "\\pi ", 0x221E: "\\infty ", 0x00B0: "\\degree ",
        0x222A: "\\cup ", 0x2229: "\\cap ", 0x00B1: "\\pm ", 0x2213: "\\mp ", 0x2205: "\\emptyset ",
        0x211D: "\\mathbb{R}", 0x2032: "'", 0x00B2: "^2", 0x00B3: "^3", 0x00B9: "^1",
        0x00BD: "\\frac{1}{2}", 0x00BC: "\\frac{1}{4}", 0x00BE: "\\frac{3}{4}", 0x2153: "\\frac{1}{3}",
        0x2154: "\\frac{2}{3}", 0x215B: "\\frac{1}{8}",
        0x2208: "\\in ", 0x2192: "\\to ", 0x2026: "\\ldots ",
        0x03B1: "\\alpha ", 0x03B2: "\\beta ", 0x03B3: "\\gamma ", 0x03B4: "\\delta ", 0x03B5: "\\epsilon ",
        0x03B8: "\\theta ", 0x03BB: "\\lambda ", 0x03BC: "\\mu ", 0x03C1: "\\rho ", 0x03C3: "\\sigma ",
        0x03C4: "\\tau ", 0x03C6: "\\phi ", 0x03C9: "\\omega ",
    ]

    // MARK: - Scanning

    private func at(_ k: Int) -> UInt8 { k < b.count ? b[k] : 0 }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    private static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }

    private mutating func emit(_ t: MathToken) {
        out.append(LexedToken(token: t, spaceBefore: space))
        space = false
    }

    private mutating func run() throws {
        while i < b.count {
            let c = b[i]
            switch c {
            case 32, 9, 10, 13, UInt8(ascii: "~"):
                space = true; i += 1
            case UInt8(ascii: "$"):
                i += 1
            case UInt8(ascii: "\\"):
                try command()
            case UInt8(ascii: "%"):
                emit(.percent); i += 1
            case UInt8(ascii: "^"):
                if let end = degreeAfterCaret(i) { emit(.degree); i = end } else { emit(.char(c)); i += 1 }
            case UInt8(ascii: "{") where at(i + 1) == UInt8(ascii: ",") && at(i + 2) == UInt8(ascii: "}"):
                emit(.char(UInt8(ascii: ","))); i += 3
            case UInt8(ascii: "<") where at(i + 1) == UInt8(ascii: "="):
                emit(.lessEqual); i += 2
            case UInt8(ascii: ">") where at(i + 1) == UInt8(ascii: "="):
                emit(.greaterEqual); i += 2
            case UInt8(ascii: "!") where at(i + 1) == UInt8(ascii: "="):
                emit(.notEqual); i += 2
            case UInt8(ascii: "."):
                if MathLexer.isDigit(at(i + 1)) { try number() }
                else if at(i + 1) == UInt8(ascii: ".") { // an ellipsis carries no value
                    while at(i) == UInt8(ascii: ".") { i += 1 }
                } else { emit(.char(c)); i += 1 }
            default:
                if MathLexer.isDigit(c) { try number() }
                else if MathLexer.isLetter(c) { letters() }
                else if c >= 0x80 { nonASCII() }
                else { emit(.char(c)); i += 1 }
            }
        }
    }

    /// `^\circ`, `^{\circ}`, `^ {\circ }`: returns the index after the degree mark.
    private func degreeAfterCaret(_ k: Int) -> Int? {
        var j = k + 1
        while at(j) == 32 { j += 1 }
        var braced = false
        if at(j) == UInt8(ascii: "{") { braced = true; j += 1; while at(j) == 32 { j += 1 } }
        guard matches("\\circ", at: j) else { return nil }
        j += 5
        if MathLexer.isLetter(at(j)) { return nil }
        if braced {
            while at(j) == 32 { j += 1 }
            guard at(j) == UInt8(ascii: "}") else { return nil }
            j += 1
        }
        return j
    }

    private func matches(_ s: StaticString, at k: Int) -> Bool {
        let n = s.utf8CodeUnitCount
        guard k + n <= b.count else { return false }
        return s.withUTF8Buffer { p in
            for t in 0..<n where b[k + t] != p[t] { return false }
            return true
        }
    }

    private mutating func letters() {
        let start = i
        while MathLexer.isLetter(at(i)) { i += 1 }
        let run = String(decoding: b[start..<i], as: UTF8.self)
        if run.count == 1 { emit(.symbol(run)) } else { emit(.word(run, fromText: textMode)) }
    }

    private mutating func nonASCII() {
        // Decode one scalar: letters (θ, é) become symbols; anything else is kept as an unknown char.
        var len = 1
        let c = b[i]
        if c >= 0xF0 { len = 4 } else if c >= 0xE0 { len = 3 } else if c >= 0xC0 { len = 2 }
        let end = min(i + len, b.count)
        let s = String(decoding: b[i..<end], as: UTF8.self)
        i = end
        if let sc = s.unicodeScalars.first, sc.properties.isAlphabetic { emit(.symbol(s)) } else { emit(.char(0)) }
    }

    // MARK: - Commands

    private mutating func command() throws {
        let next = at(i + 1)
        if !MathLexer.isLetter(next) {
            i += 2
            switch next {
            case UInt8(ascii: ","), UInt8(ascii: "!"), UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: ">"):
                break // thin spaces: `3\,0` is 30, `1\,000` is 1000
            case 32: space = true
            case UInt8(ascii: "{"): emit(.setOpen)
            case UInt8(ascii: "}"): emit(.setClose)
            case UInt8(ascii: "\\"): emit(.rowSeparator)
            case UInt8(ascii: "%"): emit(.percent)
            case UInt8(ascii: "$"): break // currency
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"): break // math delimiters
            case UInt8(ascii: "|"): emit(.char(UInt8(ascii: "|")))
            case UInt8(ascii: "_"), UInt8(ascii: "&"), UInt8(ascii: "#"): emit(.char(next))
            case 0: break
            default: emit(.char(next))
            }
            return
        }
        var j = i + 1
        while MathLexer.isLetter(at(j)) { j += 1 }
        let name = String(decoding: b[(i + 1)..<j], as: UTF8.self)
        i = j
        if let alias = MathLexer.aliases[name] {
            try handle(alias)
        } else {
            try handle(name)
        }
    }

    static let aliases: [String: String] = [
        "dfrac": "frac", "tfrac": "frac", "cfrac": "frac", "dbinom": "binom", "tbinom": "binom",
        "leq": "le", "leqslant": "le", "leqq": "le", "geq": "ge", "geqslant": "ge", "geqq": "ge", "neq": "ne",
        "varnothing": "emptyset", "lbrace": "{", "rbrace": "}", "lvert": "|", "rvert": "|", "vert": "|", "mid": "|",
        "lVert": "|", "rVert": "|", "Vert": "|", "ast": "times", "cdot": "times", "centerdot": "times",
        "colon": ":", "varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "dots": "ldots",
        "cdots": "ldots", "dotsc": "ldots", "dotsb": "ldots", "vdots": "ldots", "ddots": "ldots",
        "imath": "mathrmi", "jmath": "mathrmi", "land": "wedge", "lor": "vee", "rightarrow": "to",
        "Rightarrow": "to", "implies": "to", "longrightarrow": "to",
    ]

    /// Commands that carry no meaning for grading.
    static let ignored: Set<String> = [
        "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
        "Biggl", "Biggr", "middle", "displaystyle", "textstyle", "scriptstyle", "scriptscriptstyle",
        "limits", "nolimits", "mathbf", "boldsymbol", "bm", "mathsf", "mathtt", "mathit", "mathcal",
        "mathscr", "mathfrak", "mathnormal", "hline", "noindent", "boxed", "fbox", "ensuremath",
        "rm", "bf", "it", "tiny", "small", "large", "Large", "normalsize", "negthinspace", "nobreak",
        "allowbreak", "strut",
    ]

    /// Commands whose argument is text.
    static let textWrappers: Set<String> = [
        "text", "textrm", "textbf", "textit", "textnormal", "textsf", "texttt", "mbox", "emph", "textup", "hbox",
    ]

    private mutating func handle(_ name: String) throws {
        switch name {
        case "quad", "qquad", "enspace", "thinspace", "medspace", "thickspace":
            space = true
        case "hspace", "vspace", "hskip", "kern", "mkern":
            if at(i) == UInt8(ascii: "*") { i += 1 }
            _ = rawGroup()
            space = true
        case "color", "textcolor":
            _ = rawGroup() // the color name; a following group is the colored content
        case "phantom", "hphantom", "vphantom", "label", "tag":
            _ = rawGroup()
        case _ where MathLexer.ignored.contains(name):
            if name == "left" || name == "right" {
                // `\left.` / `\right.` are invisible delimiters
                var j = i
                while at(j) == 32 { j += 1 }
                if at(j) == UInt8(ascii: ".") { i = j + 1 }
            }
        case _ where MathLexer.textWrappers.contains(name):
            try textGroup()
        case "mathrm", "operatorname", "mathrmi":
            if name == "mathrmi" { emit(.symbol("i")); return }
            try mathRoman()
        case "mathbb":
            let arg = rawGroup().trimmingCharacters(in: .whitespaces)
            emit(.command("mathbb" + arg))
        case "le": emit(.lessEqual)
        case "ge": emit(.greaterEqual)
        case "ne": emit(.notEqual)
        case "lt": emit(.char(UInt8(ascii: "<")))
        case "gt": emit(.char(UInt8(ascii: ">")))
        case "times": emit(.char(UInt8(ascii: "*")))
        case "div": emit(.char(UInt8(ascii: "/")))
        case "{": emit(.setOpen)
        case "}": emit(.setClose)
        case "|": emit(.char(UInt8(ascii: "|")))
        case ":": emit(.char(UInt8(ascii: ":")))
        case "circ", "degree", "degrees": emit(.degree)
        case "percent": emit(.percent)
        case "ldots": break // an ellipsis carries no value
        case "langle": emit(.char(UInt8(ascii: "(")))
        case "rangle": emit(.char(UInt8(ascii: ")")))
        default:
            emit(.command(name))
        }
    }

    /// Reads a `{…}` group (or a single token) and returns its raw text; tolerant of a missing `}`.
    private mutating func rawGroup() -> String {
        while at(i) == 32 { i += 1 }
        guard at(i) == UInt8(ascii: "{") else {
            // A single character argument (`\text e`).
            guard i < b.count else { return "" }
            let s = String(decoding: b[i..<(i + 1)], as: UTF8.self)
            i += 1
            return s
        }
        var level = 0
        let start = i + 1
        var j = i
        while j < b.count {
            let c = b[j]
            if c == UInt8(ascii: "\\") { j += 2; continue }
            if c == UInt8(ascii: "{") { level += 1 }
            if c == UInt8(ascii: "}") { level -= 1; if level == 0 { break } }
            j += 1
        }
        let end = min(j, b.count)
        i = min(j + 1, b.count)
        return String(decoding: b[start..<max(start, end)], as: UTF8.self)
    }

    /// `\text{…}`: the content is lexed in text mode (words stay words), with a space on each side,
    /// except `3\text{e}5`, which is scientific notation.
    private mutating func textGroup() throws {
        let content = rawGroup()
        if content == "e" || content == "E", let last = out.last, case .number = last.token,
            MathLexer.isDigit(at(i)) || ((at(i) == UInt8(ascii: "-") || at(i) == UInt8(ascii: "+")) && MathLexer.isDigit(at(i + 1)))
        {
            // Rebuild the literal with its exponent: the number lexer reads `e5` after the mantissa.
            try exponentContinuation()
            return
        }
        try sublex(content, textMode: true)
        space = true
    }

    /// `\mathrm{…}` / `\operatorname{…}`: math-roman letters form one word (`\mathrm{cm}`),
    /// a single letter stays a symbol (`\mathrm{i}`, `\mathrm{e}`).
    private mutating func mathRoman() throws {
        let content = rawGroup().trimmingCharacters(in: .whitespaces)
        if content == "e" || content == "E", let last = out.last, case .number = last.token,
            MathLexer.isDigit(at(i)) || ((at(i) == UInt8(ascii: "-") || at(i) == UInt8(ascii: "+")) && MathLexer.isDigit(at(i + 1)))
        {
            try exponentContinuation()
            return
        }
        try sublex(content, textMode: false)
    }

    private mutating func sublex(_ content: String, textMode: Bool) throws {
        guard depth < 20 else { throw MathParseError("text nested too deeply") }
        var sub = MathLexer(bytes: MathLexer.normalizeUnicode(content), textMode: textMode, depth: depth + 1)
        sub.space = true
        try sub.run()
        out.append(contentsOf: sub.out)
        space = false
    }

    /// Applies an exponent written after `\text{e}` to the number just emitted.
    private mutating func exponentContinuation() throws {
        guard case .number(var lit) = out.last!.token else { return }
        var j = i
        var negative = false
        if at(j) == UInt8(ascii: "-") { negative = true; j += 1 } else if at(j) == UInt8(ascii: "+") { j += 1 }
        let start = j
        while MathLexer.isDigit(at(j)) { j += 1 }
        guard j - start <= 6, let e = Int(String(decoding: b[start..<j], as: UTF8.self)) else {
            throw MathParseError("exponent too long")
        }
        i = j
        lit = MathLexer.scaled(lit, byPowerOfTen: negative ? -e : e)
        out[out.count - 1].token = .number(lit)
    }

    // MARK: - Numbers

    private mutating func number() throws {
        var j = i
        var intDigits: [UInt8] = []
        readDigits(&j, into: &intDigits)
        // Digit grouping: 1,000 / 1{,}000 / 10 000 / 1,00,000 (rule 6). `25,00` is not a grouping.
        if !intDigits.isEmpty, intDigits.count <= 3 {
            if let (groups, end) = commaGroups(from: j, leading: intDigits.count) {
                for g in groups { intDigits.append(contentsOf: g) }
                j = end
            } else if let (groups, end) = spaceGroups(from: j) {
                for g in groups { intDigits.append(contentsOf: g) }
                j = end
            }
        }
        var fracDigits: [UInt8] = []
        var repeating: [UInt8] = []
        var hasPoint = false
        if at(j) == UInt8(ascii: "."), MathLexer.isDigit(at(j + 1)) || matches("\\overline", at: j + 1) || matches("\\dot", at: j + 1) {
            hasPoint = true
            j += 1
            readDigits(&j, into: &fracDigits)
            if matches("\\overline", at: j) || matches("\\dot", at: j) {
                let save = i
                i = j + (matches("\\overline", at: j) ? 9 : 4)
                let rep = rawGroup()
                if !rep.isEmpty, rep.utf8.allSatisfy(MathLexer.isDigit) {
                    repeating = Array(rep.utf8); j = i
                } else { i = save }
            }
        }
        var exponent = 0
        if (at(j) == UInt8(ascii: "e") || at(j) == UInt8(ascii: "E")) {
            var k = j + 1
            var negative = false
            if at(k) == UInt8(ascii: "-") || at(k) == UInt8(ascii: "+") { negative = at(k) == UInt8(ascii: "-"); k += 1 }
            if MathLexer.isDigit(at(k)) {
                let start = k
                while MathLexer.isDigit(at(k)) { k += 1 }
                if !MathLexer.isLetter(at(k)) {
                    guard k - start <= 6, let e = Int(String(decoding: b[start..<k], as: UTF8.self)) else {
                        throw MathParseError("exponent too long")
                    }
                    exponent = negative ? -e : e
                    j = k
                }
            }
        }
        i = j
        emit(.number(MathLexer.literal(intDigits: intDigits, fracDigits: fracDigits, repeating: repeating,
                                        hasPoint: hasPoint, exponent: exponent)))
    }

    /// Digits, continuing across thin spaces (`3\,0` is 30, `7\,000\,000` is 7000000).
    private func readDigits(_ j: inout Int, into digits: inout [UInt8]) {
        while true {
            if MathLexer.isDigit(at(j)) { digits.append(at(j)); j += 1; continue }
            if !digits.isEmpty, at(j) == UInt8(ascii: "\\"), MathLexer.isDigit(at(j + 2)),
                [UInt8(ascii: ","), UInt8(ascii: "!"), UInt8(ascii: ":"), UInt8(ascii: ";")].contains(at(j + 1))
            { j += 2; continue }
            // `1\ 000`: a control space between digit groups of three.
            if !digits.isEmpty, at(j) == UInt8(ascii: "\\"), at(j + 1) == 32, MathLexer.isDigit(at(j + 2)),
                MathLexer.isDigit(at(j + 3)), MathLexer.isDigit(at(j + 4)), !MathLexer.isDigit(at(j + 5))
            { j += 2; continue }
            return
        }
    }

    private func commaGroups(from start: Int, leading: Int) -> ([[UInt8]], Int)? {
        var j = start
        var groups: [[UInt8]] = []
        while true {
            var k = j
            if at(k) == UInt8(ascii: ",") { k += 1 }
            else if at(k) == UInt8(ascii: "{") && at(k + 1) == UInt8(ascii: ",") && at(k + 2) == UInt8(ascii: "}") { k += 3 }
            else { break }
            var g: [UInt8] = []
            while MathLexer.isDigit(at(k)) { g.append(at(k)); k += 1 }
            guard g.count == 2 || g.count == 3 else { break }
            groups.append(g)
            j = k
            if g.count == 3 && at(k) != UInt8(ascii: ",") && at(k) != UInt8(ascii: "{") { break }
        }
        guard let last = groups.last, last.count == 3 else { return nil }
        let western = groups.allSatisfy { $0.count == 3 }
        let indian = leading <= 2 && groups.dropLast().allSatisfy { $0.count == 2 } && groups.count >= 2
        guard western || indian else { return nil }
        return (groups, j)
    }

    private func spaceGroups(from start: Int) -> ([[UInt8]], Int)? {
        var j = start
        var groups: [[UInt8]] = []
        while at(j) == 32, MathLexer.isDigit(at(j + 1)), MathLexer.isDigit(at(j + 2)), MathLexer.isDigit(at(j + 3)),
            !MathLexer.isDigit(at(j + 4)), at(j + 4) != UInt8(ascii: "/")
        {
            groups.append([at(j + 1), at(j + 2), at(j + 3)])
            j += 4
        }
        return groups.isEmpty ? nil : (groups, j)
    }

    static func literal(intDigits: [UInt8], fracDigits: [UInt8], repeating: [UInt8], hasPoint: Bool, exponent: Int) -> NumberLiteral {
        let all = intDigits + fracDigits
        let firstNonZero = all.firstIndex { $0 != UInt8(ascii: "0") }
        let sig = firstNonZero.map { all.count - $0 } ?? 0
        var exact: Rational? = nil
        if all.count <= 36, let n = Int128(String(decoding: all.isEmpty ? [48] : all, as: UTF8.self)) {
            exact = Rational(Int128(10)).power(fracDigits.count).flatMap { Rational(n).divided(by: $0) }
        }
        if !repeating.isEmpty, let base = exact, repeating.count <= 18, fracDigits.count <= 18,
            let r = Int128(String(decoding: repeating, as: UTF8.self)),
            let scale = Rational(Int128(10)).power(fracDigits.count),
            let period = Rational(Int128(10)).power(repeating.count)?.subtracting(.one),
            let denom = scale.multiplied(by: period)
        {
            exact = Rational(r).divided(by: denom).flatMap { base.adding($0) }
        }
        var text = String(decoding: intDigits.isEmpty ? [48] : intDigits, as: UTF8.self)
        if !fracDigits.isEmpty { text += "." + String(decoding: fracDigits, as: UTF8.self) }
        let value = exact?.doubleValue ?? Double(text) ?? .nan
        var lit = NumberLiteral(exact: exact, value: value, isDecimal: hasPoint && repeating.isEmpty,
                                significantDigits: sig, lastDigitExponent: -fracDigits.count,
                                isRepeating: !repeating.isEmpty)
        if exponent != 0 { lit = scaled(lit, byPowerOfTen: exponent) }
        return lit
    }

    static func scaled(_ lit: NumberLiteral, byPowerOfTen e: Int) -> NumberLiteral {
        var out = lit
        out.exact = Rational(Int128(10)).power(e).flatMap { p in lit.exact?.multiplied(by: p) }
        out.value = out.exact?.doubleValue ?? lit.value * Foundation.pow(10, Double(e))
        out.lastDigitExponent += e
        return out
    }
}

/// Why an answer could not be read as mathematics.
public struct MathParseError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ d: String) { description = d }
}
