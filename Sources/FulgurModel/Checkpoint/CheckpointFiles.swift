import Foundation
import FulgurSupport
import FulgurTensor

/// The weight files of a model folder: `model.safetensors`, or shards listed in
/// `model.safetensors.index.json` (`{"weight_map": {tensor: shard file}}`).
public final class CheckpointFiles: @unchecked Sendable {
    public let directory: String
    /// Tensor name → the file holding it.
    public let location: [String: SafetensorsFile]

    public static let indexName = "model.safetensors.index.json"
    public static let singleName = "model.safetensors"

    public init(directory: String) throws {
        self.directory = directory
        let fm = FileManager.default
        let indexPath = directory + "/" + CheckpointFiles.indexName
        let singlePath = directory + "/" + CheckpointFiles.singleName
        var location: [String: SafetensorsFile] = [:]
        if fm.fileExists(atPath: indexPath) {
            guard let data = fm.contents(atPath: indexPath) else { throw FileError(indexPath, "cannot read") }
            let index: JSONValue
            do { index = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
                throw FileError(indexPath, "invalid JSON: \(Files.describe(error))")
            }
            guard let map = index["weight_map"]?.object else { throw FileError(indexPath, "missing field weight_map (an object)") }
            var shards: [String: SafetensorsFile] = [:]
            for (name, fileValue) in map {
                guard let file = fileValue.string else { throw FileError(indexPath, "weight_map.\(name) is not a file name") }
                guard !file.contains("/"), !file.hasPrefix(".") else {
                    throw FileError(indexPath, "weight_map.\(name): shard \(file) must be a plain file name in the folder")
                }
                if shards[file] == nil { shards[file] = try SafetensorsFile(path: directory + "/" + file) }
                let shard = shards[file]!
                guard shard.entries[name] != nil else {
                    throw FileError(shard.path, "missing tensor \(name) (listed in \(CheckpointFiles.indexName))")
                }
                location[name] = shard
            }
            for shard in shards.values {
                for name in shard.entries.keys where location[name] !== shard {
                    throw FileError(shard.path, "tensor \(name) is not listed in \(CheckpointFiles.indexName) for this shard")
                }
            }
        } else if fm.fileExists(atPath: singlePath) {
            let f = try SafetensorsFile(path: singlePath)
            for name in f.entries.keys { location[name] = f }
        } else {
            throw FileError(directory, "no \(CheckpointFiles.singleName) or \(CheckpointFiles.indexName) in the model folder")
        }
        self.location = location
    }

    public var names: Set<String> { Set(location.keys) }

    public func entry(_ name: String) -> SafetensorsEntry? { location[name]?.entries[name] }

    /// The raw bytes of a BF16 tensor of exactly `shape` (valid while the files are open), or
    /// nil when it is stored in another dtype.
    public func bf16Bits(_ name: String, shape: [Int]) throws -> UnsafeRawPointer? {
        guard let file = location[name], let e = file.entries[name] else {
            throw FileError(directory, "missing tensor \(name)")
        }
        guard e.shape == shape else {
            throw FileError(file.path, "tensor \(name) has shape \(e.shape), expected \(shape)")
        }
        return e.dtype == .bf16 ? file.rawBytes(e) : nil
    }

    /// A tensor as Float32, checking its shape.
    public func float32(_ name: String, shape: [Int]) throws -> Tensor {
        guard let file = location[name], let e = file.entries[name] else {
            throw FileError(directory, "missing tensor \(name)")
        }
        guard e.shape == shape else {
            throw FileError(file.path, "tensor \(name) has shape \(e.shape), expected \(shape)")
        }
        guard [.f32, .bf16, .f16].contains(e.dtype) else {
            throw FileError(file.path, "tensor \(name) has dtype \(e.dtype.rawValue), expected F32, BF16 or F16")
        }
        let t = Tensor(shape: shape, zeroed: false, persistent: true)
        try file.readFloat32(e, into: t.pointer)
        return t
    }
}
