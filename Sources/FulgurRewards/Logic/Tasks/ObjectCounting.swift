import FulgurSupport

/// Object counting (BIG-Bench style): a list of possessions of several kinds, sometimes with
/// later changes; count the items of one category. The checker recomputes the count from the
/// metadata and compares it with the integer answered.
public struct ObjectCountingTask: PuzzleTask {
    public struct Entry: Codable, Sendable {
        public var item: String        // singular
        public var plural: String
        public var category: String
        public var count: Int
    }
    public struct Change: Codable, Sendable {
        /// Index into `entries`.
        public var entry: Int
        /// Items gained (> 0) or given away (< 0).
        public var delta: Int
    }
    public struct Puzzle: Codable, Sendable {
        public var entries: [Entry]
        public var changes: [Change]
        /// The category asked about ("fruits", "musical instruments", …).
        public var category: String
    }

    public init() {}
    public let name = "object_counting"
    public let summary = "Count the objects of one category in a list of possessions (with later gains and losses)."
    public let difficultyScale = """
        Items listed 3, 4, 5, 6, 7, 8, 10, 12, 14, 16 with up to 1, 2, 3, 3, 4, 5, 6, 8, 10, 10 of each; \
        categories 2 (d 1–3), 3 (4–6), 4 (7–10); later changes 0 (d 1–5), 1 (6–7), 2 (8–9), 3 (10).
        """

    static let entryCounts = [3, 4, 5, 6, 7, 8, 10, 12, 14, 16]
    static let maxEach = [1, 2, 3, 3, 4, 5, 6, 8, 10, 10]

    public func make(difficulty: Int, rng: inout RNG) throws -> GeneratedPuzzle<Puzzle> {
        let categoryCount = difficulty <= 3 ? 2 : difficulty <= 6 ? 3 : 4
        let changeCount = difficulty <= 5 ? 0 : difficulty <= 7 ? 1 : difficulty <= 9 ? 2 : 3
        let categories = rng.sample(Vocabulary.objectCategories, categoryCount)
        let target = categories[0].0
        var pool = categories.flatMap { cat in cat.1.map { (cat.0, $0.0, $0.1) } }
        pool = rng.shuffled(pool)
        var entries = pool.prefix(ObjectCountingTask.entryCounts[difficulty - 1]).map { cat, item, plural in
            Entry(item: item, plural: plural, category: cat, count: 1 + rng.below(ObjectCountingTask.maxEach[difficulty - 1]))
        }
        // At least one item of the asked category, usually several.
        if !entries.contains(where: { $0.category == target }), let first = pool.first(where: { $0.0 == target }) {
            entries[0] = Entry(item: first.1, plural: first.2, category: target, count: 1)
        }
        var changes: [Change] = []
        var current = entries.map(\.count)
        for _ in 0..<changeCount {
            let e = rng.below(entries.count)
            let delta = current[e] > 1 && rng.chance(0.5) ? -(1 + rng.below(current[e] - 1)) : 1 + rng.below(3)
            current[e] += delta
            changes.append(Change(entry: e, delta: delta))
        }
        let p = Puzzle(entries: entries, changes: changes, category: target)
        return GeneratedPuzzle(puzzle: p, prompt: prompt(p), answer: String(ObjectCountingTask.total(p)!))
    }

    /// The number of items of the asked category after all changes; nil for malformed data.
    static func total(_ p: Puzzle) -> Int? {
        var counts = p.entries.map(\.count)
        for c in p.changes {
            guard counts.indices.contains(c.entry) else { return nil }
            counts[c.entry] += c.delta
        }
        guard counts.allSatisfy({ $0 >= 0 }) else { return nil }
        return zip(p.entries, counts).filter { $0.0.category == p.category }.map(\.1).reduce(0, +)
    }

    static func quantity(_ n: Int, _ singular: String, _ plural: String) -> String {
        if n == 1 { return ("aeiou".contains(singular.first!) ? "an " : "a ") + singular }
        return "\(n < Vocabulary.numberWords.count ? Vocabulary.numberWords[n] : String(n)) \(plural)"
    }

    func prompt(_ p: Puzzle) -> String {
        let listed = p.entries.map { ObjectCountingTask.quantity($0.count, $0.item, $0.plural) }
        let list = listed.count == 1 ? listed[0] : listed.dropLast().joined(separator: ", ") + ", and " + listed.last!
        var text = "I have \(list)."
        for c in p.changes {
            let e = p.entries[c.entry]
            let amount = ObjectCountingTask.quantity(abs(c.delta), e.item, e.plural)
            text += c.delta > 0 ? " Then I get \(c.delta == 1 ? "one more \(e.item)" : "\(amount) more")."
                                : " Then I give away \(amount)."
        }
        return """
            \(text) How many \(p.category) do I have now?

            \(AnswerTag.instruction("Write the number in digits, for example `7`."))
            """
    }

    public func check(_ answer: String, puzzle p: Puzzle) -> Verdict {
        guard let expected = ObjectCountingTask.total(p) else { return .fail("malformed puzzle metadata") }
        let word = AnswerParsing.strip(answer.trimmingWhitespace()).lowercased()
        guard let given = AnswerParsing.integer(answer) ?? Vocabulary.numberWords.firstIndex(of: word) else {
            return .fail("the answer is not a whole number")
        }
        return given == expected ? .pass() : .fail("counted \(given)")
    }
}
