/// The resource limits of one sandboxed run. Defaults are the `fulgur sandbox run` defaults
/// (docs/sandbox.md lists every limit and the layer that enforces it).
public struct SandboxLimits: Sendable, Equatable {
    /// Wall-clock limit in seconds, counted from the moment the program starts.
    public var timeout: Double = 10
    /// Address-space limit (RLIMIT_AS) in MiB.
    public var memoryMB: Int = 512
    /// Processes and threads the run may have at once (RLIMIT_NPROC on its own uid, and the
    /// cgroup `pids.max` when that layer is available).
    public var maxProcesses: Int = 64
    /// Largest file the program may write (RLIMIT_FSIZE), MiB.
    public var fileSizeMB: Int = 64
    /// Size of the writable work directory `/box` and of `/tmp` (each a tmpfs), MiB.
    public var workdirMB: Int = 128
    /// Bytes kept of stdout and of stderr each; a program that writes more is killed with
    /// status `output_limit`.
    public var outputLimitBytes: Int = 8 << 20
    /// Open file descriptors (RLIMIT_NOFILE).
    public var openFiles: Int = 256

    public init(timeout: Double = 10, memoryMB: Int = 512) {
        self.timeout = timeout
        self.memoryMB = memoryMB
    }

    /// CPU-time limit (RLIMIT_CPU) in seconds: the wall limit rounded up, plus one, so that a
    /// single-threaded program always meets the wall limit first.
    public var cpuSeconds: Int { Int(timeout.rounded(.up)) + 1 }

    /// Checks the values a user can set; the message names the flag.
    public func validate() throws {
        func fail(_ s: String) -> SandboxError { .invalidArgument(s) }
        guard timeout > 0, timeout <= 3600, timeout.isFinite else { throw fail("--timeout must be in (0, 3600] seconds, got \(timeout)") }
        guard memoryMB >= 16, memoryMB <= 1 << 20 else { throw fail("--memory must be in [16, 1048576] MiB, got \(memoryMB)") }
        guard maxProcesses >= 4, maxProcesses <= 4096 else { throw fail("max processes must be in [4, 4096], got \(maxProcesses)") }
        guard fileSizeMB >= 1 else { throw fail("file size limit must be ≥ 1 MiB") }
        guard workdirMB >= 1 else { throw fail("work directory size must be ≥ 1 MiB") }
        guard outputLimitBytes >= 1024 else { throw fail("output limit must be ≥ 1024 bytes") }
        guard openFiles >= 16 else { throw fail("open-file limit must be ≥ 16") }
    }
}
