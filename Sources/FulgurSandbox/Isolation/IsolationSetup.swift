import Foundation

/// Everything the isolated mode builds on, probed once per process: where bwrap, perl and
/// python are, how the root of the sandbox is laid out, which uid pool and cgroup layer apply.
public struct IsolationSetup: Sendable {
    public let bwrap: String
    public let bwrapVersion: [Int]
    public let perl: String
    /// Host directories bound read-only at the same path (always /usr; the python prefix
    /// when python lives elsewhere).
    public let readOnlyRoots: [String]
    /// Top-level entries that are symlinks into /usr on merged-/usr systems (/bin → usr/bin …).
    public let rootSymlinks: [(name: String, target: String)]
    /// The few /etc entries programs need (the loader cache, alternatives symlinks).
    public let etcFiles: [String]
    /// nil when not running as root: runs then keep the caller's (unprivileged) uid.
    public let uidPool: UIDPool?
    public let cgroup: PidsCgroup?
    /// Human-readable notes on optional layers that are missing.
    public let notes: [String]

    /// bwrap ≥ 0.8 can forbid nested user namespaces inside the sandbox.
    var supportsDisableUserns: Bool { bwrapVersion.lexicographicallyPrecedes([0, 8]) == false }

    /// Probes the host. Missing essentials throw `isolationUnavailable` naming each one.
    /// `bwrap` overrides where bubblewrap is looked for (FULGUR_BWRAP does the same).
    public static func probe(python: String?, bwrap bwrapOverride: String? = nil) throws -> IsolationSetup {
        var missing: [String] = []
        var notes: [String] = []
        #if !os(Linux)
        throw SandboxError.isolationUnavailable(["the sandbox needs Linux namespaces (this is not Linux)"])
        #else
        let wanted = bwrapOverride ?? ProcessInfo.processInfo.environment["FULGUR_BWRAP"]
        let bwrap = wanted.map { access($0, X_OK) == 0 ? $0 : nil } ?? Executables.find("bwrap", preferred: ["/usr/bin/bwrap"])
        if bwrap == nil { missing.append("bubblewrap is not installed\(wanted.map { " at \($0)" } ?? "") (apt-get install bubblewrap)") }
        let perl = Executables.find("perl", preferred: ["/usr/bin/perl"])
        if perl == nil { missing.append("perl is not installed (Debian's perl-base); it runs inside the sandbox as the exit-status reaper") }
        if let p = perl, !p.hasPrefix("/usr/") { missing.append("perl must live under /usr to be visible inside the sandbox (found \(p))") }
        let maxUserNS = (try? String(contentsOfFile: "/proc/sys/user/max_user_namespaces", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        if maxUserNS == 0 { missing.append("user namespaces are disabled (sysctl user.max_user_namespaces = 0)") }
        if let clone = try? String(contentsOfFile: "/proc/sys/kernel/unprivileged_userns_clone", encoding: .utf8),
           clone.trimmingCharacters(in: .whitespacesAndNewlines) == "0" {
            missing.append("unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone = 0)")
        }
        guard missing.isEmpty, let bwrap, let perl else { throw SandboxError.isolationUnavailable(missing) }

        var roots = ["/usr"]
        if let py = python, !py.hasPrefix("/usr/") {
            // e.g. /opt/python/3.11/bin/python3 → bind /opt/python/3.11 read-only.
            let prefix = URL(fileURLWithPath: py).deletingLastPathComponent().deletingLastPathComponent().path
            roots.append(prefix)
        }
        var links: [(String, String)] = []
        for name in ["bin", "sbin", "lib", "lib32", "lib64", "libx32"] {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/" + name) {
                links.append((name, target))
            } else if FileManager.default.fileExists(atPath: "/" + name) {
                roots.append("/" + name)
            }
        }
        let etc = ["/etc/ld.so.cache", "/etc/alternatives"]
            .filter { FileManager.default.fileExists(atPath: $0) }

        var pool: UIDPool?
        if geteuid() == 0 {
            let base = ProcessInfo.processInfo.environment["FULGUR_SANDBOX_UID_BASE"].flatMap { UInt32($0) } ?? 1_900_000_000
            pool = try UIDPool(base: base)
        } else {
            notes.append("not root: runs keep uid \(getuid()), so RLIMIT_NPROC counts all of this user's processes")
        }
        // The cgroup layer is opt-in: moving a process into a cgroup waits for an RCU grace
        // period (measured 1–13 ms per run here), and RLIMIT_NPROC on a private uid already
        // bounds the process count.
        var cgroup: PidsCgroup?
        if ProcessInfo.processInfo.environment["FULGUR_SANDBOX_CGROUP"] == "1" {
            if geteuid() == 0 {
                let (cg, why) = PidsCgroup.detect()
                cgroup = cg
                if let why { notes.append("cgroup pids layer unavailable: \(why) (RLIMIT_NPROC on a private uid still applies)") }
            } else {
                notes.append("cgroup pids layer needs root")
            }
        }
        return IsolationSetup(
            bwrap: bwrap, bwrapVersion: Executables.bwrapVersion(bwrap), perl: perl, readOnlyRoots: roots,
            rootSymlinks: links, etcFiles: etc, uidPool: pool, cgroup: cgroup, notes: notes)
        #endif
    }

    /// The bwrap command line for one run. Layout inside: a read-only root with /usr (and the
    /// merged-/usr symlinks), a minimal /dev, a private /proc, and three size-capped tmpfs —
    /// /box (the work directory and cwd), /tmp and /dev/shm — which are the only writable places.
    func bwrapArguments(job: SandboxJob, infoFD: Int32, fileFDs: [Int32]) -> [String] {
        var a = [bwrap,
                 "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                 "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "sandbox", "--as-pid-1"]
        if supportsDisableUserns { a.append("--disable-userns") }
        for r in readOnlyRoots { a += ["--ro-bind", r, r] }
        for (name, target) in rootSymlinks { a += ["--symlink", target, "/" + name] }
        for f in etcFiles { a += ["--ro-bind", f, f] }
        a += ["--dev", "/dev", "--perms", "1777", "--size", "\(16 << 20)", "--tmpfs", "/dev/shm", "--proc", "/proc"]
        let size = "\(job.limits.workdirMB << 20)"
        a += ["--perms", "0755", "--size", size, "--tmpfs", "/box", "--perms", "1777", "--size", size, "--tmpfs", "/tmp"]
        for m in job.readOnlyMounts { a += ["--ro-bind", m.host, m.target] }
        for (file, fd) in zip(job.files, fileFDs) {
            let path = "/box/" + file.name
            var dir = (path as NSString).deletingLastPathComponent
            var dirs: [String] = []
            while dir != "/box" && dir != "/" { dirs.append(dir); dir = (dir as NSString).deletingLastPathComponent }
            for d in dirs.reversed() { a += ["--dir", d] }
            a += ["--perms", file.executable ? "0755" : "0644", "--file", String(fd), path]
        }
        a += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/box", "--clearenv"]
        for (k, v) in job.sandboxEnvironment(home: "/box").sorted(by: { $0.key < $1.key }) { a += ["--setenv", k, v] }
        a += ["--info-fd", String(infoFD), "--", perl, "-e", Reaper.script, "--"]
        return a + job.command
    }
}

/// Finding programs on the host.
public enum Executables {
    /// The first of `preferred` that is executable, else a search of PATH.
    public static func find(_ name: String, preferred: [String] = []) -> String? {
        for p in preferred where access(p, X_OK) == 0 { return p }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let p = "\(dir)/\(name)"
            if access(p, X_OK) == 0 { return (p as NSString).resolvingSymlinksInPath }
        }
        return nil
    }

    /// bwrap's version from `bwrap --version` ("bubblewrap 0.8.0" → [0, 8, 0]); [0] if unknown.
    static func bwrapVersion(_ bwrap: String) -> [Int] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bwrap)
        p.arguments = ["--version"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return [0] }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard let word = text.split(whereSeparator: \.isWhitespace).last else { return [0] }
        let parts = word.split(separator: ".").compactMap { Int($0) }
        return parts.isEmpty ? [0] : parts
    }
}
