import Foundation
import FulgurSupport

/// Decides whether two parsed answers are mathematically equal under ADJUDICATION.md rules 2–12:
/// exact rationals, radicals and closed forms by value, the decimal rule, percent, degrees,
/// units, complex numbers, sets/lists (unordered), tuples/vectors/matrices (ordered),
/// intervals ↔ inequalities, equations, and expressions by evaluation at seeded random points.
struct MathEquivalence {
    /// Relative and absolute tolerance for values that are not both exact rationals.
    static let relativeTolerance = 1e-9
    static let absoluteTolerance = 1e-12
    /// Looser tolerance for expressions evaluated at random points (cancellation loses digits).
    static let pointRelativeTolerance = 1e-7
    static let pointAbsoluteTolerance = 1e-9
    static let maxElements = 64
    /// Evaluation steps one whole comparison may spend (all points, all elements).
    static let maxSteps = 200_000
    private(set) var steps = 0

    /// A fresh evaluator holding the rest of this comparison's budget.
    mutating func evaluator() -> MathEvaluator? {
        guard steps < MathEquivalence.maxSteps else { return nil }
        return MathEvaluator(limit: min(MathEvaluator.maxSteps, MathEquivalence.maxSteps - steps))
    }
    mutating func charge(_ ev: MathEvaluator) { steps += ev.steps }

    mutating func equivalent(gold: MathExpr, answer: MathExpr) -> Bool {
        equivalent(normalize(gold), normalize(answer), depth: 0)
    }

    // MARK: - Normalization

    /// Expands ±, flattens unions of finite sets, and turns `x = ±3` into `x = 3, x = −3`.
    func normalize(_ e: MathExpr) -> MathExpr {
        switch e {
        case .list(let items, let c):
            return .list(items.flatMap { item -> [MathExpr] in
                let n = normalize(item)
                if case .list(let inner, _) = n, item.containsPlusMinus { return inner }
                return [n]
            }, connector: c)
        case .set(let items):
            return .set(items.flatMap { $0.expandPlusMinus() })
        case .bracket(let items, let o, let c):
            return .bracket(items.map(normalize), open: o, close: c)
        case .relation(let parts, let ops) where parts.count == 2 && ops == [.equal] && parts[1].containsPlusMinus:
            return .list(parts[1].expandPlusMinus().map { .relation([parts[0], $0], [.equal]) }, connector: .comma)
        case .setOperation(.union, let a, let b):
            let x = normalize(a), y = normalize(b)
            if case .set(let p) = x, case .set(let q) = y { return .set(p + q) }
            return .setOperation(.union, x, y)
        default:
            if e.containsPlusMinus, isScalar(e) { return .list(e.expandPlusMinus(), connector: .comma) }
            return e
        }
    }

    // MARK: - Dispatch

    mutating func equivalent(_ g: MathExpr, _ r: MathExpr, depth: Int) -> Bool {
        guard depth < 8 else { return false }
        // Text answers compare as text.
        if case .text(let a) = g {
            if case .text(let b) = r { return normalizedText(a) == normalizedText(b) }
            return false
        }
        if case .text = r { return false }
        // Matrices: same shape, equal entries; bracket style is irrelevant.
        if case .matrix(let gm, false) = g {
            guard case .matrix(let rm, false) = r, gm.count == rm.count,
                zip(gm, rm).allSatisfy({ $0.count == $1.count }) else { return false }
            return zip(gm, rm).allSatisfy { zip($0, $1).allSatisfy { equivalent(normalize($0), normalize($1), depth: depth + 1) } }
        }
        if case .matrix(_, false) = r { return false }
        // Intervals and inequalities describing the same set.
        if isIntervalLike(g) || isIntervalLike(r) {
            guard let a = intervalSet(g), let b = intervalSet(r) else { return false }
            return intervalSetsEqual(a, b)
        }
        // Equations and assignments.
        if isEquation(g) || isEquation(r) {
            return equationsEqual(g, r, depth: depth)
        }
        // Collections: sets and lists unordered, tuples ordered.
        let ge = elements(g), re = elements(r)
        if ge != nil || re != nil {
            return collectionsEqual(g, ge ?? [g], r, re ?? [r], depth: depth)
        }
        return scalarsEqual(g, r)
    }

    // MARK: - Collections

    func elements(_ e: MathExpr) -> [MathExpr]? {
        switch e {
        case .list(let items, _), .set(let items), .bracket(let items, _, _): return items
        case .emptySet: return []
        default: return nil
        }
    }

    func isTuple(_ e: MathExpr) -> Bool {
        if case .bracket = e { return true }
        return false
    }

    func isSet(_ e: MathExpr) -> Bool {
        switch e {
        case .set, .emptySet: return true
        default: return false
        }
    }

    mutating func collectionsEqual(_ g: MathExpr, _ gItems: [MathExpr], _ r: MathExpr, _ rItems: [MathExpr], depth: Int) -> Bool {
        guard gItems.count <= Self.maxElements, rItems.count <= Self.maxElements else { return false }
        if (isSet(g) && isTuple(r)) || (isTuple(g) && isSet(r)) { return false }
        var ordered = isTuple(g) || isTuple(r)
        var gs = gItems, rs = rItems
        // `x = 5, y = 2` is the tuple (5, 2); `x = 2 or x = 5` is the set {2, 5}.
        if let (values, distinct) = assignedValues(gs) { gs = values; if distinct { ordered = true } }
        if let (values, distinct) = assignedValues(rs) { rs = values; if distinct { ordered = true } }
        if gs.count == 1 && rs.count == 1 { return equivalent(normalize(gs[0]), normalize(rs[0]), depth: depth + 1) }
        if ordered {
            guard gs.count == rs.count else { return false }
            return zip(gs, rs).allSatisfy { equivalent(normalize($0), normalize($1), depth: depth + 1) }
        }
        // Unordered: every element on each side has an equal element on the other.
        var matchedR = [Bool](repeating: false, count: rs.count)
        for x in gs {
            var found = false
            for (k, y) in rs.enumerated() where equivalent(normalize(x), normalize(y), depth: depth + 1) {
                matchedR[k] = true; found = true
            }
            if !found { return false }
        }
        return matchedR.allSatisfy { $0 }
    }

    /// The values of a list of assignments, ordered by variable name; `distinct` when every
    /// item assigns a different variable (a tuple such as `x = 5, y = 2`).
    mutating func assignedValues(_ items: [MathExpr]) -> ([MathExpr], Bool)? {
        guard items.count >= 2 else { return nil }
        var pairs: [(String, MathExpr)] = []
        for item in items {
            guard let (name, value) = assignment(item), let name else { return nil }
            pairs.append((name, value))
        }
        let names = Set(pairs.map(\.0))
        if names.count == pairs.count { return (pairs.sorted { $0.0 < $1.0 }.map(\.1), true) }
        if names.count == 1 { return (pairs.map(\.1), false) }
        return nil
    }

    // MARK: - Equations

    func isEquation(_ e: MathExpr) -> Bool {
        if case .relation(_, let ops) = e { return ops.allSatisfy { $0 == .equal } }
        return false
    }

    /// `x = 3`, `k = 5`, `\angle ABC = 40°`, `x = 3 + 4 = 7` (the last value): a name and a value.
    /// A chain of variable-free values (`3 + 4 = 7`) is its last value with no name.
    func assignment(_ e: MathExpr) -> (String?, MathExpr)? {
        guard case .relation(let parts, let ops) = e, ops.allSatisfy({ $0 == .equal }), let last = parts.last else { return nil }
        if let name = nameOf(parts[0]) { return (name, last) }
        if parts.allSatisfy({ $0.symbols.isEmpty }) { return (nil, last) }
        return nil
    }

    func nameOf(_ e: MathExpr) -> String? {
        switch e {
        case .symbol(let s): return s
        case .mul(.symbol(let m), .symbol(let s)) where m == "m" && s.hasPrefix("angle"): return s
        case .mul(.symbol(let f), let arg) where f.count == 1 && isFunctionArgument(arg):
            return "\(f)(\(arg))" // function notation: f(x) = …, P(A) = …, f(2) = …
        default: return nil
        }
    }

    func isFunctionArgument(_ e: MathExpr) -> Bool {
        switch e {
        case .symbol, .number: return true
        case .neg(.number): return true
        case .bracket(let items, _, _): return items.allSatisfy(isFunctionArgument)
        default: return false
        }
    }

    mutating func equationsEqual(_ g: MathExpr, _ r: MathExpr, depth: Int) -> Bool {
        let gIsEq = isEquation(g), rIsEq = isEquation(r)
        let ga = assignment(g), ra = assignment(r)
        if let (gn, gv) = ga, let (rn, rv) = ra {
            if let gn, let rn, gn != rn {
                // Different variables (`y = 3` vs `x = 3`) are kept wrong unless both are whole
                // equations in several variables that happen to be equivalent.
                guard !gv.symbols.isEmpty || !rv.symbols.isEmpty else { return false }
                return proportionalEquations(g, r)
            }
            return equivalent(normalize(gv), normalize(rv), depth: depth + 1)
        }
        if let (_, gv) = ga, !rIsEq { return equivalent(normalize(gv), r, depth: depth + 1) }
        if let (_, rv) = ra, !gIsEq { return equivalent(g, normalize(rv), depth: depth + 1) }
        guard gIsEq && rIsEq else { return false } // an unsolved equation is not a value (`2x = 6` ≠ 3)
        // A solved gold (`x = 3`) is not matched by an unsolved equation (`2x = 6`).
        if let (_, gv) = ga, gv.symbols.isEmpty { return false }
        if let (_, rv) = ra, rv.symbols.isEmpty { return false }
        return proportionalEquations(g, r)
    }

    /// Two equations `L₁ = R₁`, `L₂ = R₂` are the same when `L₁ − R₁ = c·(L₂ − R₂)` for a constant c ≠ 0.
    mutating func proportionalEquations(_ g: MathExpr, _ r: MathExpr) -> Bool {
        guard case .relation(let gp, let gops) = g, gops == [.equal], case .relation(let rp, let rops) = r, rops == [.equal] else { return false }
        let f = MathExpr.sub(gp[0], gp[1]), h = MathExpr.sub(rp[0], rp[1])
        let vars = f.symbols.union(h.symbols)
        guard !vars.isEmpty else { return false }
        var ratio: ComplexNumber? = nil
        var valid = 0
        var points = RandomPoints(names: vars.sorted())
        for _ in 0..<12 {
            guard var ev = evaluator() else { return false }
            ev.bindings = points.next()
            defer { charge(ev) }
            guard let a = try? ev.evaluate(f), let b = try? ev.evaluate(h) else { return false }
            guard a.z.isFinite, b.z.isFinite else { continue }
            let aZero = a.z.magnitude < 1e-12, bZero = b.z.magnitude < 1e-12
            if aZero || bZero { if aZero != bZero { return false }; continue }
            let q = a.z / b.z
            if let r0 = ratio {
                if !close(q, r0, rel: Self.pointRelativeTolerance, abs: Self.pointAbsoluteTolerance) { return false }
            } else { ratio = q }
            valid += 1
            if valid >= 6 { return true }
        }
        return valid >= 3
    }

    // MARK: - Intervals

    struct Piece {
        var lo: MathValue, hi: MathValue
        var loClosed: Bool, hiClosed: Bool
    }

    func isIntervalLike(_ e: MathExpr) -> Bool {
        switch e {
        case .bracket(let items, let o, let c):
            guard items.count == 2 else { return false }
            return o == UInt8(ascii: "[") || c == UInt8(ascii: "]") || items.contains(where: isInfinite)
        case .relation(_, let ops): return ops.contains { $0.isInequality || $0 == .element || $0 == .notEqual }
        case .reals: return true
        case .setOperation(_, let a, let b): return isIntervalLike(a) || isIntervalLike(b)
        case .list(let items, _): return !items.isEmpty && items.allSatisfy { if case .relation(_, let ops) = $0 { return ops.contains { $0.isInequality } }; return false }
        default: return false
        }
    }

    func isInfinite(_ e: MathExpr) -> Bool {
        switch e {
        case .constant(.infinity): return true
        case .neg(let a): return isInfinite(a)
        default: return false
        }
    }

    mutating func intervalSet(_ e: MathExpr) -> [Piece]? {
        switch e {
        case .bracket(let items, let o, let c):
            guard items.count == 2, let lo = value(items[0]), let hi = value(items[1]) else { return nil }
            return [Piece(lo: lo, hi: hi, loClosed: o == UInt8(ascii: "["), hiClosed: c == UInt8(ascii: "]"))]
        case .reals:
            return [Piece(lo: MathValue(ComplexNumber(-.infinity), infinity: true), hi: MathValue(ComplexNumber(.infinity), infinity: true),
                          loClosed: false, hiClosed: false)]
        case .emptySet: return []
        case .set(let items):
            var out: [Piece] = []
            for item in items.prefix(Self.maxElements) {
                guard let v = value(item) else { return nil }
                out.append(Piece(lo: v, hi: v, loClosed: true, hiClosed: true))
            }
            return out
        case .setOperation(let op, let a, let b):
            guard let x = intervalSet(a), let y = intervalSet(b) else { return nil }
            switch op {
            case .union: return x + y
            case .intersection: return intersect(x, y)
            case .difference: return nil
            }
        case .list(let items, let c):
            var acc: [Piece]? = nil
            for item in items.prefix(Self.maxElements) {
                guard let s = intervalSet(item) else { return nil }
                acc = acc.map { c == .and ? intersect($0, s) : $0 + s } ?? s
            }
            return acc
        case .relation(let parts, let ops):
            return inequality(parts, ops)
        default:
            guard let v = value(e) else { return nil }
            return [Piece(lo: v, hi: v, loClosed: true, hiClosed: true)]
        }
    }

    /// `x > 3`, `2 ≤ x`, `0 < x ≤ 1`, `x ≠ 3`, `x ∈ S` as pieces of the real line.
    mutating func inequality(_ parts: [MathExpr], _ ops: [Relation]) -> [Piece]? {
        let minusInf = MathValue(ComplexNumber(-.infinity), infinity: true)
        let plusInf = MathValue(ComplexNumber(.infinity), infinity: true)
        func bound(_ op: Relation, _ v: MathValue, variableOnLeft: Bool) -> Piece? {
            let o = variableOnLeft ? op : op.flipped
            switch o {
            case .less: return Piece(lo: minusInf, hi: v, loClosed: false, hiClosed: false)
            case .lessEqual: return Piece(lo: minusInf, hi: v, loClosed: false, hiClosed: true)
            case .greater: return Piece(lo: v, hi: plusInf, loClosed: false, hiClosed: false)
            case .greaterEqual: return Piece(lo: v, hi: plusInf, loClosed: true, hiClosed: false)
            default: return nil
            }
        }
        let variableIndex = parts.firstIndex { if case .symbol = $0 { return true }; return false }
        guard let vi = variableIndex else { return nil }
        if parts.count == 2 {
            if ops[0] == .element, vi == 0 { return intervalSet(parts[1]) }
            let other = parts[1 - vi]
            guard let v = value(other) else { return nil }
            if ops[0] == .notEqual {
                return [Piece(lo: minusInf, hi: v, loClosed: false, hiClosed: false), Piece(lo: v, hi: plusInf, loClosed: false, hiClosed: false)]
            }
            if ops[0] == .equal { return [Piece(lo: v, hi: v, loClosed: true, hiClosed: true)] }
            return bound(ops[0], v, variableOnLeft: vi == 0).map { [$0] }
        }
        guard parts.count == 3, vi == 1, let a = value(parts[0]), let b = value(parts[2]),
            let left = bound(ops[0], a, variableOnLeft: false), let right = bound(ops[1], b, variableOnLeft: true)
        else { return nil }
        return intersect([left], [right])
    }

    func intersect(_ x: [Piece], _ y: [Piece]) -> [Piece] {
        var out: [Piece] = []
        for a in x {
            for b in y {
                var p = a
                if valuesEqual(a.lo, b.lo) { p.loClosed = a.loClosed && b.loClosed }
                else if less(a.lo, b.lo) { p.lo = b.lo; p.loClosed = b.loClosed }
                if valuesEqual(a.hi, b.hi) { p.hiClosed = a.hiClosed && b.hiClosed }
                else if less(b.hi, a.hi) { p.hi = b.hi; p.hiClosed = b.hiClosed }
                out.append(p)
            }
        }
        return out
    }

    func less(_ a: MathValue, _ b: MathValue) -> Bool {
        if let x = a.exact, let y = b.exact { return x < y }
        return a.z.re < b.z.re
    }

    /// Sorted, empty pieces dropped, touching pieces merged.
    func canonical(_ pieces: [Piece]) -> [Piece]? {
        guard pieces.allSatisfy({ $0.lo.z.im == 0 && $0.hi.z.im == 0 && $0.lo.isUsable && $0.hi.isUsable }) else { return nil }
        var ps = pieces.filter { p in
            if valuesEqual(p.lo, p.hi) { return p.loClosed && p.hiClosed }
            return less(p.lo, p.hi)
        }
        ps.sort { less($0.lo, $1.lo) || (valuesEqual($0.lo, $1.lo) && $0.loClosed && !$1.loClosed) }
        var out: [Piece] = []
        for p in ps {
            if var last = out.last {
                let overlaps = less(p.lo, last.hi) || (valuesEqual(p.lo, last.hi) && (p.loClosed || last.hiClosed))
                if overlaps {
                    if less(last.hi, p.hi) { last.hi = p.hi; last.hiClosed = p.hiClosed }
                    else if valuesEqual(last.hi, p.hi) { last.hiClosed = last.hiClosed || p.hiClosed }
                    out[out.count - 1] = last
                    continue
                }
            }
            out.append(p)
        }
        return out
    }

    func intervalSetsEqual(_ x: [Piece], _ y: [Piece]) -> Bool {
        guard let a = canonical(x), let b = canonical(y), a.count == b.count else { return false }
        for (p, q) in zip(a, b) {
            guard valuesEqual(p.lo, q.lo), valuesEqual(p.hi, q.hi) else { return false }
            if !p.lo.isInfinity && p.loClosed != q.loClosed { return false }
            if !p.hi.isInfinity && p.hiClosed != q.hiClosed { return false }
        }
        return true
    }

    // MARK: - Scalars

    /// A scalar with its decorations removed: `50\%` → 50 (percent), `30^\circ` → 30 (degrees),
    /// `5\text{ cm}` → 5 (unit cm).
    struct Quantity {
        var expr: MathExpr
        var percent = false
        var degrees = false
        var units: Set<String> = []
    }

    func quantity(_ e: MathExpr) -> Quantity? {
        var q = Quantity(expr: e)
        var negate = false
        for _ in 0..<6 {
            switch q.expr {
            case .percent(let a): q.percent = true; q.expr = a
            case .degrees(let a): q.degrees = true; q.expr = a
            case .unit(let a, let u):
                for w in u.split(separator: " ") {
                    if let canonical = MathVocabulary.units[String(w)] { q.units.insert(canonical) }
                    if w == "degree" || w == "degrees" { q.degrees = true }
                }
                q.expr = a
            case .neg(let a) where isDecorated(a): negate.toggle(); q.expr = a
            default: break
            }
        }
        if negate { q.expr = .neg(q.expr) }
        return isScalar(q.expr) ? q : nil
    }

    func isDecorated(_ e: MathExpr) -> Bool {
        switch e {
        case .percent, .degrees, .unit: return true
        default: return false
        }
    }

    func isScalar(_ e: MathExpr) -> Bool {
        switch e {
        case .relation, .bracket, .set, .list, .setOperation, .text, .emptySet, .reals: return false
        case .matrix(_, let det): return det
        default: return true
        }
    }

    mutating func value(_ e: MathExpr) -> MathValue? {
        guard let q = quantity(e), q.expr.symbols.isEmpty, var ev = evaluator() else { return nil }
        defer { charge(ev) }
        guard let v = try? ev.evaluate(q.expr), v.isUsable else { return nil }
        return v
    }

    mutating func scalarsEqual(_ g: MathExpr, _ r: MathExpr) -> Bool {
        guard let gq = quantity(g), let rq = quantity(r) else { return false }
        // Two different known units never match (`1.5 hours` vs `90 minutes`).
        if !gq.units.isEmpty, !rq.units.isEmpty, gq.units.isDisjoint(with: rq.units) { return false }
        // The response may equal the gold times one of these factors (percent and degree rules).
        var factors: [MathValue] = [MathValue(exact: .one)]
        if gq.percent && !rq.percent { factors.append(MathValue(exact: Rational(1, 100)!)) }
        if rq.percent && !gq.percent { factors.append(MathValue(exact: Rational(100))) }
        if gq.degrees && !rq.degrees { factors.append(MathValue(ComplexNumber(Double.pi / 180))) }
        if rq.degrees && !gq.degrees { factors.append(MathValue(ComplexNumber(180 / Double.pi))) }

        let vars = gq.expr.symbols.union(rq.expr.symbols)
        if vars.isEmpty {
            guard var ev = evaluator() else { return false }
            defer { charge(ev) }
            guard let gv = try? ev.evaluate(gq.expr), let rv = try? ev.evaluate(rq.expr) else { return false }
            for (k, factor) in factors.enumerated() {
                let target = scaled(gv, factor)
                if valuesEqual(target, rv) { return true }
                if let lit = decimalLiteral(rq.expr), DecimalRule.accepts(lit, asApproximationOf: target) { return true }
                if k == 0, let lit = decimalLiteral(gq.expr), DecimalRule.accepts(lit, asApproximationOf: rv) { return true }
            }
            return false
        }
        for factor in factors {
            let scaledGold: MathExpr = factor.exact == .one ? gq.expr : .mul(gq.expr, literal(factor))
            if functionsEqual(scaledGold, rq.expr, vars: vars) { return true }
        }
        return false
    }

    func literal(_ v: MathValue) -> MathExpr {
        if let x = v.exact { return .div(.number(MathParser.integerLiteral(x.num)), .number(MathParser.integerLiteral(x.den))) }
        return .number(NumberLiteral(exact: nil, value: v.z.re, isDecimal: false, significantDigits: 0, lastDigitExponent: 0, isRepeating: false))
    }

    func scaled(_ v: MathValue, _ k: MathValue) -> MathValue {
        if let a = v.exact, let b = k.exact, let p = a.multiplied(by: b) { return MathValue(exact: p) }
        return MathValue(v.z * k.z, infinity: v.isInfinity)
    }

    /// A decimal literal with its sign, the subject of the decimal-tolerance rule.
    func decimalLiteral(_ e: MathExpr) -> NumberLiteral? {
        switch e {
        case .number(let lit) where lit.isDecimal: return lit
        case .neg(.number(let lit)) where lit.isDecimal:
            var l = lit
            l.exact = lit.exact.map { -$0 }
            l.value = -lit.value
            return l
        default: return nil
        }
    }

    func valuesEqual(_ a: MathValue, _ b: MathValue) -> Bool {
        if let x = a.exact, let y = b.exact { return x == y }
        if a.isInfinity || b.isInfinity {
            return a.isInfinity && b.isInfinity && a.z.re.sign == b.z.re.sign && a.z.im == 0 && b.z.im == 0
        }
        guard a.z.isFinite, b.z.isFinite else { return false }
        return close(a.z, b.z, rel: Self.relativeTolerance, abs: Self.absoluteTolerance)
    }

    func close(_ a: ComplexNumber, _ b: ComplexNumber, rel: Double, abs: Double) -> Bool {
        let diff = (a - b).magnitude
        return diff <= rel * max(a.magnitude, b.magnitude) + abs
    }

    /// Expressions in variables are equal when they agree at seeded random points
    /// (`(x+1)^2` vs `x^2+2x+1`, `\sin^2 x + \cos^2 x` vs `1`).
    mutating func functionsEqual(_ a: MathExpr, _ b: MathExpr, vars: Set<String>) -> Bool {
        var points = RandomPoints(names: vars.sorted())
        var valid = 0
        for _ in 0..<12 {
            guard var ev = evaluator() else { return false }
            ev.bindings = points.next()
            defer { charge(ev) }
            guard let x = try? ev.evaluate(a), let y = try? ev.evaluate(b) else { return false }
            guard x.z.isFinite, y.z.isFinite else {
                if x.z.isFinite != y.z.isFinite { return false }
                continue
            }
            if !close(x.z, y.z, rel: Self.pointRelativeTolerance, abs: Self.pointAbsoluteTolerance) { return false }
            valid += 1
            if valid >= 6 { return true }
        }
        return valid >= 3
    }

    // MARK: - Text

    /// Lowercased letters and digits with single spaces; a plural `s` dropped ("No solutions." = "no solution").
    func normalizedText(_ s: String) -> String {
        let cleaned = s.lowercased().map { $0.isLetter || $0.isNumber ? $0 : " " }
        return String(cleaned).split(separator: " ").map { w in
            w.count > 3 && w.hasSuffix("s") && !w.hasSuffix("ss") ? String(w.dropLast()) : String(w)
        }.joined(separator: " ")
    }
}

/// Deterministic evaluation points: real values in [0.5, 2.5) from a fixed-seed SplitMix64, so a
/// verdict never changes between runs.
struct RandomPoints {
    let names: [String]
    private var rng = SplitMix64(seed: 0x5EED_F00D)

    init(names: [String]) { self.names = names }

    mutating func next() -> [String: ComplexNumber] {
        var out: [String: ComplexNumber] = [:]
        for n in names { out[n] = ComplexNumber(0.5 + 2 * Double(rng.next() >> 11) / Double(1 << 53)) }
        return out
    }
}
