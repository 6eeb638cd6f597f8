import Foundation

/// A file placed in the work directory before the program starts.
public struct SandboxFile: Sendable, Equatable {
    /// Path relative to the work directory: no leading `/`, no `..`, no empty components.
    public var name: String
    public var contents: Data
    public var executable: Bool

    public init(name: String, contents: Data, executable: Bool = false) {
        self.name = name; self.contents = contents; self.executable = executable
    }
    public init(name: String, text: String) { self.init(name: name, contents: Data(text.utf8)) }

    func validate() throws {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("\0"),
              parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw SandboxError.invalidArgument("sandbox file name \(name.debugDescription) must be a plain relative path")
        }
    }
}

/// A host folder made visible read-only inside the sandbox (ignored without isolation, where
/// the program sees the host's paths directly).
public struct ReadOnlyMount: Sendable, Equatable {
    public var host: String
    public var target: String
    public init(host: String, target: String) { self.host = host; self.target = target }
}

/// One program run: the command (argv inside the sandbox, cwd = the work directory), the
/// files it finds there, its stdin and its limits.
public struct SandboxJob: Sendable {
    public var command: [String]
    public var files: [SandboxFile]
    public var stdin: Data
    public var limits: SandboxLimits
    public var readOnlyMounts: [ReadOnlyMount]
    /// Added to (or overriding) the base environment.
    public var environment: [String: String]

    public init(command: [String], files: [SandboxFile] = [], stdin: Data = Data(), limits: SandboxLimits = SandboxLimits(),
                readOnlyMounts: [ReadOnlyMount] = [], environment: [String: String] = [:]) {
        self.command = command; self.files = files; self.stdin = stdin; self.limits = limits
        self.readOnlyMounts = readOnlyMounts; self.environment = environment
    }

    /// The program's whole environment: nothing is inherited from the host.
    func sandboxEnvironment(home: String) -> [String: String] {
        var env = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "TMPDIR": "/tmp", "LANG": "C.UTF-8",
                   "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"]
        for (k, v) in environment { env[k] = v }
        return env
    }
}
