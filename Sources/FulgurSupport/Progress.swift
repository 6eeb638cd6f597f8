import Foundation

/// A one-line progress display on stderr (step, rate, ETA, key metrics), redrawn in place
/// on a terminal and printed as plain lines otherwise.
public final class ProgressLine: @unchecked Sendable {
    let total: Int
    let label: String
    let start = Date()
    let interactive = isatty(2) != 0
    var lastPrint = Date.distantPast

    public init(total: Int, label: String) { self.total = total; self.label = label }

    /// `done`: steps completed so far (out of `total`); `fields`: ("loss", "1.234"), …
    public func update(done: Int, startedAt firstStep: Int = 0, fields: [(String, String)], force: Bool = false) {
        let now = Date()
        guard force || now.timeIntervalSince(lastPrint) >= (interactive ? 0.25 : 10) || done == total else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(start)
        let rate = Double(done - firstStep) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let parts = ["\(label) \(done)/\(total)"] + fields.map { "\($0.0) \($0.1)" } + ["ETA \(Self.duration(eta))"]
        let line = parts.joined(separator: " | ")
        FileHandle.standardError.write(Data((interactive ? "\r\u{1B}[2K" + line : line + "\n").utf8))
    }

    public func finish() { if interactive { FileHandle.standardError.write(Data("\n".utf8)) } }

    public static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        let t = Int(s.rounded())
        if t >= 3600 { return "\(t / 3600)h\(String(format: "%02d", (t % 3600) / 60))m" }
        if t >= 60 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
        return "\(t)s"
    }
}

/// Appends one JSON object per line to a metrics file (flushed each line).
public final class MetricsLog: @unchecked Sendable {
    public let path: String
    let handle: FileHandle
    /// The last record kept when a resumed run truncated the file (nil otherwise): what a run
    /// that is already finished reports.
    public private(set) var lastKept: [String: JSONValue]?

    /// Opens `path` for appending; with `truncateAfterStep`, first drops lines whose "step" is
    /// greater (a resumed run rewrites the steps it repeats).
    public init(path: String, truncateAfterStep: Int? = nil) throws {
        self.path = path
        let fm = FileManager.default
        try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if let limit = truncateAfterStep, let data = fm.contents(atPath: path) {
            var kept: [Substring] = []
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                // a line torn by a kill does not parse: drop it
                guard let obj = try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)) else { continue }
                if let s = obj["step"]?.int, s > limit { continue }
                kept.append(line)
                if let record = obj.object { lastKept = record }
            }
            try Files.writeAtomically(kept.map { $0 + "\n" }.joined(), to: path)
        }
        if !fm.fileExists(atPath: path) { _ = fm.createFile(atPath: path, contents: nil) }
        guard let h = FileHandle(forWritingAtPath: path) else { throw FileError(path, "cannot open for writing") }
        h.seekToEndOfFile()
        handle = h
    }

    public func write(_ record: [String: JSONValue]) {
        handle.write(Data((JSONValue.object(record).jsonString() + "\n").utf8))
    }

    /// Writes a typed record (its coding keys are the metrics line's snake_case keys).
    public func write<T: Encodable>(_ record: T) {
        guard let data = try? MetricsLog.encoder.encode(record) else { return }
        handle.write(data + Data("\n".utf8))
    }

    public static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    /// A typed record as the JSON object a metrics line holds.
    public static func object<T: Encodable>(_ record: T) -> [String: JSONValue] {
        guard let data = try? encoder.encode(record) else { return [:] }
        return (try? JSONDecoder().decode(JSONValue.self, from: data))?.object ?? [:]
    }

    /// A metrics line read back as its type (nil when it does not decode).
    public static func decode<T: Decodable>(_ type: T.Type, _ record: [String: JSONValue]) -> T? {
        guard let data = try? JSONEncoder().encode(JSONValue.object(record)) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }

    /// All records of a metrics file.
    public static func read(_ path: String) -> [[String: JSONValue]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            (try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)))?.object
        }
    }
}
