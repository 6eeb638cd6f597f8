import Foundation

/// A pool of otherwise unused uids, one per concurrent run, each held by an flock.
///
/// Why: RLIMIT_NPROC does not apply to root (CI runs as root) and counts every process of a
/// uid, so each run gets a uid of its own, unprivileged and shared with nobody. Concurrent
/// runs (threads or separate `fulgur` processes) never share a uid; a run's stray processes,
/// if a layer ever failed, are found by that uid.
public final class UIDPool: Sendable {
    public let base: UInt32
    public let count: Int
    public let lockDirectory: String

    /// `base` defaults to 1_900_000_000, far above any account on a normal system
    /// (override with FULGUR_SANDBOX_UID_BASE).
    public init(base: UInt32 = 1_900_000_000, count: Int = 1024, lockDirectory: String = "/run/fulgur-sandbox") throws {
        self.base = base
        self.count = count
        self.lockDirectory = lockDirectory
        try Self.ensurePrivateDirectory(lockDirectory)
    }

    /// Creates `path` (0700) or checks that the existing one is a real root-owned directory
    /// nobody else can write: a lock directory another user controls would let them hold
    /// or pre-create the locks.
    static func ensurePrivateDirectory(_ path: String) throws {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw SandboxError.system("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        var st = stat()
        guard lstat(path, &st) == 0 else { throw SandboxError.system("cannot stat \(path): \(String(cString: strerror(errno)))") }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw SandboxError.system("\(path) is not a directory") }
        guard st.st_uid == geteuid(), st.st_mode & 0o022 == 0 else {
            throw SandboxError.system("\(path) must be owned by uid \(geteuid()) and not writable by others")
        }
    }

    /// A uid nobody else holds, for the duration of one run.
    public func acquire() throws -> UIDLease {
        let start = Int.random(in: 0..<count)
        for i in 0..<count {
            let slot = (start + i) % count
            let fd = open("\(lockDirectory)/uid-\(base + UInt32(slot)).lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            if fd < 0 { throw SandboxError.system("cannot open lock in \(lockDirectory): \(String(cString: strerror(errno)))") }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return UIDLease(uid: base + UInt32(slot), slot: slot, lockFD: fd) }
            close(fd)
        }
        throw SandboxError.system("all \(count) sandbox uids are in use")
    }
}

/// One held uid; `release()` unlocks it (after the run's processes are gone).
public final class UIDLease: @unchecked Sendable {
    public let uid: UInt32
    public let slot: Int
    private var lockFD: Int32

    init(uid: UInt32, slot: Int, lockFD: Int32) { self.uid = uid; self.slot = slot; self.lockFD = lockFD }

    public func release() {
        if lockFD >= 0 { close(lockFD); lockFD = -1 }
    }

    deinit { release() }
}

/// Finds and kills processes by real or effective uid, reading /proc.
public enum UIDProcesses {
    /// Live (not zombie) pids whose real or effective uid is `uid`.
    public static func list(uid: UInt32) -> [pid_t] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var found: [pid_t] = []
        var buf = [UInt8](repeating: 0, count: 1024)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let pid = pid_t(name) else { continue }
            let fd = open("/proc/\(pid)/status", O_RDONLY | O_CLOEXEC)
            if fd < 0 { continue }
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            close(fd)
            if n <= 0 { continue }
            if uidLineMatches(buf[0..<n], uid: uid) && !isZombie(buf[0..<n]) { found.append(pid) }
        }
        return found
    }

    /// True when the `Uid:` line of a /proc status text names `uid` as real or effective uid.
    static func uidLineMatches(_ text: ArraySlice<UInt8>, uid: UInt32) -> Bool {
        let key = Array("\nUid:".utf8)
        guard let r = text.firstRange(of: key) else { return false }
        var fields: [UInt32] = []
        var cur: UInt32? = nil
        for b in text[r.upperBound...] {
            if b >= 48 && b <= 57 {
                cur = (cur ?? 0) &* 10 &+ UInt32(b - 48)
            } else {
                if let c = cur { fields.append(c); cur = nil }
                if b == 10 || fields.count >= 2 { break }
            }
        }
        return fields.prefix(2).contains(uid)
    }

    /// A zombie has exited already (it cannot be killed, only reaped by its parent).
    static func isZombie(_ text: ArraySlice<UInt8>) -> Bool {
        guard let r = text.firstRange(of: Array("\nState:".utf8)) else { return false }
        return text[r.upperBound...].first(where: { $0 != 32 && $0 != 9 }) == UInt8(ascii: "Z")
    }

    /// SIGKILLs every process of `uid` and waits (up to `timeout`) until none is left.
    /// Returns how many were found.
    @discardableResult
    public static func killAll(uid: UInt32, timeout: Double = 2) -> Int {
        var pids = list(uid: uid)
        let total = pids.count
        let deadline = Clock.now + timeout
        while !pids.isEmpty && Clock.now < deadline {
            for p in pids { kill(p, SIGKILL) }
            usleep(1000)
            pids = list(uid: uid)
        }
        return total
    }
}
