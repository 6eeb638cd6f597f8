import Foundation
import FulgurSupport

/// One line of a responses file: `{"id": "<task id>", "response": "<model output>"}`.
/// Several responses may share an id (a group of rollouts for one prompt).
public struct ResponseRecord: Codable, Sendable, Equatable {
    public var id: String
    public var response: String
    public init(id: String, response: String) { self.id = id; self.response = response }
}

/// One scored response: the id and task it answers plus the `RewardScore` fields.
public struct ScoredResponse: Codable, Sendable, Equatable {
    public var id: String
    public var task: String
    public var reward: Double
    public var correct: Bool
    public var formatReward: Double
    public var extracted: String?
    public var reason: String

    init(id: String, task: String, score: RewardScore) {
        self.id = id; self.task = task; reward = score.reward; correct = score.correct
        formatReward = score.formatReward; extracted = score.extracted; reason = score.reason
    }

    enum CodingKeys: String, CodingKey { case id, task, reward, correct, formatReward, extracted, reason }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(task, forKey: .task); try c.encode(reward, forKey: .reward)
        try c.encode(correct, forKey: .correct); try c.encode(formatReward, forKey: .formatReward)
        try c.encode(extracted, forKey: .extracted)    // explicit null when nothing was extracted
        try c.encode(reason, forKey: .reason)
    }
}

/// Totals over a verification run.
public struct VerificationSummary: Codable, Sendable, Equatable {
    public var responses: Int
    public var correct: Int
    public var accuracy: Double
    public var meanReward: Double
    /// Share of responses with the answer in the expected place.
    public var formatRate: Double
    public var tasks: Int
    /// Tasks in the task file that no response answered.
    public var unanswered: Int
}

/// Scores a responses file against a task file for one environment (`fulgur verify TASK`).
public enum BatchVerification {
    /// Checks both inputs up front (every task belongs to `environment`, has valid metadata
    /// and a unique id; every response names a known task) and then scores the responses in
    /// file order. Errors name the file and the offending id.
    public static func run(
        _ environment: any Environment, tasks: [TaskInstance], taskFile: String,
        responses: [ResponseRecord], responsesFile: String
    ) throws -> (scores: [ScoredResponse], summary: VerificationSummary) {
        var byID: [String: TaskInstance] = [:]
        for t in tasks {
            guard byID[t.id] == nil else { throw FileError(taskFile, "task id '\(t.id)' appears twice") }
            do { try environment.validate(t) } catch { throw FileError(taskFile, "task '\(t.id)': \(error)") }
            byID[t.id] = t
        }
        var scores: [ScoredResponse] = []
        var answered = Set<String>()
        for r in responses {
            guard let t = byID[r.id] else { throw FileError(responsesFile, "response for unknown task id '\(r.id)'") }
            answered.insert(r.id)
            scores.append(ScoredResponse(id: r.id, task: t.task, score: environment.score(t, response: r.response)))
        }
        let n = Double(max(scores.count, 1))
        let correct = scores.filter(\.correct).count
        let summary = VerificationSummary(
            responses: scores.count, correct: correct, accuracy: Double(correct) / n,
            meanReward: scores.map(\.reward).reduce(0, +) / n, formatRate: scores.map(\.formatReward).reduce(0, +) / n,
            tasks: tasks.count, unanswered: tasks.count - answered.count)
        return (scores, summary)
    }
}
