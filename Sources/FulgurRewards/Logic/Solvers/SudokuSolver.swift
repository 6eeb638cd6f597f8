import FulgurSupport

/// A bitmask backtracking Sudoku solver (most-constrained cell first) for n×n grids with
/// boxRows×boxCols boxes (n ≤ 16). Used to build full grids and to prove a puzzle has
/// exactly one solution.
struct SudokuSolver {
    let n: Int, boxRows: Int, boxCols: Int
    private(set) var cells: [Int]          // row-major, 0 = empty
    private var rowUsed: [UInt32], colUsed: [UInt32], boxUsed: [UInt32]
    private let all: UInt32
    /// Set while filling randomly: shuffles the order in which candidate digits are tried.
    private var shuffler: RNG?

    /// nil when the givens already clash (a digit twice in a row, column or box).
    init?(n: Int, boxRows: Int, boxCols: Int, cells: [Int]) {
        precondition(boxRows * boxCols == n && cells.count == n * n)
        self.n = n; self.boxRows = boxRows; self.boxCols = boxCols
        self.cells = Array(repeating: 0, count: n * n)
        rowUsed = Array(repeating: 0, count: n); colUsed = rowUsed; boxUsed = rowUsed
        all = (UInt32(1) << UInt32(n)) - 1
        for (i, v) in cells.enumerated() where v != 0 {
            guard (1...n).contains(v), candidates(i) & bit(v) != 0 else { return nil }
            place(i, v)
        }
    }

    @inline(__always) private func bit(_ v: Int) -> UInt32 { UInt32(1) << UInt32(v - 1) }
    @inline(__always) private func box(_ i: Int) -> Int {
        let r = i / n, c = i % n
        return (r / boxRows) * boxRows + c / boxCols
    }
    @inline(__always) private func candidates(_ i: Int) -> UInt32 {
        all & ~(rowUsed[i / n] | colUsed[i % n] | boxUsed[box(i)])
    }
    private mutating func place(_ i: Int, _ v: Int) {
        cells[i] = v
        rowUsed[i / n] |= bit(v); colUsed[i % n] |= bit(v); boxUsed[box(i)] |= bit(v)
    }
    private mutating func clear(_ i: Int) {
        let b = ~bit(cells[i])
        rowUsed[i / n] &= b; colUsed[i % n] &= b; boxUsed[box(i)] &= b
        cells[i] = 0
    }

    /// The empty cell with the fewest candidates, or nil when the grid is full.
    /// `dead` is set when some empty cell has no candidate at all.
    private func mostConstrained() -> (cell: Int, mask: UInt32)? {
        var best = -1, bestCount = Int.max, bestMask: UInt32 = 0
        for i in 0..<(n * n) where cells[i] == 0 {
            let m = candidates(i)
            let c = m.nonzeroBitCount
            if c < bestCount {
                best = i; bestCount = c; bestMask = m
                if c <= 1 { break }
            }
        }
        return best < 0 ? nil : (best, bestMask)
    }

    /// Counts solutions, stopping at `limit`. The grid is left as it was.
    mutating func countSolutions(limit: Int) -> Int {
        var found = 0
        search(limit: limit, found: &found, keepFirst: false)
        return found
    }

    /// Fills the grid with a uniformly shuffled search order; returns false when unsolvable.
    mutating func fillRandomly(rng: inout RNG) -> Bool {
        var found = 0
        shuffler = rng
        search(limit: 1, found: &found, keepFirst: true)
        rng = shuffler!
        shuffler = nil
        return found == 1
    }

    /// Returns true when it stopped with the first solution kept in `cells` (keepFirst).
    @discardableResult
    private mutating func search(limit: Int, found: inout Int, keepFirst: Bool) -> Bool {
        guard let (cell, mask) = mostConstrained() else {
            found += 1
            return keepFirst
        }
        if mask == 0 { return false }
        var values: [Int] = []
        var m = mask
        while m != 0 { values.append(m.trailingZeroBitCount + 1); m &= m - 1 }
        if shuffler != nil { shuffler!.shuffle(&values) }
        for v in values {
            place(cell, v)
            if search(limit: limit, found: &found, keepFirst: keepFirst) { return true }
            clear(cell)
            if found >= limit { return false }
        }
        return false
    }
}
