import Foundation
import FulgurModel
import FulgurSupport
import FulgurTensor

/// What a training run needs to continue exactly where it stopped.
public struct TrainerState: Codable, Sendable, Equatable {
    /// Optimizer updates completed.
    public var step: Int
    public var position: DataLoader.Position
    /// Extra RNG state of the run (e.g. RL sampling), when it has one.
    public var rng: RNG?
    public var tokensSeen: Int
    public var elapsedSeconds: Double
    /// Loop-specific state (e.g. RL's current generation window).
    public var extra: [String: JSONValue]

    public init(step: Int, position: DataLoader.Position, rng: RNG? = nil, tokensSeen: Int = 0, elapsedSeconds: Double = 0,
                extra: [String: JSONValue] = [:]) {
        self.step = step; self.position = position; self.rng = rng; self.tokensSeen = tokensSeen; self.elapsedSeconds = elapsedSeconds
        self.extra = extra
    }

    enum CodingKeys: String, CodingKey {
        case step, position = "data_position", rng, tokensSeen = "tokens_seen", elapsedSeconds = "elapsed_s", extra
    }

    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        step = try c.decode(Int.self, forKey: .step)
        position = try c.decode(DataLoader.Position.self, forKey: .position)
        rng = try c.decodeIfPresent(RNG.self, forKey: .rng)
        tokensSeen = try c.decodeIfPresent(Int.self, forKey: .tokensSeen) ?? 0
        elapsedSeconds = try c.decodeIfPresent(Double.self, forKey: .elapsedSeconds) ?? 0
        extra = try c.decodeIfPresent([String: JSONValue].self, forKey: .extra) ?? [:]
    }
}

/// Checkpoint folders: `<out>/checkpoints/step-NNNNNN/` holding a loadable model folder
/// (config.json, model.safetensors, tokenizer.json) plus `optimizer.safetensors`,
/// `trainer_state.json` and `run.json`. A folder is written under a temporary name and
/// renamed when complete; `<out>/latest` (written atomically afterwards) names the newest
/// complete one. A kill at any moment leaves the previous latest intact.
public enum TrainingCheckpoint {
    public static func name(step: Int) -> String { String(format: "step-%06d", step) }

    public static func save(model: MiniMaxModel, optimizer: AdamW, state: TrainerState, tokenizerJSON: Data?,
                            runRecord: [String: JSONValue], out: String, keep: Int, dtype: WeightPrecision = .f32) throws -> String {
        let fm = FileManager.default
        let root = out + "/checkpoints"
        try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        let name = name(step: state.step)
        let final = root + "/" + name
        if !fm.fileExists(atPath: final) {
            let tmp = root + "/.tmp-\(name)-\(getpid())"
            try? fm.removeItem(atPath: tmp)
            try fm.createDirectory(atPath: tmp, withIntermediateDirectories: true)
            try model.save(to: tmp, dtype: dtype == .bf16 ? .bf16 : .f32)  // the optimizer state stays f32
            if let tokenizerJSON { try Files.writeAtomically(tokenizerJSON, to: tmp + "/tokenizer.json") }
            var items: [SafetensorsWriter.Item] = []
            for (i, n) in optimizer.names.enumerated() {
                items.append(.init(name: n + ".exp_avg", tensor: optimizer.m[i]))
                items.append(.init(name: n + ".exp_avg_sq", tensor: optimizer.v[i]))
            }
            try SafetensorsWriter.write(items, to: tmp + "/optimizer.safetensors", metadata: ["step": "\(optimizer.step)"])
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try Files.writeAtomically(try enc.encode(state), to: tmp + "/trainer_state.json")
            try Files.writeAtomically(JSONValue.object(runRecord).jsonString(), to: tmp + "/run.json")
            Files.syncDirectory(tmp)
            guard rename(tmp, final) == 0 else { throw FileError(final, "cannot rename checkpoint: \(String(cString: strerror(errno)))") }
            Files.syncDirectory(root)
        }
        try Files.writeAtomically(name + "\n", to: out + "/latest")
        prune(root: root, keep: keep, latest: name)
        removeStaleTemporaries(in: out)
        return final
    }

    /// Deletes the oldest complete checkpoints beyond `keep` and leftover temporary folders.
    static func prune(root: String, keep: Int, latest: String) {
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: root) else { return }
        for e in entries where e.hasPrefix(".tmp-") && !e.hasSuffix("-\(getpid())") { try? fm.removeItem(atPath: root + "/" + e) }
        let complete = entries.filter { $0.hasPrefix("step-") }.sorted()
        for e in complete.dropLast(keep) where e != latest { try? fm.removeItem(atPath: root + "/" + e) }
    }

    /// Temporary files of atomic writes (`.NAME.tmp-PID-…`) that a killed process left in `out`.
    static func removeStaleTemporaries(in out: String) {
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: out) else { return }
        for e in entries where e.hasPrefix(".") && e.contains(".tmp-") && !e.contains(".tmp-\(getpid())-") {
            try? fm.removeItem(atPath: out + "/" + e)
        }
    }

    /// The folder named by `<out>/latest`, if it exists and is complete.
    public static func latest(out: String) throws -> String? {
        guard let data = FileManager.default.contents(atPath: out + "/latest") else { return nil }
        let name = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let dir = out + "/checkpoints/" + name
        guard FileManager.default.fileExists(atPath: dir + "/trainer_state.json") else {
            throw FileError(out + "/latest", "points to \(name), which is not a complete checkpoint")
        }
        return dir
    }

    public static func loadState(_ dir: String) throws -> TrainerState {
        let path = dir + "/trainer_state.json"
        guard let data = FileManager.default.contents(atPath: path) else { throw FileError(path, "cannot read") }
        do { return try JSONDecoder().decode(TrainerState.self, from: data) } catch { throw FileError(path, Files.describe(error)) }
    }

    public static func loadOptimizer(_ optimizer: AdamW, from dir: String) throws {
        let f = try SafetensorsFile(path: dir + "/optimizer.safetensors")
        guard let s = f.metadata["step"], let step = Int(s) else { throw FileError(f.path, "missing __metadata__.step") }
        for (i, n) in optimizer.names.enumerated() {
            for (suffix, t) in [(".exp_avg", optimizer.m[i]), (".exp_avg_sq", optimizer.v[i])] {
                guard let e = f.entries[n + suffix] else { throw FileError(f.path, "missing tensor \(n + suffix)") }
                guard e.shape == t.shape else { throw FileError(f.path, "tensor \(n + suffix) has shape \(e.shape), expected \(t.shape)") }
                try f.readFloat32(e, into: t.pointer)
            }
        }
        optimizer.step = step
    }

    /// The current git commit of the working directory, or "unknown".
    public static func gitCommit() -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "rev-parse", "HEAD"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        do { try p.run() } catch { return "unknown" }
        p.waitUntilExit()
        let s = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return p.terminationStatus == 0 && !s.isEmpty ? s : "unknown"
    }
}
