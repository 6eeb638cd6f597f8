import Testing
@testable import FulgurGeneration
@testable import FulgurModel
import FulgurSupport

/// DecodeProbe and the synthetic cache fill used by `bench scaling`.
struct DecodeProbeTests {
    @Test func prefillFillReachesTheLengthAndDecodeAdvancesIt() throws {
        let model = try TestModels.hybrid()
        let probe = DecodeProbe(model: model, seed: 3)
        _ = try probe.fill(to: 37, chunk: 8)
        #expect(probe.length == 37)
        for case .softmax(let kv) in probe.cache.layers { #expect(kv.length == 37) }
        _ = try probe.decode(steps: 5)
        #expect(probe.length == 42)
        // A second fill below the current length does nothing.
        #expect(try probe.fill(to: 40) == 0)
        #expect(probe.length == 42)
    }

    @Test func syntheticFillSetsEveryKVCacheAndThePosition() throws {
        let model = try TestModels.hybrid()
        let probe = DecodeProbe(model: model, seed: 3)
        _ = try probe.fill(to: 3000, method: .synthetic)
        #expect(probe.length == 3000)
        var softmaxLayers = 0
        for case .softmax(let kv) in probe.cache.layers {
            softmaxLayers += 1
            #expect(kv.length == 3000)
            // Rows past the first real token are the repeated random block (1024 rows).
            let k = kv.keys(head: 0)
            #expect(k[1 * kv.dim] == k[1025 * kv.dim])
            #expect(k[1 * kv.dim] != k[2 * kv.dim])
        }
        #expect(softmaxLayers == 2)
        _ = try probe.decode(steps: 3)
        #expect(probe.length == 3003)
    }

    @Test func fillPastTheContextWindowThrows() throws {
        let model = try TestModels.hybrid()
        let probe = DecodeProbe(model: model, seed: 3)
        #expect(throws: SamplingError.self) { try probe.fill(to: model.config.maxPositionEmbeddings + 1) }
    }
}
