/// The words the math reader knows: function names, number words, units (rule 7) and the
/// connectors that join several answers.
enum MathVocabulary {
    /// Functions written `\sin x`, `\sin(x)` or `sin x`; the value is the canonical name.
    static let functions: [String: String] = [
        "sin": "sin", "cos": "cos", "tan": "tan", "cot": "cot", "sec": "sec", "csc": "csc", "cosec": "csc",
        "arcsin": "asin", "arccos": "acos", "arctan": "atan", "asin": "asin", "acos": "acos", "atan": "atan",
        "arccot": "acot", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh",
        "ln": "ln", "log": "log", "lg": "log10", "exp": "exp", "sqrt": "sqrt",
        "abs": "abs", "gcd": "gcd", "lcm": "lcm", "max": "max", "min": "min", "det": "det",
        "floor": "floor", "ceil": "ceil", "sgn": "sign", "sign": "sign",
    ]

    /// Functions whose argument may be written without parentheses (`\sin 2x`, `\ln x`).
    static let takesBareArgument: Set<String> = [
        "sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan", "acot", "sinh", "cosh", "tanh",
        "ln", "log", "log10", "exp", "det",
    ]

    static let trigonometric: Set<String> = ["sin", "cos", "tan", "cot", "sec", "csc"]

    static let greek: Set<String> = [
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
        "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
        "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
    ]

    static let numberWords: [String: Int] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
        "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
        "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    ]
    static let numberScales: [String: Int] = ["hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000]

    /// Short words that make an answer text rather than a product of variables.
    static let answerWords: Set<String> = ["yes", "no", "none", "all", "odd", "even", "true", "false", "both", "nan"]

    static let connectors: [String: ListConnector] = ["and": .and, "or": .or]

    static let degreeWords: Set<String> = ["degree", "degrees", "deg"]
    static let percentWords: Set<String> = ["percent", "percentage", "pct"]
    static let infinityWords: Set<String> = ["infinity", "inf", "infty"]

    /// Units with the same meaning map to one canonical name; answers in two *different known*
    /// units do not match (`1.5 hours` ≠ `90 minutes`). Unknown words are ignored as decoration.
    static let units: [String: String] = {
        var m: [String: String] = [:]
        func add(_ canonical: String, _ names: [String]) { for n in names { m[n] = canonical } }
        add("mm", ["mm", "millimeter", "millimeters", "millimetre", "millimetres"])
        add("cm", ["cm", "centimeter", "centimeters", "centimetre", "centimetres"])
        add("m", ["m", "meter", "meters", "metre", "metres"])
        add("km", ["km", "kilometer", "kilometers", "kilometre", "kilometres"])
        add("in", ["inch", "inches"])
        add("ft", ["ft", "foot", "feet"])
        add("yd", ["yd", "yard", "yards"])
        add("mi", ["mile", "miles"])
        add("s", ["s", "sec", "secs", "second", "seconds"])
        add("min", ["min", "mins", "minute", "minutes"])
        add("h", ["h", "hr", "hrs", "hour", "hours"])
        add("day", ["day", "days"])
        add("week", ["week", "weeks"])
        add("month", ["month", "months"])
        add("year", ["yr", "yrs", "year", "years"])
        add("g", ["g", "gram", "grams"])
        add("kg", ["kg", "kilogram", "kilograms"])
        add("mg", ["mg", "milligram", "milligrams"])
        add("lb", ["lb", "lbs", "pound", "pounds"])
        add("oz", ["oz", "ounce", "ounces"])
        add("l", ["l", "liter", "liters", "litre", "litres"])
        add("ml", ["ml", "milliliter", "milliliters", "millilitre", "millilitres"])
        add("dollar", ["dollar", "dollars", "usd"])
        add("cent", ["cent", "cents"])
        add("euro", ["euro", "euros"])
        add("mph", ["mph"])
        add("kmh", ["kmh", "kph"])
        add("rad", ["rad", "rads", "radian", "radians"])
        return m
    }()

    /// Words that qualify a number without changing it ("sq units", "approximately").
    static let fillerWords: Set<String> = [
        "approximately", "about", "approx", "exactly", "only", "total", "is", "the", "of", "sq", "square",
        "cubic", "units", "unit", "per",
    ]

    /// Whether a word is prose rather than mathematics or a unit.
    static func isUnitOrWord(_ w: String) -> Bool {
        let l = w.lowercased()
        return functions[l] == nil && connectors[l] == nil && numberWords[l] == nil
    }

    /// Reads number words ("six", "twenty five", "three hundred") starting at `words[0]`;
    /// returns the value and how many words it used.
    static func numberValue(_ words: [String]) -> (Int, Int)? {
        var total = 0, current = 0, used = 0
        for w in words {
            let parts = w.lowercased().split(separator: "-").map(String.init)
            var ok = true
            for p in parts {
                if let v = numberWords[p] { current += v }
                else if let s = numberScales[p], current > 0 || used > 0 {
                    if s == 100 { current *= 100 } else { total += max(current, 1) * s; current = 0 }
                } else { ok = false; break }
            }
            if !ok { break }
            used += 1
        }
        return used == 0 ? nil : (total + current, used)
    }
}
