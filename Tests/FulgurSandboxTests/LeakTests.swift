import Foundation
import Synchronization
import Testing
@testable import FulgurSandbox

/// Many runs in a row leave no processes, mounts, temp folders or cgroups behind.
/// 50 runs by default; FULGUR_SANDBOX_STRESS=1 runs the acceptance figure of 200.
extension SandboxProcessTests {
@Suite
struct LeakTests {
    @Test func manyRunsLeakNothing() throws {
        let runs = ProcessInfo.processInfo.environment["FULGUR_SANDBOX_STRESS"] == "1" ? 200 : 50
        _ = try Support.python("pass")  // warm-up: probe, lock folder, cgroup parent
        let mounts = try Support.mountCount()
        let temps = Support.sandboxTempEntries()
        let fds = Self.openFiles()
        // Each run forks a child that outlives its parent, writes a file and prints.
        let src = """
            import os, sys
            if os.fork() == 0:
                os.setsid()
                import time; time.sleep(30)
                os._exit(0)
            open('f', 'w').write(sys.stdin.read())
            print(open('f').read())
            """
        let sb = try Support.sandbox()
        var bad: [String] = []
        for i in 0..<runs {
            let job = SandboxJob(command: [sb.python!, "main.py"], files: [SandboxFile(name: "main.py", text: src)],
                                 stdin: Data("run \(i)".utf8))
            let r = try sb.run(job)
            if r.status != .ok || r.stdoutText != "run \(i)\n" || r.strayProcesses != 0 { bad.append("run \(i): \(r.status) \(r.stdoutText)") }
        }
        #expect(bad.isEmpty, "\(bad.prefix(3))")
        #expect(try Support.poolProcesses().isEmpty)
        #expect(try Support.mountCount() == mounts)
        #expect(Support.sandboxTempEntries() == temps)
        #expect(try Support.cgroupSlots().isEmpty)
        let leaked = Self.newSandboxDescriptors(since: fds)
        #expect(leaked.isEmpty, "new descriptors: \(leaked)")
    }

    /// Descriptors of the kinds a sandbox run opens (pipes, pidfds, uid-lease locks, run
    /// folders, cgroups) that are open now and were not in `before`. Other suites run at the
    /// same time (in-process training, `fulgur` subprocesses killed by tests) and briefly hold
    /// pipes of their own, so a difference must persist for 10 s to count; a leak from 50 runs
    /// does not go away.
    static func newSandboxDescriptors(since before: Set<String>) -> [String] {
        func sandboxKind(_ entry: String) -> Bool {
            let target = entry.split(separator: "→", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            return target.hasPrefix("pipe:") || target.contains("pidfd") || target.contains("fulgur-sandbox")
                || target.contains("fulgur-run-") || target.hasPrefix("/sys/fs/cgroup")
        }
        return Support.untilEmpty(within: 10, every: 0.1) { openFiles().subtracting(before).filter(sandboxKind).sorted() }
    }

    /// Runs from many threads at once (as RL rollouts score them) stay separate.
    @Test func concurrentRunsAreIndependent() throws {
        let sb = try Support.sandbox()
        let n = 12
        let results = Mutex<[Int: RunResult]>([:])
        let errors = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: n) { i in
            let src = "import os, sys\nprint(sys.stdin.read().strip(), os.getuid())\n"
            do {
                let r = try sb.run(SandboxJob(command: [sb.python!, "main.py"], files: [SandboxFile(name: "main.py", text: src)],
                                              stdin: Data("job\(i)".utf8)))
                results.withLock { $0[i] = r }
            } catch { errors.withLock { $0.append("\(error)") } }
        }
        #expect(errors.withLock { $0 }.isEmpty)
        let all = results.withLock { $0 }
        #expect(all.count == n)
        guard case .isolated(let setup) = sb.mode, let pool = setup.uidPool else { return }
        for (i, r) in all {
            let parts = r.stdoutText.split(separator: " ")
            #expect(r.status == .ok && parts.first == "job\(i)")
            let uid = parts.last.flatMap { UInt32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            #expect(uid.map { $0 >= pool.base && $0 < pool.base + UInt32(pool.count) } == true)
        }
        #expect(try Support.poolProcesses().isEmpty)
    }

    /// Leases are exclusive (also across threads and processes: flock on separate opens).
    @Test func uidLeasesAreExclusive() throws {
        let dir = try Sandbox.makeTemporaryDirectory(prefix: "fulgur-locktest-")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pool = try UIDPool(base: 3_000_000_000, count: 3, lockDirectory: dir + "/locks")
        let leases = try (0..<3).map { _ in try pool.acquire() }
        #expect(Set(leases.map(\.uid)) == [3_000_000_000, 3_000_000_001, 3_000_000_002])
        #expect(throws: SandboxError.self) { try pool.acquire() }
        let freed = leases[1].uid
        leases[1].release()
        #expect(try pool.acquire().uid == freed)
        withExtendedLifetime(leases) {}  // the other two stay held until here
    }

    @Test func unisolatedSWERunWorks() throws {
        let task = try SWETask.load(PatchTests.examples + "/calc-divide")
        let patch = try Data(contentsOf: URL(fileURLWithPath: task.referencePatch!))
        let r = try SWERunner(sandbox: Sandbox.unisolated()).run(task, patch: patch)
        #expect(r.reward == 1, "\(r.tests.map(\.output))")
    }

    /// This process's descriptors as "fd → target".
    static func openFiles() -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return Set(names.map { "\($0) → \((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")) ?? "?")" })
    }

    @Test func unisolatedRunsCleanUpTheirFolder() throws {
        let sb = Sandbox.unisolated()
        let before = Support.sandboxTempEntries()
        let r = try sb.run(SandboxJob(command: [sb.python!, "main.py"], files: [SandboxFile(name: "main.py", text: "import os\nprint(os.getcwd())")]))
        #expect(r.status == .ok)
        #expect(r.stdoutText.contains("fulgur-run-"))
        #expect(Support.sandboxTempEntries() == before)
        let loop = try sb.run(SandboxJob(command: [sb.python!, "-c", "while True: pass"], limits: SandboxLimits(timeout: 0.5)))
        #expect(loop.status == .timeout)
    }
}
}
