import Foundation
import Testing
@testable import FulgurModel

/// The Figure 1 FLOP formula (FLOPCounter via DecodeCost) against hand computation.
struct GenerationCostTests {
    /// The bench configs of configs/bench (hybrid-25m / softmax-25m), inlined: hidden 256,
    /// 8 heads × 32, 2 KV heads, 8 experts top-2 of 512, vocab 2048, 8 layers.
    static func benchConfig(softmaxLayers: Set<Int>) throws -> ModelConfig {
        let types = (0..<8).map { softmaxLayers.contains($0) ? "full_attention" : "linear_attention" }
        let raw: [String: Any] = [
            "model_type": "minimax", "vocab_size": 2048, "hidden_size": 256, "intermediate_size": 512,
            "num_hidden_layers": 8, "num_attention_heads": 8, "num_key_value_heads": 2, "head_dim": 32,
            "num_local_experts": 8, "num_experts_per_tok": 2, "block_size": 256, "layer_types": types,
        ]
        return try ModelConfig.parse(try JSONSerialization.data(withJSONObject: raw))
    }

    // Per layer, active matmul parameters:
    //   lightning: qkv 256·768 + gate and out 2·256·256 = 327,680
    //   softmax:   q and o 2·256·256 + k and v 2·256·64  = 163,840
    //   router 8·256 = 2,048; two experts 2·3·256·512 = 786,432
    // LM head 2048·256. Lightning state per head 4·32² = 4,096; softmax per head per key 4·32 = 128.
    //   hybrid:  2·(7·1,116,160 + 952,320) + 2·524,288 + 7·8·4,096 = 18,808,832 per token, 1·8·128 = 1,024 per key
    //   softmax: 2·(8·952,320) + 2·524,288                         = 16,285,696 per token, 8·8·128 = 8,192 per key
    @Test func benchModelsPerTokenAndPerKey() throws {
        let hybrid = DecodeCost(name: "hybrid", config: try Self.benchConfig(softmaxLayers: [7]))
        let softmax = DecodeCost(name: "softmax", config: try Self.benchConfig(softmaxLayers: Set(0..<8)))
        #expect(hybrid.perToken == 18_808_832)
        #expect(hybrid.perKey == 1024)
        #expect(softmax.perToken == 16_285_696)
        #expect(softmax.perKey == 8192)
        #expect(hybrid.step(context: 1000) == 18_808_832 + 1_024_000)
    }

    // F(T) = T·perToken + perKey·T(T+1)/2 at T = 65,536:
    //   hybrid  65,536·18,808,832 + 1,024·65,536·65,537/2 =  3,431,712,423,936
    //   softmax 65,536·16,285,696 + 8,192·65,536·65,537/2 = 18,659,753,852,928
    @Test func benchModelsGenerationTo64K() throws {
        let hybrid = DecodeCost(name: "hybrid", config: try Self.benchConfig(softmaxLayers: [7]))
        let softmax = DecodeCost(name: "softmax", config: try Self.benchConfig(softmaxLayers: Set(0..<8)))
        #expect(hybrid.generation(tokens: 65536) == 3_431_712_423_936)
        #expect(softmax.generation(tokens: 65536) == 18_659_753_852_928)
        let ratio = hybrid.generation(tokens: 65536) / softmax.generation(tokens: 65536)
        #expect(abs(ratio - 0.183_909_844) < 1e-8)
    }

    @Test func stepsEqualTheSumOfSingleSteps() {
        let c = DecodeCost(name: "x", perToken: 7, perKey: 3)
        let loop = (101...150).reduce(0.0) { $0 + c.step(context: $1) }
        #expect(c.steps(from: 100, count: 50) == loop)
        // 50·7 + 3·(101 + … + 150) = 350 + 3·6,275
        #expect(loop == 350 + 3 * 6275)
        #expect(c.generation(tokens: 0) == 0)
    }

    // MiniMax-M1: lightning 6144·3·8192 + 2·6144·8192 = 251,658,240; softmax 2·6144·8192 +
    // 2·6144·1024 = 113,246,208; router 32·6144; two experts 2·3·6144·9216. 70 lightning and
    // 10 softmax layers: 45,943,357,440 active without the LM head (the report's 45.9B).
    @Test func referenceModelsMatchTheReportsSizes() throws {
        let m1 = ReferenceModels.minimaxM1()
        let matmuls: Int = 45_943_357_440
        let lmHead: Int = 200_064 * 6144
        let norms: Int = 70 * 8192
        #expect(m1.parameterCounts.active == matmuls + lmHead + norms)
        let cost = DecodeCost(name: "M1", config: m1)
        let state: Int = 70 * 64 * 4 * 128 * 128
        let perToken: Int = 2 * (matmuls + lmHead) + state
        #expect(cost.perToken == Double(perToken))
        let m1PerKey: Int = 10 * 64 * 4 * 128
        #expect(cost.perKey == Double(m1PerKey))
        let r1PerKey: Int = 61 * 2 * 128 * 320
        #expect(ReferenceModels.deepSeekR1.perKey == Double(r1PerKey))
        // M1 ÷ DeepSeek-R1 by this formula: 0.443 at 64K, 0.343 at 100K (the report: < 0.5, ≈ 0.25).
        let r1 = ReferenceModels.deepSeekR1
        #expect(abs(cost.generation(tokens: 65536) / r1.generation(tokens: 65536) - 0.44323) < 1e-4)
        #expect(abs(cost.generation(tokens: 100_000) / r1.generation(tokens: 100_000) - 0.34281) < 1e-4)
    }
}
