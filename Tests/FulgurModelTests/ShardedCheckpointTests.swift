import Foundation
import Testing
@testable import FulgurModel
@testable import FulgurSupport
@testable import FulgurTensor

/// Sharded, bf16 checkpoints (issue 19, Must 1): written tensor by tensor with an index, loaded
/// back to the same weights (bf16-rounded) and nearly the same logits.
@Suite struct ShardedCheckpointTests {
    @Test func bf16ShardsLoadBackAsTheRoundedWeights() throws {
        let model = try TestModels.hybrid(seed: 7)
        let dir = TestModels.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try model.save(to: dir, dtype: .bf16, maxShardBytes: 8_000)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        let shards = files.filter { $0.hasPrefix("model-") && $0.hasSuffix(".safetensors") }.sorted()
        #expect(shards.count > 3 && !files.contains("model.safetensors"))
        #expect(shards.first == String(format: "model-00001-of-%05d.safetensors", shards.count))
        // the index names every tensor; its total is the bytes of the tensors
        let index = try JSONDecoder().decode(JSONValue.self, from: try Data(contentsOf: URL(fileURLWithPath: dir + "/" + CheckpointFiles.indexName)))
        let map = try #require(index["weight_map"]?.object)
        #expect(Set(map.keys) == Set(model.parameters.map(\.0)))
        let gates = model.parameters.filter { $0.0.hasSuffix("block_sparse_moe.gate.weight") }
        let total = model.parameters.reduce(0) { $0 + $1.1.count * 2 } + gates.reduce(0) { $0 + $1.1.count * 2 }
        #expect(index["metadata"]?["total_size"]?.int == total)
        // shards stay under the limit unless one tensor alone is larger
        for s in shards {
            let file = try SafetensorsFile(path: dir + "/" + s)
            let bytes = file.entries.values.reduce(0) { $0 + $1.end - $1.begin }
            #expect(bytes <= 8_000 || file.entries.count == 1, "\(s): \(bytes) bytes of tensors")
        }
        // loaded (widened to f32): exactly the bf16 rounding of each weight; gates exactly f32
        let back = try MiniMaxModel(directory: dir)
        for ((name, a), (_, b)) in zip(model.parameters, back.parameters) {
            let gate = name.hasSuffix("block_sparse_moe.gate.weight")
            for i in 0..<a.count {
                let want = gate ? a.pointer[i] : Float(bitPattern: UInt32(Convert.bf16Bits(a.pointer[i])) << 16)
                #expect(b.pointer[i] == want, "\(name)[\(i)]")
                if b.pointer[i] != want { return }
            }
        }
        // the logits are the original's within bf16 rounding of the weights
        let ids = [3, 14, 15, 92, 65, 35, 89, 79, 32, 38]
        let x = try model.logits(ids), y = try back.logits(ids)
        let scale = (0..<x.count).reduce(Float(0)) { max($0, abs(x.pointer[$1])) }
        #expect(TestModels.maxAbsDiff(x.pointer, y.pointer, x.count) <= 0.03 * scale)
    }

    /// Saving again in one file removes the shards and the index (they would be read instead).
    @Test func aSingleFileSaveReplacesShards() throws {
        let model = try TestModels.hybrid(seed: 8)
        let dir = TestModels.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try model.save(to: dir, dtype: .bf16, maxShardBytes: 8_000)
        try model.save(to: dir)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(files == ["config.json", "model.safetensors"])
        let back = try MiniMaxModel(directory: dir)
        for ((_, a), (_, b)) in zip(model.parameters, back.parameters) { #expect(TestModels.maxAbsDiff(a.pointer, b.pointer, a.count) == 0) }
    }

    @Test func shardSizesParse() {
        #expect(CheckpointWriter.parseSize("2GB") == 2_000_000_000)
        #expect(CheckpointWriter.parseSize("500MB") == 500_000_000)
        #expect(CheckpointWriter.parseSize("1GiB") == 1 << 30)
        #expect(CheckpointWriter.parseSize("64kb") == 64_000)
        #expect(CheckpointWriter.parseSize("12345") == 12_345)
        #expect(CheckpointWriter.parseSize("0GB") == nil && CheckpointWriter.parseSize("lots") == nil && CheckpointWriter.parseSize("-5") == nil)
    }
}
