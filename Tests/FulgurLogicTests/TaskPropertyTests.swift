import Foundation
@testable import FulgurRewards
import FulgurSupport
import Testing

/// Per task: how to measure an instance's size, and how to corrupt its canonical answer into
/// answers that are certainly wrong (by the rules, or because the solution is unique).
struct TaskSpec: Sendable {
    let env: any LogicEnvironment
    let metric: @Sendable (TaskInstance) throws -> Double
    let corrupt: @Sendable (TaskInstance, inout RNG) throws -> [String]
}

/// The instances every property test looks at: 2 seeds × 4 items × difficulties 1…10 per task.
enum Corpus {
    static let seeds: [UInt64] = [1, 977]
    static let perSeed = 4

    static let instances: [String: [Int: [TaskInstance]]] = {
        var out: [String: [Int: [TaskInstance]]] = [:]
        for spec in specs {
            var byLevel: [Int: [TaskInstance]] = [:]
            for d in 1...10 {
                byLevel[d] = seeds.flatMap { (try? spec.env.generate(count: perSeed, difficulty: d, seed: $0)) ?? [] }
            }
            out[spec.env.name] = byLevel
        }
        return out
    }()

    static let specs: [TaskSpec] = [
        TaskSpec(env: SudokuTask(), metric: { t in
            let p = try SudokuTask().decodePuzzle(t)
            return Double(p.givens.joined().filter { $0 == 0 }.count)
        }, corrupt: { t, rng in
            let p = try SudokuTask().decodePuzzle(t)
            return gridCorruptions(t.answer, givens: p.givens, rng: &rng)
        }),
        TaskSpec(env: CountdownTask(), metric: { t in
            let p = try CountdownTask().decodePuzzle(t)
            return Double(p.numbers.count) + log10(Double(p.target))
        }, corrupt: { t, rng in
            let p = try CountdownTask().decodePuzzle(t)
            let expr = String(t.answer.split(separator: "=")[0]).trimmingCharacters(in: .whitespaces)
            var out = ["\(expr) = \(p.target + 1)", "(\(expr)) * 1", "(\(expr)) + \(p.numbers[0])"]
            // Bump the first number: the multiset of numbers no longer matches.
            if let r = expr.firstIndex(where: \.isNumber) {
                let end = expr[r...].firstIndex(where: { !$0.isNumber }) ?? expr.endIndex
                out.append(String(expr[..<r]) + String(Int(expr[r..<end])! + 1) + String(expr[end...]))
            }
            // SynLogic's game-of-24 bug: right numbers, wrong value.
            if p.numbers.reduce(0, +) != p.target { out.append(p.numbers.map(String.init).joined(separator: " + ")) }
            return out
        }),
        TaskSpec(env: CryptarithmTask(), metric: { t in
            let p = try CryptarithmTask().decodePuzzle(t)
            return Double((p.addends + [p.result]).joined().count - p.hints.count)
        }, corrupt: { t, rng in
            var pairs = t.answer.components(separatedBy: ", ").map { $0.split(separator: "=").map(String.init) }
            let i = rng.below(pairs.count)
            var j = rng.below(pairs.count); while j == i { j = rng.below(pairs.count) }
            let dropped = pairs.dropLast().map { $0.joined(separator: "=") }.joined(separator: ", ")
            (pairs[i][1], pairs[j][1]) = (pairs[j][1], pairs[i][1])
            return [pairs.map { $0.joined(separator: "=") }.joined(separator: ", "), dropped]
        }),
        TaskSpec(env: ZebraTask(), metric: { t in
            let p = try ZebraTask().decodePuzzle(t)
            return Double(p.houses * p.attributes.count)
        }, corrupt: { t, rng in
            var lines = t.answer.split(separator: "\n").map { l in
                l.split(separator: ":", maxSplits: 1)[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            let a = rng.below(lines[0].count), h1 = rng.below(lines.count)
            var h2 = rng.below(lines.count); while h2 == h1 { h2 = rng.below(lines.count) }
            (lines[h1][a], lines[h2][a]) = (lines[h2][a], lines[h1][a])
            let render = { (ls: [[String]]) in ls.enumerated().map { "House \($0 + 1): \($1.joined(separator: ", "))" }.joined(separator: "\n") }
            return [render(lines), render(Array(lines.dropLast()))]
        }),
        TaskSpec(env: WebOfLiesTask(), metric: { t in
            let p = try WebOfLiesTask().decodePuzzle(t)
            return Double(p.people.count + p.statements.count)
        }, corrupt: { t, rng in
            let p = try WebOfLiesTask().decodePuzzle(t)
            let truthful = t.answer == "none" ? [] : t.answer.components(separatedBy: ", ")
            let who = rng.pick(p.people)
            let toggled = truthful.contains(who) ? truthful.filter { $0 != who } : truthful + [who]
            return [toggled.isEmpty ? "none" : toggled.joined(separator: ", ")]
        }),
        TaskSpec(env: ArrowMazeTask(), metric: { t in
            let p = try ArrowMazeTask().decodePuzzle(t)
            return Double(p.grid.joined().filter { $0 == "." }.count)
        }, corrupt: { t, rng in
            var g = t.answer.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            let glyphs = ArrowMazeTask.arrows.map(\.glyph)
            var out: [String] = []
            let arrowsAt = g.indices.flatMap { r in g[r].indices.filter { glyphs.contains(g[r][$0]) }.map { (r, $0) } }
            if let (r, c) = arrowsAt.isEmpty ? nil : rng.pick(arrowsAt) {
                var h = g
                h[r][c] = rng.pick(glyphs.filter { $0 != g[r][c] })
                out.append(h.map { $0.joined(separator: " ") }.joined(separator: "\n"))
            }
            let numbersAt = g.indices.flatMap { r in g[r].indices.filter { Int(g[r][$0]) != nil }.map { (r, $0) } }
            let (r, c) = rng.pick(numbersAt)
            g[r][c] = String(Int(g[r][c])! + 1)
            out.append(g.map { $0.joined(separator: " ") }.joined(separator: "\n"))
            return out
        }),
        TaskSpec(env: FutoshikiTask(), metric: { t in
            let p = try FutoshikiTask().decodePuzzle(t)
            return Double(p.givens.joined().filter { $0 == 0 }.count)
        }, corrupt: { t, rng in
            let p = try FutoshikiTask().decodePuzzle(t)
            return gridCorruptions(t.answer, givens: p.givens, rng: &rng)
        }),
        TaskSpec(env: KukurasuTask(), metric: { t in
            let p = try KukurasuTask().decodePuzzle(t)
            return Double(p.rowClues.count * p.rowClues.count - p.known.count)
        }, corrupt: { t, rng in
            // Flip one unknown cell (the shading is unique, so any other grid is wrong); drop a row.
            let p = try KukurasuTask().decodePuzzle(t)
            var g = t.answer.split(separator: "\n").map { Array($0) }
            let n = g.count
            let free = (0..<(n * n)).filter { c in !p.known.contains { $0[0] * n + $0[1] == c } }
            let c = rng.pick(free)
            g[c / n][c % n] = g[c / n][c % n] == "1" ? "0" : "1"
            return [g.map { String($0) }.joined(separator: "\n"), g.dropLast().map { String($0) }.joined(separator: "\n")]
        }),
        TaskSpec(env: DyckCompletionTask(), metric: { t in
            Double(try DyckCompletionTask().decodePuzzle(t).prefix.count)
        }, corrupt: { t, rng in
            let closers = t.answer.split(separator: " ").map(String.init)
            var out = [closers.dropLast().joined(separator: " "), (closers + [")"]).joined(separator: " ")]
            if let i = (0..<(closers.count - 1)).first(where: { closers[$0] != closers[$0 + 1] }) {
                var s = closers; s.swapAt(i, i + 1); out.append(s.joined(separator: " "))
            }
            return out.filter { !$0.isEmpty }
        }),
        TaskSpec(env: BooleanExpressionsTask(), metric: { t in
            let p = try BooleanExpressionsTask().decodePuzzle(t)
            return Double(p.expressions.joined(separator: " ").split(separator: " ")
                .filter { $0 == "and" || $0 == "or" || $0 == "not" }.count)
        }, corrupt: { t, rng in
            let p = try BooleanExpressionsTask().decodePuzzle(t)
            var chosen = Set(t.answer == "none" ? [] : t.answer.components(separatedBy: ", "))
            let label = BooleanExpressionsTask.label(rng.below(p.values.count))
            if chosen.contains(label) { chosen.remove(label) } else { chosen.insert(label) }
            return [chosen.isEmpty ? "none" : chosen.sorted().joined(separator: ", ")]
        }),
        TaskSpec(env: CipherTask(), metric: { t in
            let p = try CipherTask().decodePuzzle(t)
            return Double(p.output.filter(\.isLetter).count)
        }, corrupt: { t, rng in
            var chars = Array(t.answer)
            let letters = chars.indices.filter { chars[$0].isLetter }
            let i = rng.pick(letters)
            chars[i] = CipherTask.alphabet[(CipherTask.letterIndex(chars[i])! + 1) % 26]
            return [String(chars), t.answer.split(separator: " ").dropLast().joined(separator: " ")]
        }),
        TaskSpec(env: WordSortingTask(), metric: { t in
            Double(try WordSortingTask().decodePuzzle(t).words.count)
        }, corrupt: { t, rng in
            var words = t.answer.split(separator: " ").map(String.init)
            let dropped = words.dropLast().joined(separator: " ")
            let i = rng.below(words.count - 1)
            words.swapAt(i, i + 1)
            return [words.joined(separator: " "), dropped]
        }),
        TaskSpec(env: ObjectCountingTask(), metric: { t in
            let p = try ObjectCountingTask().decodePuzzle(t)
            return Double(p.entries.count + p.changes.count)
        }, corrupt: { t, _ in
            let n = Int(t.answer)!
            return [String(n + 1)] + (n > 0 ? [String(n - 1)] : [])
        }),
    ]

    /// A Latin-square answer: one non-given cell changed (its row then repeats a digit), two
    /// different non-given cells of a row swapped (another grid; the solution is unique), and
    /// the last row dropped.
    static func gridCorruptions(_ answer: String, givens: [[Int]], rng: inout RNG) -> [String] {
        let n = givens.count
        var g = answer.split(separator: "\n").map { $0.compactMap(\.wholeNumberValue) }
        let render = { (g: [[Int]]) in g.map { $0.map(String.init).joined() }.joined(separator: "\n") }
        var out = [render(Array(g.dropLast()))]
        let free = (0..<n).flatMap { r in (0..<n).filter { givens[r][$0] == 0 }.map { (r, $0) } }
        if let (r, c) = free.isEmpty ? nil : rng.pick(free) {
            var h = g
            h[r][c] = h[r][c] % n + 1
            out.append(render(h))
        }
        for (r, c) in rng.shuffled(free) {
            if let c2 = (0..<n).first(where: { $0 != c && givens[r][$0] == 0 && g[r][$0] != g[r][c] }) {
                g[r].swapAt(c, c2)
                out.append(render(g))
                break
            }
        }
        return out
    }
}

@Suite struct TaskPropertyTests {
    @Test func everyTaskIsCovered() {
        #expect(Set(Corpus.specs.map(\.env.name)) == Set(LogicTasks.all.map(\.name)))
        #expect(LogicTasks.all.count >= 12)
        for env in LogicTasks.all {
            #expect(LogicTasks.named(env.name)?.name == env.name)
            #expect(!env.summary.isEmpty && !env.difficultyScale.isEmpty)
        }
        #expect(LogicTasks.named("nope") == nil)
    }

    /// Generated instances are solvable: the generator's own answer, wrapped the way a model
    /// would answer, scores 1 (after a JSONL round trip) for every task, difficulty and seed.
    @Test(arguments: Corpus.specs.map(\.env.name))
    func generatedAnswersPassTheirVerifier(task: String) throws {
        let env = LogicTasks.named(task)!
        let byLevel = try #require(Corpus.instances[task])
        for d in 1...10 {
            let items = try #require(byLevel[d])
            #expect(items.count == Corpus.seeds.count * Corpus.perSeed, "\(task) d\(d): generation failed")
            for t in items {
                #expect(t.task == task && t.difficulty == d && t.prompt.contains("<answer></answer>"))
                let decoded = try JSONDecoder().decode(TaskInstance.self, from: JSONEncoder().encode(t))
                #expect(decoded == t)
                let s = env.score(decoded, response: "<think>working…</think>\nSo:\n<answer>\n\(t.answer)\n</answer>")
                #expect(s.reward == 1 && s.correct && s.formatReward == 1, "\(t.id): \(s.reason)\n\(t.answer)")
            }
        }
    }

    /// Corrupted answers score 0 while still getting the format reward.
    @Test(arguments: Corpus.specs.map(\.env.name))
    func corruptedAnswersAreRejected(task: String) throws {
        let spec = Corpus.specs.first { $0.env.name == task }!
        var rng = RNG(seed: 5)
        var checked = 0
        for d in 1...10 {
            for t in Corpus.instances[task]![d]! {
                for wrong in try spec.corrupt(t, &rng) {
                    let s = spec.env.score(t, response: "<answer>\(wrong)</answer>")
                    #expect(s.reward == 0 && !s.correct, "\(t.id) accepted a corrupted answer:\n\(wrong)\n(original:\n\(t.answer))")
                    checked += 1
                }
                // Answers outside the tags, or only inside the reasoning, earn nothing.
                let bare = spec.env.score(t, response: t.answer)
                #expect(bare.reward == 0 && bare.formatReward == 0 && bare.extracted == nil)
                let hidden = spec.env.score(t, response: "<think><answer>\(t.answer)</answer></think> done")
                #expect(hidden.reward == 0 && hidden.formatReward == 0)
                let junk = spec.env.score(t, response: "<answer>I am not sure.</answer>")
                #expect(junk.reward == 0 && junk.formatReward == 1)
            }
        }
        #expect(checked >= 80)
    }

    /// Higher difficulty gives larger instances: the mean size metric rises strictly across
    /// difficulties 1, 4, 7, 10 and never falls from one level to the next.
    @Test(arguments: Corpus.specs.map(\.env.name))
    func difficultyIncreasesSize(task: String) throws {
        let spec = Corpus.specs.first { $0.env.name == task }!
        let means = try (1...10).map { d -> Double in
            let items = Corpus.instances[task]![d]!
            return try items.map(spec.metric).reduce(0, +) / Double(items.count)
        }
        #expect(means[0] < means[3] && means[3] < means[6] && means[6] < means[9], "\(task): \(means)")
        for d in 1..<10 { #expect(means[d] >= means[d - 1] * 0.9, "\(task) d\(d) → d\(d + 1): \(means)") }
    }

    /// Same seed, same instances; a different seed, different ones; item i does not depend on
    /// how many items were asked for.
    @Test(arguments: Corpus.specs.map(\.env.name))
    func generationIsDeterministic(task: String) throws {
        let env = LogicTasks.named(task)!
        let a = try env.generate(count: 3, difficulty: 2, seed: 99)
        let b = try env.generate(count: 3, difficulty: 2, seed: 99)
        let c = try env.generate(count: 3, difficulty: 2, seed: 100)
        let prefix = try env.generate(count: 1, difficulty: 2, seed: 99)
        #expect(a == b)
        #expect(a.map(\.prompt) != c.map(\.prompt))
        #expect(prefix[0] == a[0])
        #expect(Set(a.map(\.id)).count == 3)
        #expect(throws: LogicTaskError.badDifficulty(0)) { try env.generate(count: 1, difficulty: 0, seed: 0) }
        #expect(throws: LogicTaskError.badDifficulty(11)) { try env.generate(count: 1, difficulty: 11, seed: 0) }
        #expect(throws: LogicTaskError.badCount(-1)) { try env.generate(count: -1, difficulty: 1, seed: 0) }
    }

    /// Scoring never crashes and stays fast on hostile input, and bad metadata is reported.
    @Test(arguments: Corpus.specs.map(\.env.name))
    func hostileInputIsHandled(task: String) throws {
        let env = LogicTasks.named(task)!
        let t = Corpus.instances[task]![10]![0]
        let hostile = [String(repeating: "(", count: 50_000), String(repeating: "(", count: 15_000), String(repeating: "9", count: 30_000),
                       String(repeating: "House 1: a, b\n", count: 1000), "\u{0}\u{FFFF}🙂", "__import__('os').system('true')",
                       String(repeating: "A=1, ", count: 3000), String(repeating: "↑ ", count: 9000)]
        let start = Date()
        for h in hostile {
            let s = env.score(t, response: "<answer>\(h)</answer>")
            #expect(s.reward == 0)
        }
        #expect(Date().timeIntervalSince(start) < 2, "\(task): hostile answers took too long")
        var broken = t
        broken.metadata = ["unexpected": 1]
        #expect(throws: LogicTaskError.self) { try env.validate(broken) }
        #expect(env.score(broken, response: "<answer>\(t.answer)</answer>").reward == 0)
        var other = t
        other.task = "something_else"
        #expect(throws: LogicTaskError.wrongTask(expected: task, found: "something_else")) { try env.validate(other) }
    }
}
