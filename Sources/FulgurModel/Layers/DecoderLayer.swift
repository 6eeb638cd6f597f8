import FulgurTensor

/// The token mixer of a layer: lightning attention in seven of every eight layers,
/// softmax attention in the eighth.
public enum TokenMixer: @unchecked Sendable {
    case lightning(LightningAttention)
    case softmax(SoftmaxAttention)

    public func callAsFunction(_ h: Tensor, _ batch: ForwardBatch) -> Tensor {
        switch self {
        case .lightning(let a): a(h, batch)
        case .softmax(let a): a(h, batch)
        }
    }

    public var parameters: [(String, Tensor)] {
        switch self {
        case .lightning(let a): a.parameters
        case .softmax(let a): a.parameters
        }
    }
}

/// One decoder layer (architecture.md §4), post-norm with DeepNorm-style residual scales:
///
///     h  = RMSNorm(x);   x1 = α_attn · (postnorm ? h : x)   + β_attn · Attention(h)
///     h2 = RMSNorm(x1);  x2 = α_mlp  · (postnorm ? h2 : x1) + β_mlp  · MoE(h2)
public final class DecoderLayer: @unchecked Sendable {
    public let index: Int
    public let inputNorm: Tensor          // [d]
    public let mixer: TokenMixer
    public let postAttentionNorm: Tensor  // [d]
    public let moe: SparseMoE
    public let attnAlpha: Float, attnBeta: Float
    public let mlpAlpha: Float, mlpBeta: Float
    public let postnorm: Bool
    public let eps: Float
    /// Round the normalized inputs and the output to bf16 (rollout copies, ReducedPrecision.swift).
    var roundsActivations = false

    init(config c: ModelConfig, index l: Int, weights w: WeightSource, precision: WeightPrecision = .f32) throws {
        index = l
        let p = "model.layers.\(l)."
        inputNorm = try w.take(p + "input_layernorm.weight", shape: [c.hiddenSize])
        postAttentionNorm = try w.take(p + "post_attention_layernorm.weight", shape: [c.hiddenSize])
        switch c.layerKinds[l] {
        case .lightning:
            mixer = .lightning(try LightningAttention(config: c, layer: l, prefix: p + "self_attn.", weights: w, precision: precision))
            (attnAlpha, attnBeta) = (c.linearAttnAlpha, c.linearAttnBeta)
        case .softmax:
            mixer = .softmax(try SoftmaxAttention(config: c, layer: l, prefix: p + "self_attn.", weights: w, precision: precision))
            (attnAlpha, attnBeta) = (c.fullAttnAlpha, c.fullAttnBeta)
        }
        moe = try SparseMoE(config: c, layer: l, weights: w, precision: precision)
        (mlpAlpha, mlpBeta) = (c.mlpAlpha, c.mlpBeta)
        postnorm = c.postnorm
        eps = c.rmsNormEps
    }

    public var parameters: [(String, Tensor)] {
        let p = "model.layers.\(index)."
        return [(p + "input_layernorm.weight", inputNorm), (p + "post_attention_layernorm.weight", postAttentionNorm)]
            + mixer.parameters.map { (p + "self_attn." + $0.0, $0.1) }
            + moe.parameters.map { (p + "block_sparse_moe." + $0.0, $0.1) }
    }

    /// x: [N, d] residual stream in, returns the new stream.
    public func callAsFunction(_ x: Tensor, _ batch: ForwardBatch) -> Tensor {
        let d = x.cols, n = x.rows
        let h = Tensor(shape: x.shape, zeroed: false)
        Norm.rmsRows(x.pointer, inputNorm.pointer, h.pointer, rows: n, n: d, eps: eps)
        if roundsActivations { Convert.roundToBF16(h.pointer, count: h.count) }
        let a = mixer(h, batch)
        let x1 = Tensor(shape: x.shape, zeroed: false)
        residual(postnorm ? h : x, attnAlpha, a, attnBeta, into: x1)
        let h2 = Tensor(shape: x.shape, zeroed: false)
        Norm.rmsRows(x1.pointer, postAttentionNorm.pointer, h2.pointer, rows: n, n: d, eps: eps)
        if roundsActivations { Convert.roundToBF16(h2.pointer, count: h2.count) }
        let m = moe(h2)
        residual(postnorm ? h2 : x1, mlpAlpha, m, mlpBeta, into: m)
        if roundsActivations { Convert.roundToBF16(m.pointer, count: m.count) }
        return m
    }

    /// out = α · r + β · f  (out may alias f).
    func residual(_ r: Tensor, _ alpha: Float, _ f: Tensor, _ beta: Float, into out: Tensor) {
        let rp = r.pointer, fp = f.pointer, op = out.pointer
        for i in 0..<out.count { op[i] = alpha * rp[i] + beta * fp[i] }
    }
}
