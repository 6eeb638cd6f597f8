import Foundation

/// A parsed unified diff (the `diff -u` / `git diff` text format), strict: anything it cannot
/// apply exactly — binary patches, renames, symlinks, malformed hunks — is an error that names
/// the line.
public struct UnifiedDiff: Sendable, Equatable {
    public var files: [FilePatch]

    /// One file's changes. A nil path is /dev/null (file created or deleted).
    public struct FilePatch: Sendable, Equatable {
        public var oldPath: String?
        public var newPath: String?
        public var hunks: [Hunk]
        /// The path the patch writes to (the new path, or the old one for a deletion).
        public var path: String { newPath ?? oldPath ?? "" }
        public var isCreation: Bool { oldPath == nil }
        public var isDeletion: Bool { newPath == nil }
    }

    public struct Hunk: Sendable, Equatable {
        public var oldStart: Int
        public var oldCount: Int
        public var newStart: Int
        public var newCount: Int
        /// Lines with their terminator ("\n", or none when a "\ No newline" marker follows).
        public var lines: [Line]
        /// The 1-based line of the `@@` header in the patch text (for messages).
        public var headerLine: Int

        public var oldLines: [[UInt8]] { lines.compactMap { $0.kind == .added ? nil : $0.text } }
        public var newLines: [[UInt8]] { lines.compactMap { $0.kind == .removed ? nil : $0.text } }
    }

    public struct Line: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case context, removed, added }
        public var kind: Kind
        public var text: [UInt8]
    }

    public struct ParseError: Error, CustomStringConvertible, Sendable, Equatable {
        public var line: Int
        public var reason: String
        public var description: String { line > 0 ? "patch line \(line): \(reason)" : "patch: \(reason)" }
    }

    /// Largest patch accepted, bytes.
    public static let maxBytes = 4 << 20

    public static func parse(_ text: Data) throws -> UnifiedDiff {
        guard text.count <= maxBytes else { throw ParseError(line: 0, reason: "patch is larger than \(maxBytes) bytes") }
        guard !text.contains(0) else { throw ParseError(line: 0, reason: "patch contains NUL bytes (binary patches are not supported)") }
        // Lines with their "\n" kept, so that file contents round-trip exactly.
        var lines: [[UInt8]] = []
        var cur: [UInt8] = []
        for b in text {
            cur.append(b)
            if b == 10 { lines.append(cur); cur = [] }
        }
        if !cur.isEmpty { lines.append(cur) }

        var files: [FilePatch] = []
        var i = 0
        var inGitHeader = false
        while i < lines.count {
            let line = lines[i]
            let n = i + 1
            if line.starts(with: Array("diff --git ".utf8)) { inGitHeader = true; i += 1; continue }
            if inGitHeader {
                let s = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .newlines)
                for (prefix, why) in [("GIT binary patch", "binary patches are not supported"),
                                      ("Binary files ", "binary patches are not supported"),
                                      ("rename from", "renames are not supported (delete and create instead)"),
                                      ("copy from", "copies are not supported"),
                                      ("new file mode 120000", "symlinks cannot be created by a patch"),
                                      ("new mode 120000", "symlinks cannot be created by a patch"),
                                      ("new file mode 160000", "submodules are not supported")] where s.hasPrefix(prefix) {
                    throw ParseError(line: n, reason: why)
                }
            }
            guard line.starts(with: Array("--- ".utf8)) else { i += 1; continue }
            inGitHeader = false
            guard i + 1 < lines.count, lines[i + 1].starts(with: Array("+++ ".utf8)) else {
                throw ParseError(line: n, reason: "'---' header is not followed by a '+++' header")
            }
            let old = try headerPath(line, line: n), new = try headerPath(lines[i + 1], line: n + 1)
            var patch = FilePatch(oldPath: old, newPath: new, hunks: [])
            if old == nil && new == nil { throw ParseError(line: n, reason: "both sides are /dev/null") }
            stripGitPrefixes(&patch)
            i += 2
            while i < lines.count, lines[i].starts(with: Array("@@ ".utf8)) {
                let hunk = try parseHunk(lines, &i)
                if let last = patch.hunks.last, hunk.oldStart < last.oldStart + last.oldCount {
                    throw ParseError(line: hunk.headerLine, reason: "hunks overlap or are out of order")
                }
                patch.hunks.append(hunk)
            }
            if patch.hunks.isEmpty { throw ParseError(line: n, reason: "file \(patch.path) has no hunks") }
            if files.contains(where: { $0.path == patch.path }) {
                throw ParseError(line: n, reason: "file \(patch.path) is patched twice")
            }
            files.append(patch)
        }
        if files.isEmpty { throw ParseError(line: 0, reason: "no file changes found (expected '--- a/…' / '+++ b/…' headers and '@@' hunks)") }
        return UnifiedDiff(files: files)
    }

    /// The path of a `---`/`+++` header: nil for /dev/null; a trailing tab and timestamp
    /// dropped; git's C-style quoting undone.
    static func headerPath(_ raw: [UInt8], line: Int) throws -> String? {
        var body = Array(raw.dropFirst(4))
        while let last = body.last, last == 10 || last == 13 { body.removeLast() }
        var path: [UInt8]
        if body.first == UInt8(ascii: "\"") {
            path = []
            var j = 1
            var closed = false
            while j < body.count {
                let c = body[j]
                if c == UInt8(ascii: "\"") { closed = true; break }
                if c == UInt8(ascii: "\\"), j + 1 < body.count {
                    j += 1
                    switch body[j] {
                    case UInt8(ascii: "n"): path.append(10)
                    case UInt8(ascii: "t"): path.append(9)
                    case UInt8(ascii: "\""): path.append(34)
                    case UInt8(ascii: "\\"): path.append(92)
                    case 48...55:  // octal byte \ooo
                        var v = 0, k = 0
                        while k < 3, j < body.count, (48...55).contains(body[j]) { v = v * 8 + Int(body[j] - 48); j += 1; k += 1 }
                        j -= 1
                        guard v < 256 else { throw ParseError(line: line, reason: "bad octal escape in quoted path") }
                        path.append(UInt8(v))
                    default: throw ParseError(line: line, reason: "bad escape in quoted path")
                    }
                } else {
                    path.append(c)
                }
                j += 1
            }
            guard closed else { throw ParseError(line: line, reason: "unterminated quoted path") }
        } else {
            path = Array(body.prefix { $0 != 9 })
            while path.last == 32 { path.removeLast() }
        }
        guard !path.isEmpty else { throw ParseError(line: line, reason: "empty path in header") }
        let s = String(decoding: path, as: UTF8.self)
        guard Array(s.utf8) == path else { throw ParseError(line: line, reason: "path is not valid UTF-8") }
        return s == "/dev/null" ? nil : s
    }

    /// git writes `a/x` and `b/x`: strip both prefixes when the patch uses them.
    static func stripGitPrefixes(_ p: inout FilePatch) {
        let oldOK = p.oldPath.map { $0.hasPrefix("a/") } ?? true
        let newOK = p.newPath.map { $0.hasPrefix("b/") } ?? true
        guard oldOK && newOK else { return }
        p.oldPath = p.oldPath.map { String($0.dropFirst(2)) }
        p.newPath = p.newPath.map { String($0.dropFirst(2)) }
    }

    /// Parses `@@ -a,b +c,d @@` and exactly b old and d new lines after it.
    static func parseHunk(_ lines: [[UInt8]], _ i: inout Int) throws -> Hunk {
        let headerLine = i + 1
        let header = String(decoding: lines[i], as: UTF8.self)
        guard let (oldStart, oldCount, newStart, newCount) = parseRanges(header) else {
            throw ParseError(line: headerLine, reason: "malformed hunk header \(header.trimmingCharacters(in: .newlines).debugDescription)")
        }
        var hunk = Hunk(oldStart: oldStart, oldCount: oldCount, newStart: newStart, newCount: newCount, lines: [], headerLine: headerLine)
        var oldSeen = 0, newSeen = 0
        i += 1
        while oldSeen < oldCount || newSeen < newCount {
            guard i < lines.count else {
                throw ParseError(line: headerLine, reason: "hunk ends early: expected \(oldCount) old and \(newCount) new lines, got \(oldSeen) and \(newSeen)")
            }
            let l = lines[i]
            let body = Array(l.dropFirst())
            switch l.first {
            case UInt8(ascii: " "): hunk.lines.append(Line(kind: .context, text: body)); oldSeen += 1; newSeen += 1
            case UInt8(ascii: "-"): hunk.lines.append(Line(kind: .removed, text: body)); oldSeen += 1
            case UInt8(ascii: "+"): hunk.lines.append(Line(kind: .added, text: body)); newSeen += 1
            case 10 where l.count == 1:
                // An empty context line whose leading space was stripped (common in pasted patches).
                hunk.lines.append(Line(kind: .context, text: [10])); oldSeen += 1; newSeen += 1
            case UInt8(ascii: "\\"):
                try dropNewline(&hunk, line: i + 1)
            default:
                throw ParseError(line: i + 1, reason: "unexpected line inside a hunk (expected ' ', '-', '+' or '\\')")
            }
            i += 1
        }
        guard oldSeen == oldCount, newSeen == newCount else {
            throw ParseError(line: headerLine, reason: "hunk line counts do not match its header")
        }
        // A "\ No newline at end of file" marker may follow the last line.
        if i < lines.count, lines[i].first == UInt8(ascii: "\\") { try dropNewline(&hunk, line: i + 1); i += 1 }
        if i < lines.count {
            // A '+' or '-' line right after the counts are met means the header undercounts
            // (but "--- " starts the next file and "-- " is format-patch's signature).
            let next = lines[i]
            let isChange = (next.first == UInt8(ascii: "+") && !next.starts(with: Array("+++ ".utf8)))
                || (next.first == UInt8(ascii: "-") && !next.starts(with: Array("--- ".utf8)) && next != Array("-- \n".utf8))
            if isChange { throw ParseError(line: i + 1, reason: "more lines than the hunk header announces") }
        }
        return hunk
    }

    static func dropNewline(_ hunk: inout Hunk, line: Int) throws {
        guard var last = hunk.lines.popLast(), last.text.last == 10 else {
            throw ParseError(line: line, reason: "'\\ No newline at end of file' without a preceding line")
        }
        last.text.removeLast()
        hunk.lines.append(last)
    }

    /// "@@ -12,3 +12,4 @@ optional section" → (12, 3, 12, 4); a missing count means 1.
    static func parseRanges(_ header: String) -> (Int, Int, Int, Int)? {
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count >= 4, parts[0] == "@@", parts[3].hasPrefix("@@"),
              parts[1].hasPrefix("-"), parts[2].hasPrefix("+") else { return nil }
        func range(_ s: Substring) -> (Int, Int)? {
            let nums = s.dropFirst().split(separator: ",", omittingEmptySubsequences: false)
            guard nums.count == 1 || nums.count == 2, let a = Int(nums[0]), a >= 0 else { return nil }
            let b = nums.count == 2 ? Int(nums[1]) : 1
            guard let b, b >= 0, b <= 1_000_000 else { return nil }
            return (a, b)
        }
        guard let (a, b) = range(parts[1]), let (c, d) = range(parts[2]) else { return nil }
        return (a, b, c, d)
    }
}
