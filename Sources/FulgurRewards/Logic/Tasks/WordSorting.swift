import FulgurSupport

/// Word sorting: put a list of words in alphabetical (or reverse alphabetical) order.
public struct WordSortingTask: PuzzleTask {
    public struct Puzzle: Codable, Sendable {
        /// The words as shown, lowercase ASCII.
        public var words: [String]
        public var descending: Bool
    }

    public init() {}
    public let name = "word_sorting"
    public let summary = "Sort a list of words alphabetically (ascending or descending)."
    public let difficultyScale = """
        Words 4, 6, 8, 10, 12, 15, 18, 22, 26, 30 for difficulties 1–10; from 5 on the words come in groups \
        sharing their first letter (from 8 on, their first two letters); from 6 on half the tasks ask for \
        descending order.
        """

    static let counts = [4, 6, 8, 10, 12, 15, 18, 22, 26, 30]

    public func make(difficulty: Int, rng: inout RNG) throws -> GeneratedPuzzle<Puzzle> {
        let count = WordSortingTask.counts[difficulty - 1]
        let prefixLength = difficulty <= 4 ? 0 : difficulty <= 7 ? 1 : 2
        var words: [String] = []
        if prefixLength == 0 {
            words = rng.sample(Vocabulary.words, count)
        } else {
            let groups = Dictionary(grouping: Vocabulary.words) { String($0.prefix(prefixLength)) }
                .filter { $0.value.count >= 2 }
            var keys = rng.shuffled(groups.keys.sorted())
            while words.count < count, let k = keys.popLast() {
                let group = rng.shuffled(groups[k]!)
                words += group.prefix(min(group.count, count - words.count, 5))
            }
            if words.count < count {
                words += rng.sample(Vocabulary.words.filter { !words.contains($0) }, count - words.count)
            }
            words = rng.shuffled(words)
        }
        let descending = difficulty >= 6 && rng.chance(0.5)
        let p = Puzzle(words: words, descending: descending)
        return GeneratedPuzzle(puzzle: p, prompt: prompt(p), answer: WordSortingTask.sorted(p).joined(separator: " "))
    }

    /// Byte-wise order of lowercase ASCII words (what "alphabetical" means here).
    static func sorted(_ p: Puzzle) -> [String] {
        let up = p.words.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return p.descending ? up.reversed() : up
    }

    func prompt(_ p: Puzzle) -> String {
        """
        Sort the following words \(p.descending ? "in reverse alphabetical order (Z to A)" : "alphabetically (A to Z)"):
        \(p.words.joined(separator: " "))

        \(AnswerTag.instruction("Write the sorted words separated by single spaces."))
        """
    }

    public func check(_ answer: String, puzzle p: Puzzle) -> Verdict {
        guard !p.words.isEmpty else { return .fail("malformed puzzle metadata") }
        let given = AnswerParsing.listItems(answer)
        let expected = WordSortingTask.sorted(p)
        guard given.sorted() == expected.sorted() else {
            return .fail(given.count == expected.count ? "not the same words as given" : "expected \(expected.count) words, found \(given.count)")
        }
        if let i = zip(given, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            return .fail("out of order at word \(i + 1) ('\(given[i])')")
        }
        return .pass()
    }
}
