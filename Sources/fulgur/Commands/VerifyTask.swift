import ArgumentParser
import Foundation
import FulgurRewards
import FulgurSupport

/// `fulgur verify TASK --task-file FILE.jsonl --responses FILE.jsonl`: scores model responses
/// to generated logic tasks. Meant as the default subcommand of `fulgur verify` (next to
/// `verify math`); also reachable as `fulgur verify task TASK …`.
struct VerifyTask: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Score responses to logic-task instances; prints one JSON score per response, then a summary.",
        discussion: """
            The responses file is JSONL with one {"id", "response"} object per line; id is the id of a task \
            in --task-file (several responses may share an id). Output, one JSON object per line in the order \
            of the responses file: {"id", "task", "reward", "correct", "formatReward", "extracted", "reason"}; \
            the last line is {"summary": {"responses", "correct", "accuracy", "meanReward", "formatRate", \
            "tasks", "unanswered"}}.
            """)

    @Argument(help: "Task name (see `fulgur tasks list`).")
    var task: String
    @Option(name: .customLong("task-file"), help: "TaskInstance JSONL (from `fulgur tasks generate`).")
    var taskFile: String
    @Option(help: "Responses JSONL: {\"id\", \"response\"} per line.")
    var responses: String

    @Option(help: "Also write the output lines to this file (atomically).")
    var out: String?

    func run() throws { try VerifyTask.run(task: task, taskFile: taskFile, responses: responses, out: out) }

    static func run(task: String, taskFile: String, responses: String, out: String?) throws {
        let env = try environment(named: task)
        do {
            let tasks = try Files.readJSONL(taskFile, as: TaskInstance.self)
            let records = try Files.readJSONL(responses, as: ResponseRecord.self)
            for t in tasks where t.task != task {
                throw FileError(taskFile, "task '\(t.id)' is a '\(t.task)' task, not '\(task)'")
            }
            let (scores, summary) = try BatchVerification.run(env, tasks: tasks, taskFile: taskFile,
                                                              responses: records, responsesFile: responses)
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var data = Data()
            for s in scores { data.append(try enc.encode(s)); data.append(UInt8(ascii: "\n")) }
            data.append(try enc.encode(["summary": summary])); data.append(UInt8(ascii: "\n"))
            if let out { try Files.writeAtomically(data, to: out) }
            FileHandle.standardOutput.write(data)
        } catch let e as FileError {
            FileHandle.standardError.write(Data("error: \(e)\n".utf8))
            throw ExitCode(1)
        }
    }
}
