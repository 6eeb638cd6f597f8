import Foundation

/// Languages the code sandbox runs. Python 3 is required; Swift is optional (it needs a
/// Swift toolchain on the host, compiled inside the sandbox with a static standard library).
public enum Language: String, CaseIterable, Sendable {
    case python
    case swift
}

/// A program ready to run any number of times: the files it needs in the work directory and
/// its command (relative to the work directory).
public struct PreparedProgram: Sendable {
    public var files: [SandboxFile]
    public var command: [String]

    /// A job running this program on one input.
    public func job(stdin: Data, limits: SandboxLimits) -> SandboxJob {
        SandboxJob(command: command, files: files, stdin: stdin, limits: limits)
    }
}

/// Why a program could not be prepared: a compile error is the program's fault and becomes a
/// failed run; a missing toolchain is the host's.
public enum PrepareOutcome: Sendable {
    case ready(PreparedProgram)
    case compileFailed(RunResult)
}

public enum ProgramBuilder {
    /// Limits of the Swift compile step (the compiler needs far more than the program).
    public static let compileLimits: SandboxLimits = {
        var l = SandboxLimits(timeout: 120, memoryMB: 8192)
        l.outputLimitBytes = 64 << 20
        l.workdirMB = 256
        l.maxProcesses = 64
        l.fileSizeMB = 256
        return l
    }()

    public static func prepare(_ language: Language, source: Data, sandbox: Sandbox) throws -> PrepareOutcome {
        switch language {
        case .python:
            guard let python = sandbox.python else {
                throw SandboxError.invalidArgument("python3 is not installed (apt-get install python3)")
            }
            return .ready(PreparedProgram(files: [SandboxFile(name: "main.py", contents: source)], command: [python, "main.py"]))
        case .swift:
            return try prepareSwift(source: source, sandbox: sandbox)
        }
    }

    /// Compiles inside the sandbox and takes the binary out through stdout, so that the build
    /// needs no writable host folder. `-static-stdlib` makes the binary run without the
    /// toolchain's shared libraries.
    private static func prepareSwift(source: Data, sandbox: Sandbox) throws -> PrepareOutcome {
        guard let swiftc = Interpreters.swiftc() else {
            throw SandboxError.invalidArgument("swiftc is not installed; Swift programs need a Swift toolchain")
        }
        let toolchain = URL(fileURLWithPath: swiftc).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        var job = SandboxJob(
            command: ["/bin/sh", "-c", "\"$0\" -O -static-stdlib -module-cache-path .module-cache main.swift -o main.bin 1>&2 && cat main.bin", swiftc],
            files: [SandboxFile(name: "main.swift", contents: source)], limits: compileLimits)
        if !toolchain.hasPrefix("/usr") { job.readOnlyMounts = [ReadOnlyMount(host: toolchain, target: toolchain)] }
        let r = try sandbox.run(job)
        guard r.status == .ok, !r.stdout.isEmpty else { return .compileFailed(r) }
        return .ready(PreparedProgram(files: [SandboxFile(name: "main", contents: r.stdout, executable: true)], command: ["./main"]))
    }
}
