import ArgumentParser
import Foundation
import FulgurRewards
import FulgurSupport

/// `fulgur verify …`: score responses with a verifier.
///
/// - `fulgur verify math --gold G --response R` / `--jsonl FILE`: the math answer checker.
/// - `fulgur verify TASK --task-file TASKS.jsonl --responses RESPONSES.jsonl`: any environment
///   registered in `Environments` (math and the logic tasks), one RewardScore line per response.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check responses against reference answers (math checker, logic-task verifiers).",
        subcommands: [VerifyMath.self, VerifyTask.self],
        defaultSubcommand: VerifyTask.self)
}

/// One line of `fulgur verify math` output: exactly `{"correct": …, "extracted": …}`.
struct MathVerifyLine: Encodable {
    var correct: Bool
    var extracted: String?

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(correct, forKey: .correct)
        try c.encode(extracted, forKey: .extracted) // null when no answer was found
    }
    enum CodingKeys: String, CodingKey { case correct, extracted }
}

func jsonLine<T: Encodable>(_ value: T) -> String {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: (try? enc.encode(value)) ?? Data("null".utf8), as: UTF8.self)
}

struct VerifyMath: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "math",
        abstract: "Check math answers: prints {\"correct\": true|false, \"extracted\": \"<answer>\"|null} per response.")

    @Option(help: "The reference answer (LaTeX or plain text).") var gold: String?
    @Option(help: "The model response to check.") var response: String?
    @Option(help: "A JSONL file of {\"gold\", \"response\"} lines; prints one result per line, in order.") var jsonl: String?
    @Flag(help: "Add the reason and the answer's source to each line.") var explain = false
    @Option(name: .customLong("task-file"), help: "As `fulgur verify TASK`: JSONL file of TaskInstance records.") var taskFile: String?
    @Option(help: "As `fulgur verify TASK`: JSONL file of {\"id\", \"response\"} records.") var responses: String?
    @Option(help: "With --task-file: also write the results to this file (atomically).") var out: String?

    struct Case: Decodable { var gold: String; var response: String }

    func validate() throws {
        let single = gold != nil || response != nil
        let taskMode = taskFile != nil || responses != nil
        let modes = [single, jsonl != nil, taskMode].filter { $0 }.count
        if modes != 1 { throw ValidationError("give one of: --gold and --response; --jsonl FILE; --task-file and --responses") }
        if single && (gold == nil || response == nil) { throw ValidationError("--gold and --response go together") }
        if taskMode && (taskFile == nil || responses == nil) { throw ValidationError("--task-file and --responses go together") }
    }

    func run() throws {
        if let taskFile, let responses {
            try VerifyTask.run(task: "math", taskFile: taskFile, responses: responses, out: out)
            return
        }
        let cases: [Case]
        if let jsonl {
            do { cases = try Files.readJSONL(jsonl, as: Case.self) } catch {
                Console.err("error: \(error)\n")
                throw ExitCode(1)
            }
        } else {
            cases = [Case(gold: gold!, response: response!)]
        }
        var out = ""
        for c in cases {
            let v = MathChecker.check(gold: c.gold, response: c.response)
            if explain {
                let line: JSONValue = [
                    "correct": .bool(v.correct), "extracted": v.extracted.map(JSONValue.string) ?? .null,
                    "reason": .string(v.reason), "source": v.source.map { .string($0.rawValue) } ?? .null,
                ]
                out += line.jsonString() + "\n"
            } else {
                out += jsonLine(MathVerifyLine(correct: v.correct, extracted: v.extracted)) + "\n"
            }
            if out.utf8.count > 1 << 16 { Console.out(out); out = "" }
        }
        Console.out(out)
    }
}

/// `fulgur verify TASK --task-file F --responses F`: generic over `Environments`.
struct VerifyTask: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Score responses to tasks of a registered environment (see `Environments`).",
        discussion: """
            TASK is an environment name (math, sudoku, …). --task-file holds TaskInstance lines \
            ({"id","prompt","answer","task","difficulty","metadata"}); --responses holds \
            {"id","response"} lines (matched by id; lines without id match tasks in order). \
            Prints one {"id","correct","reward","format_reward","extracted","reason"} line per response.
            """)

    @Argument(help: "The environment name.") var task: String
    @Option(name: .customLong("task-file"), help: "JSONL file of TaskInstance records.") var taskFile: String
    @Option(help: "JSONL file of {\"id\", \"response\"} records.") var responses: String
    @Option(help: "Also write the results to this file (atomically).") var out: String?

    struct ResponseLine: Decodable { var id: String?; var response: String }

    func run() throws { try VerifyTask.run(task: task, taskFile: taskFile, responses: responses, out: out) }

    static func run(task: String, taskFile: String, responses: String, out: String?) throws {
        guard let env = Environments.named(task) else {
            Console.err("error: unknown task '\(task)'; known: \(Environments.names.joined(separator: ", "))\n")
            throw ExitCode(1)
        }
        let lines: String
        do {
            let tasks = try Files.readJSONL(taskFile, as: TaskInstance.self)
            let answers = try Files.readJSONL(responses, as: ResponseLine.self)
            lines = try VerifyTask.score(env, tasks: tasks, responses: answers, taskFile: taskFile, responsesFile: responses)
        } catch {
            Console.err("error: \(error)\n")
            throw ExitCode(1)
        }
        if let out { try Files.writeAtomically(lines, to: out) }
        Console.out(lines)
    }

    static func score(_ env: any Environment, tasks: [TaskInstance], responses: [ResponseLine],
                      taskFile: String, responsesFile: String) throws -> String {
        var byID: [String: TaskInstance] = [:]
        for t in tasks { byID[t.id] = t }
        var text = ""
        for (k, r) in responses.enumerated() {
            let t: TaskInstance
            if let id = r.id {
                guard let found = byID[id] else { throw FileError(responsesFile, "line \(k + 1): no task with id \"\(id)\" in \(taskFile)") }
                t = found
            } else {
                guard k < tasks.count else { throw FileError(responsesFile, "line \(k + 1): no id and no task at that position in \(taskFile)") }
                t = tasks[k]
            }
            guard t.task == env.name else {
                throw FileError(taskFile, "task \"\(t.id)\" is a \(t.task) task, not \(env.name)")
            }
            let s = env.score(t, response: r.response)
            let line: JSONValue = [
                "id": .string(t.id), "correct": .bool(s.correct), "reward": .number(s.reward),
                "format_reward": .number(s.formatReward), "extracted": s.extracted.map(JSONValue.string) ?? .null,
                "reason": .string(s.reason),
            ]
            text += line.jsonString() + "\n"
        }
        return text
    }
}
