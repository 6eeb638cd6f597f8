import FulgurTensor

/// What one decoder layer remembers about a sequence.
public enum LayerCache: @unchecked Sendable {
    case lightning(LightningState)
    case softmax(KVCache)

    func copy() -> LayerCache {
        switch self {
        case .lightning(let s): .lightning(s.copy())
        case .softmax(let kv): .softmax(kv.copy())
        }
    }
}

/// The inference cache of one sequence: a lightning state or a KV cache per layer, and
/// the number of tokens already processed (the next token's position).
///
/// `fork()` copies it, so N samples can continue from one prompt prefill.
public final class SequenceCache: @unchecked Sendable {
    public private(set) var layers: [LayerCache]
    public internal(set) var length: Int = 0

    public init(config: ModelConfig) {
        layers = config.layerKinds.map { kind in
            switch kind {
            case .lightning: .lightning(LightningState(heads: config.numHeads, dim: config.headDim))
            case .softmax: .softmax(KVCache(kvHeads: config.numKVHeads, dim: config.headDim))
            }
        }
    }

    private init(layers: [LayerCache], length: Int) {
        self.layers = layers
        self.length = length
    }

    public func fork() -> SequenceCache { SequenceCache(layers: layers.map { $0.copy() }, length: length) }

    func lightning(_ layer: Int) -> LightningState {
        guard case .lightning(let s) = layers[layer] else { preconditionFailure("layer \(layer) is not a lightning layer") }
        return s
    }

    func kv(_ layer: Int) -> KVCache {
        guard case .softmax(let c) = layers[layer] else { preconditionFailure("layer \(layer) is not a softmax layer") }
        return c
    }

    /// Bytes held: the lightning states are constant in length; the KV caches grow.
    public var bytes: Int {
        layers.reduce(0) { acc, l in
            switch l {
            case .lightning(let s): acc + s.state.count * 4
            case .softmax(let kv): acc + kv.bytes
            }
        }
    }
}
