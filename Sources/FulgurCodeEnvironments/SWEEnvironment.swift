import Foundation
import FulgurSandbox
import FulgurRewards
import FulgurSupport

/// SWE-style repository tasks as an RL environment: the prompt is the issue, the answer a
/// unified diff; the score applies it to a fresh copy of the repository and runs the tests in
/// the sandbox (reward 1 only when every fail_to_pass test passes and no pass_to_pass test
/// fails).
///
/// Task metadata: `task_dir` (the task folder), `fail_to_pass`, `pass_to_pass`.
public struct SWEEnvironment: Environment, Demonstrating {
    public let name = "swe"
    public let runner: SWERunner
    public let tasks: [SWETask]

    public init(sandbox: Sandbox, tasks: [SWETask]) {
        self.runner = SWERunner(sandbox: sandbox)
        self.tasks = tasks
    }

    /// Loads every task folder (a folder with task.json) directly under `root`.
    public init(sandbox: Sandbox, root: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SandboxError.invalidArgument("\(root): no such folder of SWE tasks")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
        let tasks = try names.filter { FileManager.default.fileExists(atPath: "\(root)/\($0)/task.json") }
            .map { try SWETask.load("\(root)/\($0)") }
        guard !tasks.isEmpty else { throw SandboxError.invalidArgument("\(root): no task folders (folders with task.json)") }
        self.init(sandbox: sandbox, tasks: tasks)
    }

    /// Draws `count` tasks (with replacement) in a seed-determined order. The bundled tasks are
    /// all small; `difficulty` is recorded, not used to filter.
    public func generate(count: Int, difficulty: Int, seed: UInt64) throws -> [TaskInstance] {
        guard (1...10).contains(difficulty) else { throw SandboxError.invalidArgument("difficulty must be 1…10, got \(difficulty)") }
        var rng = SplitMix64(seed: seed)
        return try (0..<count).map { _ in
            let t = tasks[Int(rng.next() % UInt64(tasks.count))]
            let answer = try t.referencePatch.map { try String(contentsOfFile: $0, encoding: .utf8) } ?? ""
            return TaskInstance(
                id: "swe-\(t.id)", prompt: t.prompt, answer: answer, task: name, difficulty: difficulty,
                metadata: ["task_dir": .string(t.folder), "fail_to_pass": .array(t.failToPass.map(JSONValue.string)),
                           "pass_to_pass": .array(t.passToPass.map(JSONValue.string))])
        }
    }

    /// The reference patch in a ```diff block (for `train`'s built-in corpus: a tiny model learns
    /// the answer format, so an RL smoke run exercises the sandboxed tests).
    public func demonstration(for task: TaskInstance) -> String? {
        task.answer.isEmpty ? nil : "<think>\nFix the bug with a minimal patch.\n</think>\n```diff\n\(task.answer)```"
    }

    public func score(_ task: TaskInstance, response: String) -> RewardScore {
        guard let dir = task.metadata["task_dir"]?.string else {
            return RewardScore(reward: 0, correct: false, formatReward: 0, extracted: nil, reason: "task has no task_dir in metadata")
        }
        guard let patch = ResponseExtraction.patch(response) else {
            return RewardScore(reward: 0, correct: false, formatReward: 0, extracted: nil, reason: "no unified diff in the response")
        }
        do {
            let swe = try tasks.first(where: { $0.folder == (dir as NSString).standardizingPath }) ?? SWETask.load(dir)
            let r = try runner.run(swe, patch: Data(patch.utf8))
            if let e = r.patchError {
                return RewardScore(reward: 0, correct: false, formatReward: 1, extracted: patch, reason: "patch rejected: \(e)")
            }
            let f2p = swe.failToPass.count, p2p = swe.passToPass.count
            var reason = "fail_to_pass \(r.failToPassPassed)/\(f2p), pass_to_pass \(r.passToPassPassed)/\(p2p)"
            if !r.revertedPaths.isEmpty { reason += "; reverted changes to protected \(r.revertedPaths.joined(separator: ", "))" }
            return RewardScore(reward: r.reward, correct: r.reward == 1, formatReward: 1, extracted: patch, reason: reason)
        } catch {
            return RewardScore(reward: 0, correct: false, formatReward: 1, extracted: patch, reason: "sandbox error: \(error)")
        }
    }
}
