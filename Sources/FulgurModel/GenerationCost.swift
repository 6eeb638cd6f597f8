import FulgurSupport

/// FLOPs of autoregressive generation by the bench convention (FLOPCounter): one decode step
/// at context n (keys attended, the new token included) costs `perToken + perKey · n`.
/// `perToken` holds the matmuls (2 × active matmul parameters, LM head included) and the
/// lightning state terms; `perKey` is the softmax layers' Σ 4·H·d (QKᵀ and AV).
///
/// This is the reconstruction of the report's Figure 1 in performance-anchors.md §1.3:
/// F(T) = Σ_{t=1..T} [2·N_active + Σ_softmax 2·H·(d_qk + d_v)·t + Σ_lightning 4·H·d²].
public struct DecodeCost: Sendable, Equatable {
    public var name: String
    public var perToken: Double
    public var perKey: Double

    public init(name: String, perToken: Double, perKey: Double) {
        self.name = name; self.perToken = perToken; self.perKey = perKey
    }

    /// The linear cost of a model of this configuration, read off FLOPCounter.decode.
    public init(name: String, config: ModelConfig) {
        let f = FLOPCounter(config)
        self.init(name: name, perToken: f.decode(context: 0), perKey: f.decode(context: 1) - f.decode(context: 0))
    }

    /// One decode step at context `n`.
    public func step(context n: Int) -> Double { perToken + perKey * Double(n) }

    /// Decode-only FLOPs of `t` tokens at contexts 1 … t (the prompt ignored), as in the
    /// report's Figure 1 reconstruction.
    public func generation(tokens t: Int) -> Double { steps(from: 0, count: t) }

    /// `count` decode steps at contexts `start + 1` … `start + count`.
    public func steps(from start: Int, count k: Int) -> Double {
        let kk = Double(k), s = Double(start)
        return kk * perToken + perKey * (kk * s + kk * (kk + 1) / 2)
    }
}

/// The report-scale models of Figure 1, for extrapolating the formula to 64K–128K tokens.
public enum ReferenceModels {
    /// MiniMax-M1 (MiniMax-AI/MiniMax-M1 config.json, via performance-anchors.md §2): 80
    /// layers, every 8th softmax, hidden 6144, 64 heads × 128, 8 KV heads, 32 experts top-2 of
    /// 9216, vocab 200,064. 456B parameters, 45.9B active (47.2B with the LM head).
    /// `allSoftmax`: the same model with every layer softmax attention (the same widths,
    /// so 11B fewer active parameters: a softmax layer has no gate and GQA K/V projections).
    public static func minimaxM1(allSoftmax: Bool = false) -> ModelConfig {
        let types = (0..<80).map { i -> JSONValue in
            .string(allSoftmax || i % 8 == 7 ? "full_attention" : "linear_attention")
        }
        let raw: [String: JSONValue] = [
            "model_type": "minimax", "vocab_size": 200_064, "hidden_size": 6144, "intermediate_size": 9216,
            "num_hidden_layers": 80, "num_attention_heads": 64, "num_key_value_heads": 8, "head_dim": 128,
            "num_local_experts": 32, "num_experts_per_tok": 2, "max_position_embeddings": 10_240_000,
            "layer_types": .array(types),
        ]
        // The literal above is a valid config; a failure here is a programming error.
        return try! ModelConfig(raw: raw, path: allSoftmax ? "softmax-M1 (built in)" : "MiniMax-M1 (built in)")
    }

    /// DeepSeek-R1 as in performance-anchors.md §1.3: 37B active, 61 MLA layers of 128 heads,
    /// d_qk = 128 + 64 (RoPE), d_v = 128, without weight absorption.
    public static let deepSeekR1 = DecodeCost(name: "DeepSeek-R1", perToken: 2 * 37e9, perKey: 61 * 2 * 128 * (192 + 128))
}
