import FulgurTensor

/// How a rollout copy of a training model runs as a bf16 inference engine (report §3.2,
/// Fig. 3: training- and inference-mode token probabilities diverge through precision, the
/// LM head being the main source). Rounding is round-to-nearest-even; the kernels compute in
/// Float32 on the (exactly widened) bf16 values, as bf16 GEMMs accumulate in FP32.
///
/// With `weights == .bf16`: the attention, lightning and expert matrices are stored in bf16
/// (half the bytes a decode step streams); the other parameters except the LM head
/// (embeddings, norms, routers) stay Float32 but hold bf16-rounded values; and these
/// activations are rounded: each layer's normalized inputs (the inputs of the attention
/// projections, and of the router and the experts) and each layer's output (the residual
/// stream between layers).
/// With `head == .bf16`: the LM head matrix is stored in bf16 and its input (the final RMSNorm
/// output) and the logits it produces are rounded; with `.f32` the head is stored and runs in
/// Float32 on unrounded inputs (the report's fix).
public struct ReducedPrecision: Sendable, Equatable {
    public var weights: WeightPrecision
    public var head: WeightPrecision
    public init(weights: WeightPrecision, head: WeightPrecision) { self.weights = weights; self.head = head }

    /// Whether anything is rounded.
    public var isReduced: Bool { weights == .bf16 || head == .bf16 }
}

extension MiniMaxModel {
    /// A separate model holding `model`'s current weights rounded as `precision` says, whose
    /// `forward` (and so generation) rounds activations likewise. Refresh it with `syncRounded`.
    /// The bf16 matrices make it an inference-only model (`parameters` and `save` refuse).
    public static func rolloutCopy(of model: MiniMaxModel, _ precision: ReducedPrecision) throws -> MiniMaxModel {
        try rolloutCopy(of: model, precision, bf16Storage: true)
    }

    /// `bf16Storage: false` keeps every matrix in Float32 holding rounded values: the plain
    /// emulation, which must compute the same numbers (tests compare the two).
    static func rolloutCopy(of model: MiniMaxModel, _ precision: ReducedPrecision, bf16Storage: Bool) throws -> MiniMaxModel {
        precondition(model.precision == .f32 && model.headPrecision == .f32, "a rollout copy needs a model with Float32 weights")
        var config = model.config
        config.tieWordEmbeddings = false  // the head may be rounded differently from the embedding
        let source = NamedWeights(model.roundingSources)
        let copy = try MiniMaxModel(config: config, weights: source, precision: bf16Storage ? precision.weights : .f32,
                                    headPrecision: bf16Storage ? precision.head : .f32)
        copy.reducedPrecision = precision
        for layer in copy.layers { layer.roundsActivations = precision.weights == .bf16 }
        copy.syncRounded(from: model)
        return copy
    }

    /// Copies `model`'s weights into this rollout copy, rounding them as `reducedPrecision`
    /// says (round-to-nearest-even; into bf16 storage or in place in Float32). Runs every RL
    /// step, so it is split into chunks over the worker threads and allocates no tensors.
    public func syncRounded(from model: MiniMaxModel) {
        let rp = reducedPrecision ?? ReducedPrecision(weights: .f32, head: .f32)
        let src = model.storedWeights, dst = storedWeights
        precondition(src.count == dst.count, "rollout copy: \(dst.count) stored tensors, the model has \(src.count)")
        var chunks: [SyncChunk] = []
        for ((name, s), (dstName, d)) in zip(src, dst) {
            precondition(name == dstName && s.count == d.count, "rollout copy: \(dstName) does not match the model's \(name)")
            precondition(s.precision == .f32, "rollout copy: the model's \(name) is not Float32")
            let round = (name == "lm_head.weight" ? rp.head : rp.weights) == .bf16
            precondition(round || d.precision == .f32, "rollout copy: \(name) is stored in bf16 but not rounded")
            let from = UnsafePointer(s.raw.assumingMemoryBound(to: Float.self)), to = d.raw
            var lo = 0
            while lo < s.count {
                let n = min(SyncChunk.elements, s.count - lo)
                chunks.append(SyncChunk(src: from + lo, dst: to + lo * d.elementSize, count: n, bf16: d.precision == .bf16, round: round))
                lo += n
            }
        }
        chunks.withUnsafeBufferPointer { cb in
            let c = SendablePointer(UnsafeMutablePointer(mutating: cb.baseAddress!))
            Parallel.tasks(cb.count) { c.p[$0].run() }
        }
    }

    /// Parameters by checkpoint name, with an explicit `lm_head.weight` even when tied.
    var roundingSources: [(String, Tensor)] {
        parameters + (config.tieWordEmbeddings ? [("lm_head.weight", lmHead)] : [])
    }

    /// Every stored tensor in a fixed order (the same for any model of a given layer layout,
    /// whatever the storage precision), experts stacked, the LM head last (also when tied).
    var storedWeights: [(String, StoredWeight)] {
        var out: [(String, StoredWeight)] = [("model.embed_tokens.weight", .plain(embedTokens))]
        for l in layers { out += l.storedWeights }
        out.append(("model.norm.weight", .plain(norm)))
        out.append(("lm_head.weight", .matrix(lmHeadWeight)))
        return out
    }
}

/// One part of a `syncRounded`: `count` Float32 values into bf16 or Float32 storage.
struct SyncChunk {
    /// 256 KB of Float32 source: a few hundred tasks for a 29M-parameter model.
    static let elements = 1 << 16
    let src: UnsafePointer<Float>
    let dst: UnsafeMutableRawPointer
    let count: Int
    let bf16: Bool
    let round: Bool

    func run() {
        if bf16 { Convert.f32ToBF16(src, dst, count: count); return }
        let d = dst.assumingMemoryBound(to: Float.self)
        d.update(from: src, count: count)
        if round { Convert.roundToBF16(d, count: count) }
    }
}

/// A stored parameter: a Float32 tensor (embeddings, norms, routers) or a weight matrix
/// (Float32 or bf16).
enum StoredWeight {
    case plain(Tensor)
    case matrix(WeightTensor)

    /// The storage as a weight tensor (a plain tensor wrapped as Float32, sharing its memory).
    var weight: WeightTensor {
        switch self {
        case .plain(let t): WeightTensor(t, precision: .f32)
        case .matrix(let w): w
        }
    }

    var precision: WeightPrecision { weight.precision }
    var count: Int { weight.count }
    var elementSize: Int { weight.elementSize }
    var raw: UnsafeMutableRawPointer { weight.raw }
    /// The values in Float32 (a copy; exact for bf16).
    func widened() -> Tensor { weight.widened() }
}

extension DecoderLayer {
    var storedWeights: [(String, StoredWeight)] {
        let p = "model.layers.\(index)."
        let mixed: [(String, StoredWeight)] = switch mixer {
        case .lightning(let a): [("qkv_proj.weight", .matrix(a.qkvWeight)), ("output_gate.weight", .matrix(a.gateWeight)),
                                 ("norm.weight", .plain(a.norm)), ("out_proj.weight", .matrix(a.outWeight))]
        case .softmax(let a): [("q_proj.weight", .matrix(a.qWeight)), ("k_proj.weight", .matrix(a.kWeight)),
                               ("v_proj.weight", .matrix(a.vWeight)), ("o_proj.weight", .matrix(a.oWeight))]
        }
        let moeWeights: [(String, StoredWeight)] = [("gate.weight", .plain(moe.gate)), ("experts.gate_up_proj", .matrix(moe.gateUpWeight)),
                                                    ("experts.down_proj", .matrix(moe.downWeight))]
        return [(p + "input_layernorm.weight", .plain(inputNorm)), (p + "post_attention_layernorm.weight", .plain(postAttentionNorm))]
            + mixed.map { (p + "self_attn." + $0.0, $0.1) }
            + moeWeights.map { (p + "block_sparse_moe." + $0.0, $0.1) }
    }
}

/// Parameters handed over by name (the rollout copy's initial weights): Float32 tensors are
/// copied, bf16 matrices converted straight from the model's tensors.
final class NamedWeights: WeightSource {
    let tensors: [String: Tensor]
    init(_ named: [(String, Tensor)]) { tensors = Dictionary(uniqueKeysWithValues: named) }

    func take(_ name: String, shape: [Int]) throws -> Tensor {
        guard let t = tensors[name], t.shape == shape else {
            throw MiniMaxModel.InputError(description: "rollout copy: no tensor \(name) of shape \(shape)")
        }
        return t.copy()
    }

    func takeWeight(_ name: String, shape: [Int], precision: WeightPrecision) throws -> WeightTensor {
        guard precision == .bf16, let t = tensors[name], t.shape == shape else {
            return WeightTensor(try take(name, shape: shape), precision: precision)
        }
        return WeightTensor(t, precision: .bf16)
    }

    func contains(_ name: String) -> Bool { tensors[name] != nil }
}
