import Foundation
@testable import FulgurRewards
import FulgurSupport
import Testing

/// Verifiers against published puzzles and answers (independent reference values), plus the
/// SynLogic verifier bugs we must not repeat.
@Suite struct VerifierTests {
    func instance<T: PuzzleTask>(_ env: T, _ puzzle: T.Puzzle) throws -> TaskInstance {
        TaskInstance(id: "x", prompt: "", answer: "", task: env.name, difficulty: 1, metadata: try env.encodeMetadata(puzzle))
    }
    func reward<T: PuzzleTask>(_ env: T, _ puzzle: T.Puzzle, _ answer: String) throws -> Double {
        env.score(try instance(env, puzzle), response: "<answer>\(answer)</answer>").reward
    }

    /// The Sudoku from Wikipedia's "Sudoku" article and its published solution.
    @Test func wikipediaSudoku() throws {
        let puzzle = ["53..7....", "6..195...", ".98....6.", "8...6...3", "4..8.3..1", "7...2...6", ".6....28.",
                      "...419..5", "....8..79"].map { $0.map { $0.wholeNumberValue ?? 0 } }
        let solution = ["534678912", "672195348", "198342567", "859761423", "426853791", "713924856", "961537284",
                        "287419635", "345286179"]
        var solver = try #require(SudokuSolver(n: 9, boxRows: 3, boxCols: 3, cells: puzzle.flatMap { $0 }))
        #expect(solver.countSolutions(limit: 5) == 1)
        let p = SudokuTask.Puzzle(size: 9, boxRows: 3, boxCols: 3, givens: puzzle)
        #expect(try reward(SudokuTask(), p, solution.joined(separator: "\n")) == 1)
        #expect(try reward(SudokuTask(), p, solution.map { $0.map(String.init).joined(separator: " ") }.joined(separator: "\n")) == 1)
        var wrong = solution
        wrong[0] = "534678921"       // swaps two cells of row 1: rows still fine, columns not
        #expect(try reward(SudokuTask(), p, wrong.joined(separator: "\n")) == 0)
        // A valid grid that ignores the givens.
        let shifted = solution.map { String($0.map { Character(String($0.wholeNumberValue! % 9 + 1)) }) }
        #expect(SudokuTask().check(shifted.joined(separator: "\n"), puzzle: p).reason.contains("changes the given"))
    }

    /// SEND + MORE = MONEY has the single solution 9567 + 1085 = 10652.
    @Test func sendMoreMoney() throws {
        let found = CryptarithmSolver(addends: ["SEND", "MORE"], result: "MONEY", hints: [:]).solve(limit: 5)
        #expect(found.count == 1)
        #expect(found.first == ["S": 9, "E": 5, "N": 6, "D": 7, "M": 1, "O": 0, "R": 8, "Y": 2])
        let p = CryptarithmTask.Puzzle(addends: ["SEND", "MORE"], result: "MONEY", hints: [:])
        #expect(try reward(CryptarithmTask(), p, "S=9, E=5, N=6, D=7, M=1, O=0, R=8, Y=2") == 1)
        #expect(try reward(CryptarithmTask(), p, "s = 9\ne = 5\nn = 6\nd = 7\nm = 1\no = 0\nr = 8\ny = 2") == 1)
        #expect(try reward(CryptarithmTask(), p, "S=9, E=5, N=6, D=7, M=1, O=0, R=8") == 0)          // Y missing
        #expect(try reward(CryptarithmTask(), p, "S=9, E=5, N=6, D=7, M=1, O=0, R=8, Y=2, Z=3") == 0) // unknown letter
        #expect(try reward(CryptarithmTask(), p, "9567 + 1085 = 10652") == 0)                          // not the format
    }

    /// Game of 24 with 3 3 8 8: the only solution is 8 / (3 - 8 / 3).
    @Test func gameOf24TargetIsChecked() throws {
        let p = CountdownTask.Puzzle(numbers: [3, 3, 8, 8], target: 24)
        #expect(try reward(CountdownTask(), p, "8 / (3 - 8 / 3)") == 1)
        #expect(try reward(CountdownTask(), p, "8/(3-8/3) = 24") == 1)
        #expect(try reward(CountdownTask(), p, "8 ÷ (3 − 8 ÷ 3)") == 1)
        // SynLogic's verifier scored any well-formed expression over the right numbers as correct.
        #expect(try reward(CountdownTask(), p, "8 + 8 + 3 + 3") == 0)
        #expect(try reward(CountdownTask(), p, "(8 + 8 + 3 + 3) = 24") == 0)
        #expect(try reward(CountdownTask(), p, "8 / (3 - 8 / 3) = 25") == 0)
        #expect(try reward(CountdownTask(), p, "8 * 3") == 0)                        // not all numbers
        #expect(try reward(CountdownTask(), p, "8 * 3 * (8 / 8)") == 0)              // 8 three times
        #expect(try reward(CountdownTask(), p, "33 - 8 - 8 + 7") == 0)               // joined digits
        #expect(try reward(CountdownTask(), p, "8 / (3 - 3) + 8") == 0)              // division by zero
        #expect(CountdownTask.solve([3, 3, 8, 8].map { (Rational($0), .number($0)) }, target: Rational(24)) != nil)
        #expect(CountdownTask.solve([1, 1, 1, 1].map { (Rational($0), .number($0)) }, target: Rational(24)) == nil)
    }

    /// Wikipedia's examples: Caesar shift 3 on the pangram, Vigenère ATTACKATDAWN with key LEMON.
    @Test func classicalCiphers() throws {
        #expect(CipherTask.apply(.caesar, key: "3", to: "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG", decrypt: false)
                == "WKH TXLFN EURZQ IRA MXPSV RYHU WKH ODCB GRJ")
        #expect(CipherTask.apply(.vigenere, key: "LEMON", to: "ATTACKATDAWN", decrypt: false) == "LXFOPVEFRNHR")
        #expect(CipherTask.apply(.vigenere, key: "LEMON", to: "LXFOPVEFRNHR", decrypt: true) == "ATTACKATDAWN")
        let key = "QWERTYUIOPASDFGHJKLZXCVBNM"
        let enc = CipherTask.apply(.substitution, key: key, to: "HELLO WORLD", decrypt: false)!
        #expect(enc == "ITSSG VGKSR")
        #expect(CipherTask.apply(.substitution, key: key, to: enc, decrypt: true) == "HELLO WORLD")
        let p = CipherTask.Puzzle(cipher: .vigenere, mode: .encrypt, key: "LEMON", input: "ATTACK AT DAWN", output: "LXFOPV EF RNHR")
        #expect(try reward(CipherTask(), p, "LXFOPV EF RNHR") == 1)
        #expect(try reward(CipherTask(), p, "lxfopv ef rnhr.") == 1)
        #expect(try reward(CipherTask(), p, "LXFOPV EF RNHS") == 0)
        #expect(try reward(CipherTask(), p, "[[\"LXFOPVEFRNHR\"]]") == 0)   // SynLogic's eval'd list form is not parsed
    }

    /// BIG-Bench dyck_languages example: "[ { [" is completed by "] } ]".
    @Test func dyck() throws {
        let p = DyckCompletionTask.Puzzle(prefix: "[{[")
        #expect(try reward(DyckCompletionTask(), p, "] } ]") == 1)
        #expect(try reward(DyckCompletionTask(), p, "]}]") == 1)
        #expect(try reward(DyckCompletionTask(), p, "[ { [ ] } ]") == 1)
        #expect(try reward(DyckCompletionTask(), p, "] ] }") == 0)
        #expect(try reward(DyckCompletionTask(), p, "] } ] ()") == 0)
    }

    /// BIG-Bench boolean_expressions examples: "not ( True ) and ( True )" is False,
    /// "True and not not ( not False )" is True.
    @Test func booleanExpressions() throws {
        typealias E = BooleanExpressionsTask.Expr
        let a = E.and(.not(.lit(true)), .lit(true))
        let b = E.and(.lit(true), .not(.not(.not(.lit(false)))))
        #expect(a.value == false && b.value == true)
        #expect(a.text(minimal: true) == "not True and True")
        let orAnd = E.or(.lit(false), .and(.lit(true), .lit(false)))
        #expect(orAnd.text(minimal: true) == "False or True and False")
        #expect(E.and(.or(.lit(false), .lit(true)), .lit(true)).text(minimal: true) == "( False or True ) and True")
        let p = BooleanExpressionsTask.Puzzle(expressions: ["x", "y", "z"], values: [false, true, true])
        #expect(try reward(BooleanExpressionsTask(), p, "B, C") == 1)
        #expect(try reward(BooleanExpressionsTask(), p, "C and B") == 1)
        #expect(try reward(BooleanExpressionsTask(), p, "B") == 0)
        #expect(try reward(BooleanExpressionsTask(), p, "B, C, D") == 0)
        #expect(try reward(BooleanExpressionsTask(), BooleanExpressionsTask.Puzzle(expressions: ["x"], values: [false]), "none") == 1)
    }

    /// BIG-Bench web_of_lies example: Fidel lies; Jerry says Fidel tells the truth; Vina says
    /// Jerry tells the truth; Millicent says Vina lies; Raymond says Millicent lies. Only
    /// Millicent tells the truth.
    @Test func webOfLies() throws {
        typealias S = WebOfLiesTask.Statement
        let p = WebOfLiesTask.Puzzle(
            people: ["Fidel", "Jerry", "Vina", "Millicent", "Raymond"], facts: [.init(person: 0, truthful: false)],
            statements: [S(speaker: 1, claim: .truthful, about: [0]), S(speaker: 2, claim: .truthful, about: [1]),
                         S(speaker: 3, claim: .liar, about: [2]), S(speaker: 4, claim: .liar, about: [3])])
        #expect(WebOfLiesTask.solutions(p, limit: 5).count == 1)
        #expect(try reward(WebOfLiesTask(), p, "Millicent") == 1)
        #expect(try reward(WebOfLiesTask(), p, "millicent.") == 1)
        #expect(try reward(WebOfLiesTask(), p, "Millicent, Raymond") == 0)
        #expect(try reward(WebOfLiesTask(), p, "none") == 0)
        #expect(try reward(WebOfLiesTask(), p, "Millicent, Bob") == 0)
    }

    /// Hand-made arrow maze: the 2 at the left sends a ray of two arrows to the right; the 1
    /// below sends one arrow up-right.
    @Test func arrowMazeRules() throws {
        let p = ArrowMazeTask.Puzzle(grid: [["2", ".", "."], ["1", ".", "0"]])
        #expect(try reward(ArrowMazeTask(), p, "2 → →\n1 ↗ 0") == 0)      // no number behind the ↗
        #expect(try reward(ArrowMazeTask(), p, "2 → →\n1 → 0") == 1)
        #expect(try reward(ArrowMazeTask(), p, "2 → ←\n1 → 0") == 0)      // ← not on a ray
        #expect(try reward(ArrowMazeTask(), p, "2 ↓ →\n1 → 0") == 0)
        #expect(try reward(ArrowMazeTask(), p, "3 → →\n1 → 0") == 0)      // number changed
        let prefilled = ArrowMazeTask.Puzzle(grid: [["2", "→", "."], ["1", ".", "0"]])
        #expect(try reward(ArrowMazeTask(), prefilled, "2 → →\n1 → 0") == 1)
    }

    @Test func zebraByHand() throws {
        typealias C = ZebraModel.Clue
        typealias I = ZebraModel.Item
        let p = ZebraTask.Puzzle(
            houses: 2, attributes: [.init(name: "color", values: ["red", "blue"]), .init(name: "pet", values: ["dogs", "cats"])],
            clues: [C(relation: .at, a: I(attribute: 0, value: 0), b: nil, house: 1),
                    C(relation: .same, a: I(attribute: 1, value: 1), b: I(attribute: 0, value: 0), house: nil)])
        #expect(ZebraModel(houses: 2, attributes: 2).countSolutions(p.clues, limit: 5) == 1)
        #expect(try reward(ZebraTask(), p, "House 1: blue, dogs\nHouse 2: red, cats") == 1)
        #expect(try reward(ZebraTask(), p, "house 2: Cats, Red\n1. dogs, blue") == 1)
        #expect(try reward(ZebraTask(), p, "| 1 | blue | dogs |\n| 2 | red | cats |") == 1)
        #expect(try reward(ZebraTask(), p, "House 1: red, cats\nHouse 2: blue, dogs") == 0)
        #expect(try reward(ZebraTask(), p, "House 1: blue, dogs") == 0)
        #expect(try reward(ZebraTask(), p, "House 1: blue, dogs\nHouse 1: red, cats") == 0)
        #expect(try reward(ZebraTask(), p, "House 1: blue, red\nHouse 2: dogs, cats") == 0)
    }

    @Test func objectCounting() throws {
        let e = { (i: String, c: String, n: Int) in ObjectCountingTask.Entry(item: i, plural: i + "s", category: c, count: n) }
        let p = ObjectCountingTask.Puzzle(entries: [e("apple", "fruits", 2), e("piano", "musical instruments", 1), e("plum", "fruits", 3)],
                                          changes: [.init(entry: 0, delta: -1)], category: "fruits")
        #expect(ObjectCountingTask.total(p) == 4)
        #expect(try reward(ObjectCountingTask(), p, "4") == 1)
        #expect(try reward(ObjectCountingTask(), p, "four") == 1)
        #expect(try reward(ObjectCountingTask(), p, "5") == 0)
        #expect(try reward(ObjectCountingTask(), p, "4 fruits and 1 piano") == 0)
    }

    @Test func wordSortingOrder() throws {
        let p = WordSortingTask.Puzzle(words: ["pear", "apple", "peach", "apricot"], descending: false)
        #expect(try reward(WordSortingTask(), p, "apple apricot peach pear") == 1)
        #expect(try reward(WordSortingTask(), p, "apple, apricot, peach, pear") == 1)
        #expect(try reward(WordSortingTask(), p, "apple apricot pear peach") == 0)
        #expect(try reward(WordSortingTask(), p, "apple apricot peach") == 0)
        let down = WordSortingTask.Puzzle(words: p.words, descending: true)
        #expect(try reward(WordSortingTask(), down, "pear peach apricot apple") == 1)
    }

    @Test func vocabularyIsClean() {
        #expect(Set(Vocabulary.words).count == Vocabulary.words.count)
        #expect(Vocabulary.words.count >= 400)
        #expect(Vocabulary.words.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isLowercase } && (3...10).contains($0.count) })
        #expect(Set(Vocabulary.names).count == Vocabulary.names.count)
    }
}
