import FulgurSupport

/// One task an environment poses: the JSONL record of `fulgur tasks generate`.
/// Schema (docs/environments.md): `{"id", "prompt", "answer", "task", "difficulty", "metadata"}`.
public struct TaskInstance: Codable, Sendable, Equatable {
    public var id: String
    /// The user-facing question (what the policy sees, before the chat template).
    public var prompt: String
    /// The reference answer in the task's canonical text form.
    public var answer: String
    /// The environment / task family name, e.g. "math", "sudoku", "code".
    public var task: String
    /// 1 (easiest) … 10 (hardest); meaning documented per task.
    public var difficulty: Int
    /// Task-specific data the verifier needs (puzzle grid, test cases, …).
    public var metadata: [String: JSONValue]

    public init(id: String, prompt: String, answer: String, task: String, difficulty: Int, metadata: [String: JSONValue] = [:]) {
        self.id = id; self.prompt = prompt; self.answer = answer; self.task = task
        self.difficulty = difficulty; self.metadata = metadata
    }
}

/// The verdict on one response.
public struct RewardScore: Codable, Sendable, Equatable {
    /// Correctness reward, usually 0 or 1 (a fraction for partial credit such as tests passed).
    public var reward: Double
    /// Whether the answer counts as correct (for accuracy metrics).
    public var correct: Bool
    /// 1 when the answer was found where the task asks for it (e.g. in \boxed{}), else 0.
    public var formatReward: Double
    /// The answer extracted from the response, or nil when none was found.
    public var extracted: String?
    /// A short human-readable reason ("matched", "no \\boxed{} answer", "wrong sum 17 ≠ 24", …).
    public var reason: String

    public init(reward: Double, correct: Bool, formatReward: Double, extracted: String?, reason: String) {
        self.reward = reward; self.correct = correct; self.formatReward = formatReward
        self.extracted = extracted; self.reason = reason
    }
}

/// A source of tasks and a verifier of responses. Implementations must be deterministic
/// given the seed, thread-safe, and bounded in time when scoring.
public protocol Environment: Sendable {
    /// The `task` name this environment generates and scores.
    var name: String { get }
    /// Generates `count` tasks at a difficulty (1…10) from a seed; same seed, same tasks.
    func generate(count: Int, difficulty: Int, seed: UInt64) throws -> [TaskInstance]
    /// Scores a model response to a task.
    func score(_ task: TaskInstance, response: String) -> RewardScore
    /// One line: what the task is (`fulgur tasks list`).
    var summary: String { get }
    /// What the difficulty knob 1…10 changes, for this task.
    var difficultyScale: String { get }
    /// Throws an error naming the problem when `task` cannot be scored here (wrong task name,
    /// missing or malformed metadata).
    func validate(_ task: TaskInstance) throws
}

extension Environment {
    public var summary: String { name }
    public var difficultyScale: String { "" }
    public func validate(_ task: TaskInstance) throws {
        guard task.task == name else { throw FileError("task \(task.id)", "is a \(task.task) task, not \(name)") }
    }
}
