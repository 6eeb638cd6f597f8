import Foundation
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
        let after = Self.openFiles()
        #expect(after.count <= fds.count, "new descriptors: \(after.subtracting(fds).sorted())")
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
