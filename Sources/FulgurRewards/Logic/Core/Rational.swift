/// An exact rational number p/q in lowest terms with q > 0, on 64-bit integers.
/// Every operation reports overflow instead of trapping or wrapping.
struct Rational: Equatable, Hashable, Sendable, CustomStringConvertible {
    let num: Int
    let den: Int

    enum Failure: Error, Equatable { case overflow, divisionByZero }

    init(_ n: Int) { num = n; den = 1 }

    init(_ n: Int, _ d: Int) throws {
        guard d != 0 else { throw Failure.divisionByZero }
        guard n != Int.min, d != Int.min else { throw Failure.overflow }
        let g = Rational.gcd(abs(n), abs(d))
        let s = d < 0 ? -1 : 1
        num = s * n / max(g, 1); den = s * d / max(g, 1)
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    private static func mul(_ a: Int, _ b: Int) throws -> Int {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        if o { throw Failure.overflow }
        return r
    }
    private static func add(_ a: Int, _ b: Int) throws -> Int {
        let (r, o) = a.addingReportingOverflow(b)
        if o { throw Failure.overflow }
        return r
    }

    func adding(_ o: Rational) throws -> Rational {
        try Rational(Rational.add(Rational.mul(num, o.den), Rational.mul(o.num, den)), Rational.mul(den, o.den))
    }
    func subtracting(_ o: Rational) throws -> Rational {
        guard o.num != Int.min else { throw Failure.overflow }
        return try adding(Rational(-o.num, o.den))
    }
    func multiplied(by o: Rational) throws -> Rational {
        try Rational(Rational.mul(num, o.num), Rational.mul(den, o.den))
    }
    func divided(by o: Rational) throws -> Rational {
        guard o.num != 0 else { throw Failure.divisionByZero }
        return try Rational(Rational.mul(num, o.den), Rational.mul(den, o.num))
    }

    var isInteger: Bool { den == 1 }
    var description: String { den == 1 ? "\(num)" : "\(num)/\(den)" }
}
