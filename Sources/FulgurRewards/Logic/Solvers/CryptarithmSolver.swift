/// Counts the solutions of a letter addition (WORD + WORD + … = WORD) by assigning letters
/// column by column from the units and checking each completed column with its carry.
struct CryptarithmSolver {
    private let letters: [Character]          // assignment order
    private let addends: [[Int]]               // letter indices, units first
    private let result: [Int]
    private let leading: [Bool]                // per letter: may not be 0
    private let fixed: [Int]                   // per letter: revealed digit or -1
    private let columnsDoneAfter: [Int]        // after assigning order[k], columns 0..<value are complete

    init(addends words: [String], result word: String, hints: [Character: Int]) {
        var order: [Character] = []
        let rev = words.map { Array($0.reversed()) }, res = Array(word.reversed())
        for c in 0..<res.count {
            for w in rev where c < w.count && !order.contains(w[c]) { order.append(w[c]) }
            if !order.contains(res[c]) { order.append(res[c]) }
        }
        letters = order
        let index = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        addends = rev.map { $0.map { index[$0]! } }
        result = res.map { index[$0]! }
        var lead = Array(repeating: false, count: order.count)
        for w in words + [word] where w.count > 1 { lead[index[w.first!]!] = true }
        leading = lead
        fixed = order.map { hints[$0] ?? -1 }
        var done: [Int] = []
        for k in 0..<order.count {
            var m = 0
            while m < res.count, (addends.map { m < $0.count ? $0[m] : -1 } + [result[m]]).allSatisfy({ $0 <= k }) { m += 1 }
            done.append(m)
        }
        columnsDoneAfter = done
    }

    /// Solutions found, stopping at `limit`; each as letter → digit.
    func solve(limit: Int) -> [[Character: Int]] {
        var digit = Array(repeating: -1, count: letters.count)
        var used = Array(repeating: false, count: 10)
        var found: [[Character: Int]] = []
        func columnsHold(_ m: Int) -> Bool {
            var carry = 0
            for c in 0..<m {
                var sum = carry
                for a in addends where c < a.count { sum += digit[a[c]] }
                if sum % 10 != digit[result[c]] { return false }
                carry = sum / 10
            }
            return m < result.count || carry == 0
        }
        func search(_ k: Int) {
            if found.count >= limit { return }
            if k == letters.count {
                found.append(Dictionary(uniqueKeysWithValues: zip(letters, digit)))
                return
            }
            let range = fixed[k] >= 0 ? fixed[k]...fixed[k] : 0...9
            for d in range where !used[d] && !(d == 0 && leading[k]) {
                digit[k] = d; used[d] = true
                if columnsHold(columnsDoneAfter[k]) { search(k + 1) }
                used[d] = false; digit[k] = -1
                if found.count >= limit { return }
            }
        }
        search(0)
        return found
    }
}
