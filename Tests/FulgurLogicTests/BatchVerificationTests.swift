import Foundation
@testable import FulgurRewards
import FulgurSupport
import Testing

@Suite struct BatchVerificationTests {
    @Test func scoresResponsesInFileOrder() throws {
        let env = DyckCompletionTask()
        let tasks = try env.generate(count: 3, difficulty: 2, seed: 4)
        let responses = [
            ResponseRecord(id: tasks[1].id, response: "<answer>\(tasks[1].answer)</answer>"),
            ResponseRecord(id: tasks[0].id, response: "no tags"),
            ResponseRecord(id: tasks[1].id, response: "<answer>)</answer>"),
        ]
        let (scores, summary) = try BatchVerification.run(env, tasks: tasks, taskFile: "t.jsonl",
                                                          responses: responses, responsesFile: "r.jsonl")
        #expect(scores.map(\.id) == [tasks[1].id, tasks[0].id, tasks[1].id])
        #expect(scores.map(\.reward) == [1, 0, 0])
        #expect(scores.map(\.formatReward) == [1, 0, 1])
        #expect(summary == VerificationSummary(responses: 3, correct: 1, accuracy: 1.0 / 3, meanReward: 1.0 / 3,
                                               formatRate: 2.0 / 3, tasks: 3, unanswered: 1))
        let json = String(decoding: try JSONEncoder().encode(scores[1]), as: UTF8.self)
        #expect(json.contains("\"extracted\":null"))
    }

    @Test func badInputsNameTheFileAndId() throws {
        let env = DyckCompletionTask()
        let tasks = try env.generate(count: 2, difficulty: 1, seed: 1)
        func message(_ tasks: [TaskInstance], _ responses: [ResponseRecord]) -> String {
            do {
                _ = try BatchVerification.run(env, tasks: tasks, taskFile: "t.jsonl", responses: responses, responsesFile: "r.jsonl")
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(message(tasks + [tasks[0]], []).hasPrefix("t.jsonl: task id '\(tasks[0].id)' appears twice"))
        #expect(message(tasks, [ResponseRecord(id: "ghost", response: "")]) == "r.jsonl: response for unknown task id 'ghost'")
        var broken = tasks[1]
        broken.metadata = [:]
        #expect(message([tasks[0], broken], []).hasPrefix("t.jsonl: task '\(broken.id)': metadata is not a valid dyck_language puzzle"))
        let sudoku = try SudokuTask().generate(count: 1, difficulty: 1, seed: 1)
        #expect(message(sudoku, []).contains("task is 'sudoku', but this verifier is for 'dyck_language'"))
    }
}
