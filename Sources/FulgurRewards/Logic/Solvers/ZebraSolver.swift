/// A constraint model of a zebra (Einstein) puzzle: every (attribute, value) pair sits in one
/// house, each attribute's values fill the houses one per house. Clues are unary or binary
/// relations between pairs. The solver propagates domains (bitmasks of houses) and branches on
/// the smallest domain, counting solutions up to a limit.
public struct ZebraModel: Sendable {
    public struct Item: Codable, Hashable, Sendable {
        public var attribute: Int
        public var value: Int
    }

    public enum Relation: String, Codable, Sendable, CaseIterable {
        case at, notAt, same, notSame, leftOf, rightOf, nextTo, before, after
    }

    public struct Clue: Codable, Hashable, Sendable {
        public var relation: Relation
        public var a: Item
        public var b: Item?
        /// 0-based house for `at` / `notAt`.
        public var house: Int?

        /// Whether the clue holds when `a` is in house `pa` and `b` in `pb`.
        func holds(_ pa: Int, _ pb: Int) -> Bool {
            switch relation {
            case .at: return pa == house
            case .notAt: return pa != house
            case .same: return pa == pb
            case .notSame: return pa != pb
            case .leftOf: return pa + 1 == pb
            case .rightOf: return pa == pb + 1
            case .nextTo: return abs(pa - pb) == 1
            case .before: return pa < pb
            case .after: return pa > pb
            }
        }
    }

    let houses: Int
    let attributes: Int

    /// Number of assignments satisfying all clues, stopping at `limit`.
    func countSolutions(_ clues: [Clue], limit: Int) -> Int {
        let full = UInt16((1 << houses) - 1)
        var domains = Array(repeating: full, count: houses * attributes)
        for c in clues {
            guard c.b == nil, let h = c.house, (0..<houses).contains(h) else { continue }
            let i = index(c.a)
            domains[i] &= c.relation == .at ? UInt16(1 << h) : ~UInt16(1 << h)
        }
        let binary = clues.filter { $0.b != nil }
        var found = 0
        search(&domains, binary, limit: limit, found: &found)
        return found
    }

    @inline(__always) private func index(_ item: Item) -> Int { item.attribute * houses + item.value }

    private func search(_ domains: inout [UInt16], _ clues: [Clue], limit: Int, found: inout Int) {
        guard propagate(&domains, clues) else { return }
        var best = -1, bestCount = Int.max
        for (i, d) in domains.enumerated() {
            let c = d.nonzeroBitCount
            if c > 1 && c < bestCount { best = i; bestCount = c }
        }
        if best < 0 { found += 1; return }
        var m = domains[best]
        while m != 0 && found < limit {
            let bit = m & (0 &- m)
            m &= m - 1
            var next = domains
            next[best] = bit
            search(&next, clues, limit: limit, found: &found)
        }
    }

    /// Narrows domains to a fixpoint; false when some domain empties.
    private func propagate(_ d: inout [UInt16], _ clues: [Clue]) -> Bool {
        let full = UInt16((1 << houses) - 1)
        var changed = true
        while changed {
            changed = false
            for c in clues {
                let i = index(c.a), j = index(c.b!)
                let (ni, nj) = revise(c.relation, d[i], d[j], full)
                if ni != d[i] || nj != d[j] {
                    d[i] = ni; d[j] = nj; changed = true
                    if ni == 0 || nj == 0 { return false }
                }
            }
            // Each attribute is a permutation: fixed values exclude their house from the
            // others; a house only one value can take forces that value.
            for a in 0..<attributes {
                let base = a * houses
                for v in 0..<houses where d[base + v].nonzeroBitCount == 1 {
                    for w in 0..<houses where w != v && d[base + w] & d[base + v] != 0 {
                        d[base + w] &= ~d[base + v]
                        if d[base + w] == 0 { return false }
                        changed = true
                    }
                }
                for h in 0..<houses {
                    let bit = UInt16(1 << h)
                    var only = -1, count = 0
                    for v in 0..<houses where d[base + v] & bit != 0 { only = v; count += 1 }
                    if count == 0 { return false }
                    if count == 1 && d[base + only] != bit { d[base + only] = bit; changed = true }
                }
            }
        }
        return true
    }

    /// Domains of a and b kept only where some partner value satisfies the relation.
    private func revise(_ r: Relation, _ a: UInt16, _ b: UInt16, _ full: UInt16) -> (UInt16, UInt16) {
        func below(_ m: UInt16) -> UInt16 {     // houses strictly left of m's rightmost house
            m == 0 ? 0 : UInt16((1 << (15 - m.leadingZeroBitCount)) - 1)
        }
        func above(_ m: UInt16) -> UInt16 {     // houses strictly right of m's leftmost house
            m == 0 ? 0 : full & ~UInt16((1 << (m.trailingZeroBitCount + 1)) - 1)
        }
        switch r {
        case .same: let m = a & b; return (m, m)
        case .notSame:
            return (b.nonzeroBitCount == 1 ? a & ~b : a, a.nonzeroBitCount == 1 ? b & ~a : b)
        case .leftOf: return (a & (b >> 1), b & (a << 1) & full)
        case .rightOf: return (a & (b << 1) & full, b & (a >> 1))
        case .nextTo:
            return (a & ((b >> 1) | (b << 1)) & full, b & ((a >> 1) | (a << 1)) & full)
        case .before: return (a & below(b), b & above(a))
        case .after: return (a & above(b), b & below(a))
        case .at, .notAt: return (a, b)
        }
    }
}
