import FulgurSupport

/// Multi-digit integer arithmetic — addition, subtraction, multiplication — with a worked,
/// column-by-column solution for SFT and an exact verifier for RL. Difficulty d (1…10) is
/// the number of digits of the operands (the second factor of a product has ⌈d/2⌉ digits).
///
/// Prompt: `Compute 347 + 589. Put the final answer in \boxed{}.`
/// Verifier: the last `\boxed{…}` must hold exactly the integer (digit grouping with commas
/// allowed, nothing else); format reward 1 when a `\boxed{}` is present.
public struct ArithmeticEnvironment: Environment, Demonstrating {
    public enum Operation: String, CaseIterable, Sendable { case addition, subtraction, multiplication }

    public let operations: [Operation]
    public var name: String

    public init(operations: [Operation] = Operation.allCases, name: String? = nil) {
        self.operations = operations
        self.name = name ?? (operations.count == 1 ? operations[0].rawValue : "arithmetic")
    }

    public var summary: String { "Multi-digit integer \(operations.map(\.rawValue).joined(separator: ", ")) with a worked column-by-column solution" }
    public var difficultyScale: String { "number of digits of the operands (the second factor of a product has ⌈d/2⌉)" }

    static let symbols: [Operation: String] = [.addition: "+", .subtraction: "-", .multiplication: "*"]

    public func generate(count: Int, difficulty: Int, seed: UInt64) throws -> [TaskInstance] {
        let d = min(max(difficulty, 1), 10)
        var rng = RNG(seed: seed)
        return (0..<max(count, 0)).map { i in
            let op = operations[rng.int(in: 0...(operations.count - 1))]
            func number(digits: Int) -> Int {
                digits == 1 ? rng.int(in: 0...9) : rng.int(in: Self.pow10(digits - 1)...(Self.pow10(digits) - 1))
            }
            var a = number(digits: d), b = number(digits: op == .multiplication ? (d + 1) / 2 : d)
            if op == .subtraction && b > a { swap(&a, &b) }
            let value = switch op {
            case .addition: a + b
            case .subtraction: a - b
            case .multiplication: a * b
            }
            let sym = Self.symbols[op]!
            return TaskInstance(
                id: "\(name)-\(seed)-\(i)", prompt: "Compute \(a) \(sym) \(b). Put the final answer in \\boxed{}.",
                answer: "\(value)", task: name, difficulty: d,
                metadata: ["a": .number(Double(a)), "b": .number(Double(b)), "op": .string(op.rawValue)])
        }
    }

    public func score(_ task: TaskInstance, response: String) -> RewardScore {
        guard let boxed = BoxedAnswer.last(in: response) else {
            return RewardScore(reward: 0, correct: false, formatReward: 0, extracted: nil, reason: "no \\boxed{} answer")
        }
        let cleaned = boxed.filter { $0 != "," && $0 != " " }
        let ok = Int(cleaned).map { "\($0)" == task.answer } ?? false
        return RewardScore(reward: ok ? 1 : 0, correct: ok, formatReward: 1, extracted: boxed,
                           reason: ok ? "correct" : "\(boxed) ≠ \(task.answer)")
    }

    /// The worked solution: reasoning inside <think>…</think>, then the boxed answer.
    public func demonstration(for task: TaskInstance) -> String? {
        guard let a = task.metadata["a"]?.int, let b = task.metadata["b"]?.int,
              let op = task.metadata["op"]?.string.flatMap(Operation.init(rawValue:)) else { return nil }
        let steps: [String]
        switch op {
        case .addition: steps = Self.additionSteps(a, b)
        case .subtraction: steps = Self.subtractionSteps(a, b)
        case .multiplication: steps = Self.multiplicationSteps(a, b)
        }
        return "<think>\n" + steps.joined(separator: "\n") + "\n</think>\nThe answer is \\boxed{\(task.answer)}."
    }

    static func digits(_ x: Int) -> [Int] { String(x).compactMap(\.wholeNumberValue).reversed() }
    static func pow10(_ n: Int) -> Int { (0..<n).reduce(1) { r, _ in r * 10 } }

    static func additionSteps(_ a: Int, _ b: Int) -> [String] {
        let da = digits(a), db = digits(b)
        var lines = ["Add column by column from the right."]
        var carry = 0
        for i in 0..<max(da.count, db.count) {
            let x = i < da.count ? da[i] : 0, y = i < db.count ? db[i] : 0
            let s = x + y + carry
            lines.append("\(x) + \(y)\(carry > 0 ? " + \(carry)" : "") = \(s), write \(s % 10)\(s >= 10 ? ", carry 1" : "").")
            carry = s / 10
        }
        if carry > 0 { lines.append("Write the final carry 1.") }
        lines.append("So \(a) + \(b) = \(a + b).")
        return lines
    }

    static func subtractionSteps(_ a: Int, _ b: Int) -> [String] {
        let da = digits(a), db = digits(b)
        var lines = ["Subtract column by column from the right."]
        var borrow = 0
        for i in 0..<da.count {
            let x = da[i] - borrow, y = i < db.count ? db[i] : 0
            if x < y {
                lines.append("\(x) - \(y): borrow, \(x + 10) - \(y) = \(x + 10 - y).")
                borrow = 1
            } else {
                lines.append("\(x) - \(y) = \(x - y).")
                borrow = 0
            }
        }
        lines.append("So \(a) - \(b) = \(a - b).")
        return lines
    }

    static func multiplicationSteps(_ a: Int, _ b: Int) -> [String] {
        let db = digits(b)
        var lines = ["Multiply \(a) by each digit of \(b), shifted by its place."]
        var partials: [Int] = []
        for (i, y) in db.enumerated() {
            let p = a * y * pow10(i)
            partials.append(p)
            lines.append("\(a) * \(y)\(i > 0 ? " * \(pow10(i))" : "") = \(p).")
        }
        if partials.count > 1 {
            var acc = partials[0]
            for p in partials.dropFirst() {
                lines.append("\(acc) + \(p) = \(acc + p).")
                acc += p
            }
        }
        lines.append("So \(a) * \(b) = \(a * b).")
        return lines
    }
}

/// Environments that can write a correct worked solution (for SFT corpora).
public protocol Demonstrating: Environment {
    /// A full assistant response (with `<think>` reasoning and the answer where the verifier
    /// looks for it), or nil when the environment cannot demonstrate this task.
    func demonstration(for task: TaskInstance) -> String?
}

/// The content of the last `\boxed{…}` or `\fbox{…}` (balanced braces), if any.
public enum BoxedAnswer {
    public static func last(in text: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        var result: String?
        var i = 0
        while i < scalars.count {
            if scalars[i] == "\\" {
                for key in ["boxed{", "fbox{"] {
                    let k = Array(key.unicodeScalars)
                    if i + 1 + k.count <= scalars.count && Array(scalars[(i + 1)..<(i + 1 + k.count)]) == k {
                        var depth = 1, j = i + 1 + k.count
                        let start = j
                        while j < scalars.count && depth > 0 {
                            if scalars[j] == "{" { depth += 1 } else if scalars[j] == "}" { depth -= 1 }
                            j += 1
                        }
                        if depth == 0 {
                            var s = String.UnicodeScalarView()
                            s.append(contentsOf: scalars[start..<(j - 1)])
                            result = String(s).trimmingCharacters(in: .whitespaces)
                        }
                    }
                }
            }
            i += 1
        }
        return result
    }
}

import Foundation
