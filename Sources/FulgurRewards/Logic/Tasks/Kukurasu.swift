import FulgurSupport

/// Kukurasu: shade cells of an n×n grid so that, in every row, the column numbers (1…n) of the
/// shaded cells add up to the row's clue, and in every column the row numbers of its shaded
/// cells add up to the column's clue. Unique solution: when a random grid's clues admit several
/// shadings, cells are revealed until one remains.
public struct KukurasuTask: PuzzleTask {
    public struct Puzzle: Codable, Sendable {
        public var rowClues: [Int]
        public var columnClues: [Int]
        /// Revealed cells: [row, column, 1 = shaded / 0 = empty], 0-based.
        public var known: [[Int]]
    }

    public init() {}
    public let name = "kukurasu"
    public let summary = "Kukurasu: shade grid cells so weighted row and column sums match the clues; unique solution."
    public let difficultyScale = """
        Grid side 3, 4, 4, 5, 5, 6, 6, 7, 7, 8 for difficulties 1–10; about 40% of cells shaded; \
        cells are revealed when needed for uniqueness, plus 2 extra at difficulties 1, 2, 4, 6, 8 \
        (the easier level of each size).
        """

    static let sides = [3, 4, 4, 5, 5, 6, 6, 7, 7, 8]

    public func make(difficulty: Int, rng: inout RNG) throws -> GeneratedPuzzle<Puzzle> {
        let n = KukurasuTask.sides[difficulty - 1]
        var best: ([[Bool]], [[Int]])?
        for _ in 0..<20 {
            let grid = (0..<n).map { _ in (0..<n).map { _ in rng.chance(0.4) } }
            let p = KukurasuTask.clues(grid)
            var known: [[Int]] = []
            // Reveal, each time, a cell on which the solutions found disagree.
            while true {
                let found = KukurasuTask.solve(Puzzle(rowClues: p.rows, columnClues: p.columns, known: known), limit: 32)
                if found.count <= 1 { break }
                // The cell whose true state the fewest of the solutions found share.
                let agreeing = (0..<(n * n)).map { c in found.filter { $0[c / n][c % n] == grid[c / n][c % n] }.count }
                let c = agreeing.indices.min { agreeing[$0] < agreeing[$1] }!
                known.append([c / n, c % n, grid[c / n][c % n] ? 1 : 0])
            }
            if best == nil || known.count < best!.1.count { best = (grid, known) }
            if known.isEmpty { break }
        }
        guard let (grid, minimal) = best else { throw LogicTaskError.generationFailed(task: name, detail: "no grid") }
        var known = minimal
        if difficulty == 1 || (difficulty % 2 == 0 && difficulty < 10) {
            for c in rng.sample(Array(0..<(n * n)), 2) where !known.contains(where: { $0[0] * n + $0[1] == c }) {
                known.append([c / n, c % n, grid[c / n][c % n] ? 1 : 0])
            }
        }
        known.sort { ($0[0], $0[1]) < ($1[0], $1[1]) }
        let clues = KukurasuTask.clues(grid)
        let p = Puzzle(rowClues: clues.rows, columnClues: clues.columns, known: known)
        return GeneratedPuzzle(puzzle: p, prompt: prompt(p), answer: grid.map { $0.map { $0 ? "1" : "0" }.joined() }.joined(separator: "\n"))
    }

    static func clues(_ g: [[Bool]]) -> (rows: [Int], columns: [Int]) {
        let n = g.count
        return ((0..<n).map { r in (0..<n).filter { g[r][$0] }.map { $0 + 1 }.reduce(0, +) },
                (0..<n).map { c in (0..<n).filter { g[$0][c] }.map { $0 + 1 }.reduce(0, +) })
    }

    /// Shadings meeting the clues and known cells, stopping at `limit`. Row by row: each row's
    /// subsets with the right weighted sum, pruned by the column totals still reachable.
    static func solve(_ p: Puzzle, limit: Int) -> [[[Bool]]] {
        let n = p.rowClues.count
        var fixed = Array(repeating: Array(repeating: -1, count: n), count: n)
        for k in p.known { fixed[k[0]][k[1]] = k[2] }
        let options: [[Int]] = (0..<n).map { r in
            (0..<(1 << n)).filter { mask in
                (0..<n).filter { mask >> $0 & 1 == 1 }.map { $0 + 1 }.reduce(0, +) == p.rowClues[r]
                    && (0..<n).allSatisfy { c in fixed[r][c] < 0 || fixed[r][c] == mask >> c & 1 }
            }
        }
        // reachable[k]: bit s set when some subset of the row numbers k…n (1-based) sums to s.
        var reachable = Array(repeating: UInt64(1), count: n + 2)
        if n >= 1 { for k in stride(from: n, through: 1, by: -1) { reachable[k] = reachable[k + 1] | (reachable[k + 1] << UInt64(k)) } }
        var columnSum = Array(repeating: 0, count: n)
        var rows: [Int] = []
        var found: [[[Bool]]] = []
        func search(_ r: Int) {
            if found.count >= limit { return }
            if r == n {
                if columnSum == p.columnClues { found.append(rows.map { m in (0..<n).map { m >> $0 & 1 == 1 } }) }
                return
            }
            // What each column still needs must be a sum of some of the later row numbers (r+2…n).
            let later = reachable[r + 2]
            for mask in options[r] {
                var ok = true
                for c in 0..<n {
                    let need = p.columnClues[c] - columnSum[c] - (mask >> c & 1 == 1 ? r + 1 : 0)
                    if need < 0 || need > 63 || later >> UInt64(need) & 1 == 0 { ok = false; break }
                }
                guard ok else { continue }
                for c in 0..<n where mask >> c & 1 == 1 { columnSum[c] += r + 1 }
                rows.append(mask)
                search(r + 1)
                rows.removeLast()
                for c in 0..<n where mask >> c & 1 == 1 { columnSum[c] -= r + 1 }
            }
        }
        search(0)
        return found
    }

    func prompt(_ p: Puzzle) -> String {
        let n = p.rowClues.count
        let known = p.known.map { "row \($0[0] + 1), column \($0[1] + 1) is \($0[2] == 1 ? "shaded" : "empty")" }
        return """
            Solve this \(n)×\(n) Kukurasu puzzle. Rows are numbered 1 to \(n) from top to bottom and columns 1 to \(n) \
            from left to right. Shade some cells so that:
            - in each row, the column numbers of its shaded cells add up to the row's clue;
            - in each column, the row numbers of its shaded cells add up to the column's clue.

            Row clues (rows 1 to \(n)): \(p.rowClues.map(String.init).joined(separator: ", "))
            Column clues (columns 1 to \(n)): \(p.columnClues.map(String.init).joined(separator: ", "))
            \(known.isEmpty ? "" : "Known cells: \(known.joined(separator: "; ")).\n")
            The puzzle has exactly one solution.

            \(AnswerTag.instruction("Write the grid as \(n) lines of \(n) characters, 1 for a shaded cell and 0 for an empty one (for example `\(String(repeating: "10", count: n).prefix(n))`)."))
            """
    }

    public func check(_ answer: String, puzzle p: Puzzle) -> Verdict {
        let n = p.rowClues.count
        guard (1...12).contains(n), p.columnClues.count == n,
              p.known.allSatisfy({ $0.count == 3 && (0..<n).contains($0[0]) && (0..<n).contains($0[1]) && (0...1).contains($0[2]) })
        else { return .fail("malformed puzzle metadata") }
        var cells: [Bool] = []
        for ch in answer {
            if ch == "1" { cells.append(true) } else if ch == "0" { cells.append(false) }
            else if !(ch.isWhitespace || ",[]()|".contains(ch)) { return .fail("unexpected character '\(ch)'") }
            if cells.count > n * n { break }
        }
        guard cells.count == n * n else { return .fail("expected \(n * n) cells (\(n) rows of \(n)), found \(cells.count)") }
        let g = (0..<n).map { r in Array(cells[(r * n)..<(r * n + n)]) }
        for k in p.known where g[k[0]][k[1]] != (k[2] == 1) {
            return .fail("row \(k[0] + 1), column \(k[1] + 1) must be \(k[2] == 1 ? "shaded" : "empty")")
        }
        let got = KukurasuTask.clues(g)
        if let r = (0..<n).first(where: { got.rows[$0] != p.rowClues[$0] }) {
            return .fail("row \(r + 1) adds up to \(got.rows[r]), not \(p.rowClues[r])")
        }
        if let c = (0..<n).first(where: { got.columns[$0] != p.columnClues[$0] }) {
            return .fail("column \(c + 1) adds up to \(got.columns[c]), not \(p.columnClues[c])")
        }
        return .pass()
    }
}
