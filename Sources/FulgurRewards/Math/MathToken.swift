/// A number literal as written: its exact value (when it fits), its floating value, and the
/// digits information the decimal-tolerance rule needs (ADJUDICATION.md rule 3).
public struct NumberLiteral: Sendable, Equatable {
    /// Exact value; nil when the literal overflows 128-bit rationals.
    public var exact: Rational?
    public var value: Double
    /// Whether the literal has a decimal point (so it is a "decimal" for the tolerance rule).
    public var isDecimal: Bool
    /// Significant digits shown (from the first non-zero digit to the last digit written).
    public var significantDigits: Int
    /// The power of ten of the last digit shown (0.333333 → −6; 31.42 → −2).
    public var lastDigitExponent: Int
    /// A repeating decimal (`0.\overline{3}`) is exact, not an approximation.
    public var isRepeating: Bool

    public var isInteger: Bool { !isDecimal && exact?.isInteger == true }
}

/// One lexical unit of a LaTeX or plain-text math answer.
public enum MathToken: Sendable, Equatable {
    case number(NumberLiteral)
    /// A one-letter symbol (`x`, `A`) or a Greek letter command name (`alpha`).
    case symbol(String)
    /// A run of two or more letters (lowercased); `fromText` when it came from `\text{…}`.
    case word(String, fromText: Bool)
    /// A LaTeX command without its backslash (`frac`, `sqrt`, `pi`, `cup`).
    case command(String)
    /// A single punctuation / operator character: + - * / ^ _ = < > ! ' | , ; & ( ) [ ] { } .
    case char(UInt8)
    case lessEqual, greaterEqual, notEqual
    /// `\{` and `\}`.
    case setOpen, setClose
    /// `\\` (matrix row separator).
    case rowSeparator
    /// `^\circ`, `°`, `\degree`.
    case degree
    /// `%`, `\%`.
    case percent
}

/// A token and whether whitespace preceded it (digit grouping and mixed numbers depend on it).
public struct LexedToken: Sendable, Equatable {
    public var token: MathToken
    public var spaceBefore: Bool
}
