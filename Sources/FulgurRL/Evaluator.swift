import Foundation
import FulgurGeneration
import FulgurRewards
import FulgurSupport

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

    public static func run(policy: Policy, suite: EvalSuite, samples: Int, seed: UInt64 = 0, modelName: String,
                           environments: EnvironmentRegistry, base: String? = nil, progress: ((Int, Int) -> Void)? = nil) throws -> Report {
        let start = Date()
        let tasks = try suite.tasks(relativeTo: base, environments: environments)
        let params = SamplingParameters(temperature: suite.temperature, topP: suite.topP, seed: seed, maxTokens: suite.maxTokens,
                                        repetitionWindow: 0)
        // group by environment name for scoring; sample everything in large batches
        var responses: [[Policy.Response]] = []
        let chunk = 64
        var i = 0
        while i < tasks.count {
            let part = Array(tasks[i..<min(tasks.count, i + chunk)]).map(\.1)
            var p = params
            p.seed = seed &+ UInt64(i)
            responses += try policy.respond(part, samples: samples, p)
            i += part.count
            progress?(i, tasks.count)
        }
        struct Key: Hashable { let task: String; let difficulty: Int }
        var acc: [Key: (n: Int, s: Int, correct: Double, format: Double, tokens: Double, anyCorrect: Int)] = [:]
        var order: [Key] = []
        for ((env, task), group) in zip(tasks, responses) {
            let key = Key(task: task.task, difficulty: task.difficulty)
            if acc[key] == nil { order.append(key); acc[key] = (0, 0, 0, 0, 0, 0) }
            var any = false
            for r in group {
                let score = env.score(task, response: r.text)
                acc[key]!.correct += score.correct ? 1 : 0
                acc[key]!.format += score.formatReward
                acc[key]!.tokens += Double(r.ids.count)
                acc[key]!.s += 1
                any = any || score.correct
            }
            acc[key]!.n += 1
            acc[key]!.anyCorrect += any ? 1 : 0
        }
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
