import Foundation

/// An exact rational number on `Int128` with overflow detection: every operation returns nil
/// instead of trapping or wrapping, and callers fall back to floating point. 128 bits hold every
/// number a math answer writes out in full (6.02×10²³, 33!, 10³⁸) without a big-integer library.
public struct Rational: Hashable, Sendable, CustomStringConvertible {
    /// Numerator; carries the sign.
    public let num: Int128
    /// Denominator; always > 0 and coprime with `num`.
    public let den: Int128

    public static let zero = Rational(unchecked: 0, 1)
    public static let one = Rational(unchecked: 1, 1)

    private init(unchecked num: Int128, _ den: Int128) { self.num = num; self.den = den }

    public init(_ n: Int) { num = Int128(n); den = 1 }
    public init(_ n: Int128) { num = n; den = 1 }

    /// `num/den` reduced; nil when `den == 0` or the reduction overflows (`Int128.min`).
    public init?(_ num: Int128, _ den: Int128) {
        guard den != 0, num != .min, den != .min else { return nil }
        let g = Rational.gcd(num.magnitude, den.magnitude)
        var n = num / Int128(g), d = den / Int128(g)
        if d < 0 { n = -n; d = -d }
        self.num = n; self.den = d
    }

    static func gcd(_ a: UInt128, _ b: UInt128) -> UInt128 {
        var a = a, b = b
        while b != 0 { (a, b) = (b, a % b) }
        return a == 0 ? 1 : a
    }

    public var isInteger: Bool { den == 1 }
    public var isZero: Bool { num == 0 }
    public var doubleValue: Double { Double(num) / Double(den) }
    public var description: String { den == 1 ? "\(num)" : "\(num)/\(den)" }

    /// Whether the decimal expansion terminates (the reduced denominator is 2^a·5^b).
    public var terminates: Bool {
        var d = den
        while d % 2 == 0 { d /= 2 }
        while d % 5 == 0 { d /= 5 }
        return d == 1
    }

    public static prefix func - (x: Rational) -> Rational { Rational(unchecked: -x.num, x.den) }

    public func adding(_ o: Rational) -> Rational? {
        let g = Int128(Rational.gcd(den.magnitude, o.den.magnitude))
        let (a, o1) = num.multipliedReportingOverflow(by: o.den / g)
        let (b, o2) = o.num.multipliedReportingOverflow(by: den / g)
        let (s, o3) = a.addingReportingOverflow(b)
        let (d, o4) = den.multipliedReportingOverflow(by: o.den / g)
        if o1 || o2 || o3 || o4 { return nil }
        return Rational(s, d)
    }

    public func subtracting(_ o: Rational) -> Rational? { adding(-o) }

    public func multiplied(by o: Rational) -> Rational? {
        // Cross-reduce first so products stay small.
        let g1 = Int128(Rational.gcd(num.magnitude, o.den.magnitude))
        let g2 = Int128(Rational.gcd(o.num.magnitude, den.magnitude))
        let (n, o1) = (num / g1).multipliedReportingOverflow(by: o.num / g2)
        let (d, o2) = (den / g2).multipliedReportingOverflow(by: o.den / g1)
        if o1 || o2 { return nil }
        return Rational(n, d)
    }

    public func divided(by o: Rational) -> Rational? {
        guard !o.isZero, let inv = Rational(o.den, o.num) else { return nil }
        return multiplied(by: inv)
    }

    /// `self^e` for an integer exponent; nil on overflow, 0^negative, or |e| > 4096.
    public func power(_ e: Int) -> Rational? {
        guard abs(e) <= 4096 else {
            if num == 1 && den == 1 { return self }
            if num == 0 && e > 0 { return self }
            return nil
        }
        if e < 0 { return Rational.one.divided(by: self)?.power(-e) }
        var result = Rational.one, base = self, k = e
        while k > 0 {
            if k & 1 == 1 { guard let r = result.multiplied(by: base) else { return nil }; result = r }
            k >>= 1
            if k > 0 { guard let b = base.multiplied(by: base) else { return nil }; base = b }
        }
        return result
    }

    /// The exact `n`-th root when both numerator and denominator are perfect n-th powers.
    public func root(_ n: Int) -> Rational? {
        guard n >= 1 else { return nil }
        if n == 1 { return self }
        if num < 0 {
            guard n % 2 == 1, let r = (-self).root(n) else { return nil }
            return -r
        }
        guard let a = Rational.integerRoot(num, n), let b = Rational.integerRoot(den, n) else { return nil }
        return Rational(a, b)
    }

    /// The exact integer n-th root of a non-negative integer, if it has one.
    static func integerRoot(_ x: Int128, _ n: Int) -> Int128? {
        if x < 2 { return x }
        let guess = Int128(pow(Double(x), 1.0 / Double(n)).rounded())
        for c in [guess - 1, guess, guess + 1] where c >= 0 {
            var p: Int128 = 1
            var overflow = false
            for _ in 0..<n {
                let (m, o) = p.multipliedReportingOverflow(by: c)
                if o { overflow = true; break }
                p = m
            }
            if !overflow && p == x { return c }
        }
        return nil
    }

    public static func < (a: Rational, b: Rational) -> Bool {
        if let d = a.subtracting(b) { return d.num < 0 }
        return a.doubleValue < b.doubleValue
    }
}
