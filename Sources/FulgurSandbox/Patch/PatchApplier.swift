import Foundation

/// Applies a `UnifiedDiff` to a folder, all or nothing, refusing any path that could leave it.
///
/// Paths must be plain relative paths (no `/` prefix, no `.`/`..`/empty components, nothing
/// under `.git`); every existing component on the way must be a real directory and the target
/// a regular file — a symlink anywhere on the path is refused, so a repository symlink cannot
/// redirect a write outside. Hunks must match exactly (no fuzz); a hunk may sit at another
/// line than its header says (nearest exact match wins), as with `patch`'s offsets.
public enum PatchApplier {
    public struct ApplyError: Error, CustomStringConvertible, Sendable, Equatable {
        public var path: String
        public var reason: String
        public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
    }

    /// Applies every file patch or none; returns the paths written or deleted.
    @discardableResult
    public static func apply(_ diff: UnifiedDiff, to root: String) throws -> [String] {
        var plans: [(path: String, full: String, contents: [UInt8]?)] = []
        for f in diff.files {
            let path = f.path
            try validate(path)
            if let old = f.oldPath, let new = f.newPath, old != new {
                throw ApplyError(path: path, reason: "old and new paths differ (\(old) → \(new)); renames are not supported")
            }
            let full = try resolve(path, in: root, mustExist: !f.isCreation)
            var lines: [[UInt8]] = []
            if f.isCreation {
                guard !exists(full) else { throw ApplyError(path: path, reason: "the patch creates the file, but it already exists") }
            } else {
                guard let data = FileManager.default.contents(atPath: full) else { throw ApplyError(path: path, reason: "cannot read the file") }
                lines = splitLines(data)
            }
            let result = try applyHunks(f.hunks, to: lines, path: path)
            if f.isDeletion {
                guard result.isEmpty else { throw ApplyError(path: path, reason: "the patch deletes the file but does not remove all of its lines") }
                plans.append((path, full, nil))
            } else {
                plans.append((path, full, result.flatMap { $0 }))
            }
        }
        for p in plans {
            if let contents = p.contents {
                try FileManager.default.createDirectory(atPath: (p.full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try write(contents, to: p.full, path: p.path)
            } else {
                guard unlink(p.full) == 0 else { throw ApplyError(path: p.path, reason: "cannot delete: \(String(cString: strerror(errno)))") }
            }
        }
        return plans.map(\.path)
    }

    /// Rejects absolute paths, `..`, `.`, empty components, NUL and `.git`.
    static func validate(_ path: String) throws {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\0") else {
            throw ApplyError(path: path, reason: "path must be relative to the repository")
        }
        for c in path.split(separator: "/", omittingEmptySubsequences: false) {
            if c.isEmpty || c == "." || c == ".." { throw ApplyError(path: path, reason: "path escapes or is not normalized ('\(c)' component)") }
            if c == ".git" { throw ApplyError(path: path, reason: "the patch may not touch .git") }
        }
    }

    /// The full path, after checking with lstat that no existing component is a symlink or
    /// a non-directory, and that an existing target is a regular file.
    static func resolve(_ path: String, in root: String, mustExist: Bool) throws -> String {
        let parts = path.split(separator: "/").map(String.init)
        var cur = root
        for (k, part) in parts.enumerated() {
            cur += "/" + part
            var st = stat()
            if lstat(cur, &st) != 0 {
                guard errno == ENOENT else { throw ApplyError(path: path, reason: "cannot inspect \(part): \(String(cString: strerror(errno)))") }
                if mustExist { throw ApplyError(path: path, reason: "no such file in the repository") }
                return root + "/" + path  // the rest does not exist yet: created as plain folders
            }
            let type = st.st_mode & S_IFMT
            if type == S_IFLNK { throw ApplyError(path: path, reason: "'\(parts[0...k].joined(separator: "/"))' is a symlink; patches may not write through symlinks") }
            let last = k == parts.count - 1
            if !last && type != S_IFDIR { throw ApplyError(path: path, reason: "'\(parts[0...k].joined(separator: "/"))' is not a folder") }
            if last && type != S_IFREG { throw ApplyError(path: path, reason: "not a regular file") }
        }
        return cur
    }

    static func exists(_ full: String) -> Bool {
        var st = stat()
        return lstat(full, &st) == 0
    }

    /// Lines with their "\n" kept (the last one may lack it).
    static func splitLines(_ data: Data) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var cur: [UInt8] = []
        for b in data {
            cur.append(b)
            if b == 10 { lines.append(cur); cur = [] }
        }
        if !cur.isEmpty { lines.append(cur) }
        return lines
    }

    static func applyHunks(_ hunks: [UnifiedDiff.Hunk], to lines: [[UInt8]], path: String) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        var pos = 0  // next unconsumed line of the original
        var offset = 0  // how far earlier hunks were found from their header lines
        for (k, h) in hunks.enumerated() {
            let old = h.oldLines
            // Header line numbers are 1-based; a pure insertion names the line before it.
            let wanted = (h.oldCount == 0 ? h.oldStart : h.oldStart - 1) + offset
            guard let at = findMatch(old, in: lines, near: wanted, from: pos) else {
                throw ApplyError(path: path, reason: "hunk #\(k + 1) (patch line \(h.headerLine)) does not apply: its context does not match the file near line \(max(1, wanted + 1))")
            }
            offset = at - (h.oldCount == 0 ? h.oldStart : h.oldStart - 1)
            out += lines[pos..<at]
            out += h.newLines
            pos = at + old.count
        }
        out += lines[pos...]
        return out
    }

    /// The position closest to `near` (not before `from`) where `old` matches exactly.
    static func findMatch(_ old: [[UInt8]], in lines: [[UInt8]], near: Int, from: Int) -> Int? {
        func matches(_ at: Int) -> Bool {
            guard at >= from, at + old.count <= lines.count else { return false }
            for (i, l) in old.enumerated() where lines[at + i] != l { return false }
            return true
        }
        if old.isEmpty {
            // Pure insertion: at the stated place (clamped), no context to search by.
            return min(max(near, from), lines.count)
        }
        let limit = max(lines.count, near) + 1
        for d in 0...limit {
            if matches(near - d) { return near - d }
            if d > 0 && matches(near + d) { return near + d }
        }
        return nil
    }

    static func write(_ bytes: [UInt8], to full: String, path: String) throws {
        var mode: mode_t = 0o644
        var st = stat()
        if lstat(full, &st) == 0 { mode = st.st_mode & 0o777 }
        let tmp = full + ".fulgur-patch-tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw ApplyError(path: path, reason: "cannot write: \(String(cString: strerror(errno)))") }
        var off = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n <= 0 { return false }
                off += n
            }
            return true
        }
        close(fd)
        guard ok, rename(tmp, full) == 0 else {
            unlink(tmp)
            throw ApplyError(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
        }
    }
}
