import Foundation
import FulgurRewards
import FulgurSupport
import Testing

@Suite struct MathEnvironmentTests {
    @Test func registryFindsMath() {
        #expect(Environments.names.contains("math"))
        #expect(Environments.named("math")?.name == "math")
        #expect(Environments.named("no-such-task") == nil)
    }

    @Test func generationIsDeterministic() throws {
        let env = MathEnvironment()
        let a = try env.generate(count: 12, difficulty: 4, seed: 42)
        let b = try env.generate(count: 12, difficulty: 4, seed: 42)
        let c = try env.generate(count: 12, difficulty: 4, seed: 43)
        #expect(a == b)
        #expect(a != c)
        #expect(Set(a.map(\.id)).count == 12)
        #expect(a.allSatisfy { $0.task == "math" && $0.difficulty == 4 && $0.prompt.contains("\\boxed{}") })
    }

    /// Generated answers are exact: the reference in a box scores 1 with format reward 1; the
    /// reference plus one scores 0; the reference without a box scores 1 with format reward 0.
    @Test(arguments: 1...10)
    func generatedTasksAreScoredByTheChecker(difficulty: Int) throws {
        let env = MathEnvironment()
        for task in try env.generate(count: 9, difficulty: difficulty, seed: UInt64(difficulty)) {
            let right = env.score(task, response: "Working… so the answer is $\\boxed{\(task.answer)}$.")
            #expect(right.correct && right.reward == 1 && right.formatReward == 1, "\(task.prompt) → \(task.answer): \(right.reason)")
            let wrong = env.score(task, response: "\\boxed{\(task.answer) + 1}")
            #expect(!wrong.correct && wrong.reward == 0)
            let unboxed = env.score(task, response: "The final answer is $\(task.answer)$.")
            #expect(unboxed.correct && unboxed.formatReward == 0)
        }
    }

    /// The generator's answers agree with an independent evaluation of the question text.
    @Test func generatedAnswersMatchTheQuestion() throws {
        for task in MathTaskGenerator().generate(count: 60, difficulty: 6, seed: 9) {
            guard let expression = task.metadata["expression"]?.string else { continue }
            let (ok, reason) = MathChecker.compare(gold: task.answer, answer: expression)
            #expect(ok, "\(expression) ≠ \(task.answer): \(reason)")
        }
    }

    @Test func difficultyMakesLargerProblems() {
        func size(_ d: Int) -> Double {
            let tasks = MathTaskGenerator().generate(count: 60, difficulty: d, seed: 5)
            return Double(tasks.map { $0.prompt.count + $0.answer.count }.reduce(0, +)) / Double(tasks.count)
        }
        #expect(size(1) < size(5))
        #expect(size(5) < size(10))
    }

    @Test func tasksFromAFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fulgur-math-\(getpid())")
        let path = dir.appendingPathComponent("tasks.jsonl").path
        let tasks = (1...6).map { TaskInstance(id: "t\($0)", prompt: "What is \($0) + \($0)?", answer: "\(2 * $0)", task: "math", difficulty: $0 % 2 + 1) }
        let enc = JSONEncoder()
        try Files.writeAtomically(tasks.map { String(decoding: try! enc.encode($0), as: UTF8.self) }.joined(separator: "\n"), to: path)
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = try MathEnvironment(tasksFile: path)
        let picked = try env.generate(count: 10, difficulty: 2, seed: 1)
        #expect(picked.count == 3 && picked.allSatisfy { $0.difficulty == 2 })
        #expect(try env.generate(count: 10, difficulty: 2, seed: 1) == picked)
        #expect(env.score(tasks[0], response: "\\boxed{2}").correct)

        try Files.writeAtomically("{\"id\": \"x\", \"prompt\": \"p\"}\n", to: path)
        #expect(throws: FileError.self) { try MathEnvironment(tasksFile: path) }
    }
}
