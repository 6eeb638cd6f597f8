import Foundation
@testable import FulgurRewards
import FulgurSupport
import Testing

/// Uniqueness claims checked by brute force written independently of the generators' solvers:
/// every candidate solution is enumerated and tested against the puzzle as stated.
@Suite struct UniquenessTests {
    static func permutations(_ items: [Int]) -> [[Int]] {
        if items.count <= 1 { return [items] }
        return items.indices.flatMap { i in
            permutations(Array(items[..<i] + items[(i + 1)...])).map { [items[i]] + $0 }
        }
    }

    /// All n×n Latin squares for n = 4 (576 of them).
    static let latin4: [[[Int]]] = {
        let rows = permutations([1, 2, 3, 4])
        var out: [[[Int]]] = []
        func extend(_ g: [[Int]]) {
            if g.count == 4 { out.append(g); return }
            for r in rows where (0..<4).allSatisfy({ c in !g.contains { $0[c] == r[c] } }) { extend(g + [r]) }
        }
        extend([])
        return out
    }()

    @Test func latinSquareCountIsKnown() {
        #expect(UniquenessTests.latin4.count == 576)   // OEIS A002860: 1, 2, 12, 576, …
        let sudokus = UniquenessTests.latin4.filter(UniquenessTests.boxesOK)
        #expect(sudokus.count == 288)                   // the number of 4×4 Sudoku grids
    }

    static func boxesOK(_ g: [[Int]]) -> Bool {
        (0..<4).allSatisfy { b in
            let r0 = (b / 2) * 2, c0 = (b % 2) * 2
            return Set([g[r0][c0], g[r0][c0 + 1], g[r0 + 1][c0], g[r0 + 1][c0 + 1]]).count == 4
        }
    }

    static func rows(_ answer: String) -> [[Int]] { answer.split(separator: "\n").map { $0.compactMap(\.wholeNumberValue) } }

    @Test func small4x4SudokusAreUnique() throws {
        let grids = UniquenessTests.latin4.filter(UniquenessTests.boxesOK)
        for d in 1...3 {
            for t in Corpus.instances["sudoku"]![d]! {
                let p = try SudokuTask().decodePuzzle(t)
                let matches = grids.filter { g in (0..<4).allSatisfy { r in (0..<4).allSatisfy { c in p.givens[r][c] == 0 || p.givens[r][c] == g[r][c] } } }
                #expect(matches.count == 1, "\(t.id): \(matches.count) solutions")
                #expect(matches.first == UniquenessTests.rows(t.answer))
            }
        }
    }

    @Test func small4x4FutoshikisAreUnique() throws {
        for d in 1...2 {
            for t in Corpus.instances["futoshiki"]![d]! {
                let p = try FutoshikiTask().decodePuzzle(t)
                #expect(p.size == 4)
                let matches = UniquenessTests.latin4.filter { g in
                    (0..<4).allSatisfy { r in (0..<4).allSatisfy { c in p.givens[r][c] == 0 || p.givens[r][c] == g[r][c] } }
                        && p.less.allSatisfy { g[$0[0]][$0[1]] < g[$0[2]][$0[3]] }
                }
                #expect(matches.count == 1, "\(t.id): \(matches.count) solutions")
                #expect(matches.first == UniquenessTests.rows(t.answer))
            }
        }
    }

    /// Zebra puzzles with up to 4 houses and 3 attributes: all (4!)^3 assignments tried.
    @Test func smallZebrasAreUnique() throws {
        for d in 1...3 {
            for t in Corpus.instances["zebra_puzzle"]![d]! {
                let p = try ZebraTask().decodePuzzle(t)
                let perms = UniquenessTests.permutations(Array(0..<p.houses))   // perm[value] = house
                var count = 0
                func holds(_ c: ZebraModel.Clue, _ houseOf: [[Int]]) -> Bool {
                    let a = houseOf[c.a.attribute][c.a.value]
                    let b = c.b.map { houseOf[$0.attribute][$0.value] } ?? -1
                    switch c.relation.rawValue {
                    case "at": return a == c.house
                    case "notAt": return a != c.house
                    case "same": return a == b
                    case "notSame": return a != b
                    case "leftOf": return b - a == 1
                    case "rightOf": return a - b == 1
                    case "nextTo": return a - b == 1 || b - a == 1
                    case "before": return a < b
                    case "after": return a > b
                    default: return false
                    }
                }
                func assign(_ attrs: [[Int]]) {
                    if attrs.count == p.attributes.count {
                        if p.clues.allSatisfy({ holds($0, attrs) }) { count += 1 }
                        return
                    }
                    for perm in perms { assign(attrs + [perm]) }
                }
                assign([])
                #expect(count == 1, "\(t.id): \(count) solutions")
            }
        }
    }

    /// Cryptarithms with at most 7 letters: every injective letter → digit map tried.
    @Test func smallCryptarithmsAreUnique() throws {
        var checked = 0
        for d in 1...4 {
            for t in Corpus.instances["cryptarithm"]![d]! {
                let p = try CryptarithmTask().decodePuzzle(t)
                let letters = Array(Set((p.addends + [p.result]).joined())).sorted()
                guard letters.count - p.hints.count <= 6 else { continue }
                var digit: [Character: Int] = [:]
                var used = Set<Int>()
                var count = 0
                func value(_ w: String) -> Int { w.reduce(0) { $0 * 10 + digit[$1]! } }
                func assign(_ k: Int) {
                    if k == letters.count {
                        let leadingOK = (p.addends + [p.result]).allSatisfy { $0.count == 1 || digit[$0.first!] != 0 }
                        if leadingOK && p.addends.map(value).reduce(0, +) == value(p.result) { count += 1 }
                        return
                    }
                    let l = letters[k]
                    for v in (p.hints[String(l)].map { [$0] } ?? Array(0...9)) where !used.contains(v) {
                        digit[l] = v; used.insert(v)
                        assign(k + 1)
                        used.remove(v); digit[l] = nil
                    }
                }
                assign(0)
                #expect(count == 1, "\(t.id): \(count) solutions")
                checked += 1
            }
        }
        #expect(checked >= 10)
    }

    /// Kukurasu up to 5×5: all 2^(n²) shadings tried.
    @Test func smallKukurasusAreUnique() throws {
        for d in 1...3 {
            for t in Corpus.instances["kukurasu"]![d]! {
                let p = try KukurasuTask().decodePuzzle(t)
                let n = p.rowClues.count
                var solutions: [Int] = []
                for mask in 0..<(1 << (n * n)) {
                    let shaded = { (r: Int, c: Int) in mask >> (r * n + c) & 1 == 1 }
                    let rowsOK = (0..<n).allSatisfy { r in (0..<n).filter { shaded(r, $0) }.map { $0 + 1 }.reduce(0, +) == p.rowClues[r] }
                    let colsOK = (0..<n).allSatisfy { c in (0..<n).filter { shaded($0, c) }.map { $0 + 1 }.reduce(0, +) == p.columnClues[c] }
                    if rowsOK && colsOK && p.known.allSatisfy({ shaded($0[0], $0[1]) == ($0[2] == 1) }) { solutions.append(mask) }
                }
                #expect(solutions.count == 1, "\(t.id): \(solutions.count) solutions")
                let answer = t.answer.filter { $0 == "0" || $0 == "1" }
                #expect(solutions.first.map { m in String((0..<(n * n)).map { m >> $0 & 1 == 1 ? "1" : "0" }) } == answer)
            }
        }
    }

    /// Web of lies: the puzzle is re-read from the prompt text (not the metadata) and all 2^n
    /// truth assignments are tried.
    @Test func webOfLiesFromPromptIsUnique() throws {
        for d in [1, 3, 5, 8, 10] {
            for t in Corpus.instances["web_of_lies"]![d]! {
                let p = try WebOfLiesTask().decodePuzzle(t)
                let people = p.people
                let idx = Dictionary(uniqueKeysWithValues: people.enumerated().map { ($1, $0) })
                var rules: [([Bool]) -> Bool] = []
                for line in t.prompt.split(separator: "\n").map(String.init) {
                    let words = line.dropLast().split(separator: " ").map(String.init)   // drop the full stop
                    guard let first = words.first, let s = idx[first] else { continue }
                    if words.count == 4 && words[1] == "tells" { rules.append { $0[s] } ; continue }
                    if words.count == 2 && words[1] == "lies" { rules.append { !$0[s] }; continue }
                    guard words.count > 3, words[1] == "says", words[2] == "that" else { continue }
                    let claim = Array(words[3...])
                    let claimHolds: ([Bool]) -> Bool
                    switch claim.count {
                    case 2: let x = idx[claim[0]]!; claimHolds = { $0[x] == false }                        // X lies
                    case 4 where claim[1] == "tells": let x = idx[claim[0]]!; claimHolds = { $0[x] }       // X tells the truth
                    case 5 where claim[3] == "both" && claim[4] == "lie":
                        let x = idx[claim[0]]!, y = idx[claim[2]]!; claimHolds = { !$0[x] && !$0[y] }
                    case 7 where claim[3] == "both":
                        let x = idx[claim[0]]!, y = idx[claim[2]]!; claimHolds = { $0[x] && $0[y] }
                    case 7 where claim[0] == "exactly":
                        let x = idx[claim[3]]!, y = idx[claim[5]]!; claimHolds = { $0[x] != $0[y] }
                    case 8 where claim[0] == "at":
                        let x = idx[claim[4]]!, y = idx[claim[6]]!; claimHolds = { !$0[x] || !$0[y] }
                    case 9 where claim[5] == "truth-tellers":
                        let x = idx[claim[0]]!, y = idx[claim[2]]!; claimHolds = { $0[x] == $0[y] }
                    default: Issue.record("unparsed statement: \(line)"); continue
                    }
                    rules.append { $0[s] == claimHolds($0) }
                }
                #expect(rules.count == p.facts.count + p.statements.count, "\(t.id)")
                var solutions: [[Bool]] = []
                for mask in 0..<(1 << people.count) {
                    let truth = (0..<people.count).map { mask >> $0 & 1 == 1 }
                    if rules.allSatisfy({ $0(truth) }) { solutions.append(truth) }
                }
                #expect(solutions.count == 1, "\(t.id): \(solutions.count) solutions")
                let named = solutions.first.map { s in people.indices.filter { s[$0] }.map { people[$0] } } ?? []
                #expect((named.isEmpty ? "none" : named.joined(separator: ", ")) == t.answer)
            }
        }
    }
}
