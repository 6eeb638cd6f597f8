import Foundation

/// A scalar value: exact when it is a rational number we could keep exact, always with a
/// floating (complex) approximation.
struct MathValue: Sendable {
    var exact: Rational?
    var z: ComplexNumber
    /// The value stands for ±∞ (not a floating overflow, which compares unequal to everything).
    var isInfinity = false

    init(exact: Rational) { self.exact = exact; z = ComplexNumber(exact.doubleValue) }
    init(_ z: ComplexNumber, infinity: Bool = false) { exact = nil; self.z = z; isInfinity = infinity }

    var isUsable: Bool { exact != nil || isInfinity || z.isFinite }
}

/// Why an expression has no single numeric value (a set, free text, an unbound variable, a budget hit).
struct EvaluationError: Error { let reason: String }

/// Evaluates expression trees to numbers, exactly where it can, with a step budget so that no
/// input runs long. Degree marks inside an expression convert to radians (`\sin 30^\circ`);
/// a degree mark or percent sign on the whole answer is removed by the caller first.
struct MathEvaluator {
    var bindings: [String: ComplexNumber] = [:]
    private(set) var steps = 0
    /// Steps this evaluator may take before giving up.
    let limit: Int
    static let maxSteps = 20_000

    init(limit: Int = MathEvaluator.maxSteps) { self.limit = limit }

    mutating func evaluate(_ e: MathExpr) throws -> MathValue {
        steps += 1
        guard steps <= limit else { throw EvaluationError(reason: "evaluation budget exceeded") }
        switch e {
        case .number(let lit):
            if let x = lit.exact { return MathValue(exact: x) }
            return MathValue(ComplexNumber(lit.value))
        case .symbol(let s):
            guard let v = bindings[s] else { throw EvaluationError(reason: "free variable \(s)") }
            return MathValue(v)
        case .constant(let c):
            switch c {
            case .pi: return MathValue(ComplexNumber(Double.pi))
            case .e: return MathValue(ComplexNumber(M_E))
            case .i: return MathValue(ComplexNumber.i)
            case .infinity: return MathValue(ComplexNumber(.infinity), infinity: true)
            }
        case .neg(let a):
            let v = try evaluate(a)
            if let x = v.exact { return MathValue(exact: -x) }
            return MathValue(-v.z, infinity: v.isInfinity)
        case .add(let a, let b):
            return combine(try evaluate(a), try evaluate(b), { $0.adding($1) }, +)
        case .sub(let a, let b):
            return combine(try evaluate(a), try evaluate(b), { $0.subtracting($1) }, -)
        case .mul(let a, let b):
            return combine(try evaluate(a), try evaluate(b), { $0.multiplied(by: $1) }, *)
        case .div(let a, let b):
            let y = try evaluate(b)
            if y.exact?.isZero == true { throw EvaluationError(reason: "division by zero") }
            return combine(try evaluate(a), y, { $0.divided(by: $1) }, /)
        case .pow(let a, let b):
            return try power(try evaluate(a), try evaluate(b))
        case .percent(let a):
            return combine(try evaluate(a), MathValue(exact: Rational(100)), { $0.divided(by: $1) }, /)
        case .degrees(let a):
            let v = try evaluate(a)
            return MathValue(v.z * ComplexNumber(Double.pi / 180))
        case .unit(let a, _):
            return try evaluate(a)
        case .call(let f, let args):
            return try call(f, args)
        case .matrix(let rows, true):
            return try determinant(rows)
        case .plusMinus:
            throw EvaluationError(reason: "± has two values")
        case .relation, .bracket, .set, .list, .matrix, .setOperation, .text, .emptySet, .reals:
            throw EvaluationError(reason: "not a single number")
        }
    }

    private func combine(_ x: MathValue, _ y: MathValue, _ exact: (Rational, Rational) -> Rational?,
                         _ approx: (ComplexNumber, ComplexNumber) -> ComplexNumber) -> MathValue {
        if let a = x.exact, let b = y.exact, let r = exact(a, b) { return MathValue(exact: r) }
        return MathValue(approx(x.z, y.z), infinity: x.isInfinity || y.isInfinity)
    }

    private func power(_ base: MathValue, _ exponent: MathValue) throws -> MathValue {
        if let b = base.exact, let e = exponent.exact {
            if e.isInteger, e.num.magnitude <= 4096, let r = b.power(Int(e.num)) { return MathValue(exact: r) }
            // Rational exponents of perfect powers stay exact: 8^{2/3} = 4, 4^{1/2} = 2.
            if !e.isInteger, e.den <= 64, e.num.magnitude <= 64, b.num >= 0 || e.den % 2 == 1,
                let root = b.root(Int(e.den)), let r = root.power(Int(e.num))
            { return MathValue(exact: r) }
            if b.num < 0, !e.isInteger, e.den % 2 == 1 {
                // Real odd roots of negatives: (−8)^{1/3} = −2.
                return MathValue(ComplexNumber.root(base.z, Double(e.den)) .pow(Double(e.num)))
            }
        }
        return MathValue(ComplexNumber.pow(base.z, exponent.z))
    }

    private mutating func call(_ f: String, _ args: [MathExpr]) throws -> MathValue {
        let values = try args.map { try evaluate($0) }
        guard let x = values.first else { throw EvaluationError(reason: "\(f) without argument") }
        func real(_ v: MathValue) throws -> Double {
            guard v.z.im == 0 else { throw EvaluationError(reason: "\(f) of a complex number") }
            return v.z.re
        }
        switch f {
        case "sqrt":
            if let r = x.exact, r.num >= 0, let s = r.root(2) { return MathValue(exact: s) }
            return MathValue(ComplexNumber.sqrt(x.z))
        case "root":
            guard values.count == 2 else { throw EvaluationError(reason: "root needs an index") }
            let n = values[0], y = values[1]
            if let k = n.exact, k.isInteger, k.num > 0, k.num <= 64, let r = y.exact, let s = r.root(Int(k.num)) {
                return MathValue(exact: s)
            }
            return MathValue(ComplexNumber.root(y.z, try real(n)))
        case "abs":
            if let r = x.exact { return MathValue(exact: r.num < 0 ? -r : r) }
            return MathValue(ComplexNumber(x.z.magnitude))
        case "factorial":
            if let r = x.exact, r.isInteger, r.num >= 0 {
                guard r.num <= 33 else {
                    return MathValue(ComplexNumber(r.num <= 170 ? tgamma(Double(r.num) + 1) : .infinity))
                }
                var p: Int128 = 1
                for k in stride(from: Int128(2), through: r.num, by: 1) { p *= k }
                return MathValue(exact: Rational(p))
            }
            let v = try real(x)
            guard v >= 0, v <= 171 else { throw EvaluationError(reason: "factorial out of range") }
            return MathValue(ComplexNumber(tgamma(v + 1)))
        case "binom":
            guard values.count == 2 else { throw EvaluationError(reason: "binom needs two arguments") }
            if let n = values[0].exact, let k = values[1].exact, n.isInteger, k.isInteger, k.num >= 0, k.num <= 200 {
                var r: Rational? = .one
                for j in 0..<Int(k.num) {
                    r = r?.multiplied(by: Rational(n.num - Int128(j)))?.divided(by: Rational(Int128(j + 1)))
                }
                if let r { return MathValue(exact: r) }
            }
            let n = try real(values[0]), k = try real(values[1])
            return MathValue(ComplexNumber(exp(lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1))))
        case "floor", "ceil":
            if let r = x.exact {
                var q = r.num / r.den
                if f == "floor", r.num < 0, r.num % r.den != 0 { q -= 1 }
                if f == "ceil", r.num > 0, r.num % r.den != 0 { q += 1 }
                return MathValue(exact: Rational(q))
            }
            let v = try real(x)
            return MathValue(ComplexNumber(f == "floor" ? v.rounded(.down) : v.rounded(.up)))
        case "sign":
            return MathValue(exact: Rational(try real(x) > 0 ? 1 : (try real(x) < 0 ? -1 : 0)))
        case "gcd", "lcm":
            var acc: Int128? = nil
            for v in values {
                guard let r = v.exact, r.isInteger else { throw EvaluationError(reason: "\(f) of a non-integer") }
                let n = r.num.magnitude
                if let a = acc {
                    let g = Int128(Rational.gcd(UInt128(a), n))
                    if f == "gcd" { acc = g } else {
                        let (m, o) = (a / g).multipliedReportingOverflow(by: Int128(n))
                        guard !o else { throw EvaluationError(reason: "lcm overflow") }
                        acc = m
                    }
                } else { acc = Int128(n) }
            }
            return MathValue(exact: Rational(acc ?? 0))
        case "max", "min":
            let reals = try values.map { try real($0) }
            let pick = f == "max" ? reals.indices.max { reals[$0] < reals[$1] }! : reals.indices.min { reals[$0] < reals[$1] }!
            return values[pick]
        case "det":
            return x
        default:
            return MathValue(try elementary(f, values))
        }
    }

    private func elementary(_ f: String, _ values: [MathValue]) throws -> ComplexNumber {
        let z = values[0].z
        switch f {
        case "sin": return .sin(z)
        case "cos": return .cos(z)
        case "tan": return .tan(z)
        case "cot": return ComplexNumber(1) / .tan(z)
        case "sec": return ComplexNumber(1) / .cos(z)
        case "csc": return ComplexNumber(1) / .sin(z)
        case "asin": return .asin(z)
        case "acos": return .acos(z)
        case "atan": return .atan(z)
        case "acot": return .atan(ComplexNumber(1) / z)
        case "sinh": return .sinh(z)
        case "cosh": return .cosh(z)
        case "tanh": return .tanh(z)
        case "exp": return .exp(z)
        case "ln": return .log(z)
        case "log", "log10": return .log(z) / ComplexNumber(M_LN10)
        case "logb":
            guard values.count == 2 else { throw EvaluationError(reason: "log base") }
            return .log(values[1].z) / .log(values[0].z)
        default: throw EvaluationError(reason: "unknown function \(f)")
        }
    }

    /// Determinant by Gaussian elimination: exact over rationals when every entry is exact.
    private mutating func determinant(_ rows: [[MathExpr]]) throws -> MathValue {
        let n = rows.count
        guard n <= 8, rows.allSatisfy({ $0.count == n }) else { throw EvaluationError(reason: "determinant of a non-square matrix") }
        let values = try rows.map { try $0.map { try evaluate($0) } }
        if values.allSatisfy({ $0.allSatisfy { $0.exact != nil } }) {
            var m = values.map { $0.map { $0.exact! } }
            var det = Rational.one
            exact: do {
                for c in 0..<n {
                    guard let pivot = (c..<n).first(where: { !m[$0][c].isZero }) else { return MathValue(exact: .zero) }
                    if pivot != c { m.swapAt(pivot, c); det = -det }
                    guard let d = det.multiplied(by: m[c][c]) else { break exact }
                    det = d
                    for r in (c + 1)..<n {
                        guard let factor = m[r][c].divided(by: m[c][c]) else { break exact }
                        for k in c..<n {
                            guard let t = factor.multiplied(by: m[c][k]), let s = m[r][k].subtracting(t) else { break exact }
                            m[r][k] = s
                        }
                    }
                }
                return MathValue(exact: det)
            }
        }
        var m = values.map { $0.map(\.z) }
        var det = ComplexNumber(1)
        for c in 0..<n {
            guard let pivot = (c..<n).max(by: { m[$0][c].magnitude < m[$1][c].magnitude }), m[pivot][c].magnitude > 0 else {
                return MathValue(exact: .zero)
            }
            if pivot != c { m.swapAt(pivot, c); det = -det }
            det = det * m[c][c]
            for r in (c + 1)..<n {
                let factor = m[r][c] / m[c][c]
                for k in c..<n { m[r][k] = m[r][k] - factor * m[c][k] }
            }
        }
        return MathValue(det)
    }
}

private extension ComplexNumber {
    func pow(_ e: Double) -> ComplexNumber { ComplexNumber.pow(self, ComplexNumber(e)) }
}
