import Foundation

/// The optional cgroup layer: a `pids` cgroup per run with `pids.max`, joined by the child
/// before exec (so nothing it forks escapes it), emptied and removed after the run.
///
/// It is a second process limit beside RLIMIT_NPROC and a second way to see that a run left
/// nothing behind. Only the `pids` controller is used: memory is limited by RLIMIT_AS, because
/// the memory hierarchy of a container usually belongs to its supervisor.
public struct PidsCgroup: Sendable, Equatable {
    /// The folder that holds one child cgroup per run slot.
    public let parent: String
    public let version: Int

    /// Finds a writable pids controller (cgroup v1 `pids` mount or a v2 hierarchy offering
    /// `pids`) and prepares `<mount>/fulgur-sandbox`; nil with the reason when unavailable.
    public static func detect() -> (PidsCgroup?, String?) {
        guard let mountinfo = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else {
            return (nil, "cannot read /proc/self/mountinfo")
        }
        var v1: String?, v2: String?
        for line in mountinfo.split(separator: "\n") {
            // mountinfo: id parent major:minor root mountpoint options ... - fstype source superoptions
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2 else { continue }
            let left = halves[0].split(separator: " "), right = halves[1].split(separator: " ")
            guard left.count >= 5, right.count >= 3 else { continue }
            let mountPoint = String(left[4])
            if right[0] == "cgroup", right[2].split(separator: ",").contains("pids") { v1 = mountPoint }
            if right[0] == "cgroup2" {
                let controllers = (try? String(contentsOfFile: mountPoint + "/cgroup.controllers", encoding: .utf8)) ?? ""
                if controllers.split(whereSeparator: \.isWhitespace).contains("pids") { v2 = mountPoint }
            }
        }
        if let m = v1 { return prepare(mount: m, version: 1) }
        if let m = v2 { return prepare(mount: m, version: 2) }
        return (nil, "no pids cgroup controller is mounted")
    }

    private static func prepare(mount: String, version: Int) -> (PidsCgroup?, String?) {
        let parent = mount + "/fulgur-sandbox"
        if mkdir(parent, 0o755) != 0 && errno != EEXIST {
            return (nil, "cannot create \(parent): \(String(cString: strerror(errno)))")
        }
        if version == 2 {
            // Delegate the pids controller down to the per-run children.
            _ = write("+pids", to: mount + "/cgroup.subtree_control")
            guard write("+pids", to: parent + "/cgroup.subtree_control") else {
                return (nil, "cannot enable the pids controller in \(parent)")
            }
        }
        let cg = PidsCgroup(parent: parent, version: version)
        // Prove the whole cycle works once: create, limit, remove.
        let probe = parent + "/probe-\(getpid())"
        guard mkdir(probe, 0o755) == 0 || errno == EEXIST else {
            return (nil, "cannot create cgroups under \(parent): \(String(cString: strerror(errno)))")
        }
        defer { rmdir(probe) }
        guard write("16", to: probe + "/pids.max") else { return (nil, "cannot write \(probe)/pids.max") }
        return (cg, nil)
    }

    /// Creates (or reuses) the cgroup of a run slot, with its process limit.
    public func create(slot: Int, maxProcesses: Int) throws -> String {
        let path = "\(parent)/slot-\(slot)"
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw SandboxError.system("cannot create cgroup \(path): \(String(cString: strerror(errno)))")
        }
        // A slot's cgroup left behind by a crashed run may still hold processes.
        if !members(path).isEmpty { killMembers(path) }
        guard Self.write(String(maxProcesses), to: path + "/pids.max") else {
            throw SandboxError.system("cannot write \(path)/pids.max")
        }
        return path
    }

    /// Kills whatever is left in the cgroup, waits until it is empty, removes it.
    /// Returns how many processes were still there.
    @discardableResult
    public func destroy(_ path: String) -> Int {
        let left = members(path).count
        if left > 0 { killMembers(path) }
        rmdir(path)
        return left
    }

    func members(_ path: String) -> [pid_t] {
        guard let text = try? String(contentsOfFile: path + "/cgroup.procs", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { pid_t($0) }
    }

    private func killMembers(_ path: String, timeout: Double = 2) {
        let deadline = Clock.now + timeout
        var pids = members(path)
        while !pids.isEmpty && Clock.now < deadline {
            for p in pids { kill(p, SIGKILL) }
            usleep(1000)
            pids = members(path)
        }
    }

    @discardableResult
    static func write(_ text: String, to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count
    }
}
