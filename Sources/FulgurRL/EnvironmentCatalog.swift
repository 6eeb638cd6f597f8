import Foundation
import FulgurRewards
import FulgurSandbox

/// Every environment every command can use by name — `fulgur rl`, `eval`, `tasks`, `verify`,
/// `bench tasks`: the built-in ones of FulgurRewards (math, arithmetic, logic tasks) and the
/// execution-based ones that run code in the sandbox (`code`, `swe`). The sandboxed ones are
/// built — and the sandbox probed, which also makes this process a subreaper — only when one of
/// them is first used, never to list names or validate a config.
public enum EnvironmentCatalog {
    /// One name: what `tasks list` shows, and how to build the environment on first use.
    public struct Entry: Sendable {
        public let name: String
        public let summary: String
        public let difficultyScale: String
        /// Whether building it needs the sandbox (a `code`/`swe` entry).
        public let needsSandbox: Bool
        let make: @Sendable () throws -> any Environment
    }

    /// The folder of built-in SWE repository tasks (`FULGUR_SWE_TASKS` overrides; relative paths
    /// are resolved against the working directory, as for every other path).
    public static var sweTasksFolder: String {
        ProcessInfo.processInfo.environment["FULGUR_SWE_TASKS"] ?? "examples/swe"
    }

    public static let entries: [Entry] = Environments.builtIn.map { env in
        Entry(name: env.name, summary: env.summary, difficultyScale: env.difficultyScale, needsSandbox: false, make: { env })
    } + [
        Entry(name: "code",
              summary: "Competitive programming: a program in a ```python block, run in the sandbox on the task's tests",
              difficultyScale: "1-10: problem family and input size", needsSandbox: true,
              make: { CodeEnvironment(sandbox: try sandbox()) }),
        Entry(name: "swe",
              summary: "SWE-style repository tasks: a unified diff, applied and tested in the sandbox (fail_to_pass and pass_to_pass)",
              difficultyScale: "recorded, not used to filter", needsSandbox: true,
              make: { try SWEEnvironment(sandbox: try sandbox(), root: sweTasksFolder) }),
    ]

    public static var names: [String] { entries.map(\.name) }

    /// The environment called `name`, built on first use and kept.
    public static func require(_ name: String) throws -> any Environment {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw RLError("unknown environment \"\(name)\"; available: \(names.joined(separator: ", "))")
        }
        lock.lock()
        defer { lock.unlock() }
        if let env = built[name] { return env }
        let env: any Environment
        do { env = try entry.make() } catch {
            let hint = entry.needsSandbox ? " (the \(name) environment needs the sandbox: see `fulgur sandbox check`)" : ""
            throw RLError("environment \"\(name)\": \(error)\(hint)")
        }
        built[name] = env
        return env
    }

    /// Names whose environment has been built so far (tests: nothing is probed before use).
    public static var builtNames: Set<String> {
        lock.lock()
        defer { lock.unlock() }
        return Set(built.keys)
    }

    private static func sandbox() throws -> Sandbox { try Sandbox.isolated() }
    private static let lock = NSLock()
    nonisolated(unsafe) private static var built: [String: any Environment] = [:]
}

public struct RLError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}
