import Foundation

/// Maps what happened to a run onto the six statuses of the CLI contract.
public enum StatusClassifier {
    /// Markers a process prints when an allocation fails under the address-space limit.
    static let memoryMarkers = [
        "MemoryError",                 // Python
        "Cannot allocate memory",      // strerror(ENOMEM), e.g. a failed fork/mmap
        "std::bad_alloc",              // C++
        "out of memory",               // glibc / Swift runtime / many allocators
        "Unable to allocate",          // NumPy
    ]

    public static func classify(killReason: KillReason?, exitCode: Int?, signal: Int?, stderr: Data,
                                cpuSeconds: Double, maxRSSKB: Int, limits: SandboxLimits) -> RunStatus {
        switch killReason {
        case .timeout?, .setupTimeout?: return .timeout
        case .outputLimit?: return .outputLimit
        case nil: break
        }
        if exitCode == 0 { return .ok }
        if let sig = signal {
            if sig == SIGXCPU || (sig == SIGKILL && cpuSeconds >= Double(limits.cpuSeconds)) { return .timeout }
            if sig == SIGXFSZ { return .outputLimit }
            // Killed without a host reason: the kernel OOM killer (a cgroup or host memory
            // limit) leaves only the peak RSS as evidence.
            if sig == SIGKILL && maxRSSKB >= (limits.memoryMB << 10) * 9 / 10 { return .memory }
            if (sig == SIGABRT || sig == SIGSEGV || sig == SIGBUS || sig == SIGTRAP) && mentionsMemory(stderr) { return .memory }
            return .killed
        }
        return mentionsMemory(stderr) ? .memory : .runtimeError
    }

    /// Whether the end of stderr reports a failed allocation. Only the last lines count, so
    /// that a program printing "MemoryError" early and failing later for another reason is
    /// still a runtime error.
    static func mentionsMemory(_ stderr: Data) -> Bool {
        let tail = String(decoding: stderr.suffix(2048), as: UTF8.self)
        let lines = tail.split(separator: "\n").suffix(3)
        return lines.contains { line in memoryMarkers.contains { line.contains($0) } }
    }
}
