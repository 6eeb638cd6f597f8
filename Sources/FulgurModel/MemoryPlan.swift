import Foundation

/// What a model configuration holds and needs, computed from the config alone (no weights read):
/// `fulgur inspect`. Parameter conventions follow the report: "active per token" excludes the
/// embedding table (a lookup), and the report's 45.9B for M1 also excludes the LM head.
public struct ModelInventory: Codable, Sendable, Equatable {
    public var parameters: Int
    /// Per token, excluding the embedding table (the LM head included).
    public var activeParameters: Int
    /// Per token, excluding the embedding table and the LM head (the report's convention).
    public var activeParametersWithoutLMHead: Int
    public var bytesF32: Int
    public var bytesBF16: Int
    public var layers: Int, softmaxLayers: Int, lightningLayers: Int
    /// Softmax layers' K and V per token of context, f32 (what `KVCache` stores).
    public var kvCacheBytesPerToken: Int
    /// The lightning layers' recurrent state per sequence, f32 (H · d · d each): fixed, whatever the context.
    public var lightningStateBytesPerSequence: Int

    enum CodingKeys: String, CodingKey {
        case parameters, activeParameters = "active_parameters", activeParametersWithoutLMHead = "active_parameters_without_lm_head"
        case bytesF32 = "bytes_f32", bytesBF16 = "bytes_bf16", layers, softmaxLayers = "softmax_layers"
        case lightningLayers = "lightning_layers", kvCacheBytesPerToken = "kv_cache_bytes_per_token"
        case lightningStateBytesPerSequence = "lightning_state_bytes_per_sequence"
    }

    public init(_ c: ModelConfig) {
        let (total, active) = c.parameterCounts
        parameters = total
        activeParameters = active
        activeParametersWithoutLMHead = active - c.vocabSize * c.hiddenSize
        bytesF32 = 4 * total
        bytesBF16 = 2 * total
        layers = c.numLayers
        softmaxLayers = c.layerKinds.filter { $0 == .softmax }.count
        lightningLayers = layers - softmaxLayers
        kvCacheBytesPerToken = softmaxLayers * 2 * c.kvSize * 4
        lightningStateBytesPerSequence = lightningLayers * c.numHeads * c.headDim * c.headDim * 4
    }
}

/// Memory for running a model at a context length and batch: weights + caches + workspace.
public struct MemoryPlan: Codable, Sendable, Equatable {
    public var context: Int
    public var batch: Int
    public var weightBytes: Int
    /// Allocated KV cache: `KVCache` grows its capacity by doubling from 64 positions.
    public var kvCacheBytes: Int
    public var lightningStateBytes: Int
    /// An estimate of the largest transient buffers: one layer's activations for the whole
    /// prompt (prefill runs a prompt through a layer at once; issue 19 Must 5 is to chunk it) and
    /// the last position's logits.
    public var workspaceBytes: Int
    public var totalBytes: Int

    enum CodingKeys: String, CodingKey {
        case context, batch, weightBytes = "weight_bytes", kvCacheBytes = "kv_cache_bytes"
        case lightningStateBytes = "lightning_state_bytes", workspaceBytes = "workspace_bytes", totalBytes = "total_bytes"
    }

    /// `weightBytes`: the checkpoint's bytes as loaded (f32 or bf16 resident weights).
    public init(_ c: ModelConfig, context: Int, batch: Int, weightBytes: Int) {
        let inv = ModelInventory(c)
        self.context = context
        self.batch = batch
        self.weightBytes = weightBytes
        kvCacheBytes = batch * inv.kvCacheBytesPerToken * MemoryPlan.kvCapacity(for: context)
        lightningStateBytes = batch * inv.lightningStateBytesPerSequence
        // per prompt token: the residual stream and its normed copies (4d), the QKV and attention
        // outputs, the router logits, and one expert's gate/up/act buffers at a time (k/E of the
        // tokens). Calibrated: lightning-25m prefill of 65,536 tokens peaks at 817 MB RSS
        // (≈ 9,900 bytes per token above the weights); this gives 9,760.
        let d = c.hiddenSize
        let perTokenLayer = 4 * (4 * d + c.qkvSize + c.attnSize + c.numExperts)
            + 4 * 3 * c.intermediateSize * c.expertsPerToken / c.numExperts
        workspaceBytes = batch * (context * perTokenLayer + 4 * c.vocabSize)
        totalBytes = weightBytes + kvCacheBytes + lightningStateBytes + workspaceBytes
    }

    /// The capacity a `KVCache` reaches for `tokens` positions (64, doubled until it holds them).
    public static func kvCapacity(for tokens: Int) -> Int {
        var cap = 64
        while cap < tokens { cap *= 2 }
        return cap
    }
}

/// This machine's memory, from /proc/meminfo (nil elsewhere).
public enum MachineMemory {
    public static var totalAndAvailable: (total: Int, available: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
        }
        guard let t = field("MemTotal"), let a = field("MemAvailable") else { return nil }
        return (t, a)
    }
}
