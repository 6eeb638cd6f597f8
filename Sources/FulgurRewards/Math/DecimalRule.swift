import Foundation

/// ADJUDICATION.md rule 3, exactly: a decimal that is not exactly equal to the gold is accepted
/// only if (1) the gold's decimal expansion does not terminate (irrational, or a reduced fraction
/// with a prime factor other than 2 and 5 in its denominator), (2) the decimal is the gold
/// correctly rounded at its last shown digit (|decimal − gold| ≤ ½ unit in that place), and
/// (3) the decimal shows at least 6 significant digits.
enum DecimalRule {
    static let minimumSignificantDigits = 6

    static func accepts(_ decimal: NumberLiteral, asApproximationOf gold: MathValue) -> Bool {
        guard decimal.isDecimal, !decimal.isRepeating, decimal.significantDigits >= minimumSignificantDigits else { return false }
        guard !gold.isInfinity, gold.z.isFinite, abs(gold.z.im) <= 1e-12 * max(1, abs(gold.z.re)) else { return false }
        if let g = gold.exact {
            guard !g.terminates else { return false }
            // Exact check: |d − g| ≤ 5·10^(e−1), with e the exponent of the last shown digit.
            if let d = decimal.exact, let diff = d.subtracting(g), let half = halfUnit(decimal.lastDigitExponent) {
                let magnitude = diff.num < 0 ? -diff : diff
                return !(half < magnitude)
            }
        } else if terminatesApproximately(gold.z.re) {
            return false
        }
        let half = 0.5 * pow(10, Double(decimal.lastDigitExponent))
        let slack = 4 * Double.ulpOfOne * abs(gold.z.re)
        return abs(decimal.value - gold.z.re) <= half + slack
    }

    /// ½ unit in the place 10^e as an exact rational.
    static func halfUnit(_ e: Int) -> Rational? {
        guard let unit = Rational(Int128(10)).power(e) else { return nil }
        return unit.multiplied(by: Rational(1, 2)!)
    }

    /// A value computed in floating point that is really a terminating decimal (sin 30° = 0.5):
    /// within 1e-12 of a fraction with a power-of-2-and-5 denominator up to 10⁶.
    static func terminatesApproximately(_ x: Double) -> Bool {
        guard abs(x) < 1e12 else { return true }
        for den in [1.0, 2, 4, 5, 8, 10, 16, 20, 25, 32, 40, 50, 64, 100, 125, 1000, 10_000, 100_000, 1_000_000] {
            let n = (x * den).rounded()
            if abs(x - n / den) <= 1e-12 * max(1, abs(x)) { return true }
        }
        return false
    }
}
