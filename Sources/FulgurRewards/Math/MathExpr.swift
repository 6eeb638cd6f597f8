/// The expression tree of a parsed answer. Structure (lists, sets, brackets, relations, matrices)
/// is kept as written; `MathAnswer` decides what the structure means when two answers are compared.
public indirect enum MathExpr: Sendable, Equatable {
    case number(NumberLiteral)
    /// A variable or name: `x`, `x_1`, `alpha`, `A`.
    case symbol(String)
    case constant(MathConstant)
    case neg(MathExpr)
    case add(MathExpr, MathExpr)
    case sub(MathExpr, MathExpr)
    case mul(MathExpr, MathExpr)
    case div(MathExpr, MathExpr)
    case pow(MathExpr, MathExpr)
    /// `a ± b` (`lhs` nil for a leading `±b`); `minusFirst` for `∓`.
    case plusMinus(MathExpr?, MathExpr, minusFirst: Bool)
    /// A named function: sin, cos, …, sqrt, root(n, x), log(base, x), abs, factorial, binom, floor, ceil, det.
    case call(String, [MathExpr])
    case percent(MathExpr)
    case degrees(MathExpr)
    /// A value followed by a unit or other words (`5 cm`, `40 students`).
    case unit(MathExpr, String)
    /// A chain `a op b op c …` (`0 < x ≤ 1`, `x = 3 + 4 = 7`).
    case relation([MathExpr], [Relation])
    /// `(a, b)`, `[a, b)`, … with two or more elements: a tuple or an interval.
    case bracket([MathExpr], open: UInt8, close: UInt8)
    /// `\{a, b\}`.
    case set([MathExpr])
    /// Items written one after another: `1, 2`, `x = 2 or x = 5`.
    case list([MathExpr], connector: ListConnector)
    case matrix([[MathExpr]], determinant: Bool)
    case setOperation(SetOperation, MathExpr, MathExpr)
    /// Words that are not mathematics (a text answer such as "no solution").
    case text(String)
    case emptySet
    /// ℝ, "all real numbers".
    case reals
}

public enum MathConstant: String, Sendable, Equatable {
    case pi, e, i, infinity
}

public enum Relation: String, Sendable, Equatable {
    case equal = "=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">=", notEqual = "!=", element = "in"

    var flipped: Relation {
        switch self {
        case .less: return .greater
        case .lessEqual: return .greaterEqual
        case .greater: return .less
        case .greaterEqual: return .lessEqual
        default: return self
        }
    }
    var isInequality: Bool { self == .less || self == .lessEqual || self == .greater || self == .greaterEqual }
}

public enum ListConnector: Sendable, Equatable { case comma, and, or }

public enum SetOperation: Sendable, Equatable { case union, intersection, difference }

extension MathExpr {
    /// The free symbols (variables), excluding the constants π, e, i, ∞.
    func collectSymbols(into set: inout Set<String>) {
        switch self {
        case .symbol(let s): set.insert(s)
        case .number, .constant, .text, .emptySet, .reals: break
        case .neg(let a), .percent(let a), .degrees(let a), .unit(let a, _): a.collectSymbols(into: &set)
        case .add(let a, let b), .sub(let a, let b), .mul(let a, let b), .div(let a, let b), .pow(let a, let b),
            .setOperation(_, let a, let b):
            a.collectSymbols(into: &set); b.collectSymbols(into: &set)
        case .plusMinus(let a, let b, _): a?.collectSymbols(into: &set); b.collectSymbols(into: &set)
        case .call(_, let args), .bracket(let args, _, _), .set(let args), .list(let args, _), .relation(let args, _):
            for a in args { a.collectSymbols(into: &set) }
        case .matrix(let rows, _): for r in rows { for a in r { a.collectSymbols(into: &set) } }
        }
    }

    var symbols: Set<String> { var s = Set<String>(); collectSymbols(into: &s); return s }

    /// Whether the tree contains a ± anywhere (then it stands for several values).
    var containsPlusMinus: Bool {
        switch self {
        case .plusMinus: return true
        case .number, .symbol, .constant, .text, .emptySet, .reals: return false
        case .neg(let a), .percent(let a), .degrees(let a), .unit(let a, _): return a.containsPlusMinus
        case .add(let a, let b), .sub(let a, let b), .mul(let a, let b), .div(let a, let b), .pow(let a, let b),
            .setOperation(_, let a, let b):
            return a.containsPlusMinus || b.containsPlusMinus
        case .call(_, let args), .bracket(let args, _, _), .set(let args), .list(let args, _), .relation(let args, _):
            return args.contains { $0.containsPlusMinus }
        case .matrix(let rows, _): return rows.contains { $0.contains { $0.containsPlusMinus } }
        }
    }

    /// Every sign choice of the ± signs (at most `limit` alternatives): `1 ± √2` → [1+√2, 1−√2].
    func expandPlusMinus(limit: Int = 16) -> [MathExpr] {
        guard containsPlusMinus else { return [self] }
        func combine(_ xs: [MathExpr], _ ys: [MathExpr], _ f: (MathExpr, MathExpr) -> MathExpr) -> [MathExpr] {
            var out: [MathExpr] = []
            for x in xs { for y in ys where out.count < limit { out.append(f(x, y)) } }
            return out
        }
        switch self {
        case .plusMinus(let a, let b, let minusFirst):
            let bs = b.expandPlusMinus(limit: limit)
            guard let a else {
                let pos = bs, negs = bs.map { MathExpr.neg($0) }
                return Array((minusFirst ? negs + pos : pos + negs).prefix(limit))
            }
            let adds = combine(a.expandPlusMinus(limit: limit), bs, MathExpr.add)
            let subs = combine(a.expandPlusMinus(limit: limit), bs, MathExpr.sub)
            return Array((minusFirst ? subs + adds : adds + subs).prefix(limit))
        case .neg(let a): return a.expandPlusMinus(limit: limit).map(MathExpr.neg)
        case .add(let a, let b): return combine(a.expandPlusMinus(limit: limit), b.expandPlusMinus(limit: limit), MathExpr.add)
        case .sub(let a, let b): return combine(a.expandPlusMinus(limit: limit), b.expandPlusMinus(limit: limit), MathExpr.sub)
        case .mul(let a, let b): return combine(a.expandPlusMinus(limit: limit), b.expandPlusMinus(limit: limit), MathExpr.mul)
        case .div(let a, let b): return combine(a.expandPlusMinus(limit: limit), b.expandPlusMinus(limit: limit), MathExpr.div)
        case .pow(let a, let b): return combine(a.expandPlusMinus(limit: limit), b.expandPlusMinus(limit: limit), MathExpr.pow)
        case .call(let f, let args) where args.count == 1: return args[0].expandPlusMinus(limit: limit).map { .call(f, [$0]) }
        case .percent(let a): return a.expandPlusMinus(limit: limit).map(MathExpr.percent)
        case .degrees(let a): return a.expandPlusMinus(limit: limit).map(MathExpr.degrees)
        case .unit(let a, let u): return a.expandPlusMinus(limit: limit).map { .unit($0, u) }
        default: return [self]
        }
    }
}
