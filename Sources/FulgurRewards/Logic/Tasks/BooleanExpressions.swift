import FulgurSupport

/// Boolean expressions over True/False with not, and, or (Python precedence: not > and > or).
/// Several labelled expressions are shown; the answer names the ones that are True.
public struct BooleanExpressionsTask: PuzzleTask {
    public struct Puzzle: Codable, Sendable {
        /// The expressions as shown, labelled A, B, C, … in order.
        public var expressions: [String]
        /// Their values.
        public var values: [Bool]
    }

    public init() {}
    public let name = "boolean_expressions"
    public let summary = "Evaluate labelled Boolean expressions (True/False, not, and, or) and name the true ones."
    public let difficultyScale = """
        Expressions 3 (d 1–3), 4 (4–6), 5 (7–9), 6 (10); nesting depth 2, 2, 3, 3, 4, 4, 5, 5, 6, 6; \
        from difficulty 6 on only the parentheses that precedence requires are written.
        """

    indirect enum Expr {
        case lit(Bool), not(Expr), and(Expr, Expr), or(Expr, Expr)

        var value: Bool {
            switch self {
            case .lit(let b): return b
            case .not(let e): return !e.value
            case .and(let a, let b): return a.value && b.value
            case .or(let a, let b): return a.value || b.value
            }
        }
        /// 3 for literals and `not`, 2 for and, 1 for or.
        var precedence: Int {
            switch self {
            case .lit, .not: return 3
            case .and: return 2
            case .or: return 1
            }
        }
        var operators: Int {
            switch self {
            case .lit: return 0
            case .not(let e): return 1 + e.operators
            case .and(let a, let b), .or(let a, let b): return 1 + a.operators + b.operators
            }
        }

        func text(minimal: Bool) -> String {
            func child(_ e: Expr, _ parent: Int) -> String {
                let t = e.text(minimal: minimal)
                if case .lit = e { return t }
                if case .not = e, minimal { return t }
                return (minimal && e.precedence >= parent) ? t : "( \(t) )"
            }
            switch self {
            case .lit(let b): return b ? "True" : "False"
            case .not(let e):
                if case .lit = e { return "not \(e.text(minimal: minimal))" }
                if case .not = e { return "not \(e.text(minimal: minimal))" }
                return "not ( \(e.text(minimal: minimal)) )"
            case .and(let a, let b): return "\(child(a, 2)) and \(child(b, 3))"
            case .or(let a, let b): return "\(child(a, 1)) or \(child(b, 2))"
            }
        }
    }

    static func level(_ d: Int) -> (count: Int, depth: Int, minimal: Bool) {
        (3 + (d - 1) / 3, (d + 3) / 2, d >= 6)
    }

    public func make(difficulty: Int, rng: inout RNG) throws -> GeneratedPuzzle<Puzzle> {
        let (count, depth, minimal) = BooleanExpressionsTask.level(difficulty)
        func build(_ d: Int, top: Bool) -> Expr {
            if d == 0 || (!top && rng.chance(0.2)) { return .lit(rng.chance(0.5)) }
            let r = rng.unit()
            if r < 0.2 { return .not(build(d - 1, top: false)) }
            return r < 0.6 ? .and(build(d - 1, top: false), build(d - 1, top: false))
                           : .or(build(d - 1, top: false), build(d - 1, top: false))
        }
        let exprs = (0..<count).map { _ in build(depth, top: true) }
        let p = Puzzle(expressions: exprs.map { $0.text(minimal: minimal) }, values: exprs.map(\.value))
        let trueLabels = p.values.indices.filter { p.values[$0] }.map(BooleanExpressionsTask.label)
        return GeneratedPuzzle(puzzle: p, prompt: prompt(p),
                               answer: trueLabels.isEmpty ? "none" : trueLabels.joined(separator: ", "))
    }

    static func label(_ i: Int) -> String { String(UnicodeScalar(UInt8(65 + i))) }

    func prompt(_ p: Puzzle) -> String {
        let list = p.expressions.enumerated().map { "\(BooleanExpressionsTask.label($0)). \($1)" }.joined(separator: "\n")
        return """
            Evaluate each Boolean expression. `not` binds tighter than `and`, which binds tighter than `or` \
            (as in Python).

            \(list)

            Which expressions are True?

            \(AnswerTag.instruction("List the letters of the true expressions separated by commas (for example `A, C`), or write `none`."))
            """
    }

    public func check(_ answer: String, puzzle p: Puzzle) -> Verdict {
        guard !p.values.isEmpty, p.values.count <= 26 else { return .fail("malformed puzzle metadata") }
        var items = AnswerParsing.listItems(answer)
        if items == ["none"] { items = [] }
        var chosen = Set<Int>()
        for item in items {
            guard item.count == 1, let a = item.unicodeScalars.first?.value, a >= 97, Int(a) - 97 < p.values.count else {
                return .fail("'\(item)' is not one of the labels A–\(BooleanExpressionsTask.label(p.values.count - 1))")
            }
            chosen.insert(Int(a) - 97)
        }
        for i in p.values.indices where chosen.contains(i) != p.values[i] {
            return .fail("expression \(BooleanExpressionsTask.label(i)) is \(p.values[i] ? "True" : "False")")
        }
        return .pass()
    }
}
