import Foundation
import FulgurCluster
import FulgurGeneration
import FulgurRewards
import FulgurSupport
import FulgurTensor
import FulgurTraining

/// `fulgur eval`: the average pass rate over N samples per task, per task and difficulty.
public enum Evaluator {
    public struct Row: Codable, Sendable {
        public var task: String
        public var difficulty: Int
        public var tasks: Int
        public var samples: Int
        /// Mean correctness over all samples (avg@N).
        public var passRate: Double
        /// Fraction of tasks with at least one correct sample (pass@N).
        public var passAtN: Double
        public var formatRate: Double
        public var meanResponseTokens: Double
        enum CodingKeys: String, CodingKey {
            case task, difficulty, tasks, samples, passRate = "pass_rate", passAtN = "pass_at_n",
                 formatRate = "format_rate", meanResponseTokens = "mean_response_tokens"
        }
    }

    public struct Report: Codable, Sendable {
        public var suite: String
        public var model: String
        public var samples: Int
        public var temperature: Float
        public var topP: Float
        public var rows: [Row]
        public var overallPassRate: Double
        public var seconds: Double
        enum CodingKeys: String, CodingKey {
            case suite, model, samples, temperature, topP = "top_p", rows, overallPassRate = "overall_pass_rate", seconds
        }

        public var markdown: String {
            var s = "| task | difficulty | tasks | samples | pass rate (avg@\(samples)) | pass@\(samples) | format | mean tokens |\n"
            s += "|---|---:|---:|---:|---:|---:|---:|---:|\n"
            for r in rows {
                s += String(format: "| %@ | %d | %d | %d | %.1f%% | %.1f%% | %.1f%% | %.1f |\n", r.task, r.difficulty, r.tasks, r.samples,
                            100 * r.passRate, 100 * r.passAtN, 100 * r.formatRate, r.meanResponseTokens)
            }
            s += String(format: "| **all** | | %d | | **%.1f%%** | | | |\n", rows.reduce(0) { $0 + $1.tasks }, 100 * overallPassRate)
            return s
        }
    }

    /// Samples and scores every task of the suite. Sample j of task i uses RNG stream i·samples + j
    /// of `seed`, so the report does not depend on batching. Under `mpirun` the tasks are dealt
    /// round-robin to the ranks and the tallies summed: every rank returns the whole report.
    public static func run(policy: Policy, suite: EvalSuite, samples: Int, seed: UInt64 = 0, modelName: String,
                           environments: EnvironmentRegistry, base: String? = nil, cluster: Cluster = .world,
                           progress: ((Int, Int) -> Void)? = nil) throws -> Report {
        let start = Date()
        let tasks = try suite.tasks(relativeTo: base, environments: environments)
        let params = SamplingParameters(temperature: suite.temperature, topP: suite.topP, seed: seed, maxTokens: suite.maxTokens,
                                        repetitionWindow: 0)
        // rows: (task, difficulty) in order of first appearance
        struct Key: Hashable { let task: String; let difficulty: Int }
        var order: [Key] = []
        var row: [Key: Int] = [:]
        let rowOfTask = tasks.map { _, task -> Int in
            let key = Key(task: task.task, difficulty: task.difficulty)
            if let r = row[key] { return r }
            row[key] = order.count
            order.append(key)
            return order.count - 1
        }
        // per row: tasks, samples, correct, format, tokens, tasks with any correct sample
        let fields = 6
        var tally = [Double](repeating: 0, count: order.count * fields)
        let mine = Array(DataParallel.dealt(tasks.count, rank: cluster.rank, size: cluster.size))
        let chunk = 64
        var i = 0
        while i < mine.count {
            let part = Array(mine[i..<min(mine.count, i + chunk)])
            let responses = try policy.respond(part.map { tasks[$0].1 }, samples: samples, params, indices: part)
            // scored concurrently, as in RL rollouts (sandboxed verifiers mostly wait on processes)
            let flat = zip(part, responses).flatMap { t, group in group.map { (t, $0.text) } }
            let scores = Parallel.mapEach(flat.count) { n in tasks[flat[n].0].0.score(tasks[flat[n].0].1, response: flat[n].1) }
            var next = 0
            for (t, group) in zip(part, responses) {
                let base = rowOfTask[t] * fields
                var any = false
                for r in group {
                    let score = scores[next]
                    next += 1
                    tally[base + 1] += 1
                    tally[base + 2] += score.correct ? 1 : 0
                    tally[base + 3] += score.formatReward
                    tally[base + 4] += Double(r.ids.count)
                    any = any || score.correct
                }
                tally[base] += 1
                tally[base + 5] += any ? 1 : 0
            }
            i += part.count
            progress?(min(tasks.count, i * cluster.size), tasks.count)
        }
        cluster.sum(&tally)
        let acc = Dictionary(uniqueKeysWithValues: order.enumerated().map { r, key in
            let t = Array(tally[(r * fields)..<((r + 1) * fields)])
            return (key, (n: Int(t[0]), s: Int(t[1]), correct: t[2], format: t[3], tokens: t[4], anyCorrect: Int(t[5])))
        })
        let rows = order.map { k -> Row in
            let a = acc[k]!
            return Row(task: k.task, difficulty: k.difficulty, tasks: a.n, samples: a.s, passRate: a.correct / Double(max(a.s, 1)),
                       passAtN: Double(a.anyCorrect) / Double(max(a.n, 1)), formatRate: a.format / Double(max(a.s, 1)),
                       meanResponseTokens: a.tokens / Double(max(a.s, 1)))
        }
        let overall = rows.reduce(0.0) { $0 + $1.passRate * Double($1.samples) } / Double(max(rows.reduce(0) { $0 + $1.samples }, 1))
        return Report(suite: suite.name, model: modelName, samples: samples, temperature: suite.temperature, topP: suite.topP,
                      rows: rows, overallPassRate: overall, seconds: Date().timeIntervalSince(start))
    }
}
