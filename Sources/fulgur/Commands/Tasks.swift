import ArgumentParser
import Foundation
import FulgurEnvironments
import FulgurRL
import FulgurRewards
import FulgurSupport

/// `fulgur tasks list | generate`: the built-in environments (docs/environments.md, docs/logic-tasks.md).
struct Tasks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "List the built-in environments or generate task instances (JSONL).",
        subcommands: [List.self, Generate.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one JSON object per task: {\"name\", \"description\", \"difficulty\"}.")

        func run() throws {
            for env in EnvironmentRegistry.standard.entries {
                let line: JSONValue = ["name": .string(env.name), "description": .string(env.summary),
                                       "difficulty": .string(env.difficultyScale)]
                print(line.jsonString())
            }
        }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate N instances of TASK as TaskInstance JSONL, written atomically to --out.")

        @Argument(help: "Task name (see `fulgur tasks list`).")
        var task: String
        @Option(help: "Number of instances.")
        var n: Int
        @Option(help: "Difficulty, an integer from 1 (easiest) to 10.")
        var difficulty: Int = 1
        @Option(help: "Seed; the same task, difficulty and seed give the same instances.")
        var seed: UInt64 = 0
        @Option(help: "Output JSONL file.")
        var out: String

        func validate() throws {
            guard n >= 0 else { throw ValidationError("--n must be ≥ 0, got \(n)") }
            guard (1...10).contains(difficulty) else { throw ValidationError("--difficulty must be in 1...10, got \(difficulty)") }
        }

        func run() throws {
            let env = try environment(named: task)
            let start = Date()
            let instances = try env.generate(count: n, difficulty: difficulty, seed: seed)
            let seconds = Date().timeIntervalSince(start)
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var data = Data()
            for t in instances {
                data.append(try enc.encode(t))
                data.append(UInt8(ascii: "\n"))
            }
            do { try Files.writeAtomically(data, to: out) } catch {
                let reason = error is FileError ? "\(error)" : "\(out): cannot write: \(error.localizedDescription)"
                FileHandle.standardError.write(Data("error: \(reason)\n".utf8))
                throw ExitCode(1)
            }
            let summary: JSONValue = ["task": .string(task), "n": .number(Double(n)),
                                      "difficulty": .number(Double(difficulty)), "seed": .string(String(seed)),
                                      "out": .string(out), "seconds": .number((seconds * 1000).rounded() / 1000)]
            print(summary.jsonString())
        }
    }
}

/// The environment called `name` (the one catalog every command uses: `code` and `swe` too), or
/// a usage error listing the known ones.
func environment(named name: String) throws -> any Environment {
    let registry = EnvironmentRegistry.standard
    guard registry.entry(name) != nil else {
        throw ValidationError("unknown task '\(name)'; known tasks: \(registry.names.joined(separator: ", "))")
    }
    do { return try registry.require(name) } catch {
        throw ValidationError("\(error)")
    }
}
