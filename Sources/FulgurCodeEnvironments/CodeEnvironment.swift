import Foundation
import FulgurSandbox
import FulgurRewards
import FulgurSupport

/// Competitive programming as an RL environment: the policy answers with a program in a
/// ```python block; the score runs it in the sandbox on the task's tests.
///
/// Task metadata (what `score` reads): `tests` — [{"input", "output"}]; optional `language`
/// ("python"), `compare` ("whitespace" | "exact" | "float"), `tolerance`, `timeout` (s per
/// test), `memory` (MiB) and `reward` ("all-pass" | "fraction").
public struct CodeEnvironment: Environment, Demonstrating {
    public let name = "code"
    public let sandbox: Sandbox
    /// A fixed pool of tasks to draw from (e.g. read from JSONL), or nil to generate tasks from
    /// the built-in problem families.
    public let pool: [TaskInstance]?

    public init(sandbox: Sandbox, pool: [TaskInstance]? = nil) {
        self.sandbox = sandbox
        self.pool = pool
    }

    public func generate(count: Int, difficulty: Int, seed: UInt64) throws -> [TaskInstance] {
        guard (1...10).contains(difficulty) else { throw SandboxError.invalidArgument("difficulty must be 1…10, got \(difficulty)") }
        var rng = SplitMix64(seed: seed)
        if let pool {
            let eligible = pool.filter { $0.difficulty == difficulty }
            let source = eligible.isEmpty ? pool : eligible
            guard !source.isEmpty else { throw SandboxError.invalidArgument("the task pool is empty") }
            return (0..<count).map { _ in source[Int(rng.next() % UInt64(source.count))] }
        }
        return (0..<count).map { i in CodeProblems.make(index: i, difficulty: difficulty, rng: &rng) }
    }

    /// The reference program in a fenced block of the task's language (for `train`'s built-in
    /// corpus).
    public func demonstration(for task: TaskInstance) -> String? {
        guard !task.answer.isEmpty else { return nil }
        let language = task.metadata["language"]?.string ?? "python"
        return "<think>\nRead the input, compute, print.\n</think>\n```\(language)\n\(task.answer)```"
    }

    public func score(_ task: TaskInstance, response: String) -> RewardScore {
        let language = task.metadata["language"]?.string.flatMap(Language.init(rawValue:)) ?? .python
        let fences: Set<String> = language == .python ? ["python", "py", "python3"] : ["swift"]
        guard let code = ResponseExtraction.lastCodeBlock(response, languages: fences) else {
            return RewardScore(reward: 0, correct: false, formatReward: 0, extracted: nil, reason: "no ```\(language.rawValue) code block")
        }
        guard let testsJSON = task.metadata["tests"]?.array, !testsJSON.isEmpty else {
            return RewardScore(reward: 0, correct: false, formatReward: 1, extracted: code, reason: "task has no tests in metadata")
        }
        var tests: [JudgeTest] = []
        for t in testsJSON {
            guard let input = t["input"]?.string, let output = t["output"]?.string else {
                return RewardScore(reward: 0, correct: false, formatReward: 1, extracted: code, reason: "malformed test in task metadata")
            }
            tests.append(JudgeTest(input: input, output: output))
        }
        var limits = SandboxLimits(timeout: task.metadata["timeout"]?.double ?? 5, memoryMB: task.metadata["memory"]?.int ?? 512)
        limits.outputLimitBytes = 1 << 20
        let mode = task.metadata["reward"]?.string.flatMap(RewardMode.init(rawValue:)) ?? .allPass
        let judge = Judge(
            sandbox: sandbox, limits: limits,
            comparator: OutputComparator(mode: task.metadata["compare"]?.string.flatMap(ComparisonMode.init(rawValue:)) ?? .whitespace,
                                         tolerance: task.metadata["tolerance"]?.double ?? 1e-6),
            rewardMode: mode, stopAtFirstFailure: mode == .allPass)
        do {
            let report = try judge.judge(language: language, source: Data(code.utf8), tests: tests)
            let correct = report.passed == report.total
            var reason = "passed \(report.passed)/\(report.total) tests"
            if let e = report.compileError { reason = "compile error: \(e.prefix(300))" }
            else if let first = report.tests.first(where: { !$0.passed && $0.status != nil }) {
                reason += "; test \(first.index): \(first.verdict)"
            }
            return RewardScore(reward: report.reward, correct: correct, formatReward: 1, extracted: code, reason: reason)
        } catch {
            return RewardScore(reward: 0, correct: false, formatReward: 1, extracted: code, reason: "sandbox error: \(error)")
        }
    }
}
