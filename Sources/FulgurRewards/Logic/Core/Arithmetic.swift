/// Arithmetic expressions over integers with + − × ÷ and parentheses: a tree, a strict
/// parser for answer text (never `eval`), an exact rational evaluator and a printer that
/// writes the fewest parentheses.
indirect enum ArithExpr: Equatable, Sendable {
    case number(Int)
    case binary(ArithOp, ArithExpr, ArithExpr)

    /// The integers used, left to right.
    var numbers: [Int] {
        switch self {
        case .number(let n): return [n]
        case .binary(_, let l, let r): return l.numbers + r.numbers
        }
    }

    enum EvaluationFailure: Error, Equatable { case overflow, divisionByZero }

    /// The exact value (the math checker's 128-bit `Rational`).
    func value() throws(EvaluationFailure) -> Rational {
        switch self {
        case .number(let n): return Rational(n)
        case .binary(let op, let l, let r):
            let a = try l.value(), b = try r.value()
            let v: Rational?
            switch op {
            case .add: v = a.adding(b)
            case .sub: v = a.subtracting(b)
            case .mul: v = a.multiplied(by: b)
            case .div:
                guard !b.isZero else { throw .divisionByZero }
                v = a.divided(by: b)
            }
            guard let v else { throw .overflow }
            return v
        }
    }

    /// Infix text with only the parentheses precedence needs, e.g. `(8 - 2) * 4`.
    var text: String {
        switch self {
        case .number(let n): return String(n)
        case .binary(let op, let l, let r):
            let left = l.needsParentheses(under: op, onRight: false) ? "(\(l.text))" : l.text
            let right = r.needsParentheses(under: op, onRight: true) ? "(\(r.text))" : r.text
            return "\(left) \(op.rawValue) \(right)"
        }
    }

    private func needsParentheses(under parent: ArithOp, onRight: Bool) -> Bool {
        guard case .binary(let op, _, _) = self else { return false }
        if op.precedence < parent.precedence { return true }
        // a - (b + c), a / (b * c): same precedence on the right of a non-associative operator.
        return onRight && op.precedence == parent.precedence && (parent == .sub || parent == .div)
    }
}

enum ArithOp: Character, Sendable, CaseIterable {
    case add = "+", sub = "-", mul = "*", div = "/"
    var precedence: Int { self == .add || self == .sub ? 1 : 2 }
}

/// Parses `expr` or `expr = N`. Grammar: expr := term (('+'|'-') term)*;
/// term := factor (('*'|'/') factor)*; factor := INTEGER | '(' expr ')'.
/// Accepted spellings: `*`, `×`, `·`, `⋅`, `\times`, `\cdot` for multiplication; `/`, `÷`, `\div`
/// for division; `-`, `−`, `–` for subtraction; `\left(`/`\right)` for parentheses; `$` is ignored.
/// No unary minus, no decimals, no exponent, no implicit multiplication.
struct ArithParser {
    enum Token: Equatable { case number(Int), op(ArithOp), open, close, equals }

    static let maxDepth = 64
    private var tokens: [Token] = []
    private var pos = 0

    /// The expression and, when written, the number after `=`.
    static func parse(_ text: String) -> Result<(expr: ArithExpr, stated: Int?), ParseFailure> {
        var p = ArithParser()
        do {
            p.tokens = try tokenize(text)
            guard !p.tokens.isEmpty else { throw ParseFailure("empty expression") }
            let e = try p.expression(depth: 0)
            var stated: Int?
            if p.pos < p.tokens.count, p.tokens[p.pos] == .equals {
                p.pos += 1
                guard p.pos < p.tokens.count, case .number(let n) = p.tokens[p.pos] else {
                    throw ParseFailure("expected a number after '='")
                }
                stated = n
                p.pos += 1
            }
            guard p.pos == p.tokens.count else { throw ParseFailure("unexpected text after the expression") }
            return .success((e, stated))
        } catch let f as ParseFailure {
            return .failure(f)
        } catch {
            return .failure(ParseFailure("\(error)"))
        }
    }

    private static func tokenize(_ text: String) throws -> [Token] {
        var out: [Token] = []
        let s = Array(text.unicodeScalars)
        var i = 0
        func hasPrefix(_ word: String) -> Bool {
            let w = Array(word.unicodeScalars)
            return i + w.count <= s.count && Array(s[i..<(i + w.count)]) == w
        }
        while i < s.count {
            let c = s[i]
            if c.properties.isWhitespace || c == "$" { i += 1; continue }
            if c.isASCII, c.properties.numericType != nil {
                var n = 0, digits = 0
                while i < s.count, s[i].isASCII, let d = Int(String(s[i])) {
                    n = n * 10 + d; digits += 1; i += 1
                    if digits > 9 { throw ParseFailure("number too long") }
                }
                if i < s.count, s[i] == "." { throw ParseFailure("decimals are not allowed") }
                out.append(.number(n))
                continue
            }
            let latex: [(String, Token)] = [("\\times", .op(.mul)), ("\\cdot", .op(.mul)), ("\\div", .op(.div)),
                                            ("\\left(", .open), ("\\right)", .close)]
            if c == "\\", let (word, tok) = latex.first(where: { hasPrefix($0.0) }) {
                out.append(tok); i += word.unicodeScalars.count; continue
            }
            switch c {
            case "+": out.append(.op(.add))
            case "-", "\u{2212}", "\u{2013}": out.append(.op(.sub))
            case "*", "\u{00D7}", "\u{00B7}", "\u{22C5}": out.append(.op(.mul))
            case "/", "\u{00F7}": out.append(.op(.div))
            case "(": out.append(.open)
            case ")": out.append(.close)
            case "=": out.append(.equals)
            default: throw ParseFailure("unexpected character '\(c)'")
            }
            i += 1
        }
        return out
    }

    private mutating func expression(depth: Int) throws -> ArithExpr {
        guard depth < ArithParser.maxDepth else { throw ParseFailure("parentheses nested too deeply") }
        var e = try term(depth: depth)
        while pos < tokens.count, case .op(let op) = tokens[pos], op == .add || op == .sub {
            pos += 1
            e = .binary(op, e, try term(depth: depth))
        }
        return e
    }

    private mutating func term(depth: Int) throws -> ArithExpr {
        var e = try factor(depth: depth)
        while pos < tokens.count, case .op(let op) = tokens[pos], op == .mul || op == .div {
            pos += 1
            e = .binary(op, e, try factor(depth: depth))
        }
        return e
    }

    private mutating func factor(depth: Int) throws -> ArithExpr {
        guard pos < tokens.count else { throw ParseFailure("expression ends early") }
        switch tokens[pos] {
        case .number(let n):
            pos += 1
            if pos < tokens.count, tokens[pos] == .open { throw ParseFailure("implicit multiplication is not allowed") }
            return .number(n)
        case .open:
            pos += 1
            let e = try expression(depth: depth + 1)
            guard pos < tokens.count, tokens[pos] == .close else { throw ParseFailure("missing ')'") }
            pos += 1
            return e
        case .op(let op):
            throw ParseFailure(op == .sub ? "unary minus is not allowed" : "operator '\(op.rawValue)' without a left operand")
        case .close: throw ParseFailure("unexpected ')'")
        case .equals: throw ParseFailure("unexpected '='")
        }
    }
}
