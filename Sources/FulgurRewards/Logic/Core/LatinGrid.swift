/// Helpers shared by the digit-grid puzzles (Sudoku, Futoshiki): reshaping, the canonical
/// answer text, and the Latin-square part of checking an answer.
enum LatinGrid {
    /// A row-major flat grid as rows of `n`.
    static func rows(_ flat: [Int], _ n: Int) -> [[Int]] {
        (0..<n).map { Array(flat[($0 * n)..<($0 * n + n)]) }
    }

    /// One line of digits per row: the canonical answer.
    static func text(_ rows: [[Int]]) -> String {
        rows.map { $0.map(String.init).joined() }.joined(separator: "\n")
    }

    /// Parses the answer as an n×n digit grid and checks the givens (0 = blank) are kept and
    /// every row and column holds 1…n once; returns the grid, or the reason it fails.
    static func parseAndCheck(_ answer: String, givens: [[Int]]) -> Result<[[Int]], ParseFailure> {
        let n = givens.count
        let grid: [[Int]]
        switch AnswerParsing.digitGrid(answer, size: n) {
        case .failure(let f): return .failure(f)
        case .success(let g): grid = g
        }
        for r in 0..<n {
            for c in 0..<n where givens[r][c] != 0 && givens[r][c] != grid[r][c] {
                return .failure(ParseFailure("cell (row \(r + 1), column \(c + 1)) changes the given \(givens[r][c]) to \(grid[r][c])"))
            }
        }
        for i in 0..<n {
            if let d = repeated(grid[i]) { return .failure(ParseFailure("row \(i + 1) repeats \(d)")) }
            if let d = repeated(grid.map { $0[i] }) { return .failure(ParseFailure("column \(i + 1) repeats \(d)")) }
        }
        return .success(grid)
    }

    /// A value that occurs twice, if any.
    static func repeated(_ values: [Int]) -> Int? {
        var seen = Set<Int>()
        for v in values where !seen.insert(v).inserted { return v }
        return nil
    }
}
