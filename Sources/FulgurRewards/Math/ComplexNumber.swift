import Foundation

/// A double-precision complex number for numeric evaluation of answers. Small on purpose: only
/// the operations answers use, with principal branches (√−4 = 2i). NaN never compares equal.
public struct ComplexNumber: Sendable, Equatable {
    public var re: Double
    public var im: Double

    public init(_ re: Double, _ im: Double = 0) { self.re = re; self.im = im }

    public static let i = ComplexNumber(0, 1)
    public var isReal: Bool { im == 0 }
    public var isFinite: Bool { re.isFinite && im.isFinite }
    public var magnitude: Double { hypot(re, im) }
    public var argument: Double { atan2(im, re) }

    public static func + (a: Self, b: Self) -> Self { Self(a.re + b.re, a.im + b.im) }
    public static func - (a: Self, b: Self) -> Self { Self(a.re - b.re, a.im - b.im) }
    public static prefix func - (a: Self) -> Self { Self(-a.re, -a.im) }
    public static func * (a: Self, b: Self) -> Self {
        if a.im == 0 && b.im == 0 { return Self(a.re * b.re) }
        return Self(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
    }
    public static func / (a: Self, b: Self) -> Self {
        if b.im == 0 { return Self(a.re / b.re, a.im == 0 ? 0 : a.im / b.re) }
        let d = b.re * b.re + b.im * b.im
        return Self((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d)
    }

    public static func exp(_ z: Self) -> Self {
        let m = Foundation.exp(z.re)
        return z.im == 0 ? Self(m) : Self(m * Foundation.cos(z.im), m * Foundation.sin(z.im))
    }
    /// Principal logarithm.
    public static func log(_ z: Self) -> Self {
        if z.im == 0 && z.re > 0 { return Self(Foundation.log(z.re)) }
        return Self(Foundation.log(z.magnitude), z.argument)
    }
    /// Principal square root.
    public static func sqrt(_ z: Self) -> Self {
        if z.im == 0 { return z.re >= 0 ? Self(z.re.squareRoot()) : Self(0, (-z.re).squareRoot()) }
        let m = z.magnitude
        let re = ((m + z.re) / 2).squareRoot()
        let im = ((m - z.re) / 2).squareRoot()
        return Self(re, z.im < 0 ? -im : im)
    }
    /// `a^b`; real powers of non-negative reals and integer powers stay real and accurate.
    public static func pow(_ a: Self, _ b: Self) -> Self {
        if b.im == 0 {
            if a.im == 0 && (a.re >= 0 || b.re.rounded() == b.re) { return Self(Foundation.pow(a.re, b.re)) }
            if b.re.rounded() == b.re && abs(b.re) <= 64 {
                var r = Self(1), base = a, k = Int(abs(b.re))
                while k > 0 { if k & 1 == 1 { r = r * base }; base = base * base; k >>= 1 }
                return b.re < 0 ? Self(1) / r : r
            }
        }
        if a.re == 0 && a.im == 0 { return b.re > 0 ? Self(0) : Self(.nan) }
        return exp(b * log(a))
    }
    /// The real n-th root of a real (∛−8 = −2), else the principal root.
    public static func root(_ z: Self, _ n: Double) -> Self {
        if z.im == 0 && z.re < 0 && n.rounded() == n && Int(n) % 2 == 1 {
            return Self(-Foundation.pow(-z.re, 1 / n))
        }
        return pow(z, Self(1 / n))
    }

    public static func sin(_ z: Self) -> Self {
        z.im == 0 ? Self(Foundation.sin(z.re)) : Self(Foundation.sin(z.re) * Foundation.cosh(z.im), Foundation.cos(z.re) * Foundation.sinh(z.im))
    }
    public static func cos(_ z: Self) -> Self {
        z.im == 0 ? Self(Foundation.cos(z.re)) : Self(Foundation.cos(z.re) * Foundation.cosh(z.im), -Foundation.sin(z.re) * Foundation.sinh(z.im))
    }
    public static func tan(_ z: Self) -> Self { z.im == 0 ? Self(Foundation.tan(z.re)) : sin(z) / cos(z) }
    public static func sinh(_ z: Self) -> Self { (exp(z) - exp(-z)) / Self(2) }
    public static func cosh(_ z: Self) -> Self { (exp(z) + exp(-z)) / Self(2) }
    public static func tanh(_ z: Self) -> Self { sinh(z) / cosh(z) }
    public static func asin(_ z: Self) -> Self {
        if z.im == 0 && abs(z.re) <= 1 { return Self(Foundation.asin(z.re)) }
        // −i·log(iz + √(1−z²))
        return Self(0, -1) * log(i * z + sqrt(Self(1) - z * z))
    }
    public static func acos(_ z: Self) -> Self {
        if z.im == 0 && abs(z.re) <= 1 { return Self(Foundation.acos(z.re)) }
        return Self(Double.pi / 2) - asin(z)
    }
    public static func atan(_ z: Self) -> Self {
        if z.im == 0 { return Self(Foundation.atan(z.re)) }
        // (i/2)·log((i+z)/(i−z))
        return Self(0, 0.5) * log((i + z) / (i - z))
    }
}
