import Foundation
import Testing
@testable import FulgurSandbox

/// The acceptance tests of issue 6: hostile programs, real subprocesses, real limits. Each
/// test checks the status and that the host is unaffected. Serialized so that the host-side
/// process counts are not disturbed by concurrent runs of this suite.
extension SandboxProcessTests {
@Suite
struct ContainmentTests {
    @Test func infiniteLoopTimesOut() throws {
        let r = try Support.python("while True:\n    pass\n", timeout: 1)
        #expect(r.status == .timeout)
        #expect(r.exitCode == nil && r.signal == Int(SIGKILL))
        #expect(r.timeS >= 1 && r.timeS < 1.5)
        #expect(r.strayProcesses == 0)
        #expect(try Support.poolProcesses().isEmpty)
    }

    @Test func forkBombIsContainedAndLeavesNoProcess() throws {
        let bomb = """
            import os
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
            """
        let r = try Support.python(bomb, timeout: 1.5)
        #expect(r.status == .timeout)
        #expect(r.strayProcesses == 0)
        #expect(try Support.poolProcesses().isEmpty)
    }

    @Test func processLimitStopsForking() throws {
        // Forks until the kernel refuses; the children sleep. The count must stay below the
        // limit (the sandbox's own init and reaper count too).
        let src = """
            import os, time
            n = 0
            try:
                while True:
                    if os.fork() == 0:
                        time.sleep(60)
                        os._exit(0)
                    n += 1
            except OSError as e:
                print(n, e.errno)
            """
        let r = try Support.python(src, timeout: 5) { $0.maxProcesses = 20 }
        #expect(r.status == .ok)
        let parts = r.stdoutText.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(parts.count == 2)
        #expect(parts.first.map { $0 > 5 && $0 < 20 } == true, "forked \(r.stdoutText)")
        #expect(parts.last == Int(EAGAIN))
        // The sleeping children died with the namespace.
        #expect(r.totalS < 2)
        #expect(try Support.poolProcesses().isEmpty)
    }

    @Test func memoryHogIsMemory() throws {
        let r = try Support.python("x = []\nwhile True:\n    x.append(bytearray(10**7))\n", memoryMB: 256)
        #expect(r.status == .memory)
        #expect(r.stderrText.contains("MemoryError"))
        let big = try Support.python("b = bytearray(2 * 1024**3)\nprint(len(b))\n", memoryMB: 256)
        #expect(big.status == .memory)
        // Under the limit the same program is fine: the limit, not the program, failed it.
        let ok = try Support.python("b = bytearray(100 * 1024**2)\nprint(len(b))\n", memoryMB: 512)
        #expect(ok.status == .ok && ok.stdoutText == "104857600\n")
    }

    @Test func writesOutsideTheWorkDirectoryNeverReachTheHost() throws {
        let marker = "fulgur-escape-\(UUID().uuidString)"
        let targets = ["/tmp/\(marker)", "/var/tmp/\(marker)", "/root/\(marker)", "/etc/\(marker)", "/usr/\(marker)",
                       "/\(marker)", "/dev/\(marker)", FileManager.default.currentDirectoryPath + "/\(marker)"]
        let list = "[" + targets.map { "'\($0)'" }.joined(separator: ", ") + "]"
        let src = """
            import os
            for p in \(list):
                try:
                    os.makedirs(os.path.dirname(p), exist_ok=True)
                    with open(p, "w") as f:
                        f.write("escaped")
                    print("wrote", p)
                except OSError as e:
                    print("refused", p, e.errno)
            with open("inside.txt", "w") as f:
                f.write("fine")
            print("cwd", os.getcwd(), open("inside.txt").read())
            """
        let r = try Support.python(src)
        #expect(r.status == .ok)
        #expect(r.stdoutText.contains("cwd /box fine"))
        // Writes into the sandbox's own /tmp succeed but land in its private tmpfs.
        #expect(r.stdoutText.contains("wrote /tmp/\(marker)"))
        for t in targets { #expect(!FileManager.default.fileExists(atPath: t), "\(t) appeared on the host") }
        #expect(!FileManager.default.fileExists(atPath: "/box"))
    }

    @Test func noConnectionReachesAHostLoopbackListener() throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        let src = """
            import socket
            for host in ["127.0.0.1", "localhost", "::1"]:
                try:
                    s = socket.create_connection((host, \(listener.port)), timeout=2)
                    print("connected", host)
                    s.sendall(b"escaped")
                except OSError as e:
                    print("refused", host, e.errno)
            """
        let r = try Support.python(src)
        #expect(r.status == .ok)
        #expect(!r.stdoutText.contains("connected"))
        #expect(listener.acceptPending() == 0)
        // Positive control: the listener does see a connection from the host.
        try listener.connectFromHost()
        #expect(listener.acceptPending() == 1)
    }

    @Test func fourGiBOfOutputIsCappedFast() throws {
        let src = """
            import sys
            b = b"y" * (1 << 20)
            for _ in range(4096):
                sys.stdout.buffer.write(b)
            """
        let r = try Support.python(src, timeout: 30)
        #expect(r.status == .outputLimit)
        #expect(r.stdout.count == SandboxLimits().outputLimitBytes)
        #expect(r.signal == Int(SIGKILL))
        #expect(r.totalS < 3, "took \(r.totalS) s")
        #expect(try Support.poolProcesses().isEmpty)
    }

    @Test func stderrFloodIsCappedToo() throws {
        let r = try Support.python("import sys\nwhile True:\n    sys.stderr.write('e' * 65536)\n", timeout: 30)
        #expect(r.status == .outputLimit)
        #expect(r.stderr.count == SandboxLimits().outputLimitBytes)
    }

    @Test func stdinIsFedAndEnds() throws {
        // Reads everything: gets EOF after 3 MiB (more than a pipe holds).
        let input = String(repeating: "0123456789abcdef\n", count: 3 << 16)
        let r = try Support.python("import sys\nd = sys.stdin.read()\nprint(len(d))\n", stdin: input)
        #expect(r.status == .ok && r.stdoutText == "\(input.utf8.count)\n")
        // Reads forever: EOF every time, the wall limit ends it.
        let forever = try Support.python("import sys\nwhile True:\n    sys.stdin.read()\n", stdin: "x\n", timeout: 1)
        #expect(forever.status == .timeout)
        // Blocks on stdin with nothing to read: EOF at once, no hang.
        let empty = try Support.python("import sys\nprint(repr(sys.stdin.readline()))\n")
        #expect(empty.status == .ok && empty.stdoutText == "''\n")
        // Never reads a large stdin: no deadlock, no SIGPIPE in the host.
        let ignored = try Support.python("print('done')\n", stdin: String(repeating: "z", count: 8 << 20))
        #expect(ignored.status == .ok && ignored.stdoutText == "done\n")
    }

    @Test func detachedDaemonDiesWithTheRun() throws {
        let src = """
            import os, sys, time
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    time.sleep(120)
                    os._exit(0)
                os._exit(0)
            print("parent exits")
            """
        let r = try Support.python(src)
        #expect(r.status == .ok && r.stdoutText == "parent exits\n")
        #expect(r.totalS < 1.5, "the run waited for the daemon: \(r.totalS) s")
        #expect(r.strayProcesses == 0)
        #expect(try Support.poolProcesses().isEmpty)
    }

    @Test func exitCodesAndSignalsAreExact() throws {
        let e = try Support.python("import sys\nsys.exit(139)\n")
        #expect(e.status == .runtimeError && e.exitCode == 139 && e.signal == nil)
        let s = try Support.python("import os\nos.kill(os.getpid(), 11)\n")
        #expect(s.status == .killed && s.exitCode == nil && s.signal == 11)
        let x = try Support.python("raise ValueError('boom')\n")
        #expect(x.status == .runtimeError && x.exitCode == 1 && x.stderrText.contains("ValueError: boom"))
        let ok = try Support.python("print('hi')\n")
        #expect(ok.status == .ok && ok.exitCode == 0 && ok.stdoutText == "hi\n")
    }

    @Test func sandboxHasNoPrivilegesAndAPrivateView() throws {
        let src = """
            import os, socket
            print(os.getuid() != 0, os.getgid() != 0)
            print(sorted(n for n in os.listdir('/proc') if n.isdigit()))
            print([n for n in socket.if_nameindex()])
            try:
                os.unshare(os.CLONE_NEWUSER)
                print("userns allowed")
            except (OSError, AttributeError) as e:
                print("userns refused")
            print(open('/proc/self/status').read().split('CapEff:')[1].split()[0])
            """
        let r = try Support.python(src)
        #expect(r.status == .ok)
        let lines = r.stdoutText.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines.first == "True True")
        // Only the sandbox's own processes (the reaper as PID 1, python) are visible.
        #expect(lines.dropFirst().first == "['1', '2']")
        #expect(lines.dropFirst(2).first == "[(1, 'lo')]")
        #expect(lines.dropFirst(3).first == "userns refused")
        #expect(lines.last == "0000000000000000")
    }

    @Test func theReapersStatusChannelIsOutOfReach() throws {
        // The program runs as the reaper's uid. The status pipe is root-owned, and the reaper is
        // non-dumpable, so its memory (which holds nothing secret, but ptrace access would let
        // the program act as the reaper) is closed. Control: the same /proc entries of a
        // dumpable process of the same uid (the program itself) do open.
        let src = """
            import os
            own = open("own.txt", "w")
            me = os.getpid()
            for p, mode in [("/proc/1/fd/3", "w"), ("/proc/1/mem", "rb"), ("/proc/%d/fd/%d" % (me, own.fileno()), "w"), ("/proc/%d/mem" % me, "rb")]:
                try:
                    open(p, mode).close()
                    print("opened", p)
                except OSError as e:
                    print("refused", p, e.errno)
            """
        let r = try Support.python(src)
        #expect(r.stdoutText == "refused /proc/1/fd/3 \(EACCES)\nrefused /proc/1/mem \(EACCES)\nopened /proc/2/fd/3\nopened /proc/2/mem\n")
    }

    @Test func fileSizeLimitHolds() throws {
        let src = """
            try:
                with open('big', 'wb') as f:
                    f.write(b'0' * (8 * 1024 * 1024))
                print('wrote')
            except OSError as e:
                print('refused', e.errno)
            """
        let r = try Support.python(src) { $0.fileSizeMB = 4 }
        #expect(r.stdoutText == "refused \(EFBIG)\n")
    }
}

}

/// A TCP listener on the host's 127.0.0.1 (ephemeral port), non-blocking.
final class LoopbackListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SandboxError.system("socket") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw SandboxError.system("bind/listen") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        self.fd = fd
        self.port = UInt16(bigEndian: addr.sin_port)
    }

    /// Accepts (and closes) every pending connection; returns how many there were.
    func acceptPending() -> Int {
        var n = 0
        while true {
            let c = accept(fd, nil, nil)
            if c < 0 { return n }
            Glibc.close(c)
            n += 1
        }
    }

    func connectFromHost() throws {
        let c = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(c) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(c, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard r == 0 else { throw SandboxError.system("host connect failed") }
        usleep(20_000)
    }

    func close() { Glibc.close(fd) }
}
