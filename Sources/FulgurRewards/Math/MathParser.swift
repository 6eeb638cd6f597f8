/// A tolerant recursive-descent reader of LaTeX / plain-text answers into `MathExpr`.
///
/// Precedence, loosest first: list (`,` `;` and/or) → relation chain (`=` `<` `≤` …) →
/// set operation (`∪` `∩` `\`) → `+ − ±` → `× ÷` and implicit multiplication → unary sign →
/// power → postfix (`!` `%` `°`) → primary. Malformed input that a human reads one way is read
/// that way (rule 13): `\frac12`, `\sqrt8`, a missing closing brace, `\left(1,2\right}`.
/// Recursion depth and token count are bounded, so hostile input fails fast with an error.
struct MathParser {
    private var toks: [LexedToken]
    private var p = 0
    private var depth = 0
    static let maxDepth = 100
    static let maxTokens = 4_000

    static func parse(_ s: String) throws -> MathExpr {
        var toks = try MathLexer.tokenize(s)
        guard toks.count <= maxTokens else { throw MathParseError("answer has more than \(maxTokens) tokens") }
        // A trailing period or comma is punctuation, not mathematics (`\boxed{7.}`, `$12.$`).
        while let last = toks.last, case .char(let c) = last.token,
            c == UInt8(ascii: ".") || c == UInt8(ascii: ",") || c == UInt8(ascii: ";") || c == UInt8(ascii: ":")
        { toks.removeLast() }
        guard !toks.isEmpty else { throw MathParseError("empty answer") }
        if let text = textAnswer(toks) { return text }
        var parser = MathParser(toks: toks)
        var e = try parser.parseList()
        if parser.isCommand("over") { parser.p += 1; e = .div(e, try parser.parseList()) }
        guard parser.p == parser.toks.count else {
            throw MathParseError("unexpected \(parser.describe(parser.toks[parser.p].token))")
        }
        return e
    }

    private init(toks: [LexedToken]) { self.toks = toks }

    /// An answer made only of words: a number in words ("six"), ℝ ("all real numbers"), or text.
    private static func textAnswer(_ toks: [LexedToken]) -> MathExpr? {
        var words: [String] = []
        var prose = false
        for t in toks {
            switch t.token {
            case .word(let w, let fromText):
                let l = w.lowercased()
                if MathVocabulary.functions[l] != nil || l == "pi" { return nil }
                if fromText || l.count >= 4 || MathVocabulary.answerWords.contains(l) { prose = true }
                words.append(l)
            case .symbol(let s): words.append(s.lowercased())
            case .char(let c) where c == UInt8(ascii: ".") || c == UInt8(ascii: ",") || c == UInt8(ascii: "'")
                || c == UInt8(ascii: "!") || c == UInt8(ascii: "?"):
                continue
            default: return nil
            }
        }
        // At least one real word: `x`, `a, b` or `xy` are mathematics, not text.
        guard prose else { return nil }
        if let (v, used) = MathVocabulary.numberValue(words), used == words.count {
            return .number(NumberLiteral(exact: Rational(v), value: Double(v), isDecimal: false,
                                         significantDigits: 0, lastDigitExponent: 0, isRepeating: false))
        }
        let joined = words.joined(separator: " ")
        if ["all real numbers", "real numbers", "all reals", "reals", "all real values", "all real x"].contains(joined) { return .reals }
        if MathVocabulary.infinityWords.contains(joined) { return .constant(.infinity) }
        return .text(joined)
    }

    // MARK: - Token helpers

    private var current: MathToken? { p < toks.count ? toks[p].token : nil }
    private func peek(_ k: Int) -> MathToken? { p + k < toks.count ? toks[p + k].token : nil }
    private func isChar(_ c: Character, at k: Int = 0) -> Bool {
        if case .char(let x) = peek(k) { return x == c.asciiValue! }
        return false
    }
    private func isCommand(_ name: String, at k: Int = 0) -> Bool {
        if case .command(let x) = peek(k) { return x == name }
        return false
    }
    private func isWord(_ w: String, at k: Int = 0) -> Bool {
        if case .word(let x, _) = peek(k) { return x.lowercased() == w }
        return false
    }

    private func describe(_ t: MathToken) -> String {
        switch t {
        case .number: return "number"
        case .symbol(let s): return "symbol \(s)"
        case .word(let w, _): return "word '\(w)'"
        case .command(let c): return "\\\(c)"
        case .char(let c): return c == 0 ? "character" : "'\(Character(UnicodeScalar(c)))'"
        case .lessEqual: return "≤"
        case .greaterEqual: return "≥"
        case .notEqual: return "≠"
        case .setOpen: return "\\{"
        case .setClose: return "\\}"
        case .rowSeparator: return "\\\\"
        case .degree: return "degree mark"
        case .percent: return "%"
        }
    }

    private func isCloser(_ t: MathToken?) -> Bool {
        guard let t else { return true }
        switch t {
        case .char(let c): return c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") || c == UInt8(ascii: "&")
        case .setClose, .rowSeparator: return true
        case .command(let c): return c == "end"
        default: return false
        }
    }

    private mutating func enter() throws {
        depth += 1
        if depth > MathParser.maxDepth { throw MathParseError("nested deeper than \(MathParser.maxDepth) levels") }
    }

    // MARK: - Grammar

    mutating func parseList() throws -> MathExpr {
        try enter(); defer { depth -= 1 }
        var items: [MathExpr] = []
        var connector = ListConnector.comma
        var separated = false
        while !isCloser(current) {
            items.append(try parseRelation())
            if isChar(",") || isChar(";") {
                p += 1; separated = true
                // "1, 2, and 3": an Oxford comma before the connector.
                if case .word(let w, _) = current, let c = MathVocabulary.connectors[w.lowercased()] {
                    p += 1
                    if connector != .or { connector = c }
                }
            } else if case .word(let w, _) = current, let c = MathVocabulary.connectors[w.lowercased()] {
                p += 1; separated = true
                if connector != .or { connector = c }
            } else { break }
        }
        guard !items.isEmpty else {
            throw MathParseError(current.map { "unexpected \(describe($0))" } ?? "missing expression")
        }
        return items.count == 1 && !(separated && connector != .comma) ? items[0] : .list(items, connector: connector)
    }

    private func relation(_ t: MathToken?) -> Relation? {
        switch t {
        case .char(let c) where c == UInt8(ascii: "="): return .equal
        case .char(let c) where c == UInt8(ascii: "<"): return .less
        case .char(let c) where c == UInt8(ascii: ">"): return .greater
        case .lessEqual: return .lessEqual
        case .greaterEqual: return .greaterEqual
        case .notEqual: return .notEqual
        case .command(let c) where c == "approx" || c == "equiv" || c == "simeq" || c == "cong": return .equal
        case .command(let c) where c == "in": return .element
        default: return nil
        }
    }

    mutating func parseRelation() throws -> MathExpr {
        var parts = [try parseSetExpression()]
        var ops: [Relation] = []
        while let op = relation(current) {
            p += 1
            if isChar("=") { p += 1 } // `:=`-style doubled signs, `==`
            parts.append(try parseSetExpression())
            ops.append(op)
        }
        return ops.isEmpty ? parts[0] : .relation(parts, ops)
    }

    mutating func parseSetExpression() throws -> MathExpr {
        var lhs = try parseAdditive()
        while case .command(let c) = current {
            let op: SetOperation
            switch c {
            case "cup": op = .union
            case "cap": op = .intersection
            case "setminus", "backslash": op = .difference
            default: return lhs
            }
            p += 1
            lhs = .setOperation(op, lhs, try parseAdditive())
        }
        return lhs
    }

    mutating func parseAdditive() throws -> MathExpr {
        try enter(); defer { depth -= 1 }
        var lhs = try parseTerm()
        while true {
            if isChar("+") { p += 1; lhs = .add(lhs, try parseTerm()) }
            else if isChar("-") { p += 1; lhs = .sub(lhs, try parseTerm()) }
            else if isCommand("pm") { p += 1; lhs = .plusMinus(lhs, try parseTerm(), minusFirst: false) }
            else if isCommand("mp") { p += 1; lhs = .plusMinus(lhs, try parseTerm(), minusFirst: true) }
            else { return lhs }
        }
    }

    mutating func parseTerm() throws -> MathExpr {
        var lhs = try parseUnary()
        while true {
            if isChar("*") && !isChar("*", at: 1) {
                p += 1; lhs = .mul(lhs, try parseUnary())
            } else if isChar("/") {
                p += 1; lhs = .div(lhs, try parseUnary())
            } else if let decorated = try unitSuffix(lhs) {
                lhs = decorated
            } else if startsImplicitFactor(after: lhs) {
                lhs = .mul(lhs, try parsePower())
            } else {
                return lhs
            }
        }
    }

    /// Words after a value: a unit (`5 cm`), a degree or percent word, or other decoration
    /// (`40 students`), consumed together with a unit exponent (`cm^2`).
    private mutating func unitSuffix(_ lhs: MathExpr) throws -> MathExpr? {
        guard case .word(let w, let fromText) = current else { return nil }
        let l = w.lowercased()
        if MathVocabulary.degreeWords.contains(l) { p += 1; return .degrees(lhs) }
        if MathVocabulary.percentWords.contains(l) { p += 1; return .percent(lhs) }
        if l == "per" && isWord("cent", at: 1) { p += 2; return .percent(lhs) }
        guard MathVocabulary.isUnitOrWord(l), l != "pi", !MathVocabulary.infinityWords.contains(l),
            fromText || l.count > 3 || MathVocabulary.units[l] != nil || MathVocabulary.fillerWords.contains(l)
        else { return nil }
        var words: [String] = []
        while case .word(let w2, _) = current, MathVocabulary.isUnitOrWord(w2.lowercased()) {
            words.append(w2.lowercased()); p += 1
            if isChar("^") { p += 1; _ = try parseExponent() }
        }
        // A single-letter unit right after (`5 m`) is a symbol, not a unit: left to the caller.
        let unit = words.filter { !MathVocabulary.fillerWords.contains($0) }.joined(separator: " ")
        if case .unit(let inner, let u) = lhs { return .unit(inner, [u, unit].filter { !$0.isEmpty }.joined(separator: " ")) }
        return .unit(lhs, unit)
    }

    private func startsImplicitFactor(after lhs: MathExpr) -> Bool {
        guard let t = current else { return false }
        switch t {
        case .number:
            // Two bare numbers side by side are not a product (`2 3`); `x 2`, `\pi 2` are.
            if case .number = lhs { return false }
            if case .mul(_, .number) = lhs { return false }
            return true
        case .symbol: return true
        case .word(let w, let fromText):
            let l = w.lowercased()
            if MathVocabulary.functions[l] != nil || l == "pi" { return true }
            if MathVocabulary.numberWords[l] != nil { return false }
            return !fromText && l.count <= 3 && MathVocabulary.units[l] == nil && MathVocabulary.connectors[l] == nil
                && !MathVocabulary.fillerWords.contains(l) && !MathVocabulary.infinityWords.contains(l)
        case .command(let c):
            return !["cup", "cap", "setminus", "backslash", "pm", "mp", "in", "to", "end", "approx", "equiv",
                     "simeq", "cong", "rfloor", "rceil", "ldots", "quad", "wedge", "vee", "text", "over"].contains(c)
        case .char(let c): return c == UInt8(ascii: "(") || c == UInt8(ascii: "{")
        default: return false
        }
    }

    mutating func parseUnary() throws -> MathExpr {
        try enter(); defer { depth -= 1 }
        if isChar("-") { p += 1; return .neg(try parseUnary()) }
        if isChar("+") { p += 1; return try parseUnary() }
        if isCommand("pm") { p += 1; return .plusMinus(nil, try parseUnary(), minusFirst: false) }
        if isCommand("mp") { p += 1; return .plusMinus(nil, try parseUnary(), minusFirst: true) }
        return try parsePower()
    }

    mutating func parsePower() throws -> MathExpr {
        try enter(); defer { depth -= 1 }
        var base = try parsePostfix(try parsePrimary())
        if isChar("^") || (isChar("*") && isChar("*", at: 1)) {
            p += isChar("^") ? 1 : 2
            base = try parsePostfix(.pow(base, try parseExponent()))
        }
        return base
    }

    /// An exponent: `{…}`, or a signed single primary (`2^10`, `10^-3`, `x^2`), right-associative.
    mutating func parseExponent() throws -> MathExpr {
        try enter(); defer { depth -= 1 }
        if isChar("{") { return try parseGroup() }
        if isChar("-") { p += 1; return .neg(try parseExponent()) }
        if isChar("+") { p += 1; return try parseExponent() }
        let base = try parsePrimary()
        if isChar("^") { p += 1; return .pow(base, try parseExponent()) }
        return base
    }

    mutating func parsePostfix(_ e: MathExpr) throws -> MathExpr {
        var e = e
        while let t = current {
            switch t {
            case .char(let c) where c == UInt8(ascii: "!"):
                p += 1; e = .call("factorial", [e])
            case .percent: p += 1; e = .percent(e)
            case .degree: p += 1; e = .degrees(e)
            case .char(let c) where c == UInt8(ascii: "'"): p += 1
            case .char(let c) where c == UInt8(ascii: "_"):
                p += 1; _ = try parseArgument(splitDigits: true) // a stray subscript carries no value here
            default: return e
            }
        }
        return e
    }

    /// `{ … }` with a tolerated missing `}` at the end of input.
    mutating func parseGroup() throws -> MathExpr {
        try enter(); defer { depth -= 1 }
        p += 1 // {
        if isChar("}") { p += 1; throw MathParseError("empty group") }
        var e = try parseList()
        if isCommand("over") { // `{1 \over 2}`
            p += 1
            e = .div(e, try parseList())
        }
        if isChar("}") { p += 1 } else if current != nil { throw MathParseError("expected }") }
        return e
    }

    /// A macro argument: a `{…}` group or a single token. With `splitDigits`, `\frac12` takes the
    /// digits one at a time as LaTeX does.
    mutating func parseArgument(splitDigits: Bool) throws -> MathExpr {
        try enter(); defer { depth -= 1 }
        guard let t = current else { throw MathParseError("missing argument") }
        switch t {
        case .char(let c) where c == UInt8(ascii: "{"): return try parseGroup()
        case .number(let lit):
            if splitDigits, !lit.isDecimal, let ex = lit.exact, ex.isInteger, ex.num >= 10 {
                let digits = String(ex.num)
                let first = Int(String(digits.first!))!
                let rest = Int128(digits.dropFirst())!
                toks[p].token = .number(MathParser.integerLiteral(rest))
                return .number(MathParser.integerLiteral(Int128(first)))
            }
            p += 1
            return .number(lit)
        case .symbol(let s): p += 1; return s == "i" ? .constant(.i) : (s == "e" ? .constant(.e) : .symbol(s))
        case .command, .word: return try parsePrimary()
        case .char(let c) where c == UInt8(ascii: "-"): p += 1; return .neg(try parseArgument(splitDigits: splitDigits))
        default: throw MathParseError("bad argument \(describe(t))")
        }
    }

    static func integerLiteral(_ n: Int128) -> NumberLiteral {
        NumberLiteral(exact: Rational(n), value: Double(n), isDecimal: false, significantDigits: 0,
                      lastDigitExponent: 0, isRepeating: false)
    }

    // MARK: - Primaries

    mutating func parsePrimary() throws -> MathExpr {
        try enter(); defer { depth -= 1 }
        guard let t = current else { throw MathParseError("missing value at end") }
        switch t {
        case .number(let lit):
            p += 1
            if lit.isInteger, let mixed = try mixedNumber(whole: lit) { return mixed }
            return .number(lit)
        case .symbol(let s):
            p += 1
            return try symbol(s)
        case .word(let w, let fromText):
            return try word(w, fromText: fromText)
        case .command(let c):
            return try command(c)
        case .char(let c):
            switch c {
            case UInt8(ascii: "("), UInt8(ascii: "["): return try bracket()
            case UInt8(ascii: "{"): return try parseGroup()
            case UInt8(ascii: "|"):
                p += 1
                let inner = try parseAdditive()
                if isChar("|") { p += 1 } else if current != nil { throw MathParseError("unclosed |") }
                return .call("abs", [inner])
            default: throw MathParseError("unexpected \(describe(t))")
            }
        case .setOpen:
            p += 1
            if case .setClose = current { p += 1; return .emptySet }
            if case .symbol = current, isChar("|", at: 1) || isChar(":", at: 1) {
                // Set-builder `\{x \mid x > 3\}`: the set is its condition.
                p += 2
                let condition = try parseList()
                if case .setClose = current { p += 1 } else if isChar("}") { p += 1 } else if current != nil { throw MathParseError("expected \\}") }
                return condition
            }
            let inner = try parseList()
            if case .setClose = current { p += 1 } else if isChar("}") { p += 1 } else if current != nil { throw MathParseError("expected \\}") }
            if case .list(let items, _) = inner { return .set(items) }
            return .set([inner])
        default:
            throw MathParseError("unexpected \(describe(t))")
        }
    }

    /// `3\frac14`, `3 1/4`, `3 and 1/2`: whole part plus a proper fraction (rule 2).
    private mutating func mixedNumber(whole: NumberLiteral) throws -> MathExpr? {
        let save = p, saveToks = toks
        var fraction: (Int128, Int128)? = nil
        if isWord("and") { p += 1 }
        if isCommand("frac") {
            p += 1
            if case .number(let n)? = try? parseArgument(splitDigits: true), case .number(let d)? = try? parseArgument(splitDigits: true),
                let a = n.exact, let b = d.exact, a.isInteger, b.isInteger, n.isInteger, d.isInteger
            { fraction = (a.num, b.num) }
        } else if case .number(let n) = current, toks[p].spaceBefore, isChar("/", at: 1), case .number(let d) = peek(2),
            let a = n.exact, let b = d.exact, n.isInteger, d.isInteger, !isChar("^", at: 3)
        {
            p += 3
            fraction = (a.num, b.num)
        }
        if let (n, d) = fraction, n > 0, n < d {
            return .add(.number(whole), .div(.number(MathParser.integerLiteral(n)), .number(MathParser.integerLiteral(d))))
        }
        p = save; toks = saveToks
        return nil
    }

    private mutating func symbol(_ s: String) throws -> MathExpr {
        var name = s
        if isChar("_") {
            p += 1
            switch current {
            case .char(let c) where c == UInt8(ascii: "{"):
                p += 1
                var sub = ""
                while let t = current, !isChar("}") {
                    switch t {
                    case .number(let lit): sub += lit.exact.map { "\($0)" } ?? "\(lit.value)"
                    case .symbol(let x): sub += x
                    case .word(let x, _): sub += x
                    case .command(let x): sub += x
                    default: sub += "?"
                    }
                    p += 1
                }
                if isChar("}") { p += 1 }
                name += "_" + sub
            case .number(let lit):
                // LaTeX takes one character: x_12 is x_1 · 2; keep the common `a_1`.
                _ = try parseArgument(splitDigits: true)
                name += "_" + (lit.exact.map { "\($0.num)".prefix(1) }.map(String.init) ?? "?")
            case .symbol(let x): p += 1; name += "_" + x
            default: break
            }
            return .symbol(name)
        }
        if name == "i" { return .constant(.i) }
        if name == "e" { return .constant(.e) }
        return .symbol(name)
    }

    private mutating func word(_ w: String, fromText: Bool) throws -> MathExpr {
        let l = w.lowercased()
        if let f = MathVocabulary.functions[l] { p += 1; return try function(f) }
        if l == "pi" { p += 1; return .constant(.pi) }
        if MathVocabulary.infinityWords.contains(l) { p += 1; return .constant(.infinity) }
        var words: [String] = []
        var k = p
        while case .word(let x, _)? = (k < toks.count ? toks[k].token : nil) { words.append(x); k += 1 }
        if let (v, used) = MathVocabulary.numberValue(words) {
            p += used
            return .number(MathParser.integerLiteral(Int128(v)))
        }
        if !fromText && l.count <= 3 && w.allSatisfy({ $0.isLetter }) && MathVocabulary.units[l] == nil {
            p += 1
            // Geometry names (AB, ABC) stay one symbol; lowercase runs are products (xy = x·y).
            if w.allSatisfy({ $0.isUppercase }) { return .symbol(w) }
            var e: MathExpr? = nil
            for ch in w {
                let s: MathExpr = ch == "i" ? .constant(.i) : (ch == "e" ? .constant(.e) : .symbol(String(ch)))
                e = e.map { .mul($0, s) } ?? s
            }
            return e!
        }
        throw MathParseError("unexpected word '\(w)'")
    }

    private mutating func command(_ c: String) throws -> MathExpr {
        p += 1
        switch c {
        case "frac":
            let n = try parseArgument(splitDigits: true)
            let d = try parseArgument(splitDigits: true)
            return .div(n, d)
        case "over":
            throw MathParseError("\\over outside a group")
        case "sqrt":
            if isChar("[") {
                p += 1
                let index = try parseAdditive()
                if isChar("]") { p += 1 }
                return .call("root", [index, try parseArgument(splitDigits: false)])
            }
            return .call("sqrt", [try parseArgument(splitDigits: false)])
        case "binom", "choose":
            return .call("binom", [try parseArgument(splitDigits: true), try parseArgument(splitDigits: true)])
        case "pi": return .constant(.pi)
        case "infty", "infinity": return .constant(.infinity)
        case "emptyset": return .emptySet
        case "mathbbR": return .reals
        case "exponentiale": return .constant(.e)
        case "lfloor", "lceil":
            let inner = try parseAdditive()
            if isCommand(c == "lfloor" ? "rfloor" : "rceil") { p += 1 }
            return .call(c == "lfloor" ? "floor" : "ceil", [inner])
        case "overline", "bar", "vec", "hat", "widehat", "tilde", "widetilde", "overrightarrow", "underline",
            "overleftrightarrow", "mathring", "acute", "grave", "check", "breve", "dot", "ddot":
            let arg = try parseArgument(splitDigits: false)
            if case .symbol(let s) = arg { return .symbol("\(c)(\(s))") }
            return arg
        case "angle", "measuredangle", "triangle":
            var name = c
            while case .symbol(let s) = current { name += s; p += 1 }
            while case .word(let s, _) = current { name += s; p += 1 }
            return .symbol(name)
        case "begin":
            return try environment()
        default:
            if MathVocabulary.greek.contains(c) { return try symbol(c) }
            if let f = MathVocabulary.functions[c] { return try function(f) }
            if c.hasPrefix("mathbb") { return .symbol(c) }
            throw MathParseError("unknown command \\\(c)")
        }
    }

    private mutating func bracket() throws -> MathExpr {
        guard case .char(let open) = current else { throw MathParseError("expected bracket") }
        p += 1
        if isChar(")") || isChar("]") { throw MathParseError("empty brackets") }
        let inner = try parseList()
        var close = open == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "]")
        if case .char(let c) = current, c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
            close = c == UInt8(ascii: "}") ? UInt8(ascii: ")") : c // `\left(1,2\right}` reads as (1,2)
            p += 1
        } else if case .setClose = current {
            close = UInt8(ascii: ")"); p += 1
        } else if current != nil {
            throw MathParseError("expected closing bracket")
        }
        if case .list(let items, .comma) = inner, items.count >= 2 {
            return .bracket(items, open: open, close: close)
        }
        return inner
    }

    private mutating func function(_ f: String) throws -> MathExpr {
        var name = f
        var power: MathExpr? = nil
        var base: MathExpr? = nil
        for _ in 0..<2 {
            if isChar("^") {
                p += 1
                let e = try parseExponent()
                if case .neg(.number(let one)) = e, one.exact == .one, MathVocabulary.trigonometric.contains(name) || name.hasSuffix("h") {
                    name = inverseName(name)
                } else { power = e }
            } else if isChar("_") {
                p += 1
                base = try parseArgument(splitDigits: true)
            }
        }
        var args: [MathExpr]
        if isChar("(") {
            let inner = try bracket()
            if case .bracket(let items, _, _) = inner { args = items } else { args = [inner] }
        } else if isChar("{") {
            args = [try parseGroup()]
        } else if MathVocabulary.takesBareArgument.contains(name) || name == "sqrt" {
            args = [try bareArgument()]
        } else {
            throw MathParseError("\(name) needs an argument")
        }
        if name == "log", let base { args = [base] + args; name = "logb" }
        var call = MathExpr.call(name, args)
        if name == "det", args.count == 1, case .matrix(let rows, _) = args[0] { call = .matrix(rows, determinant: true) }
        if let power { call = .pow(call, power) }
        return call
    }

    private func inverseName(_ f: String) -> String {
        switch f {
        case "sin": return "asin"
        case "cos": return "acos"
        case "tan": return "atan"
        case "cot": return "acot"
        default: return "inverse-" + f
        }
    }

    /// `\sin 2x`, `\sin 30^\circ`, `\ln x`: factors up to the next `+`, `−`, relation or function.
    private mutating func bareArgument() throws -> MathExpr {
        try enter(); defer { depth -= 1 }
        if isChar("-") { p += 1; return .neg(try bareArgument()) }
        var e = try parsePower()
        while startsImplicitFactor(after: e) {
            if case .command(let c) = current, MathVocabulary.functions[c] != nil { break }
            if case .word(let w, _) = current, MathVocabulary.functions[w.lowercased()] != nil { break }
            e = .mul(e, try parsePower())
        }
        return e
    }

    /// `\begin{pmatrix} … \end{pmatrix}` and friends; `vmatrix` is a determinant.
    private mutating func environment() throws -> MathExpr {
        let name = readBracedName()
        if name == "array" { _ = readBracedName() }
        var rows: [[MathExpr]] = []
        var row: [MathExpr] = []
        var cellPending = false
        while let t = current {
            if case .command("end") = t { p += 1; _ = readBracedName(); break }
            if case .command("hline") = t { p += 1; continue }
            if case .char(let c) = t, c == UInt8(ascii: "&") { p += 1; row.append(.text("")); cellPending = true; continue }
            if case .rowSeparator = t { p += 1; rows.append(row); row = []; cellPending = false; continue }
            if cellPending || row.isEmpty {
                if cellPending { row.removeLast() }
                row.append(try parseRelation())
                cellPending = false
            } else {
                throw MathParseError("unexpected \(describe(t)) in \(name)")
            }
        }
        if !row.isEmpty { rows.append(row) }
        rows = rows.filter { !$0.isEmpty }
        guard !rows.isEmpty else { throw MathParseError("empty \(name)") }
        if name == "cases" { return .list(rows.map { $0[0] }, connector: .comma) }
        return .matrix(rows, determinant: name == "vmatrix")
    }

    private mutating func readBracedName() -> String {
        guard isChar("{") else { return "" }
        p += 1
        var name = ""
        while let t = current, !isChar("}") {
            switch t {
            case .word(let w, _): name += w
            case .symbol(let s): name += s
            case .char(let c) where c != 0: name += String(UnicodeScalar(c))
            default: break
            }
            p += 1
        }
        if isChar("}") { p += 1 }
        return name
    }
}
