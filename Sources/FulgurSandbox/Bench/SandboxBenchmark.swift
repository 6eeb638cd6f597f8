import CFulgurSpawn
import Foundation

/// Measures what the sandbox costs per run: the same program run directly (spawn + pipes +
/// wait, no isolation, no limits) and in the isolated sandbox, interleaved, in one process.
public enum SandboxBenchmark {
    public struct Report: Sendable {
        public var runs: Int
        public var program: String
        public var directMedianMS: Double
        public var directP90MS: Double
        public var sandboxMedianMS: Double
        public var sandboxP90MS: Double
        /// Median of the per-pair differences (sandbox − direct), ms.
        public var overheadMedianMS: Double
        public var overheadP90MS: Double
        /// CPU time (user + system) per run of everything involved — this thread and all
        /// reaped descendants — medians, ms. Unlike wall time it does not depend on the load.
        public var directCPUMS: Double
        public var sandboxCPUMS: Double

        public func json() -> String {
            func n(_ x: Double) -> String { String(format: "%.2f", x) }
            return "{\"runs\": \(runs), \"program\": \(JSONText.quote(program)), "
                + "\"direct_ms\": {\"median\": \(n(directMedianMS)), \"p90\": \(n(directP90MS))}, "
                + "\"sandbox_ms\": {\"median\": \(n(sandboxMedianMS)), \"p90\": \(n(sandboxP90MS))}, "
                + "\"overhead_ms\": {\"median\": \(n(overheadMedianMS)), \"p90\": \(n(overheadP90MS)), \"budget\": 50}, "
                + "\"cpu_ms\": {\"direct\": \(n(directCPUMS)), \"sandbox\": \(n(sandboxCPUMS)), \"overhead\": \(n(sandboxCPUMS - directCPUMS))}}"
        }
    }

    /// `source` is a Python program; each run feeds it `stdin`.
    public static func run(sandbox: Sandbox, runs: Int, source: String, stdin: Data = Data()) throws -> Report {
        guard let python = sandbox.python else { throw SandboxError.invalidArgument("python3 is not installed") }
        let dir = try Sandbox.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/main.py"
        guard FileManager.default.createFile(atPath: path, contents: Data(source.utf8)) else {
            throw SandboxError.system("cannot write \(path)")
        }
        let job = SandboxJob(command: [python, "main.py"], files: [SandboxFile(name: "main.py", text: source)], stdin: stdin)
        // Warm-up: page cache, probe, lock folder.
        _ = try direct([python, path], stdin: stdin)
        _ = try sandbox.run(job)
        var d: [Double] = [], s: [Double] = [], diff: [Double] = [], dc: [Double] = [], sc: [Double] = []
        for _ in 0..<runs {
            let c0 = cpuSeconds()
            let a = try direct([python, path], stdin: stdin)
            let c1 = cpuSeconds()
            let t0 = Clock.now
            let r = try sandbox.run(job)
            let b = Clock.now - t0
            let c2 = cpuSeconds()
            dc.append((c1 - c0) * 1000); sc.append((c2 - c1) * 1000)
            guard r.status == .ok else {
                throw SandboxError.setupFailed("benchmark program failed in the sandbox: \(r.status.rawValue) \(r.stderrText)")
            }
            d.append(a * 1000); s.append(b * 1000); diff.append((b - a) * 1000)
        }
        return Report(runs: runs, program: source, directMedianMS: quantile(d, 0.5), directP90MS: quantile(d, 0.9),
                      sandboxMedianMS: quantile(s, 0.5), sandboxP90MS: quantile(s, 0.9),
                      overheadMedianMS: quantile(diff, 0.5), overheadP90MS: quantile(diff, 0.9),
                      directCPUMS: quantile(dc, 0.5), sandboxCPUMS: quantile(sc, 0.5))
    }

    /// Spawn, feed stdin, read both pipes to EOF, wait: the minimal way to run a program.
    static func direct(_ argv: [String], stdin: Data) throws -> Double {
        let owned = OwnedDescriptors()
        defer { owned.closeAll() }
        let stdinP = try owned.pipe(), outP = try owned.pipe(), errP = try owned.pipe()
        let t0 = Clock.now
        let pid = try Sandbox.spawn(argv: argv, env: ["PATH=/usr/bin:/bin", "LANG=C.UTF-8"], fdSource: [stdinP.read, outP.write, errP.write],
                                    fdTarget: [0, 1, 2], limits: [], uid: nil, cgroupProcs: nil, cwd: nil)
        for fd in [stdinP.read, outP.write, errP.write] { close(fd) }
        for fd in [outP.read, errP.read, stdinP.write] { _ = fulgur_set_nonblocking(fd) }
        owned.handOver()
        var limits = SandboxLimits()
        limits.timeout = 60
        var monitor = ProcessMonitor(stdinWrite: stdinP.write, stdoutRead: outP.read, stderrRead: errP.read, statusRead: -1, infoRead: -1,
                                     pid: pid, stdin: stdin, limits: limits, waitsForStartMarker: false,
                                     killRun: { _ in kill(pid, SIGKILL) })
        _ = monitor.run(spawnTime: t0)
        return Clock.now - t0
    }

    /// CPU seconds of this thread plus all reaped descendants.
    static func cpuSeconds() -> Double {
        func sec(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        var me = rusage(), kids = rusage()
        getrusage(1, &me)  // RUSAGE_THREAD (not imported)
        getrusage(RUSAGE_CHILDREN.rawValue, &kids)
        return sec(me.ru_utime) + sec(me.ru_stime) + sec(kids.ru_utime) + sec(kids.ru_stime)
    }

    static func quantile(_ xs: [Double], _ q: Double) -> Double {
        guard !xs.isEmpty else { return .nan }
        let s = xs.sorted()
        return s[min(s.count - 1, Int((Double(s.count - 1) * q).rounded()))]
    }
}
