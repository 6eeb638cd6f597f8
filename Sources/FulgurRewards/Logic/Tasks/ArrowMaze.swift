import FulgurSupport

/// Arrow maze (SynLogic's arrow_maze rules): a grid of numbers and empty cells. Fill every
/// empty cell with one of the eight arrows ↑ ↓ ← → ↖ ↗ ↘ ↙ so that
/// - every arrow lies on a ray: walking backwards from it (against its direction) over arrows
///   of the same direction reaches a number;
/// - each number equals the total length of the rays leaving it (in all eight directions, the
///   contiguous run of arrows pointing away from it, starting next to it).
/// Puzzles can have several solutions; the checker verifies the rules, not a stored grid.
public struct ArrowMazeTask: PuzzleTask {
    public struct Puzzle: Codable, Sendable {
        /// Rows of cells: a number ("3"), an empty cell ("."), or a pre-filled arrow.
        public var grid: [[String]]
    }

    public init() {}
    public let name = "arrow_maze"
    public let summary = "Arrow maze: fill the grid with arrows so each number equals the length of the rays it emits."
    public let difficultyScale = """
        Grid side 3, 4, 4, 5, 5, 6, 6, 7, 8, 9 for difficulties 1–10; share of arrows pre-filled \
        50%, 40%, 30%, 30%, 20%, 20%, 10%, 10%, 0%, 0%.
        """

    static let sides = [3, 4, 4, 5, 5, 6, 6, 7, 8, 9]
    static let prefill = [0.5, 0.4, 0.3, 0.3, 0.2, 0.2, 0.1, 0.1, 0, 0]
    /// Arrow glyphs and their (row, column) steps.
    static let arrows: [(glyph: String, dr: Int, dc: Int)] = [
        ("↑", -1, 0), ("↓", 1, 0), ("←", 0, -1), ("→", 0, 1), ("↖", -1, -1), ("↗", -1, 1), ("↘", 1, 1), ("↙", 1, -1),
    ]

    enum Cell: Equatable { case empty, number, arrow(Int) }

    public func make(difficulty: Int, rng: inout RNG) throws -> GeneratedPuzzle<Puzzle> {
        let n = ArrowMazeTask.sides[difficulty - 1]
        var cells = Array(repeating: Array(repeating: Cell.empty, count: n), count: n)
        func inside(_ r: Int, _ c: Int) -> Bool { r >= 0 && c >= 0 && r < n && c < n }
        // Cover cells in random order. For a cell, pick a direction and walk backwards: existing
        // arrows of that direction are part of a ray; empty cells become arrows of the ray, and
        // the walk ends at a number (possibly an empty cell turned into one). A cell no ray can
        // reach becomes a number itself.
        for start in rng.shuffled(Array(0..<(n * n))) {
            let (r0, c0) = (start / n, start % n)
            guard cells[r0][c0] == .empty else { continue }
            var placed = false
            for d in rng.shuffled(Array(0..<8)) {
                let (dr, dc) = (ArrowMazeTask.arrows[d].dr, ArrowMazeTask.arrows[d].dc)
                var path = [(r0, c0)]
                var (r, c) = (r0 - dr, c0 - dc)
                var origin: (Int, Int)?
                while inside(r, c) {
                    if cells[r][c] == .number { origin = (r, c); break }
                    if cells[r][c] == .arrow(d) { path.append((r, c)); r -= dr; c -= dc; continue }
                    if cells[r][c] != .empty { break }
                    // An empty cell: make it the number here, or extend the ray through it.
                    if rng.chance(0.45) || !inside(r - dr, c - dc) { origin = (r, c); break }
                    path.append((r, c)); r -= dr; c -= dc
                }
                guard let (orow, ocol) = origin else { continue }
                cells[orow][ocol] = .number
                for (pr, pc) in path { cells[pr][pc] = .arrow(d) }
                placed = true
                break
            }
            if !placed { cells[r0][c0] = .number }
        }
        let solution = cells.map { row in row.map { cell -> String in
            if case .arrow(let d) = cell { return ArrowMazeTask.arrows[d].glyph }
            return "0"
        } }
        var full = solution
        for r in 0..<n { for c in 0..<n where cells[r][c] == .number { full[r][c] = String(ArrowMazeTask.rayTotal(solution, r, c)) } }
        var grid = full
        for r in 0..<n {
            for c in 0..<n where cells[r][c] != .number && !rng.chance(ArrowMazeTask.prefill[difficulty - 1]) { grid[r][c] = "." }
        }
        let p = Puzzle(grid: grid)
        return GeneratedPuzzle(puzzle: p, prompt: prompt(p), answer: full.map { $0.joined(separator: " ") }.joined(separator: "\n"))
    }

    /// Total length of the rays leaving the cell (r, c) of a filled grid of glyphs/numbers.
    static func rayTotal(_ g: [[String]], _ r: Int, _ c: Int) -> Int {
        var total = 0
        for a in arrows {
            var (rr, cc) = (r + a.dr, c + a.dc)
            while rr >= 0, cc >= 0, rr < g.count, cc < g[rr].count, g[rr][cc] == a.glyph {
                total += 1; rr += a.dr; cc += a.dc
            }
        }
        return total
    }

    func prompt(_ p: Puzzle) -> String {
        let grid = p.grid.map { $0.joined(separator: " ") }.joined(separator: "\n")
        return """
            Solve this arrow maze. The grid has \(p.grid.count) rows and \(p.grid.first?.count ?? 0) columns; \
            numbers are fixed, '.' marks an empty cell and arrows already shown are fixed too.

            \(grid)

            Rules: put one of the eight arrows ↑ ↓ ← → ↖ ↗ ↘ ↙ in every empty cell. A number sends out rays: in each \
            of the eight directions, its ray is the unbroken run of arrows that point in that direction, starting \
            in the cell next to the number. Each number must equal the total length of its rays. Every arrow must \
            belong to a ray: going backwards from it (against its direction) over arrows of the same direction \
            must reach a number.

            \(AnswerTag.instruction("Write the full grid, one row per line, cells separated by spaces, keeping the numbers in place (for example `2 → ↓`)."))
            """
    }

    public func check(_ answer: String, puzzle p: Puzzle) -> Verdict {
        let rows = p.grid.count, cols = p.grid.first?.count ?? 0
        guard (1...30).contains(rows), (1...30).contains(cols), p.grid.allSatisfy({ $0.count == cols }) else {
            return .fail("malformed puzzle metadata")
        }
        let glyphs = Set(ArrowMazeTask.arrows.map(\.glyph))
        let lines = AnswerParsing.lines(answer).map {
            $0.split(whereSeparator: { $0.isWhitespace || $0 == "," || $0 == "|" }).map(String.init)
        }.filter { !$0.isEmpty }
        guard lines.count == rows else { return .fail("expected \(rows) rows, found \(lines.count)") }
        for (r, line) in lines.enumerated() {
            guard line.count == cols else { return .fail("row \(r + 1) has \(line.count) cells, expected \(cols)") }
            for (c, cell) in line.enumerated() {
                let given = p.grid[r][c]
                if Int(given) != nil {
                    guard Int(cell) == Int(given) else { return .fail("cell (\(r + 1), \(c + 1)) must keep the number \(given)") }
                } else {
                    guard glyphs.contains(cell) else { return .fail("cell (\(r + 1), \(c + 1)) holds '\(cell)', not an arrow") }
                    if given != "." && given != cell { return .fail("cell (\(r + 1), \(c + 1)) must keep the given \(given)") }
                }
            }
        }
        // Every arrow on a ray.
        for r in 0..<rows {
            for c in 0..<cols {
                guard let a = ArrowMazeTask.arrows.first(where: { $0.glyph == lines[r][c] }) else { continue }
                var (rr, cc) = (r - a.dr, c - a.dc)
                while rr >= 0, cc >= 0, rr < rows, cc < cols, lines[rr][cc] == a.glyph { rr -= a.dr; cc -= a.dc }
                guard rr >= 0, cc >= 0, rr < rows, cc < cols, Int(lines[rr][cc]) != nil else {
                    return .fail("the arrow at (\(r + 1), \(c + 1)) is not on any number's ray")
                }
            }
        }
        for r in 0..<rows {
            for c in 0..<cols {
                guard let clue = Int(p.grid[r][c]) else { continue }
                let total = ArrowMazeTask.rayTotal(lines, r, c)
                if total != clue { return .fail("the number \(clue) at (\(r + 1), \(c + 1)) has rays of total length \(total)") }
            }
        }
        return .pass()
    }
}
