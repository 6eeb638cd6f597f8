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
