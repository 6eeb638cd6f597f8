import Foundation

/// An error about a user-supplied file: names the file, the field or item, and the reason.
public struct FileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let detail: String
    public init(_ path: String, _ detail: String) { self.path = path; self.detail = detail }
    public var description: String { "\(path): \(detail)" }
}

public enum Files {
    /// Writes `data` to `path` atomically: a temporary file in the same folder, fsync, rename.
    /// A crash at any moment leaves either the old file or the new one, never a torn file.
    public static func writeAtomically(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tmp = dir + "/.\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FileError(tmp, "cannot create: \(String(cString: strerror(errno)))") }
        var ok = true
        data.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = write(fd, raw.baseAddress! + off, raw.count - off)
                if n <= 0 { ok = false; break }
                off += n
            }
        }
        if ok { ok = fsync(fd) == 0 }
        close(fd)
        guard ok else { unlink(tmp); throw FileError(path, "write failed: \(String(cString: strerror(errno)))") }
        guard rename(tmp, path) == 0 else {
            unlink(tmp); throw FileError(path, "rename failed: \(String(cString: strerror(errno)))")
        }
        syncDirectory(dir)
    }

    public static func writeAtomically(_ text: String, to path: String) throws {
        try writeAtomically(Data(text.utf8), to: path)
    }

    /// fsync a directory so a rename inside it survives a crash.
    public static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    /// Reads a JSONL file: one decoded value per non-empty line; errors name the line.
    public static func readJSONL<T: Decodable>(_ path: String, as type: T.Type) throws -> [T] {
        guard let data = FileManager.default.contents(atPath: path) else { throw FileError(path, "cannot read file") }
        let dec = JSONDecoder()
        var out: [T] = []
        var lineNo = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNo += 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            do { out.append(try dec.decode(T.self, from: Data(line))) } catch {
                throw FileError(path, "line \(lineNo): \(describe(error))")
            }
        }
        return out
    }

    /// A short, human-readable account of a decoding error (which field, what was wrong).
    public static func describe(_ error: Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        func path(_ p: [CodingKey]) -> String {
            p.isEmpty ? "top level" : p.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch e {
        case .typeMismatch(let t, let c): return "field \(path(c.codingPath)): expected \(t)"
        case .valueNotFound(let t, let c): return "field \(path(c.codingPath)): missing \(t) value"
        case .keyNotFound(let k, let c): return "missing field \(path(c.codingPath + [k]))"
        case .dataCorrupted(let c):
            let under = (c.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return "invalid JSON at \(path(c.codingPath)): \(under ?? c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
