import FulgurSupport

/// Sudoku with a unique solution: 4×4 (2×2 boxes) at difficulties 1–3, 9×9 (3×3 boxes) at 4–10.
/// Generation fills a random grid, then blanks cells in random order, undoing any removal that
/// would allow a second solution (checked by the solver), until the difficulty's blank count.
/// The checker verifies the rules and the givens, not string equality with the stored answer.
public struct SudokuTask: PuzzleTask {
    public struct Puzzle: Codable, Sendable {
        public var size: Int
        public var boxRows: Int
        public var boxCols: Int
        /// Row-major rows; 0 marks an empty cell.
        public var givens: [[Int]]
    }

    public init() {}
    public let name = "sudoku"
    public let summary = "Fill a Sudoku grid (4×4 or 9×9) that has exactly one solution."
    public let difficultyScale = """
        1–3: 4×4 with 6, 9, then as many blanks as uniqueness allows (≈11–12); \
        4–10: 9×9 with 36, 41, 45, 49, 51, 53, then as many blanks as uniqueness allows (≈53–59, mean 56.7).
        """

    /// Target blank cells per difficulty; `Int.max` means "keep removing while unique".
    static let blanks = [6, 9, Int.max, 36, 41, 45, 49, 51, 53, Int.max]

    public func make(difficulty: Int, rng: inout RNG) throws -> GeneratedPuzzle<Puzzle> {
        let size = difficulty <= 3 ? 4 : 9
        let box = size == 4 ? 2 : 3
        guard var full = SudokuSolver(n: size, boxRows: box, boxCols: box, cells: Array(repeating: 0, count: size * size)),
              full.fillRandomly(rng: &rng)
        else { throw LogicTaskError.generationFailed(task: name, detail: "could not fill an empty grid") }
        let solution = full.cells
        var puzzle = solution
        var blanks = 0
        let target = SudokuTask.blanks[difficulty - 1]
        for cell in rng.shuffled(Array(0..<(size * size))) {
            if blanks >= target { break }
            let kept = puzzle[cell]
            puzzle[cell] = 0
            var solver = SudokuSolver(n: size, boxRows: box, boxCols: box, cells: puzzle)!
            if solver.countSolutions(limit: 2) == 1 { blanks += 1 } else { puzzle[cell] = kept }
        }
        let p = Puzzle(size: size, boxRows: box, boxCols: box, givens: LatinGrid.rows(puzzle, size))
        return GeneratedPuzzle(puzzle: p, prompt: prompt(p), answer: LatinGrid.text(LatinGrid.rows(solution, size)))
    }

    func prompt(_ p: Puzzle) -> String {
        var grid: [String] = []
        for r in 0..<p.size {
            if r > 0 && r % p.boxRows == 0 {
                grid.append((0..<(p.size / p.boxCols)).map { _ in String(repeating: "-", count: 2 * p.boxCols - 1) }
                    .joined(separator: "-+-"))
            }
            var line = ""
            for c in 0..<p.size {
                if c > 0 { line += c % p.boxCols == 0 ? " | " : " " }
                line += p.givens[r][c] == 0 ? "." : String(p.givens[r][c])
            }
            grid.append(line)
        }
        return """
            Solve this \(p.size)×\(p.size) Sudoku. Fill every empty cell (shown as '.') with a digit from 1 to \
            \(p.size) so that each row, each column and each \(p.boxRows)×\(p.boxCols) box contains every digit \
            from 1 to \(p.size) exactly once. The puzzle has exactly one solution.

            \(grid.joined(separator: "\n"))

            \(AnswerTag.instruction("Write the completed grid as \(p.size) lines of \(p.size) digits, one line per row (for example `\((1...p.size).map(String.init).joined())` for a row)."))
            """
    }

    public func check(_ answer: String, puzzle p: Puzzle) -> Verdict {
        guard [4, 9].contains(p.size), p.boxRows * p.boxCols == p.size, p.givens.count == p.size,
              p.givens.allSatisfy({ $0.count == p.size })
        else { return .fail("malformed puzzle metadata") }
        let grid: [[Int]]
        switch LatinGrid.parseAndCheck(answer, givens: p.givens) {
        case .failure(let f): return .fail(f.reason)
        case .success(let g): grid = g
        }
        let across = p.size / p.boxCols
        for b in 0..<p.size {
            let r0 = (b / across) * p.boxRows, c0 = (b % across) * p.boxCols
            let cells = (0..<p.boxRows).flatMap { dr in (0..<p.boxCols).map { dc in grid[r0 + dr][c0 + dc] } }
            if let d = LatinGrid.repeated(cells) { return .fail("box \(b + 1) repeats \(d)") }
        }
        return .pass()
    }
}
