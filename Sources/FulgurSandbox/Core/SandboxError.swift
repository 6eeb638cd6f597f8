/// Why a sandboxed run could not happen (as opposed to a program that ran and failed, which is
/// a `RunResult` status).
public enum SandboxError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Isolation cannot be set up here; the list says what is missing. Fail closed: the caller
    /// must opt in to `--no-isolation` explicitly.
    case isolationUnavailable([String])
    /// The sandbox (bwrap) started but failed to build the sandbox.
    case setupFailed(String)
    /// A system call on the host side failed.
    case system(String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .isolationUnavailable(let missing):
            return "sandbox isolation is unavailable, refusing to run untrusted code:\n"
                + missing.map { "  - \($0)" }.joined(separator: "\n")
                + "\n(pass --no-isolation to run without isolation, on a machine you do not mind losing)"
        case .setupFailed(let s): return "sandbox setup failed: \(s)"
        case .system(let s): return "sandbox: \(s)"
        case .invalidArgument(let s): return s
        }
    }
}
