/// FLOP counts by the convention of configs/bench/README.md: 2 × (active matmul parameters)
/// per token for the projections, experts and LM head, plus attention terms — lightning:
/// per head 4·B·d (intra-block) + 4·d² (state) per prefill token, 4·d² per decode token;
/// softmax: 4·n·d per head per token over n previous tokens (n/2 on average in a prefill).
public struct FLOPCounter {
    public let config: ModelConfig

    public init(_ config: ModelConfig) { self.config = config }

    /// Matmul FLOPs per token, without the LM head.
    public var projectionFLOPsPerToken: Double {
        let c = config
        var params = 0
        for kind in c.layerKinds {
            switch kind {
            case .lightning: params += c.hiddenSize * c.qkvSize + 2 * c.hiddenSize * c.attnSize
            case .softmax: params += 2 * c.hiddenSize * c.attnSize + 2 * c.hiddenSize * c.kvSize
            }
            params += c.numExperts * c.hiddenSize + c.expertsPerToken * 3 * c.hiddenSize * c.intermediateSize
        }
        return 2 * Double(params)
    }

    public var lmHeadFLOPsPerToken: Double { 2 * Double(config.vocabSize * config.hiddenSize) }

    /// FLOPs of prefilling `n` tokens from an empty cache (logits for the last token only).
    public func prefill(tokens n: Int) -> Double {
        let c = config, d = Double(c.headDim), h = Double(c.numHeads), nn = Double(n)
        var attn = 0.0
        for kind in c.layerKinds {
            switch kind {
            case .lightning: attn += nn * h * (4 * Double(min(c.blockSize, n)) * d + 4 * d * d)
            case .softmax: attn += nn * h * 4 * (nn / 2) * d
            }
        }
        return nn * projectionFLOPsPerToken + attn + lmHeadFLOPsPerToken
    }

    /// FLOPs of one decode token at context length `n`.
    public func decode(context n: Int) -> Double {
        let c = config, d = Double(c.headDim), h = Double(c.numHeads)
        var attn = 0.0
        for kind in c.layerKinds {
            switch kind {
            case .lightning: attn += h * 4 * d * d
            case .softmax: attn += h * 4 * Double(n) * d
            }
        }
        return projectionFLOPsPerToken + lmHeadFLOPsPerToken + attn
    }
}
