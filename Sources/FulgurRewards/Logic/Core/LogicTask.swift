import Foundation
import FulgurSupport

/// A logic-task environment that can describe itself (for `fulgur tasks list`) and check
/// that a task record read from a file carries the metadata its verifier needs.
public protocol LogicEnvironment: Environment {}

/// The shape shared by every logic task: a typed puzzle (stored as the instance metadata),
/// a generator drawing from a seeded RNG, and a checker of the extracted answer text.
/// Generation, metadata coding, answer extraction and scoring come from the extension below.
public protocol PuzzleTask: LogicEnvironment {
    associatedtype Puzzle: Codable & Sendable
    /// Builds one instance at `difficulty` (1…10). Must be deterministic given `rng`.
    func make(difficulty: Int, rng: inout RNG) throws -> GeneratedPuzzle<Puzzle>
    /// Judges the text found inside the answer tags (already trimmed).
    func check(_ answer: String, puzzle: Puzzle) -> Verdict
}

/// What a generator produces for one instance.
public struct GeneratedPuzzle<Puzzle: Sendable>: Sendable {
    public var puzzle: Puzzle
    /// The question, ending with the answer-format instruction.
    public var prompt: String
    /// The canonical solution text (what a correct response puts inside the answer tags).
    public var answer: String
    public init(puzzle: Puzzle, prompt: String, answer: String) {
        self.puzzle = puzzle; self.prompt = prompt; self.answer = answer
    }
}

/// A checker's judgement with its reason.
public struct Verdict: Sendable, Equatable {
    public var correct: Bool
    public var reason: String
    public static func pass(_ reason: String = "correct") -> Verdict { Verdict(correct: true, reason: reason) }
    public static func fail(_ reason: String) -> Verdict { Verdict(correct: false, reason: reason) }
}

public enum LogicTaskError: Error, CustomStringConvertible, Equatable {
    case badDifficulty(Int)
    case badCount(Int)
    case wrongTask(expected: String, found: String)
    case badMetadata(task: String, detail: String)
    case generationFailed(task: String, detail: String)
    case unknownTask(String)

    public var description: String {
        switch self {
        case .badDifficulty(let d): return "difficulty must be an integer in 1...10, got \(d)"
        case .badCount(let n): return "count must be ≥ 0, got \(n)"
        case .wrongTask(let e, let f): return "task is '\(f)', but this verifier is for '\(e)'"
        case .badMetadata(let t, let d): return "metadata is not a valid \(t) puzzle: \(d)"
        case .generationFailed(let t, let d): return "\(t) generator failed: \(d)"
        case .unknownTask(let n):
            return "unknown task '\(n)'; known tasks: \(LogicTasks.all.map(\.name).joined(separator: ", "))"
        }
    }
}

/// Longest answer a checker looks at; longer answers are rejected before parsing, which keeps
/// every check bounded in time whatever the model writes.
public let maxLogicAnswerBytes = 20_000

extension PuzzleTask {
    public func generate(count: Int, difficulty: Int, seed: UInt64) throws -> [TaskInstance] {
        guard (1...10).contains(difficulty) else { throw LogicTaskError.badDifficulty(difficulty) }
        guard count >= 0 else { throw LogicTaskError.badCount(count) }
        let nameHash = RNG.fnv1a(name)
        return try (0..<count).map { i in
            // One independent stream per item: item i is the same whatever `count` is.
            var rng = RNG(mixing: [seed, nameHash, UInt64(difficulty), UInt64(i)])
            let g = try make(difficulty: difficulty, rng: &rng)
            return TaskInstance(
                id: "\(name)-d\(difficulty)-s\(seed)-\(i)", prompt: g.prompt, answer: g.answer, task: name,
                difficulty: difficulty, metadata: try encodeMetadata(g.puzzle))
        }
    }

    public func score(_ task: TaskInstance, response: String) -> RewardScore {
        let puzzle: Puzzle
        do { puzzle = try decodePuzzle(task) } catch {
            return RewardScore(reward: 0, correct: false, formatReward: 0, extracted: nil, reason: "\(error)")
        }
        guard let extracted = AnswerTag.extract(from: response) else {
            return RewardScore(reward: 0, correct: false, formatReward: 0, extracted: nil,
                               reason: "no <answer>…</answer> block after the reasoning")
        }
        guard extracted.utf8.count <= maxLogicAnswerBytes else {
            return RewardScore(reward: 0, correct: false, formatReward: 1, extracted: String(extracted.prefix(200)),
                               reason: "answer longer than \(maxLogicAnswerBytes) bytes")
        }
        let v = check(extracted, puzzle: puzzle)
        return RewardScore(reward: v.correct ? 1 : 0, correct: v.correct, formatReward: 1, extracted: extracted,
                           reason: v.reason)
    }

    public func validate(_ task: TaskInstance) throws { _ = try decodePuzzle(task) }

    /// The typed puzzle of a task record (its metadata), or a `LogicTaskError` saying why not.
    public func decodePuzzle(_ task: TaskInstance) throws -> Puzzle {
        guard task.task == name else { throw LogicTaskError.wrongTask(expected: name, found: task.task) }
        do {
            return try JSONValue.object(task.metadata).decode(Puzzle.self)
        } catch {
            throw LogicTaskError.badMetadata(task: name, detail: Files.describe(error))
        }
    }

    func encodeMetadata(_ puzzle: Puzzle) throws -> [String: JSONValue] {
        let value = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(puzzle))
        guard let object = value.object else {
            throw LogicTaskError.generationFailed(task: name, detail: "puzzle does not encode as a JSON object")
        }
        return object
    }
}
