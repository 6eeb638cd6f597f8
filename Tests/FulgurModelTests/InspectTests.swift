import Foundation
import Testing
@testable import FulgurModel

/// `fulgur inspect`'s numbers (issue 19, Must 3): counted from the config alone, checked against
/// the report's figures and against real models.
@Suite struct InspectTests {
    static func config(_ name: String) throws -> ModelConfig {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try ModelConfig.load(path: root.appendingPathComponent("configs/bench/\(name)").path)
    }

    /// The report: 456B parameters, 45.9B activated per token (without embeddings and LM head).
    @Test func minimaxM1ShapeHasTheReportsCounts() throws {
        let inv = ModelInventory(try Self.config("minimax-m1-shape.json"))
        #expect(inv.parameters == 456_089_655_296)
        #expect(inv.activeParametersWithoutLMHead == 45_943_930_880)
        #expect(inv.activeParameters == 45_943_930_880 + 200_064 * 6144)
        #expect(inv.softmaxLayers == 10 && inv.lightningLayers == 70)
        #expect(inv.kvCacheBytesPerToken == 10 * 2 * 8 * 128 * 4)
        #expect(inv.lightningStateBytesPerSequence == 70 * 64 * 128 * 128 * 4)
        #expect(inv.bytesBF16 * 2 == inv.bytesF32)
    }

    @Test func benchConfigsMatchTheirDocumentedSizes() throws {
        #expect(ModelInventory(try Self.config("hybrid-1b.json")).parameters == 1_018_215_424)
        #expect(ModelInventory(try Self.config("hybrid-25m.json")).parameters == 28_694_528)
    }

    /// The count is the number of floats a real model holds, and its f32 checkpoint's size.
    @Test func countsMatchARealModelAndItsCheckpoint() throws {
        let model = try TestModels.hybrid(seed: 3)
        let inv = ModelInventory(model.config)
        #expect(inv.parameters == model.trainableParameters.reduce(0) { $0 + $1.1.count })
        let dir = TestModels.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try model.save(to: dir)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: dir + "/model.safetensors")[.size] as? Int)
        #expect(size >= inv.bytesF32 && size < inv.bytesF32 + 64 * 1024, "file \(size) bytes for \(inv.bytesF32) bytes of f32 weights")
    }

    @Test func planAddsWeightsCachesAndWorkspace() throws {
        let cfg = try Self.config("hybrid-25m.json")
        let inv = ModelInventory(cfg)
        #expect(MemoryPlan.kvCapacity(for: 1) == 64 && MemoryPlan.kvCapacity(for: 65) == 128 && MemoryPlan.kvCapacity(for: 4096) == 4096)
        let plan = MemoryPlan(cfg, context: 5000, batch: 3, weightBytes: inv.bytesF32)
        #expect(plan.kvCacheBytes == 3 * inv.kvCacheBytesPerToken * 8192)
        #expect(plan.lightningStateBytes == 3 * inv.lightningStateBytesPerSequence)
        #expect(plan.totalBytes == plan.weightBytes + plan.kvCacheBytes + plan.lightningStateBytes + plan.workspaceBytes)
        // the workspace grows with the prompt, the lightning state does not
        let longer = MemoryPlan(cfg, context: 10_000, batch: 3, weightBytes: inv.bytesF32)
        #expect(longer.workspaceBytes > plan.workspaceBytes && longer.lightningStateBytes == plan.lightningStateBytes)
    }
}
