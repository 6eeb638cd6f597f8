import ArgumentParser
import Foundation
import FulgurSandbox

/// `fulgur swe run|validate`: SWE-style repository tasks (docs/sandbox.md, "SWE tasks").
struct SWECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swe",
        abstract: "Apply a patch to a task's repository and run its tests in the sandbox.",
        subcommands: [SWERun.self, SWEValidate.self])
}

struct SWETaskOptions: ParsableArguments {
    @Option(help: "Task folder (task.json, issue, repository snapshot).")
    var task: String
    @Flag(help: "Run WITHOUT isolation (no namespaces, your own uid): only for trusted code.")
    var noIsolation = false

    func load() throws -> SWETask {
        do { return try SWETask.load(task) } catch { throw ValidationError("\(error)") }
    }

    func runner() throws -> SWERunner {
        try exitTwoOnError { SWERunner(sandbox: try Sandbox.make(isolation: !noIsolation)) }
    }
}

struct SWERun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Apply a unified diff and run the task's tests; prints the reward (1 only if every target test passes and no passing test breaks).")

    @OptionGroup var options: SWETaskOptions
    @Option(help: "The model's patch: a unified diff with paths relative to the repository root.")
    var patch: String

    func run() throws {
        let task = try options.load()
        guard let diff = FileManager.default.contents(atPath: patch) else { throw ValidationError("\(patch): cannot read the patch file") }
        let runner = try options.runner()
        try exitTwoOnError {
            print(try runner.run(task, patch: diff).json())
        }
    }
}

struct SWEValidate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a task: unpatched, fail_to_pass tests fail and pass_to_pass tests pass; with the reference patch, the reward is 1.")

    @OptionGroup var options: SWETaskOptions

    func run() throws {
        let task = try options.load()
        let runner = try options.runner()
        try exitTwoOnError {
            let v = try SWEValidation.validate(task, runner: runner)
            print(v.json())
            if !v.problems.isEmpty { throw ExitCode(1) }
        }
    }
}
