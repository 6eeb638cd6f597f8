import FulgurTensor

/// How a rollout copy of a training model emulates a bf16 inference engine (report §3.2,
/// Fig. 3: training- and inference-mode token probabilities diverge through precision, the
/// LM head being the main source). Rounding is round-to-nearest-even to bf16 and back, so
/// the kernels still compute in Float32 on bf16-representable values.
///
/// With `weights == .bf16`: every parameter except the LM head (embeddings, norms, router,
/// attention and expert matrices) is rounded, and so are these activations: each layer's
/// normalized inputs (the inputs of the attention projections, and of the router and the
/// experts) and each layer's output (the residual stream between layers).
/// With `head == .bf16`: the LM head matrix, its input (the final RMSNorm output) and the
/// logits it produces are rounded; with `.f32` the head runs in Float32 on unrounded inputs
/// (the report's fix).
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
    public static func rolloutCopy(of model: MiniMaxModel, _ precision: ReducedPrecision) throws -> MiniMaxModel {
        precondition(model.precision == .f32, "a rollout copy needs a model with Float32 weights")
        var config = model.config
        config.tieWordEmbeddings = false  // the head may be rounded differently from the embedding
        let source = NamedWeights(model.roundingSources.map { ($0.0, $0.1.copy()) })
        let copy = try MiniMaxModel(config: config, weights: source)
        copy.reducedPrecision = precision
        for layer in copy.layers { layer.roundsActivations = precision.weights == .bf16 }
        copy.syncRounded(from: model)
        return copy
    }

    /// Copies `model`'s weights into this rollout copy, rounding them as `reducedPrecision` says.
    public func syncRounded(from model: MiniMaxModel) {
        let rp = reducedPrecision ?? ReducedPrecision(weights: .f32, head: .f32)
        let targets = Dictionary(uniqueKeysWithValues: parameters.map { ($0.0, $0.1) })
        for (name, src) in model.roundingSources {
            guard let dst = targets[name] else { preconditionFailure("rollout copy has no parameter \(name)") }
            dst.copy(from: src)
            if (name == "lm_head.weight" ? rp.head : rp.weights) == .bf16 { Convert.roundToBF16(dst.pointer, count: dst.count) }
        }
    }

    /// Parameters by checkpoint name, with an explicit `lm_head.weight` even when tied.
    var roundingSources: [(String, Tensor)] {
        parameters + (config.tieWordEmbeddings ? [("lm_head.weight", lmHead)] : [])
    }
}

/// Parameters handed over by name (the rollout copy's initial weights).
final class NamedWeights: WeightSource {
    let tensors: [String: Tensor]
    init(_ named: [(String, Tensor)]) { tensors = Dictionary(uniqueKeysWithValues: named) }

    func take(_ name: String, shape: [Int]) throws -> Tensor {
        guard let t = tensors[name], t.shape == shape else {
            throw MiniMaxModel.InputError(description: "rollout copy: no tensor \(name) of shape \(shape)")
        }
        return t
    }

    func contains(_ name: String) -> Bool { tensors[name] != nil }
}
