import FulgurSupport

/// Seeded generator of simple math tasks with exact answers: integer arithmetic, fraction
/// arithmetic and linear equations. Difficulty 1–10 scales operand size and count:
///
/// | kind        | difficulty d controls                                                  |
/// |-------------|------------------------------------------------------------------------|
/// | arithmetic  | 2 + d/3 operands of up to 10^(1 + d/3); × appears from d ≥ 3            |
/// | fractions   | 2 + d/4 fractions with denominators up to 3 + 2d                       |
/// | linear      | ax + b = cx + e with coefficients up to 3 + 3d; rational roots from d ≥ 5 |
public struct MathTaskGenerator: Sendable {
    public enum Kind: String, CaseIterable, Sendable { case arithmetic, fractions, linear }

    public init() {}

    public func generate(count: Int, difficulty: Int, seed: UInt64) -> [TaskInstance] {
        let d = min(max(difficulty, 1), 10)
        var rng = SplitMix64(seed: seed)
        return (0..<max(count, 0)).map { i in
            let kind = Kind.allCases[i % Kind.allCases.count]
            let (question, answer, extra) = make(kind, d, &rng)
            var metadata: [String: JSONValue] = ["kind": .string(kind.rawValue), "seed": .number(Double(seed & 0xFFFF_FFFF))]
            for (k, v) in extra { metadata[k] = v }
            return TaskInstance(
                id: "math-\(seed)-\(i)",
                prompt: question + " Put your final answer in \\boxed{}.",
                answer: answer, task: "math", difficulty: d, metadata: metadata)
        }
    }

    private func make(_ kind: Kind, _ d: Int, _ rng: inout SplitMix64) -> (String, String, [String: JSONValue]) {
        switch kind {
        case .arithmetic:
            let count = 2 + d / 3
            let limit = pow10(1 + d / 3)
            var terms: [Int] = (0..<count).map { _ in rng.int(in: 1...limit) }
            let ops: [String] = (1..<count).map { _ in d >= 3 && rng.int(in: 0...2) == 0 ? "*" : (rng.int(in: 0...1) == 0 ? "+" : "-") }
            // Keep products small enough that the answer stays readable.
            for k in ops.indices where ops[k] == "*" { terms[k + 1] = rng.int(in: 2...max(2, min(limit, 99))) }
            var expression = "\(terms[0])"
            for (k, op) in ops.enumerated() { expression += " \(op == "*" ? "\\times" : op) \(terms[k + 1])" }
            // Evaluate with × before + and −.
            var sums: [Int] = [terms[0]]
            var signs: [Int] = [1]
            for (k, op) in ops.enumerated() {
                switch op {
                case "*": sums[sums.count - 1] *= terms[k + 1]
                case "+": sums.append(terms[k + 1]); signs.append(1)
                default: sums.append(terms[k + 1]); signs.append(-1)
                }
            }
            let value = zip(sums, signs).reduce(0) { $0 + $1.0 * $1.1 }
            return ("Compute $\(expression)$.", "\(value)", ["expression": .string(expression)])
        case .fractions:
            let count = 2 + d / 4
            let maxDen = 3 + 2 * d
            var total = Rational.zero
            var text = ""
            for k in 0..<count {
                let den = rng.int(in: 2...maxDen)
                let num = rng.int(in: 1...(den - 1 + d))
                let f = Rational(Int128(num), Int128(den))!
                let subtract = k > 0 && rng.int(in: 0...2) == 0
                total = (subtract ? total.subtracting(f) : total.adding(f)) ?? total
                text += (k == 0 ? "" : (subtract ? " - " : " + ")) + "\\frac{\(num)}{\(den)}"
            }
            return ("Compute $\(text)$ and give the answer as a reduced fraction.", latex(total), ["expression": .string(text)])
        case .linear:
            let limit = 3 + 3 * d
            while true {
                let a = nonZero(&rng, limit), c = nonZero(&rng, limit)
                guard a != c else { continue }
                let b = rng.int(in: -limit...limit)
                // Integer roots below difficulty 5; rational ones from 5 on.
                let x: Rational
                if d < 5 { x = Rational(rng.int(in: -limit...limit)) } else {
                    x = Rational(Int128(rng.int(in: -limit...limit)), Int128(rng.int(in: 1...max(2, d))))!
                }
                // e = (a − c)·x + b
                guard let e = Rational(a - c).multiplied(by: x)?.adding(Rational(b)), e.isInteger else { continue }
                let equation = "\(term(a))x \(signed(b)) = \(term(c))x \(signed(Int(e.num)))"
                return ("Solve for $x$: $\(equation)$.", latex(x), ["equation": .string(equation)])
            }
        }
    }

    private func nonZero(_ rng: inout SplitMix64, _ limit: Int) -> Int {
        let v = rng.int(in: 1...limit)
        return rng.int(in: 0...1) == 0 ? v : -v
    }
    private func term(_ a: Int) -> String { a == 1 ? "" : (a == -1 ? "-" : "\(a)") }
    private func signed(_ b: Int) -> String { b < 0 ? "- \(-b)" : "+ \(b)" }
    private func pow10(_ k: Int) -> Int { (0..<k).reduce(1) { p, _ in p * 10 } }
    private func latex(_ r: Rational) -> String {
        if r.isInteger { return "\(r.num)" }
        return r.num < 0 ? "-\\frac{\(-r.num)}{\(r.den)}" : "\\frac{\(r.num)}{\(r.den)}"
    }
}

extension SplitMix64 {
    /// Uniform in the range (by rejection, no modulo bias).
    mutating func int(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        let limit = UInt64.max - UInt64.max % span
        while true {
            let x = next()
            if x < limit { return range.lowerBound + Int(x % span) }
        }
    }
}
