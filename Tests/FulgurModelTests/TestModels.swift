import Foundation
@testable import FulgurModel
@testable import FulgurTensor

/// Small models for property tests.
enum TestModels {
    /// A random hybrid model: L L L S L L L S with the given block size. A larger init std
    /// than usual gives logits of order 1, so cache/forward mismatches show up.
    static func hybrid(blockSize: Int = 4, heads: Int = 4, kvHeads: Int = 2, headDim: Int = 8, rotaryDim: Int = 4,
                       dialect: String = "minimax_m1", seed: UInt64 = 1, std: Float = 0.15) throws -> MiniMaxModel {
        let raw: [String: Any] = [
            "model_type": dialect, "vocab_size": 97, "hidden_size": 24, "intermediate_size": 20,
            "num_hidden_layers": 8, "num_attention_heads": heads, "num_key_value_heads": kvHeads, "head_dim": headDim,
            "num_local_experts": 4, "num_experts_per_tok": 2, "attn_type_list": [0, 0, 0, 1, 0, 0, 0, 1],
            "rotary_dim": rotaryDim, "rope_theta": 10000.0, "block_size": blockSize, "postnorm": true,
            "layernorm_linear_attention_alpha": 1.5, "layernorm_full_attention_alpha": 1.5, "layernorm_mlp_alpha": 1.5,
        ]
        let data = try JSONSerialization.data(withJSONObject: raw)
        let config = try ModelConfig.parse(data)
        return try MiniMaxModel(config: config, weights: RandomWeights(seed: seed, std: std))
    }

    static func maxAbsDiff(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var m: Float = 0
        for i in 0..<n { m = max(m, abs(a[i] - b[i])) }
        return m
    }

    static func tempDir() -> String {
        let p = NSTemporaryDirectory() + "fulgur-test-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }
}
