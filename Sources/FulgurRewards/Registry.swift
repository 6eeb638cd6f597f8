import Foundation
import FulgurSupport

/// The rule-checked environments of this module (math, arithmetic, logic tasks), in the order
/// `fulgur tasks list` shows them. Task families living in other folders (Logic/, …) append
/// their environments here. Environments that run code in the sandbox live in their own target
/// (FulgurCodeEnvironments); the executable assembles both into one `EnvironmentRegistry`.
public enum Environments {
    public static let builtIn: [any Environment] = [
        MathEnvironment(),
        ArithmeticEnvironment(),
        ArithmeticEnvironment(operations: [.addition]),
        ArithmeticEnvironment(operations: [.subtraction]),
        ArithmeticEnvironment(operations: [.multiplication]),
    ] + LogicTasks.all

    /// The names of all built-in environments.
    public static var names: [String] { builtIn.map(\.name) }

    /// The environment whose `name` is `name`, or nil.
    public static func named(_ name: String) -> (any Environment)? {
        builtIn.first { $0.name == name }
    }
}

/// Every environment a command can use by name (`fulgur rl`, `eval`, `tasks`, `verify`,
/// `train`'s built-in data), one name each. Entries are described up front and built on first
/// use: an environment whose construction has side effects (the sandbox probe of `code`/`swe`,
/// which also makes this process a subreaper) costs nothing until a run uses it — listing names or
/// validating a config builds nothing.
public final class EnvironmentRegistry: @unchecked Sendable {
    /// One name: what `tasks list` shows, and how to build the environment on first use.
    public struct Entry: Sendable {
        public let name: String
        public let summary: String
        public let difficultyScale: String
        /// What building it needs beyond this process ("the sandbox"), or nil when it is free.
        public let needs: String?
        /// Whether it can write worked solutions (`Demonstrating`: usable in `train`'s built-in corpus).
        public let demonstrates: Bool
        let make: @Sendable () throws -> any Environment

        /// An entry built on first use.
        public init(name: String, summary: String, difficultyScale: String, needs: String?, demonstrates: Bool = false,
                    make: @escaping @Sendable () throws -> any Environment) {
            self.name = name; self.summary = summary; self.difficultyScale = difficultyScale
            self.needs = needs; self.demonstrates = demonstrates; self.make = make
        }

        /// An entry for an environment value that is cheap to hold.
        public init(_ env: any Environment) {
            self.init(name: env.name, summary: env.summary, difficultyScale: env.difficultyScale, needs: nil,
                      demonstrates: env is any Demonstrating, make: { env })
        }
    }

    public let entries: [Entry]
    private let lock = NSLock()
    private var built: [String: any Environment] = [:]

    /// Names must be unique (a programming error otherwise).
    public init(_ entries: [Entry]) {
        precondition(Set(entries.map(\.name)).count == entries.count, "duplicate environment names")
        self.entries = entries
    }

    /// The rule-checked environments only (`Environments.builtIn`): what a process that never runs
    /// code can use.
    public static let ruleChecked = EnvironmentRegistry(Environments.builtIn.map { Entry($0) })

    public var names: [String] { entries.map(\.name) }

    public func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }

    /// The environment called `name`, built on first use and kept.
    public func require(_ name: String) throws -> any Environment {
        guard let entry = entry(name) else {
            throw EnvironmentError("unknown environment \"\(name)\"; available: \(names.joined(separator: ", "))")
        }
        lock.lock()
        defer { lock.unlock() }
        if let env = built[name] { return env }
        let env: any Environment
        do { env = try entry.make() } catch {
            throw EnvironmentError("environment \"\(name)\": \(error)" + (entry.needs.map { " (it needs \($0))" } ?? ""))
        }
        built[name] = env
        return env
    }

    /// Names whose environment has been built so far (tests: nothing is probed before use).
    public var builtNames: Set<String> {
        lock.lock()
        defer { lock.unlock() }
        return Set(built.keys)
    }
}

/// An unknown environment name, or an environment that could not be built.
public struct EnvironmentError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
