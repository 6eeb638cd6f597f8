import Foundation
import Testing
@testable import FulgurSandbox

/// Every suite that starts sandboxed processes nests in here: serialized, so that the
/// host-side checks (no processes on the pool uids, no cgroups left) see only their own runs.
@Suite(.serialized) enum SandboxProcessTests {}

/// Shared helpers: the process-wide isolated sandbox and ways to look at the host.
enum Support {
    static func sandbox() throws -> Sandbox { try Sandbox.isolated() }

    static func python(_ source: String, stdin: String = "", timeout: Double = 10, memoryMB: Int = 512,
                       configure: (inout SandboxLimits) -> Void = { _ in }) throws -> RunResult {
        let sb = try sandbox()
        var limits = SandboxLimits(timeout: timeout, memoryMB: memoryMB)
        configure(&limits)
        let job = SandboxJob(command: [sb.python!, "main.py"], files: [SandboxFile(name: "main.py", text: source)],
                             stdin: Data(stdin.utf8), limits: limits)
        return try sb.run(job)
    }

    /// Live processes whose uid is in the sandbox uid pool (there must be none between runs).
    /// Processes SIGKILLed with their namespace may take a moment to finish exiting on a loaded
    /// machine (a fork bomb's hundreds of children), so the scan is repeated for up to 2 s;
    /// anything still alive then counts (the tests' escapees would sleep for a minute).
    static func poolProcesses() throws -> [pid_t] {
        try untilEmpty(within: 2, every: 0.05, poolProcessesNow)
    }

    /// Repeats `scan` until it finds nothing or `seconds` have passed; returns the last scan.
    /// For host-side checks that other activity can disturb for a moment.
    static func untilEmpty<T>(within seconds: Double, every interval: Double, _ scan: () throws -> [T]) rethrows -> [T] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let found = try scan()
            if found.isEmpty || Date() > deadline { return found }
            Thread.sleep(forTimeInterval: interval)
        }
    }

    static func poolProcessesNow() throws -> [pid_t] {
        guard case .isolated(let setup) = try sandbox().mode, let pool = setup.uidPool else { return [] }
        var found: [pid_t] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
            guard let pid = pid_t(name),
                  let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { continue }
            let state = status.split(separator: "\n").first { $0.hasPrefix("State:") } ?? ""
            if state.contains("Z") { continue }
            guard let uidLine = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }) else { continue }
            let uids = uidLine.split(whereSeparator: \.isWhitespace).dropFirst().compactMap { UInt64($0) }
            if uids.contains(where: { $0 >= UInt64(pool.base) && $0 < UInt64(pool.base) + UInt64(pool.count) }) { found.append(pid) }
        }
        return found
    }

    /// Mount points visible to this process.
    static func mountCount() throws -> Int {
        try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8).split(separator: "\n").count
    }

    /// Entries of the temp folders that the sandbox might create (none expected).
    static func sandboxTempEntries() -> [String] {
        let dirs = ["/tmp", NSTemporaryDirectory()]
        return Set(dirs).flatMap { d in
            ((try? FileManager.default.contentsOfDirectory(atPath: d)) ?? []).filter { $0.hasPrefix("fulgur-run-") }.map { d + "/" + $0 }
        }
    }

    /// Per-run cgroups left under the sandbox's cgroup parent.
    static func cgroupSlots() throws -> [String] {
        guard case .isolated(let setup) = try sandbox().mode, let cg = setup.cgroup else { return [] }
        return ((try? FileManager.default.contentsOfDirectory(atPath: cg.parent)) ?? []).filter { $0.hasPrefix("slot-") }
    }
}
