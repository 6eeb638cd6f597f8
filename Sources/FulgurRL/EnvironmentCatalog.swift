import FulgurRewards
import FulgurSandbox

/// Every environment the RL loop and `fulgur eval` can use by name: the built-in ones of
/// FulgurRewards (math, arithmetic, logic tasks) plus the execution-based `code` environment
/// when a sandbox can be set up here.
public enum EnvironmentCatalog {
    public static let all: [any Environment] = {
        var envs = Environments.builtIn
        if let sandbox = try? Sandbox.isolated() { envs.append(CodeEnvironment(sandbox: sandbox)) }
        return envs
    }()

    public static var names: [String] { all.map(\.name) }

    public static func named(_ name: String) -> (any Environment)? { all.first { $0.name == name } }

    public static func require(_ name: String) throws -> any Environment {
        guard let env = named(name) else {
            let hint = name == "code" ? " (the code environment needs the sandbox: see `fulgur sandbox check`)" : ""
            throw RLError("unknown environment \"\(name)\"\(hint); available: \(names.joined(separator: ", "))")
        }
        return env
    }
}

public struct RLError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}
