import Foundation
import FulgurSupport
import FulgurTensor

/// Writes model weights as safetensors, streaming one tensor at a time (the memory used beyond
/// the model is one tensor's converted bytes), as one `model.safetensors` or, above
/// `maxShardBytes`, as HF-named shards `model-00001-of-0000N.safetensors` with
/// `model.safetensors.index.json` (`{"metadata": {"total_size"}, "weight_map"}`), the layout
/// MiniMax ships M1 in. Each file is written under a temporary name and renamed when complete;
/// weight files of an earlier save that are not part of this one are removed afterwards.
public enum CheckpointWriter {
    public struct Item {
        public var name: String
        public var tensor: Tensor
        public var dtype: DType
        public init(name: String, tensor: Tensor, dtype: DType) {
            precondition(dtype == .f32 || dtype == .bf16 || dtype == .f16, "\(name): weights are written as F32, BF16 or F16")
            self.name = name; self.tensor = tensor; self.dtype = dtype
        }
        var bytes: Int { tensor.count * dtype.size }
    }

    /// Writes `items` into `directory`; returns the weight files written (names in the folder).
    @discardableResult
    public static func write(_ items: [Item], to directory: String, maxShardBytes: Int? = nil) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var shards: [[Item]] = [[]]
        var size = 0
        for item in items {
            if let max = maxShardBytes, size > 0, size + item.bytes > max {
                shards.append([])
                size = 0
            }
            shards[shards.count - 1].append(item)
            size += item.bytes
        }
        let names = shards.count == 1
            ? [CheckpointFiles.singleName]
            : shards.indices.map { String(format: "model-%05d-of-%05d.safetensors", $0 + 1, shards.count) }
        let scratchBytes = items.filter { $0.dtype != .f32 }.map(\.bytes).max() ?? 0
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: max(scratchBytes, 1), alignment: 64)
        defer { scratch.deallocate() }
        for (shard, name) in zip(shards, names) {
            try writeFile(shard, to: directory + "/" + name, scratch: scratch)
        }
        if shards.count > 1 {
            var map: [String: JSONValue] = [:]
            for (shard, name) in zip(shards, names) { for item in shard { map[item.name] = .string(name) } }
            let index: JSONValue = ["metadata": ["total_size": .number(Double(items.reduce(0) { $0 + $1.bytes }))], "weight_map": .object(map)]
            try Files.writeAtomically(Data(index.jsonString().utf8), to: directory + "/" + CheckpointFiles.indexName)
        }
        // weight files of an earlier save (a single file, an index, other shards) would be read instead
        let keep = Set(names + (shards.count > 1 ? [CheckpointFiles.indexName] : []))
        for f in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        where !keep.contains(f) && (f == CheckpointFiles.indexName || (f.hasPrefix("model") && f.hasSuffix(".safetensors"))) {
            try FileManager.default.removeItem(atPath: directory + "/" + f)
        }
        return names
    }

    /// One safetensors file: the header, then each tensor converted into `scratch` (or written
    /// from the tensor itself when it is f32), under a temporary name renamed at the end.
    static func writeFile(_ items: [Item], to path: String, scratch: UnsafeMutableRawPointer) throws {
        let header = try SafetensorsWriter.header(items.map { ($0.name, $0.dtype, $0.tensor.shape, $0.bytes) })
        let dir = (path as NSString).deletingLastPathComponent, base = (path as NSString).lastPathComponent
        let tmp = dir + "/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard let file = fopen(tmp, "wb") else { throw FileError(path, "cannot write: \(String(cString: strerror(errno)))") }
        var closed = false
        defer { if !closed { fclose(file); unlink(tmp) } }
        func put(_ p: UnsafeRawPointer, _ n: Int) throws {
            guard n == 0 || fwrite(p, 1, n, file) == n else { throw FileError(path, "write failed: \(String(cString: strerror(errno)))") }
        }
        try header.withUnsafeBytes { try put($0.baseAddress!, header.count) }
        for item in items {
            switch item.dtype {
            case .bf16: Convert.f32ToBF16(item.tensor.pointer, scratch, count: item.tensor.count); try put(scratch, item.bytes)
            case .f16: Convert.f32ToF16(item.tensor.pointer, scratch, count: item.tensor.count); try put(scratch, item.bytes)
            default: try put(item.tensor.pointer, item.bytes)
            }
        }
        guard fflush(file) == 0, fsync(fileno(file)) == 0 else { throw FileError(path, "write failed: \(String(cString: strerror(errno)))") }
        fclose(file)
        closed = true
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw FileError(path, "cannot rename into place: \(String(cString: strerror(errno)))")
        }
    }

    /// "2GB", "500MB", "64KB" (powers of 1000, as HF's max_shard_size), "1GiB", "512MiB" (powers of
    /// 1024), or a number of bytes.
    public static func parseSize(_ text: String) -> Int? {
        let units: [(String, Int)] = [("GIB", 1 << 30), ("MIB", 1 << 20), ("KIB", 1 << 10), ("GB", 1_000_000_000), ("MB", 1_000_000),
                                      ("KB", 1_000), ("B", 1)]
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), v > 0 else { return nil }
            return Int(v * Double(scale))
        }
        return Int(t).flatMap { $0 > 0 ? $0 : nil }
    }
}
