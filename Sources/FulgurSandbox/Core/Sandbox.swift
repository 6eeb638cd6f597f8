import CFulgurSpawn
import Foundation

/// Runs untrusted programs. `isolated()` fails closed when isolation cannot be set up;
/// `unisolated()` is the explicit `--no-isolation` escape hatch (rlimits and a private temp
/// folder only). Thread-safe: concurrent runs get separate uids, cgroups and tmpfs.
public final class Sandbox: Sendable {
    public enum Mode: Sendable {
        case isolated(IsolationSetup)
        case unisolated
    }

    public let mode: Mode
    /// The Python 3 interpreter programs run with (a host path, visible inside the sandbox).
    public let python: String?

    private init(mode: Mode, python: String?) {
        self.mode = mode
        self.python = python
        // A child that stops reading its stdin must not kill us with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
    }

    public var isIsolated: Bool { if case .isolated = mode { return true } else { return false } }

    /// The isolated sandbox, probed and trial-run once per process.
    public static func isolated() throws -> Sandbox {
        try shared.get()
    }

    /// Runs without namespaces: only for trusted code or throwaway machines.
    public static func unisolated() -> Sandbox {
        Sandbox(mode: .unisolated, python: Interpreters.python())
    }

    public static func make(isolation: Bool) throws -> Sandbox {
        isolation ? try isolated() : unisolated()
    }

    private static let shared: Result<Sandbox, Error> = Result {
        let python = Interpreters.python()
        let setup = try IsolationSetup.probe(python: python)
        let sandbox = Sandbox(mode: .isolated(setup), python: python)
        // bwrap's outer process exits without waiting for the namespace's init; as subreaper
        // we inherit and reap it instead of leaving a zombie to a (possibly lazy) pid 1.
        guard fulgur_set_child_subreaper() == 0 else {
            throw SandboxError.isolationUnavailable(["prctl(PR_SET_CHILD_SUBREAPER) failed: \(String(cString: strerror(errno)))"])
        }
        // Prove the whole chain (bwrap, namespaces, uid switch, reaper) on a trivial program.
        let trial = try sandbox.run(SandboxJob(command: [setup.perl, "-e", "print 'ok'"], limits: SandboxLimits(timeout: 10)))
        guard trial.status == .ok, trial.stdoutText == "ok" else {
            throw SandboxError.isolationUnavailable(["a trial run in the sandbox failed (status \(trial.status.rawValue)): \(trial.stderrText)"])
        }
        return sandbox
    }

    /// Runs one job and classifies the outcome. Throws only when the sandbox itself could not
    /// be built; a failing program is a `RunResult` status.
    public func run(_ job: SandboxJob) throws -> RunResult {
        try job.limits.validate()
        guard !job.command.isEmpty else { throw SandboxError.invalidArgument("empty command") }
        for f in job.files { try f.validate() }
        switch mode {
        case .isolated(let setup): return try runIsolated(job, setup: setup)
        case .unisolated: return try runUnisolated(job)
        }
    }

    // MARK: - Isolated

    private func runIsolated(_ job: SandboxJob, setup: IsolationSetup) throws -> RunResult {
        let lease = try setup.uidPool?.acquire()
        defer { lease?.release() }
        var cgroupPath: String?
        if let cg = setup.cgroup, let lease {
            cgroupPath = try cg.create(slot: lease.slot, maxProcesses: job.limits.maxProcesses)
        }
        let owned = OwnedDescriptors()
        defer { owned.closeAll() }
        let fileFDs = try job.files.map { try owned.memfd($0.contents, name: $0.name) }
        let stdinP = try owned.pipe(), outP = try owned.pipe(), errP = try owned.pipe()
        let statusP = try owned.pipe(), infoP = try owned.pipe()

        let infoFD: Int32 = 4
        var src = [stdinP.read, outP.write, errP.write, statusP.write, infoP.write]
        var dst: [Int32] = [0, 1, 2, Reaper.statusFD, infoFD]
        for (i, fd) in fileFDs.enumerated() { src.append(fd); dst.append(5 + Int32(i)) }
        guard src.count <= 16 else { throw SandboxError.invalidArgument("at most 11 files per run") }
        let argv = setup.bwrapArguments(job: job, infoFD: infoFD, fileFDs: Array(dst.dropFirst(5)))

        let spawnTime = Clock.now
        let pid = try Self.spawn(argv: argv, env: ["PATH=/usr/bin:/bin"], fdSource: src, fdTarget: dst,
                                 limits: Self.rlimits(job.limits), uid: lease.map { Int64($0.uid) },
                                 cgroupProcs: cgroupPath.map { $0 + "/cgroup.procs" }, cwd: nil)
        for fd in src { close(fd) }  // the child's ends
        for fd in [stdinP.write, outP.read, errP.read, statusP.read, infoP.read] { _ = fulgur_set_nonblocking(fd) }
        owned.handOver()  // the monitor closes the parent's ends

        var monitor = ProcessMonitor(
            stdinWrite: stdinP.write, stdoutRead: outP.read, stderrRead: errP.read, statusRead: statusP.read, infoRead: infoP.read,
            pid: pid, stdin: job.stdin, limits: job.limits, waitsForStartMarker: true,
            killRun: { initPid in
                kill(pid, SIGKILL)
                if let initPid { kill(initPid, SIGKILL) }
            })
        var o = monitor.run(spawnTime: spawnTime)

        // Teardown: the namespace is gone once its init has exited; reap it (it is our
        // child now, see fulgur_set_child_subreaper).
        var namespaceGone = false
        if o.initPidFD >= 0, let initPid = o.initPid {
            var p = pollfd(fd: o.initPidFD, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 2000) == 0 {
                kill(initPid, SIGKILL)
                _ = poll(&p, 1, 2000)
            }
            namespaceGone = p.revents != 0
            var st: Int32 = 0
            var ru = rusage()
            _ = fulgur_wait(initPid, &st, &ru, 1)
            close(o.initPidFD)
            o.initPidFD = -1
        }
        // The kernel kills every process of a PID namespace before its init finishes exiting,
        // so the /proc scan for the run's uid is only a fallback for when that signal is missing.
        var stray = 0
        if let lease, !namespaceGone { stray = max(stray, UIDProcesses.killAll(uid: lease.uid)) }
        if let cg = setup.cgroup, let cgroupPath { stray = max(stray, cg.destroy(cgroupPath)) }

        let reaper = Reaper.parse(String(decoding: o.status, as: UTF8.self))
        if !reaper.started {
            if o.killReason == .setupTimeout { throw SandboxError.setupFailed("the sandbox did not start within \(Int(ProcessMonitor.setupGrace)) s") }
            if o.killReason == nil {
                let msg = String(decoding: o.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                throw SandboxError.setupFailed(msg.isEmpty ? "bwrap exited with status \(o.waitStatus) before the program started" : msg)
            }
        }
        return Self.result(o, reaperStatus: reaper.status, isolated: true, limits: job.limits, stray: stray)
    }

    // MARK: - Unisolated

    private func runUnisolated(_ job: SandboxJob) throws -> RunResult {
        let dir = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for f in job.files {
            let path = dir + "/" + f.name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: f.contents, attributes: [.posixPermissions: f.executable ? 0o755 : 0o644]) else {
                throw SandboxError.system("cannot write \(path)")
            }
        }
        try FileManager.default.createDirectory(atPath: dir + "/.tmp", withIntermediateDirectories: true)
        var env = job.sandboxEnvironment(home: dir)
        env["TMPDIR"] = dir + "/.tmp"
        let owned = OwnedDescriptors()
        defer { owned.closeAll() }
        let stdinP = try owned.pipe(), outP = try owned.pipe(), errP = try owned.pipe()
        let spawnTime = Clock.now
        let pid = try Self.spawn(argv: job.command, env: env.map { "\($0.key)=\($0.value)" }.sorted(),
                                 fdSource: [stdinP.read, outP.write, errP.write], fdTarget: [0, 1, 2],
                                 limits: Self.rlimits(job.limits), uid: nil, cgroupProcs: nil, cwd: dir)
        for fd in [stdinP.read, outP.write, errP.write] { close(fd) }
        for fd in [outP.read, errP.read, stdinP.write] { _ = fulgur_set_nonblocking(fd) }
        owned.handOver()
        var monitor = ProcessMonitor(
            stdinWrite: stdinP.write, stdoutRead: outP.read, stderrRead: errP.read, statusRead: -1, infoRead: -1,
            pid: pid, stdin: job.stdin, limits: job.limits, waitsForStartMarker: false,
            killRun: { _ in kill(-pid, SIGKILL); kill(pid, SIGKILL) })
        let o = monitor.run(spawnTime: spawnTime)
        kill(-pid, SIGKILL)  // the process group (the child was a session leader)
        return Self.result(o, reaperStatus: nil, isolated: false, limits: job.limits, stray: 0)
    }

    // MARK: - Outcome

    static func result(_ o: ProcessMonitor.Outcome, reaperStatus: Int32?, isolated: Bool, limits: SandboxLimits, stray: Int) -> RunResult {
        var exitCode: Int?
        var sig: Int?
        let outer = o.waitStatus
        if fulgur_wifsignaled(outer) != 0 {
            sig = Int(fulgur_wtermsig(outer))  // killed by the host (timeout, output cap) or, unisolated, by anything
        } else {
            let code = Int(fulgur_wexitstatus(outer))
            if let raw = reaperStatus {
                // Trust the reaper only where it agrees with bwrap's exit code.
                let rSig = Int(raw & 0x7f), rCode = Int((raw >> 8) & 0xff)
                let expected = rSig != 0 ? 128 + rSig : rCode
                if expected == code {
                    if rSig != 0 { sig = rSig } else { exitCode = rCode }
                }
            }
            if exitCode == nil && sig == nil {
                // No usable reaper line: bwrap's own convention (128+n = signal n).
                if isolated, code > 128 { sig = code - 128 } else { exitCode = code }
            }
        }
        let cpu = Double(o.usage.ru_utime.tv_sec) + Double(o.usage.ru_utime.tv_usec) * 1e-6
            + Double(o.usage.ru_stime.tv_sec) + Double(o.usage.ru_stime.tv_usec) * 1e-6
        let start = o.startTime ?? o.spawnTime
        let end = o.killTime ?? o.endTime ?? o.exitTime
        let status = StatusClassifier.classify(
            killReason: o.killReason, exitCode: exitCode, signal: sig, stderr: o.stderr, cpuSeconds: cpu,
            maxRSSKB: Int(o.usage.ru_maxrss), limits: limits)
        return RunResult(
            status: status, exitCode: exitCode, signal: sig, stdout: o.stdout, stderr: o.stderr,
            timeS: max(0, end - start), totalS: Clock.now - o.spawnTime, cpuS: cpu, maxRSSKB: Int(o.usage.ru_maxrss),
            strayProcesses: stray)
    }

    // MARK: - System helpers

    static func rlimits(_ l: SandboxLimits) -> [fulgur_rlimit] {
        func lim(_ r: Int, _ soft: UInt64, _ hard: UInt64? = nil) -> fulgur_rlimit {
            fulgur_rlimit(resource: Int32(r), soft: soft, hard: hard ?? soft)
        }
        return [
            lim(FULGUR_RLIMIT_AS, UInt64(l.memoryMB) << 20),
            lim(FULGUR_RLIMIT_CPU, UInt64(l.cpuSeconds), UInt64(l.cpuSeconds + 1)),
            lim(FULGUR_RLIMIT_FSIZE, UInt64(l.fileSizeMB) << 20),
            lim(FULGUR_RLIMIT_NPROC, UInt64(l.maxProcesses)),
            lim(FULGUR_RLIMIT_NOFILE, UInt64(l.openFiles)),
            lim(FULGUR_RLIMIT_CORE, 0),
            lim(FULGUR_RLIMIT_MEMLOCK, 0),
            lim(FULGUR_RLIMIT_MSGQUEUE, 0),
        ]
    }

    static func spawn(argv: [String], env: [String], fdSource: [Int32], fdTarget: [Int32], limits: [fulgur_rlimit],
                      uid: Int64?, cgroupProcs: String?, cwd: String?) throws -> pid_t {
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) }; for p in cEnv { free(p) } }
        var pid: pid_t = 0
        var step: Int32 = 0
        let err: Int32 = fdSource.withUnsafeBufferPointer { src in
            fdTarget.withUnsafeBufferPointer { dst in
                limits.withUnsafeBufferPointer { lims in
                    withOptionalCString(cgroupProcs) { cg in
                        withOptionalCString(cwd) { cwdPtr in
                            var setup = fulgur_spawn_setup(
                                fd_src: src.baseAddress, fd_dst: dst.baseAddress, n_fds: Int32(src.count),
                                limits: lims.baseAddress, n_limits: Int32(lims.count),
                                uid: uid ?? -1, gid: uid ?? -1, cgroup_procs: cg, cwd: cwdPtr)
                            return cArgs.withUnsafeMutableBufferPointer { a in
                                cEnv.withUnsafeMutableBufferPointer { e in
                                    fulgur_spawn(argv[0], a.baseAddress, e.baseAddress, &setup, &pid, &step)
                                }
                            }
                        }
                    }
                }
            }
        }
        guard err == 0 else {
            let steps = [1: "pipe", 2: "fork", 3: "setsid", 4: "joining the cgroup", 5: "setting rlimits",
                         6: "installing descriptors", 7: "switching uid", 8: "exec \(argv[0])", 9: "chdir"]
            throw SandboxError.system("spawn failed at \(steps[Int(step)] ?? "step \(step)"): \(String(cString: strerror(err)))")
        }
        return pid
    }

    static func makeTemporaryDirectory(prefix: String = "fulgur-run-") throws -> String {
        var template = Array((NSTemporaryDirectory() + "/\(prefix)XXXXXX").utf8CString)
        guard let p = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SandboxError.system("mkdtemp: \(String(cString: strerror(errno)))")
        }
        return String(cString: p)
    }
}

private func withOptionalCString<R>(_ s: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let s else { return body(nil) }
    return s.withCString { body($0) }
}
