import FulgurSupport

/// Game of 24 / Countdown: combine all the given numbers, each exactly once, with + − × ÷ and
/// parentheses to reach the target. The checker parses the expression with its own parser,
/// checks the multiset of numbers used, and compares the exact rational value with the target
/// (SynLogic's game-of-24 verifier never compared with the target; see docs/logic-tasks.md).
public struct CountdownTask: PuzzleTask {
    public struct Puzzle: Codable, Sendable {
        public var numbers: [Int]
        public var target: Int
    }

    public init() {}
    public let name = "countdown"
    public let summary = "Game of 24 / Countdown: reach the target with all given numbers, each exactly once, and + − × ÷."
    public let difficultyScale = """
        1: four numbers 1–9, target 24; 2: four numbers 1–13, target 24; 3: four numbers 1–13, target 25–99; \
        4: five numbers 1–13, target 25–199; 5: five numbers 1–25, target 100–499; 6: six numbers from 1–10 and \
        25/50/75/100, target 100–999; 7: six numbers 1–50, target 100–999; 8: six numbers 1–100, target 200–999; \
        9: seven numbers 1–100, target 200–999; 10: seven numbers 1–100, target 1000–9999.
        """

    struct Level { let count: Int; let pool: [Int]; let targets: ClosedRange<Int> }
    static func level(_ d: Int) -> Level {
        switch d {
        case 1: return Level(count: 4, pool: Array(1...9), targets: 24...24)
        case 2: return Level(count: 4, pool: Array(1...13), targets: 24...24)
        case 3: return Level(count: 4, pool: Array(1...13), targets: 25...99)
        case 4: return Level(count: 5, pool: Array(1...13), targets: 25...199)
        case 5: return Level(count: 5, pool: Array(1...25), targets: 100...499)
        case 6: return Level(count: 6, pool: Array(1...10) + [25, 50, 75, 100], targets: 100...999)
        case 7: return Level(count: 6, pool: Array(1...50), targets: 100...999)
        case 8: return Level(count: 6, pool: Array(1...100), targets: 200...999)
        case 9: return Level(count: 7, pool: Array(1...100), targets: 200...999)
        default: return Level(count: 7, pool: Array(1...100), targets: 1000...9999)
        }
    }

    public func make(difficulty: Int, rng: inout RNG) throws -> GeneratedPuzzle<Puzzle> {
        let level = CountdownTask.level(difficulty)
        for _ in 0..<10_000 {
            let numbers = (0..<level.count).map { _ in rng.pick(level.pool) }
            let solution: ArithExpr?
            if level.targets.count == 1 {
                solution = CountdownTask.solve(numbers.map { (Rational($0), ArithExpr.number($0)) },
                                               target: Rational(level.targets.lowerBound))
            } else {
                solution = randomExpression(numbers, targets: level.targets, rng: &rng)
            }
            guard let solution, let value = try? solution.value() else { continue }
            guard let target = Int(exactly: value.num) else { continue }
            let p = Puzzle(numbers: numbers.sorted(), target: target)
            return GeneratedPuzzle(puzzle: p, prompt: prompt(p), answer: "\(solution.text) = \(p.target)")
        }
        throw LogicTaskError.generationFailed(task: name, detail: "no solvable number set found")
    }

    /// A random expression tree over all `numbers` whose value is an integer in `targets`.
    private func randomExpression(_ numbers: [Int], targets: ClosedRange<Int>, rng: inout RNG) -> ArithExpr? {
        func build(_ items: ArraySlice<Int>) -> ArithExpr {
            if items.count == 1 { return .number(items.first!) }
            let split = items.startIndex + 1 + rng.below(items.count - 1)
            let r = rng.unit()
            let op: ArithOp = r < 0.3 ? .add : r < 0.5 ? .sub : r < 0.85 ? .mul : .div
            return .binary(op, build(items[items.startIndex..<split]), build(items[split...]))
        }
        for _ in 0..<200 {
            let e = build(ArraySlice(rng.shuffled(numbers)))
            if let v = try? e.value(), v.isInteger, let t = Int(exactly: v.num), targets.contains(t) { return e }
        }
        return nil
    }

    /// Exhaustive search (every pair, every operator, every order) for an expression using all
    /// items that equals `target`; practical for up to 5 numbers.
    static func solve(_ items: [(Rational, ArithExpr)], target: Rational) -> ArithExpr? {
        if items.count == 1 { return items[0].0 == target ? items[0].1 : nil }
        for i in 0..<items.count {
            for j in 0..<items.count where i != j {
                var rest = items
                rest.remove(at: max(i, j)); rest.remove(at: min(i, j))
                let (a, ea) = items[i], (b, eb) = items[j]
                for op in ArithOp.allCases {
                    if (op == .add || op == .mul) && i > j { continue }   // commutative: one order suffices
                    let value: Rational?
                    switch op {
                    case .add: value = a.adding(b)
                    case .sub: value = a.subtracting(b)
                    case .mul: value = a.multiplied(by: b)
                    case .div: value = a.divided(by: b)
                    }
                    guard let value else { continue }
                    if let found = solve(rest + [(value, .binary(op, ea, eb))], target: target) { return found }
                }
            }
        }
        return nil
    }

    func prompt(_ p: Puzzle) -> String {
        """
        Using the numbers \(p.numbers.map(String.init).joined(separator: ", ")), make \(p.target). Use every \
        number exactly once (a number listed twice must be used twice), combined with +, -, *, / and parentheses. \
        Division is exact (fractions are allowed along the way); you may not join digits into new numbers and \
        there is no unary minus.

        \(AnswerTag.instruction("Write one arithmetic expression, optionally followed by `= \(p.target)`, for example `(1 + 2) * 3 = 9`."))
        """
    }

    public func check(_ answer: String, puzzle p: Puzzle) -> Verdict {
        let parsed: (expr: ArithExpr, stated: Int?)
        switch ArithParser.parse(answer) {
        case .failure(let f): return .fail("unparseable expression: \(f.reason)")
        case .success(let r): parsed = r
        }
        let used = parsed.expr.numbers.sorted(), allowed = p.numbers.sorted()
        if used != allowed {
            var remaining = allowed
            for n in used {
                guard let k = remaining.firstIndex(of: n) else {
                    return .fail(allowed.contains(n) ? "uses \(n) more often than given" : "uses \(n), which is not given")
                }
                remaining.remove(at: k)
            }
            return .fail("does not use \(remaining.map(String.init).joined(separator: ", "))")
        }
        let value: Rational
        do { value = try parsed.expr.value() } catch .divisionByZero {
            return .fail("division by zero")
        } catch {
            return .fail("arithmetic overflow")
        }
        guard value == Rational(p.target) else { return .fail("the expression equals \(value), not \(p.target)") }
        if let s = parsed.stated, s != p.target { return .fail("states = \(s), but the target is \(p.target)") }
        return .pass()
    }
}
