import CFulgurSpawn
import Foundation

/// Why the host killed a run.
public enum KillReason: Sendable { case timeout, outputLimit, setupTimeout }

/// The host side of a running sandbox: one thread, one poll loop over the child's pipes and
/// its pidfd. Output is read as it comes (a full pipe can never block the child for long),
/// kept up to the cap, and the child is killed the moment a cap or the deadline is passed.
struct ProcessMonitor {
    /// Parent-side descriptors (all close-on-exec; read ends non-blocking).
    var stdinWrite: Int32
    var stdoutRead: Int32
    var stderrRead: Int32
    /// The reaper's status channel (isolated mode only, else -1).
    var statusRead: Int32
    /// bwrap's --info-fd (isolated mode only, else -1).
    var infoRead: Int32

    var pid: pid_t
    var stdin: Data
    var limits: SandboxLimits
    /// Isolated runs count the timeout from the reaper's start marker; others from spawn.
    var waitsForStartMarker: Bool
    /// Kills the whole run (outer process and, when known, the namespace's init).
    var killRun: (_ initPid: pid_t?) -> Void

    struct Outcome {
        var stdout = Data()
        var stderr = Data()
        var status = Data()
        var info = Data()
        var waitStatus: Int32 = 0
        var usage = rusage()
        var killReason: KillReason?
        var spawnTime = 0.0
        var startTime: Double?
        var endTime: Double?
        var exitTime = 0.0
        var killTime: Double?
        var initPid: pid_t?
        /// pidfd of the namespace's init (the sandbox is gone once it is readable), or -1.
        var initPidFD: Int32 = -1
    }

    /// Time allowed for bwrap to build the sandbox before the program starts.
    static let setupGrace = 10.0
    /// Time allowed, after the outer process exits, for the last output to drain.
    static let drainGrace = 2.0

    mutating func run(spawnTime: Double) -> Outcome {
        var o = Outcome()
        o.spawnTime = spawnTime
        let pidfd = fulgur_pidfd_open(pid)
        var exited = false
        var stdinOffset = 0
        var stdinFD = stdinWrite
        if stdin.isEmpty, stdinFD >= 0 { close(stdinFD); stdinFD = -1 }
        var outFD = stdoutRead, errFD = stderrRead, statusFD = statusRead, infoFD = infoRead
        var outSeen = 0, errSeen = 0
        let chunk = 1 << 16
        var buffer = [UInt8](repeating: 0, count: chunk)

        func kill(_ reason: KillReason, now: Double) {
            guard o.killReason == nil else { return }
            o.killReason = reason
            o.killTime = now
            killRun(o.initPid)
        }

        while true {
            let now = Clock.now
            // Deadlines.
            if !exited && o.killReason == nil {
                if let start = o.startTime ?? (waitsForStartMarker ? nil : spawnTime) {
                    if now >= start + limits.timeout { kill(.timeout, now: now) }
                } else if now >= spawnTime + Self.setupGrace + limits.timeout {
                    kill(.setupTimeout, now: now)
                }
            }
            if exited && (outFD < 0 && errFD < 0 && statusFD < 0 || now >= o.exitTime + Self.drainGrace) { break }
            if pidfd < 0 && !exited {
                // No pidfd (kernel < 5.3): poll the child's state instead.
                var st: Int32 = 0
                if fulgur_wait(pid, &st, &o.usage, 1) == pid { exited = true; o.waitStatus = st; o.exitTime = now; continue }
            }

            var fds: [pollfd] = []
            func watch(_ fd: Int32, _ events: Int32) { if fd >= 0 { fds.append(pollfd(fd: fd, events: Int16(events), revents: 0)) } }
            watch(outFD, POLLIN); watch(errFD, POLLIN); watch(statusFD, POLLIN); watch(infoFD, POLLIN)
            watch(stdinFD, POLLOUT)
            if !exited { watch(pidfd, POLLIN) }
            var wait = 0.25
            if !exited && o.killReason == nil {
                let start = o.startTime ?? (waitsForStartMarker ? spawnTime + Self.setupGrace : spawnTime)
                wait = min(wait, max(0, start + limits.timeout - now))
            } else if exited {
                wait = min(wait, max(0, o.exitTime + Self.drainGrace - now))
            }
            if pidfd < 0 && !exited { wait = min(wait, 0.005) }
            let ms = Int32((wait * 1000).rounded(.up))
            let n = poll(&fds, nfds_t(fds.count), ms)
            if n < 0 && errno != EINTR { break }
            let stamp = Clock.now

            for p in fds where p.revents != 0 {
                if p.fd == pidfd && !exited {
                    var st: Int32 = 0
                    if fulgur_wait(pid, &st, &o.usage, 1) == pid {
                        exited = true
                        o.waitStatus = st
                        o.exitTime = stamp
                    }
                    continue
                }
                if p.fd == stdinFD {
                    let written = stdin.withUnsafeBytes { raw in
                        Glibc.write(stdinFD, raw.baseAddress! + stdinOffset, min(raw.count - stdinOffset, chunk))
                    }
                    if written > 0 { stdinOffset += written }
                    if (written < 0 && errno != EAGAIN && errno != EINTR) || stdinOffset >= stdin.count {
                        close(stdinFD); stdinFD = -1   // all fed (EOF for the program) or it stopped reading
                    }
                    continue
                }
                let got = buffer.withUnsafeMutableBytes { Glibc.read(p.fd, $0.baseAddress, chunk) }
                if got < 0 && (errno == EAGAIN || errno == EINTR) { continue }
                if got <= 0 {
                    close(p.fd)
                    if p.fd == outFD { outFD = -1 } else if p.fd == errFD { errFD = -1 }
                    else if p.fd == statusFD { statusFD = -1 } else if p.fd == infoFD { infoFD = -1 }
                    continue
                }
                let bytes = buffer[0..<got]
                if p.fd == outFD || p.fd == errFD {
                    let isOut = p.fd == outFD
                    let seen = isOut ? outSeen : errSeen
                    let keep = max(0, min(got, limits.outputLimitBytes - seen))
                    if keep > 0 {
                        if isOut { o.stdout.append(contentsOf: bytes.prefix(keep)) } else { o.stderr.append(contentsOf: bytes.prefix(keep)) }
                    }
                    if isOut { outSeen += got } else { errSeen += got }
                    if seen + got > limits.outputLimitBytes && !exited { kill(.outputLimit, now: stamp) }
                } else if p.fd == statusFD {
                    o.status.append(contentsOf: bytes)
                    let text = String(decoding: o.status, as: UTF8.self)
                    let parsed = Reaper.parse(text)
                    if parsed.started && o.startTime == nil { o.startTime = stamp }
                    if parsed.status != nil && o.endTime == nil { o.endTime = stamp }
                } else if p.fd == infoFD {
                    o.info.append(contentsOf: bytes)
                    if o.initPid == nil, let initPid = Self.childPid(inInfo: o.info) {
                        o.initPid = initPid
                        o.initPidFD = fulgur_pidfd_open(initPid)
                        if o.killReason != nil && !exited { killRun(initPid) }
                    }
                }
            }
        }
        // Close whatever is still open; reap the outer process if the drain loop gave up.
        for fd in [outFD, errFD, statusFD, infoFD, stdinFD] where fd >= 0 { close(fd) }
        if !exited {
            killRun(o.initPid)
            var st: Int32 = 0
            _ = fulgur_wait(pid, &st, &o.usage, 0)
            o.waitStatus = st
            o.exitTime = Clock.now
        }
        if pidfd >= 0 { close(pidfd) }
        return o
    }

    /// `"child-pid": N` from bwrap's --info-fd JSON.
    static func childPid(inInfo data: Data) -> pid_t? {
        let text = String(decoding: data, as: UTF8.self)
        guard let r = text.range(of: "\"child-pid\":") else { return nil }
        let digits = text[r.upperBound...].drop(while: { $0 == " " }).prefix(while: \.isNumber)
        guard text[r.upperBound...].contains(where: { $0 == "," || $0 == "}" }) else { return nil }
        return pid_t(digits)
    }
}
