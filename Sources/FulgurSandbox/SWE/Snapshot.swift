import Foundation

/// Repository snapshots on the host: unpacking, copying without following symlinks, and
/// reverting protected paths.
enum Snapshot {
    /// The snapshot as a folder: itself, or an archive extracted into `scratch` (an archive
    /// with exactly one top-level folder yields that folder).
    static func materialize(_ repo: String, scratch: String) throws -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: repo, isDirectory: &isDir) else { throw SandboxError.invalidArgument("\(repo) does not exist") }
        if isDir.boolValue { return repo }
        guard [".tar", ".tar.gz", ".tgz"].contains(where: { repo.hasSuffix($0) }) else {
            throw SandboxError.invalidArgument("\(repo): a snapshot must be a folder or a .tar/.tar.gz/.tgz archive")
        }
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        // GNU tar drops leading '/' and refuses '..' members, and defers symlinks so that no
        // member is written through one; ownership and modes come from us, not the archive.
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: Executables.find("tar", preferred: ["/usr/bin/tar", "/bin/tar"]) ?? "/usr/bin/tar")
        tar.arguments = ["-x", "-f", repo, "-C", scratch, "--no-same-owner", "--no-same-permissions", "--delay-directory-restore"]
        let err = Pipe()
        tar.standardError = err
        try tar.run()
        let msg = err.fileHandleForReading.readDataToEndOfFile()
        tar.waitUntilExit()
        guard tar.terminationStatus == 0 else {
            throw SandboxError.invalidArgument("\(repo): cannot extract: \(String(decoding: msg, as: UTF8.self))")
        }
        let top = try FileManager.default.contentsOfDirectory(atPath: scratch)
        var sub: ObjCBool = false
        if top.count == 1, FileManager.default.fileExists(atPath: scratch + "/" + top[0], isDirectory: &sub), sub.boolValue,
           (try? FileManager.default.destinationOfSymbolicLink(atPath: scratch + "/" + top[0])) == nil {
            return scratch + "/" + top[0]
        }
        return scratch
    }

    /// Copies a tree: folders 0755, files 0644 (0755 if executable), symlinks as symlinks;
    /// sockets, devices and FIFOs are skipped. Nothing is followed.
    static func copyTree(from src: String, to dst: String) throws {
        guard mkdir(dst, 0o755) == 0 || errno == EEXIST else { throw SandboxError.system("mkdir \(dst): \(String(cString: strerror(errno)))") }
        chmod(dst, 0o755)
        for name in try FileManager.default.contentsOfDirectory(atPath: src) {
            let s = src + "/" + name, d = dst + "/" + name
            var st = stat()
            guard lstat(s, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: try copyTree(from: s, to: d)
            case S_IFLNK:
                let target = try FileManager.default.destinationOfSymbolicLink(atPath: s)
                guard symlink(target, d) == 0 else { throw SandboxError.system("symlink \(d): \(String(cString: strerror(errno)))") }
            case S_IFREG:
                guard let data = FileManager.default.contents(atPath: s) else { throw SandboxError.system("cannot read \(s)") }
                let mode: Int = st.st_mode & 0o111 != 0 ? 0o755 : 0o644
                guard FileManager.default.createFile(atPath: d, contents: data, attributes: [.posixPermissions: mode]) else {
                    throw SandboxError.system("cannot write \(d)")
                }
            default: continue
            }
        }
    }

    /// Puts patched files under a protected path back as they were in the snapshot (or removes
    /// them if the patch created them). Returns the reverted paths.
    static func revert(_ touched: [String], protected: [String], repo: String, pristine: String) throws -> [String] {
        let hits = touched.filter { t in protected.contains { t == $0 || t.hasPrefix($0 + "/") } }
        for path in hits {
            let target = repo + "/" + path
            _ = unlink(target)
            var st = stat()
            if lstat(pristine + "/" + path, &st) == 0, st.st_mode & S_IFMT == S_IFREG {
                guard let data = FileManager.default.contents(atPath: pristine + "/" + path),
                      FileManager.default.createFile(atPath: target, contents: data, attributes: [.posixPermissions: st.st_mode & 0o111 != 0 ? 0o755 : 0o644])
                else { throw SandboxError.system("cannot restore \(path)") }
            }
        }
        return hits
    }

    /// Total size of the regular files in a tree, bytes.
    static func size(_ dir: String) -> Int {
        guard let e = FileManager.default.enumerator(atPath: dir) else { return 0 }
        var total = 0
        while let f = e.nextObject() as? String {
            if let a = try? FileManager.default.attributesOfItem(atPath: dir + "/" + f), a[.type] as? FileAttributeType == .typeRegular {
                total += (a[.size] as? Int) ?? 0
            }
        }
        return total
    }
}
