import Foundation

/// How a program's output is compared with the expected output.
public enum ComparisonMode: String, CaseIterable, Sendable, Codable {
    /// Byte-for-byte equal, except that one trailing newline on either side is ignored.
    case exact
    /// Equal as sequences of whitespace-separated tokens (the usual judge default).
    case whitespace
    /// Tokens equal, numbers within a tolerance: |a − b| ≤ tol · max(1, |b|).
    case float
}

public struct OutputComparator: Sendable {
    public var mode: ComparisonMode
    public var tolerance: Double

    public init(mode: ComparisonMode = .whitespace, tolerance: Double = 1e-6) {
        self.mode = mode; self.tolerance = tolerance
    }

    public func matches(actual: Data, expected: String) -> Bool {
        let a = String(decoding: actual, as: UTF8.self)
        switch mode {
        case .exact:
            return Self.dropOneNewline(a) == Self.dropOneNewline(expected)
        case .whitespace:
            return Self.tokens(a) == Self.tokens(expected)
        case .float:
            let x = Self.tokens(a), y = Self.tokens(expected)
            guard x.count == y.count else { return false }
            for (p, q) in zip(x, y) where p != q {
                guard let u = Self.number(p), let v = Self.number(q), u.isFinite, v.isFinite else { return false }
                if abs(u - v) > tolerance * max(1, abs(v)) { return false }
            }
            return true
        }
    }

    static func dropOneNewline(_ s: String) -> Substring {
        var t = Substring(s)
        if t.hasSuffix("\r\n") { t = t.dropLast(2) } else if t.hasSuffix("\n") { t = t.dropLast() }
        return t
    }

    /// Whitespace tokens (ASCII whitespace: space, tab, newline, CR, FF, VT).
    static func tokens(_ s: String) -> [Substring] {
        s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == "\u{0C}" || $0 == "\u{0B}" || $0 == "\r\n" })
    }

    /// A decimal number token (no hex, no inf/nan words: those compare as text).
    static func number(_ t: Substring) -> Double? {
        guard t.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return nil }
        return Double(t)
    }
}
