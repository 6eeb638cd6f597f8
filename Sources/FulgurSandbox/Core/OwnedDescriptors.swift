import CFulgurSpawn
import Foundation

/// The descriptors a run opens before the monitor takes them over: whatever is still owned
/// when the run leaves (an error on the way) is closed, so no path leaks a descriptor.
final class OwnedDescriptors {
    private var fds: [Int32] = []

    /// A close-on-exec pipe.
    func pipe() throws -> (read: Int32, write: Int32) {
        var p: [Int32] = [-1, -1]
        guard fulgur_pipe(&p) == 0 else { throw SandboxError.system("pipe: \(String(cString: strerror(errno)))") }
        fds += p
        return (p[0], p[1])
    }

    /// A memfd holding `data`, positioned at its start (bwrap's --file reads from there).
    func memfd(_ data: Data, name: String) throws -> Int32 {
        let fd = fulgur_memfd("fulgur-sandbox-file")
        guard fd >= 0 else { throw SandboxError.system("memfd_create: \(String(cString: strerror(errno)))") }
        fds.append(fd)
        var off = 0
        let ok = data.withUnsafeBytes { raw -> Bool in
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n <= 0 { return false }
                off += n
            }
            return true
        }
        guard ok, lseek(fd, 0, SEEK_SET) == 0 else {
            throw SandboxError.system("writing \(name) to a memfd: \(String(cString: strerror(errno)))")
        }
        return fd
    }

    /// Stops owning everything (another party closes them now).
    func handOver() { fds = [] }

    func closeAll() {
        for fd in fds { close(fd) }
        fds = []
    }
}
