import FulgurSupport

/// Solver for Futoshiki: an n×n Latin square (n ≤ 9) with "less than" relations between cells.
/// Each cell has a domain (bitmask of digits) narrowed to a fixpoint by the relations (a < b
/// keeps a below b's largest candidate and b above a's smallest), naked singles and hidden
/// singles in every row and column; then it branches on the smallest domain.
struct FutoshikiSolver {
    let n: Int
    /// Relation k says value(smaller[k]) < value(larger[k]).
    private let smaller: [Int], larger: [Int]
    /// The 2n rows and columns, n cell indices each, flattened.
    private let units: [Int]
    private var start: [UInt16]
    private var shuffler: RNG?
    /// The first solution found by the last search (row-major digits).
    private(set) var solution: [Int] = []

    /// `less` holds pairs (a, b) of flat cell indices meaning value(a) < value(b).
    init(n: Int, givens: [Int], less: [(Int, Int)]) {
        self.n = n
        smaller = less.map(\.0); larger = less.map(\.1)
        units = (0..<n).flatMap { r in (0..<n).map { r * n + $0 } } + (0..<n).flatMap { c in (0..<n).map { $0 * n + c } }
        let full = UInt16((1 << n) - 1)
        start = givens.map { v in (1...n).contains(v) ? UInt16(1 << (v - 1)) : full }
    }

    mutating func countSolutions(limit: Int) -> Int {
        var found = 0
        var d = start
        search(&d, limit: limit, found: &found)
        return found
    }

    /// A uniformly shuffled search for one solution (kept in `solution`); false if none.
    mutating func fillRandomly(rng: inout RNG) -> Bool {
        shuffler = rng
        let ok = countSolutions(limit: 1) == 1
        rng = shuffler!
        shuffler = nil
        return ok
    }

    private mutating func search(_ d: inout [UInt16], limit: Int, found: inout Int) {
        guard propagate(&d) else { return }
        var best = -1, bestCount = Int.max
        for (i, m) in d.enumerated() {
            let c = m.nonzeroBitCount
            if c > 1 && c < bestCount { best = i; bestCount = c; if c == 2 { break } }
        }
        if best < 0 {
            if found == 0 { solution = d.map { $0.trailingZeroBitCount + 1 } }
            found += 1
            return
        }
        var values: [UInt16] = []
        var m = d[best]
        while m != 0 { values.append(m & (0 &- m)); m &= m - 1 }
        if shuffler != nil { shuffler!.shuffle(&values) }
        for bit in values where found < limit {
            var next = d
            next[best] = bit
            search(&next, limit: limit, found: &found)
        }
    }

    private func propagate(_ domains: inout [UInt16]) -> Bool {
        let n = self.n
        let full = UInt16((1 << n) - 1)
        return domains.withUnsafeMutableBufferPointer { d in
            smaller.withUnsafeBufferPointer { sm in
                larger.withUnsafeBufferPointer { lg in
                    units.withUnsafeBufferPointer { units in
                        var changed = true
                        while changed {
                            changed = false
                            for k in 0..<sm.count {
                                let a = sm[k], b = lg[k]
                                guard d[a] != 0, d[b] != 0 else { return false }
                                let maxB = 15 - d[b].leadingZeroBitCount          // index of b's largest digit
                                let minA = d[a].trailingZeroBitCount              // index of a's smallest digit
                                let na = d[a] & UInt16((1 << maxB) - 1)
                                let nb = d[b] & full & ~UInt16((1 << (minA + 1)) - 1)
                                if na != d[a] || nb != d[b] {
                                    if na == 0 || nb == 0 { return false }
                                    d[a] = na; d[b] = nb; changed = true
                                }
                            }
                            for u in 0..<(2 * n) {
                                let base = u * n
                                // Naked singles: a fixed digit leaves the unit's other cells.
                                var seen: UInt16 = 0
                                for k in base..<(base + n) where d[units[k]].nonzeroBitCount == 1 {
                                    if seen & d[units[k]] != 0 { return false }
                                    seen |= d[units[k]]
                                }
                                for k in base..<(base + n) {
                                    let i = units[k]
                                    if d[i].nonzeroBitCount > 1 && d[i] & seen != 0 {
                                        d[i] &= ~seen
                                        if d[i] == 0 { return false }
                                        changed = true
                                    }
                                }
                                // Hidden singles: a digit only one cell can take goes there.
                                var once: UInt16 = 0, twice: UInt16 = 0
                                for k in base..<(base + n) { twice |= once & d[units[k]]; once |= d[units[k]] }
                                if once != full { return false }
                                let hidden = once & ~twice
                                if hidden != 0 {
                                    for k in base..<(base + n) {
                                        let i = units[k]
                                        guard d[i].nonzeroBitCount > 1 && d[i] & hidden != 0 else { continue }
                                        let h = d[i] & hidden
                                        if h.nonzeroBitCount > 1 { return false }
                                        d[i] = h; changed = true
                                    }
                                }
                            }
                        }
                        return true
                    }
                }
            }
        }
    }
}
