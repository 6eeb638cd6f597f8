import FulgurSupport

/// Futoshiki: fill an n×n grid with 1…n, each once per row and column, respecting the
/// inequality signs between adjacent cells. Unique solution: constraints are added until the
/// solver finds one solution, then removed while it stays unique (givens first).
public struct FutoshikiTask: PuzzleTask {
    public struct Puzzle: Codable, Sendable {
        public var size: Int
        /// Row-major rows; 0 marks an empty cell.
        public var givens: [[Int]]
        /// Each entry [r1, c1, r2, c2] (0-based, adjacent cells) means cell(r1,c1) < cell(r2,c2).
        public var less: [[Int]]
    }

    public init() {}
    public let name = "futoshiki"
    public let summary = "Futoshiki: a Latin square with inequality signs between neighbours; unique solution."
    public let difficultyScale = """
        Side 4, 4, 5, 5, 6, 6, 7, 7, 8, 8 for difficulties 1–10; the odd levels keep about n/2 extra \
        givens beyond a minimal set, the even levels keep a minimal set of givens and signs.
        """

    static func level(_ d: Int) -> (size: Int, extraGivens: Int) {
        let size = [4, 4, 5, 5, 6, 6, 7, 7, 8, 8][d - 1]
        return (size, d % 2 == 1 ? size / 2 : 0)
    }

    public func make(difficulty: Int, rng: inout RNG) throws -> GeneratedPuzzle<Puzzle> {
        let (n, extra) = FutoshikiTask.level(difficulty)
        var filler = FutoshikiSolver(n: n, givens: Array(repeating: 0, count: n * n), less: [])
        guard filler.fillRandomly(rng: &rng) else {
            throw LogicTaskError.generationFailed(task: name, detail: "could not fill a Latin square")
        }
        let solution = filler.solution

        // Every true relation between neighbours, oriented small → large.
        var relations: [(Int, Int)] = []
        for r in 0..<n {
            for c in 0..<n {
                let i = r * n + c
                for j in [c + 1 < n ? i + 1 : -1, r + 1 < n ? i + n : -1] where j >= 0 {
                    relations.append(solution[i] < solution[j] ? (i, j) : (j, i))
                }
            }
        }
        relations = rng.shuffled(relations)
        var givenCells = rng.shuffled(Array(0..<(n * n)))
        var givens = Array(repeating: 0, count: n * n)
        var less: [(Int, Int)] = []
        func unique() -> Bool {
            var s = FutoshikiSolver(n: n, givens: givens, less: less)
            return s.countSolutions(limit: 2) == 1
        }
        while !unique() {
            if !relations.isEmpty && (givenCells.isEmpty || rng.chance(0.7)) {
                less.append(relations.removeLast())
            } else if let cell = givenCells.popLast() {
                givens[cell] = solution[cell]
            } else {
                throw LogicTaskError.generationFailed(task: name, detail: "no unique puzzle")
            }
        }
        // Minimise: givens first, then signs.
        for cell in rng.shuffled((0..<(n * n)).filter { givens[$0] != 0 }) {
            givens[cell] = 0
            if !unique() { givens[cell] = solution[cell] }
        }
        for rel in rng.shuffled(less) {
            let kept = less
            less.removeAll { $0 == rel }
            if !unique() { less = kept }
        }
        for cell in rng.shuffled((0..<(n * n)).filter { givens[$0] == 0 }).prefix(extra) { givens[cell] = solution[cell] }

        let p = Puzzle(size: n, givens: LatinGrid.rows(givens, n),
                       less: less.sorted { $0 < $1 }.map { [$0.0 / n, $0.0 % n, $0.1 / n, $0.1 % n] })
        return GeneratedPuzzle(puzzle: p, prompt: prompt(p), answer: LatinGrid.text(LatinGrid.rows(solution, n)))
    }

    func prompt(_ p: Puzzle) -> String {
        let n = p.size
        // Picture: cells joined by " < ", " > " or three spaces; under each row, ∧ (upper < lower) or ∨.
        func rel(_ a: (Int, Int), _ b: (Int, Int)) -> Int {    // -1: a<b, 1: a>b, 0: none
            for l in p.less {
                if (l[0], l[1]) == a && (l[2], l[3]) == b { return -1 }
                if (l[0], l[1]) == b && (l[2], l[3]) == a { return 1 }
            }
            return 0
        }
        var picture: [String] = []
        for r in 0..<n {
            var line = ""
            for c in 0..<n {
                if c > 0 { line += [" < ", "   ", " > "][rel((r, c - 1), (r, c)) + 1] }
                line += p.givens[r][c] == 0 ? "." : String(p.givens[r][c])
            }
            picture.append(line)
            if r + 1 < n {
                let signs = (0..<n).map { c in ["∧", " ", "∨"][rel((r, c), (r + 1, c)) + 1] }.joined(separator: "   ")
                picture.append(String(signs.reversed().drop(while: { $0 == " " }).reversed()))
            }
        }
        let list = p.less.map { "(\($0[0] + 1),\($0[1] + 1)) < (\($0[2] + 1),\($0[3] + 1))" }.joined(separator: ", ")
        return """
            Solve this \(n)×\(n) Futoshiki puzzle. Fill every empty cell ('.') with a digit from 1 to \(n) so that each \
            row and each column contains every digit exactly once, and every inequality holds. In the picture, \
            < and > compare horizontal neighbours; ∧ means the cell above is smaller than the cell below, ∨ that \
            it is larger.

            \(picture.joined(separator: "\n"))

            The same inequalities as (row,column) pairs: \(list.isEmpty ? "none" : list).
            The puzzle has exactly one solution.

            \(AnswerTag.instruction("Write the completed grid as \(n) lines of \(n) digits, one line per row (for example `\((1...n).map(String.init).joined())`)."))
            """
    }

    public func check(_ answer: String, puzzle p: Puzzle) -> Verdict {
        let n = p.size
        guard (2...9).contains(n), p.givens.count == n, p.givens.allSatisfy({ $0.count == n }),
              p.less.allSatisfy({ $0.count == 4 && $0.allSatisfy { (0..<n).contains($0) } })
        else { return .fail("malformed puzzle metadata") }
        let grid: [[Int]]
        switch LatinGrid.parseAndCheck(answer, givens: p.givens) {
        case .failure(let f): return .fail(f.reason)
        case .success(let g): grid = g
        }
        for l in p.less where !(grid[l[0]][l[1]] < grid[l[2]][l[3]]) {
            return .fail("(\(l[0] + 1),\(l[1] + 1)) < (\(l[2] + 1),\(l[3] + 1)) does not hold")
        }
        return .pass()
    }
}
