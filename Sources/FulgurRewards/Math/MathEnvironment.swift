import FulgurSupport

/// The math environment: tasks from a JSONL file (`TaskInstance` lines) or from the seeded
/// generator, scored by `MathChecker` — reward 1 when the final answer equals the reference,
/// format reward 1 when the answer was given in `\boxed{}`.
public struct MathEnvironment: Environment {
    public let name = "math"
    /// Tasks loaded from a file; nil means generated tasks.
    public let tasks: [TaskInstance]?

    /// Generated tasks (`MathTaskGenerator`).
    public init() { tasks = nil }

    /// Tasks read from a JSONL file of `TaskInstance` records; errors name the file and line.
    public init(tasksFile path: String) throws {
        let loaded = try Files.readJSONL(path, as: TaskInstance.self)
        for (k, t) in loaded.enumerated() where !(1...10).contains(t.difficulty) {
            throw FileError(path, "task \(k + 1) (\(t.id)): difficulty \(t.difficulty) outside 1…10")
        }
        tasks = loaded
    }

    /// Generated tasks, or `count` tasks of the file: those of the requested difficulty (all
    /// tasks when none has it), in a seeded shuffle.
    public func generate(count: Int, difficulty: Int, seed: UInt64) throws -> [TaskInstance] {
        guard let tasks else { return MathTaskGenerator().generate(count: count, difficulty: difficulty, seed: seed) }
        let matching = tasks.filter { $0.difficulty == difficulty }
        var pool = matching.isEmpty ? tasks : matching
        var rng = SplitMix64(seed: seed)
        pool.shuffle(using: &rng)
        return Array(pool.prefix(max(count, 0)))
    }

    public func score(_ task: TaskInstance, response: String) -> RewardScore {
        let v = MathChecker.check(gold: task.answer, response: response)
        return RewardScore(reward: v.correct ? 1 : 0, correct: v.correct,
                           formatReward: v.source == .boxed ? 1 : 0, extracted: v.extracted, reason: v.reason)
    }
}
