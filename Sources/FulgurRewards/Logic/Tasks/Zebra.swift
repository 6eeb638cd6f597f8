import FulgurSupport

/// Zebra (Einstein) puzzles with exactly one solution. A random solution is drawn; true clues
/// are added until the solver finds a single solution, then clues are dropped in random order
/// while the solution stays unique, so no clue is redundant. The checker tests the answer
/// against every clue (any assignment meeting all clues is the unique solution).
public struct ZebraTask: PuzzleTask {
    public struct Attribute: Codable, Sendable {
        public var name: String
        /// The values in play (as many as houses); answers name them case-insensitively.
        public var values: [String]
    }
    public struct Puzzle: Codable, Sendable {
        public var houses: Int
        public var attributes: [Attribute]
        public var clues: [ZebraModel.Clue]
    }

    public init() {}
    public let name = "zebra_puzzle"
    public let summary = "Zebra (Einstein) puzzle: deduce every house's attributes from clues; unique solution."
    public let difficultyScale = """
        Houses × attributes: 1: 3×2, 2: 3×3, 3: 4×3, 4: 4×4, 5: 5×4, 6: 5×5, 7: 6×4, 8: 6×5, 9: 6×6, 10: 7×6; \
        higher levels draw fewer direct "is in house n" / "same house" clues and more relative and negative ones. \
        Clue sets are minimal (removing any clue breaks uniqueness).
        """

    /// (name, values, positive phrase, negative phrase); `%` is replaced by the value.
    static let pool: [(String, [String], String, String)] = [
        ("color", ["red", "green", "blue", "yellow", "white", "purple", "orange"],
         "lives in the % house", "does not live in the % house"),
        ("nationality", ["British", "Swedish", "Danish", "Norwegian", "German", "Spanish", "Italian"],
         "is %", "is not %"),
        ("drink", ["tea", "coffee", "milk", "water", "juice", "cocoa", "lemonade"], "drinks %", "does not drink %"),
        ("pet", ["dogs", "cats", "birds", "fish", "horses", "rabbits", "hamsters"], "keeps %", "does not keep %"),
        ("hobby", ["chess", "painting", "gardening", "cycling", "reading", "hiking", "cooking"],
         "enjoys %", "does not enjoy %"),
        ("food", ["pizza", "sushi", "pasta", "tacos", "curry", "salad", "soup"], "likes %", "does not like %"),
        ("music", ["jazz", "rock", "pop", "classical", "blues", "reggae", "folk"],
         "listens to %", "does not listen to %"),
        ("flower", ["roses", "tulips", "lilies", "daisies", "orchids", "irises", "lotuses"],
         "grows %", "does not grow %"),
        ("sport", ["tennis", "golf", "soccer", "hockey", "rugby", "cricket", "baseball"], "plays %", "does not play %"),
    ]

    static let sizes = [(3, 2), (3, 3), (4, 3), (4, 4), (5, 4), (5, 5), (6, 4), (6, 5), (6, 6), (7, 6)]

    public func make(difficulty: Int, rng: inout RNG) throws -> GeneratedPuzzle<Puzzle> {
        let (n, k) = ZebraTask.sizes[difficulty - 1]
        let chosen = rng.sample(Array(ZebraTask.pool.indices), k)
        let attributes = chosen.map { a in
            Attribute(name: ZebraTask.pool[a].0, values: rng.sample(ZebraTask.pool[a].1, n))
        }
        // The solution: valueAt[a][h] is the value of attribute a in house h.
        let valueAt = (0..<k).map { _ in rng.shuffled(Array(0..<n)) }

        let model = ZebraModel(houses: n, attributes: k)
        // Relation weights: direct clues fade with difficulty, relative/negative ones grow.
        let t = Double(difficulty - 1) / 9
        let weights: [(ZebraModel.Relation, Double)] = [
            (.at, 3 - 2.5 * t), (.same, 3 - 1.5 * t), (.notAt, 0.5 + t), (.notSame, 0.5 + t),
            (.leftOf, 1), (.rightOf, 1), (.nextTo, 1 + t), (.before, 0.5 + t), (.after, 0.5 + t),
        ]
        let total = weights.reduce(0) { $0 + $1.1 }
        func randomClue() -> ZebraModel.Clue {
            var r = rng.unit() * total
            var relation = ZebraModel.Relation.at
            for (rel, w) in weights { if r < w { relation = rel; break }; r -= w }
            func item(_ h: Int, _ except: Int? = nil) -> ZebraModel.Item {
                var a = rng.below(k)
                if let e = except, k > 1 { while a == e { a = rng.below(k) } }
                return ZebraModel.Item(attribute: a, value: valueAt[a][h])
            }
            let h = rng.below(n)
            switch relation {
            case .at: return .init(relation: .at, a: item(h), b: nil, house: h)
            case .notAt:
                let other = (h + 1 + rng.below(n - 1)) % n
                return .init(relation: .notAt, a: item(h), b: nil, house: other)
            case .same:
                let a = item(h)
                return k > 1 ? .init(relation: .same, a: a, b: item(h, a.attribute), house: nil)
                             : .init(relation: .at, a: a, b: nil, house: h)
            case .notSame:
                let other = (h + 1 + rng.below(n - 1)) % n
                let a = item(h)
                return .init(relation: .notSame, a: a, b: item(other, k > 1 ? a.attribute : nil), house: nil)
            case .leftOf, .rightOf, .nextTo:
                let left = rng.below(n - 1)
                let (x, y) = (item(left), item(left + 1))
                if relation == .leftOf { return .init(relation: .leftOf, a: x, b: y, house: nil) }
                if relation == .rightOf { return .init(relation: .rightOf, a: y, b: x, house: nil) }
                return rng.chance(0.5) ? .init(relation: .nextTo, a: x, b: y, house: nil)
                                       : .init(relation: .nextTo, a: y, b: x, house: nil)
            case .before, .after:
                let i = rng.below(n - 1), j = i + 1 + rng.below(n - 1 - i)
                return relation == .before ? .init(relation: .before, a: item(i), b: item(j), house: nil)
                                           : .init(relation: .after, a: item(j), b: item(i), house: nil)
            }
        }

        var clues: [ZebraModel.Clue] = []
        var seen = Set<ZebraModel.Clue>()
        var solutions = Int.max
        var additions = 0
        while solutions > 1 {
            additions += 1
            guard additions < 2000 else {
                throw LogicTaskError.generationFailed(task: name, detail: "clues did not converge to a unique solution")
            }
            let c = randomClue()
            guard seen.insert(c).inserted else { continue }
            clues.append(c)
            if clues.count >= n * k / 2 { solutions = model.countSolutions(clues, limit: 2) }
        }
        // Drop redundant clues.
        for c in rng.shuffled(clues) {
            let without = clues.filter { $0 != c }
            if model.countSolutions(without, limit: 2) == 1 { clues = without }
        }
        clues = rng.shuffled(clues)
        let p = Puzzle(houses: n, attributes: attributes, clues: clues)
        let answer = (0..<n).map { h in
            "House \(h + 1): " + (0..<k).map { a in attributes[a].values[valueAt[a][h]] }.joined(separator: ", ")
        }.joined(separator: "\n")
        return GeneratedPuzzle(puzzle: p, prompt: prompt(p), answer: answer)
    }

    func phrase(_ p: Puzzle, _ item: ZebraModel.Item, negative: Bool = false) -> String {
        let attr = p.attributes[item.attribute]
        let template = ZebraTask.pool.first { $0.0 == attr.name }.map { negative ? $0.3 : $0.2 }
            ?? (negative ? "does not have \(attr.name) %" : "has \(attr.name) %")
        return template.replacingOccurrences(of: "%", with: attr.values[item.value])
    }

    func sentence(_ p: Puzzle, _ c: ZebraModel.Clue) -> String {
        let a = "The person who \(phrase(p, c.a))"
        guard let bItem = c.b else {
            return c.relation == .at ? "\(a) lives in house \(c.house! + 1)." : "\(a) does not live in house \(c.house! + 1)."
        }
        let b = "the person who \(phrase(p, bItem))"
        switch c.relation {
        case .same: return "The person who \(phrase(p, c.a)) \(phrase(p, bItem))."
        case .notSame: return "The person who \(phrase(p, c.a)) \(phrase(p, bItem, negative: true))."
        case .leftOf: return "\(a) lives directly left of \(b)."
        case .rightOf: return "\(a) lives directly right of \(b)."
        case .nextTo: return "\(a) lives next to \(b)."
        case .before: return "\(a) lives somewhere to the left of \(b)."
        case .after: return "\(a) lives somewhere to the right of \(b)."
        case .at, .notAt: return "\(a)."
        }
    }

    func prompt(_ p: Puzzle) -> String {
        let attrs = p.attributes.map { "- \($0.name): \($0.values.joined(separator: ", "))" }.joined(separator: "\n")
        let clues = p.clues.enumerated().map { "\($0 + 1). \(sentence(p, $1))" }.joined(separator: "\n")
        return """
            There are \(p.houses) houses in a row, numbered 1 to \(p.houses) from left to right. Each house has one \
            person, and each person has exactly one value of each attribute below; no two people share a value.

            \(attrs)

            Clues ("directly left of" means in the house just before; "next to" means in an adjacent house):
            \(clues)

            Work out the attributes of every house. The clues have exactly one solution.

            \(AnswerTag.instruction("Write one line per house, in the form `House 1: \(p.attributes.map(\.name).joined(separator: ", "))` using the values, for example `House 1: \(p.attributes.map { $0.values[0] }.joined(separator: ", "))`."))
            """
    }

    public func check(_ answer: String, puzzle p: Puzzle) -> Verdict {
        let n = p.houses, k = p.attributes.count
        guard (1...12).contains(n), k >= 1, p.attributes.allSatisfy({ $0.values.count == n }) else {
            return .fail("malformed puzzle metadata")
        }
        var lookup: [String: ZebraModel.Item] = [:]
        for (a, attr) in p.attributes.enumerated() {
            for (v, value) in attr.values.enumerated() { lookup[value.lowercased()] = .init(attribute: a, value: v) }
        }
        guard lookup.count == n * k,
              p.clues.allSatisfy({ c in
                  ([c.a] + (c.b.map { [$0] } ?? [])).allSatisfy { (0..<k).contains($0.attribute) && (0..<n).contains($0.value) }
              })
        else { return .fail("malformed puzzle metadata") }

        var houseOf = Array(repeating: Array(repeating: -1, count: n), count: k)
        var seenHouses = Set<Int>()
        for line in AnswerParsing.lines(answer) {
            guard let (house, rest) = ZebraTask.splitHouseLine(line) else { continue }
            guard (1...n).contains(house) else { return .fail("there is no house \(house)") }
            guard seenHouses.insert(house).inserted else { return .fail("house \(house) is listed twice") }
            let values = rest.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "|" })
                .map { AnswerParsing.strip(String($0).trimmingWhitespace()).lowercased() }.filter { !$0.isEmpty }
            guard values.count == k else { return .fail("house \(house) has \(values.count) values, expected \(k)") }
            for v in values {
                guard let item = lookup[v] else { return .fail("unknown value '\(v)'") }
                guard houseOf[item.attribute][item.value] == -1 else { return .fail("'\(v)' is placed twice") }
                houseOf[item.attribute][item.value] = house - 1
            }
            let attrs = Set(values.map { lookup[$0]!.attribute })
            guard attrs.count == k else { return .fail("house \(house) has two values of one attribute") }
        }
        guard seenHouses.count == n else {
            return .fail(seenHouses.isEmpty ? "no `House N: …` lines" : "expected \(n) houses, found \(seenHouses.count)")
        }
        for (i, c) in p.clues.enumerated() {
            let pa = houseOf[c.a.attribute][c.a.value]
            let pb = c.b.map { houseOf[$0.attribute][$0.value] } ?? 0
            if !c.holds(pa, pb) { return .fail("clue \(i + 1) is violated: \(sentence(p, c))") }
        }
        return .pass()
    }

    /// "House 3: a, b" / "3: a, b" / "3. a, b" / "- House 3 | a | b" → (3, "a, b").
    static func splitHouseLine(_ line: String) -> (Int, Substring)? {
        var s = Substring(line)
        while let f = s.first, f == "-" || f == "*" || f == "|" || f.isWhitespace { s = s.dropFirst() }
        if s.lowercased().hasPrefix("house") { s = s.dropFirst(5) }
        s = s.drop(while: { $0.isWhitespace })
        let digits = s.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, digits.count <= 3, let house = Int(digits) else { return nil }
        s = s.dropFirst(digits.count).drop(while: { $0.isWhitespace || $0 == "*" })
        guard let sep = s.first, [":", ".", ")", "-", "=", "|"].contains(sep) else { return nil }
        return (house, s.dropFirst())
    }
}
