import FulgurSupport

/// Web of lies: each person either always tells the truth or always lies; from their
/// statements (and a few stated facts) find every truth-teller. Exactly one assignment is
/// consistent (checked by enumerating all 2^n). The checker tests the answered assignment
/// against every fact and statement.
public struct WebOfLiesTask: PuzzleTask {
    public enum Claim: String, Codable, Sendable {
        case truthful, liar, bothTruthful, bothLiars, exactlyOneLiar, atLeastOneLiar, sameKind
    }
    public struct Statement: Codable, Sendable, Hashable {
        public var speaker: Int
        public var claim: Claim
        public var about: [Int]
    }
    public struct Fact: Codable, Sendable, Hashable {
        public var person: Int
        public var truthful: Bool
    }
    public struct Puzzle: Codable, Sendable {
        public var people: [String]
        public var facts: [Fact]
        public var statements: [Statement]
    }

    public init() {}
    public let name = "web_of_lies"
    public let summary = "Truth-tellers and liars: from who says what about whom, name everyone who tells the truth."
    public let difficultyScale = """
        1–3: a chain of 3, 4, 5 people, each speaking about the previous one, anchored by one fact; \
        4–10: 5, 6, 7, 8, 9, 10, 12 people with random statements, an increasing share of compound claims \
        (both / exactly one / at least one / same kind), facts only when needed for uniqueness.
        """

    static func evaluate(_ s: Statement, _ truth: [Bool]) -> Bool {
        let x = truth[s.about[0]], y = s.about.count > 1 ? truth[s.about[1]] : false
        switch s.claim {
        case .truthful: return x
        case .liar: return !x
        case .bothTruthful: return x && y
        case .bothLiars: return !x && !y
        case .exactlyOneLiar: return x != y
        case .atLeastOneLiar: return !x || !y
        case .sameKind: return x == y
        }
    }

    static func consistent(_ p: Puzzle, _ truth: [Bool]) -> Bool {
        p.facts.allSatisfy { truth[$0.person] == $0.truthful }
            && p.statements.allSatisfy { truth[$0.speaker] == evaluate($0, truth) }
    }

    /// Consistent assignments, stopping at `limit`.
    static func solutions(_ p: Puzzle, limit: Int) -> [[Bool]] {
        let n = p.people.count
        var out: [[Bool]] = []
        for mask in 0..<(1 << n) {
            let truth = (0..<n).map { mask & (1 << $0) != 0 }
            if consistent(p, truth) { out.append(truth); if out.count >= limit { break } }
        }
        return out
    }

    public func make(difficulty: Int, rng: inout RNG) throws -> GeneratedPuzzle<Puzzle> {
        let n = difficulty <= 3 ? difficulty + 2 : [5, 6, 7, 8, 9, 10, 12][difficulty - 4]
        let people = rng.sample(Vocabulary.names, n)
        let truth = (0..<n).map { _ in rng.chance(0.5) }
        var p = Puzzle(people: people, facts: [], statements: [])
        func honest(_ speaker: Int, _ claim: Claim, _ about: [Int]) -> Statement? {
            let s = Statement(speaker: speaker, claim: claim, about: about)
            return WebOfLiesTask.evaluate(s, truth) == truth[speaker] ? s : nil
        }
        if difficulty <= 3 {
            p.facts = [Fact(person: 0, truthful: truth[0])]
            for i in 1..<n {
                p.statements.append(Statement(speaker: i, claim: truth[i] == truth[i - 1] ? .truthful : .liar, about: [i - 1]))
            }
        } else {
            let compound = 0.15 + 0.1 * Double(difficulty - 4)
            let compoundClaims: [Claim] = [.bothTruthful, .bothLiars, .exactlyOneLiar, .atLeastOneLiar, .sameKind]
            func randomStatement(by speaker: Int) -> Statement {
                while true {
                    let others = (0..<n).filter { $0 != speaker }
                    if rng.chance(compound) {
                        let pair = rng.sample(others, 2)
                        if let s = honest(speaker, rng.pick(compoundClaims), pair) { return s }
                    } else {
                        let x = rng.pick(others)
                        return Statement(speaker: speaker, claim: truth[speaker] == truth[x] ? .truthful : .liar, about: [x])
                    }
                }
            }
            for speaker in rng.shuffled(Array(0..<n)) { p.statements.append(randomStatement(by: speaker)) }
            var extra = 0
            while true {
                let found = WebOfLiesTask.solutions(p, limit: 2)
                if found.count == 1 { break }
                if extra < n {
                    extra += 1
                    let s = randomStatement(by: rng.below(n))
                    if !p.statements.contains(s) { p.statements.append(s) }
                } else {
                    // Pin someone whose status differs between the two solutions found.
                    let person = (0..<n).first { found[0][$0] != found[1][$0] }!
                    p.facts.append(Fact(person: person, truthful: truth[person]))
                }
            }
        }
        let answer = (0..<n).filter { truth[$0] }.map { people[$0] }
        return GeneratedPuzzle(puzzle: p, prompt: prompt(p), answer: answer.isEmpty ? "none" : answer.joined(separator: ", "))
    }

    func sentence(_ p: Puzzle, _ s: Statement) -> String {
        let x = p.people[s.about[0]], y = s.about.count > 1 ? p.people[s.about[1]] : ""
        let claim: String
        switch s.claim {
        case .truthful: claim = "\(x) tells the truth"
        case .liar: claim = "\(x) lies"
        case .bothTruthful: claim = "\(x) and \(y) both tell the truth"
        case .bothLiars: claim = "\(x) and \(y) both lie"
        case .exactlyOneLiar: claim = "exactly one of \(x) and \(y) lies"
        case .atLeastOneLiar: claim = "at least one of \(x) and \(y) lies"
        case .sameKind: claim = "\(x) and \(y) are both truth-tellers or both liars"
        }
        return "\(p.people[s.speaker]) says that \(claim)."
    }

    func prompt(_ p: Puzzle) -> String {
        let facts = p.facts.map { "\(p.people[$0.person]) \($0.truthful ? "tells the truth" : "lies")." }
        let lines = (facts + p.statements.map { sentence(p, $0) }).joined(separator: "\n")
        return """
            Each of these people always tells the truth or always lies: \(p.people.joined(separator: ", ")).

            \(lines)

            Who tells the truth? Exactly one answer is consistent with all of the above.

            \(AnswerTag.instruction("List the names of all truth-tellers separated by commas, in any order, or write `none` if nobody tells the truth."))
            """
    }

    public func check(_ answer: String, puzzle p: Puzzle) -> Verdict {
        let n = p.people.count
        guard (1...20).contains(n),
              p.facts.allSatisfy({ (0..<n).contains($0.person) }),
              p.statements.allSatisfy({ s in (0..<n).contains(s.speaker) && (1...2).contains(s.about.count)
                  && s.about.allSatisfy { (0..<n).contains($0) } })
        else { return .fail("malformed puzzle metadata") }
        let index = Dictionary(p.people.enumerated().map { ($1.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        var items = AnswerParsing.listItems(answer)
        if items == ["none"] || items == ["nobody"] { items = [] }
        var truth = Array(repeating: false, count: n)
        for item in items {
            guard let i = index[item] else { return .fail("'\(item)' is not one of the people") }
            truth[i] = true
        }
        for f in p.facts where truth[f.person] != f.truthful {
            return .fail("contradicts the fact that \(p.people[f.person]) \(f.truthful ? "tells the truth" : "lies")")
        }
        for s in p.statements where truth[s.speaker] != WebOfLiesTask.evaluate(s, truth) {
            return .fail("inconsistent with: \(sentence(p, s))")
        }
        return .pass()
    }
}
