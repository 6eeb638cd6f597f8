import Foundation
import FulgurSupport
import FulgurTensor

/// The MiniMax-M1 / MiniMax-Text-01 hybrid MoE language model (architecture.md §0):
///
///     x = Embed[ids];  for each layer: x = DecoderLayer(x);  logits = RMSNorm(x) W_lmᵀ  (fp32)
public final class MiniMaxModel: @unchecked Sendable {
    public let config: ModelConfig
    public let embedTokens: Tensor  // [V, d]
    public let layers: [DecoderLayer]
    public let norm: Tensor         // [d]
    public let lmHeadWeight: WeightTensor  // [V, d] (the embedding when tied and f32)
    /// How the projection and expert matrices are stored, and by default the LM head
    /// (`headPrecision`); embeddings, norms and routers stay Float32. Models holding any bf16
    /// matrix are for inference only.
    public let precision: WeightPrecision
    /// How the LM head matrix is stored.
    public var headPrecision: WeightPrecision { lmHeadWeight.precision }
    /// The Float32 LM head (a model loaded with bf16 weights has none).
    public var lmHead: Tensor { lmHeadWeight.tensor }
    /// Set on rollout copies that emulate a bf16 inference engine (ReducedPrecision.swift).
    public internal(set) var reducedPrecision: ReducedPrecision?

    /// `headPrecision` stores the LM head differently from the other matrices (default: `precision`).
    public init(config c: ModelConfig, weights w: WeightSource, precision: WeightPrecision = .f32,
                headPrecision: WeightPrecision? = nil) throws {
        _ = Allocation.configured
        config = c
        self.precision = precision
        let headPrecision = headPrecision ?? precision
        embedTokens = try w.take("model.embed_tokens.weight", shape: [c.vocabSize, c.hiddenSize])
        layers = try (0..<c.numLayers).map { try DecoderLayer(config: c, index: $0, weights: w, precision: precision) }
        norm = try w.take("model.norm.weight", shape: [c.hiddenSize])
        lmHeadWeight = c.tieWordEmbeddings ? WeightTensor(embedTokens, precision: headPrecision)
            : try w.takeWeight("lm_head.weight", shape: [c.vocabSize, c.hiddenSize], precision: headPrecision)
    }

    /// Loads `config.json` and the safetensors weights of a model folder.
    public convenience init(directory: String, precision: WeightPrecision = .f32) throws {
        let config = try ModelConfig.load(directory: directory)
        let source = CheckpointWeights(try CheckpointFiles(directory: directory))
        try self.init(config: config, weights: source, precision: precision)
        try source.checkAllUsed(ignoring: config.tieWordEmbeddings ? ["lm_head.weight"] : [])
    }

    /// Every parameter under its checkpoint name (MiniMax's per-expert layout).
    public var parameters: [(String, Tensor)] {
        var out: [(String, Tensor)] = [("model.embed_tokens.weight", embedTokens)]
        for l in layers { out += l.parameters }
        out.append(("model.norm.weight", norm))
        if !config.tieWordEmbeddings { out.append(("lm_head.weight", lmHead)) }
        return out
    }

    /// Writes config.json and the weights into `directory`: `model.safetensors`, or shards of at
    /// most `maxShardBytes` with their index (`CheckpointWriter`); router gates stay f32.
    public func save(to directory: String, dtype: DType = .f32, maxShardBytes: Int? = nil) throws {
        guard precision == .f32 && headPrecision == .f32 else {
            throw InputError(description: "\(directory): this model holds bf16 inference weights; save from a model loaded with f32 weights")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let items = parameters.map { name, t in
            CheckpointWriter.Item(name: name, tensor: t, dtype: name.hasSuffix("block_sparse_moe.gate.weight") ? .f32 : dtype)
        }
        try CheckpointWriter.write(items, to: directory, maxShardBytes: maxShardBytes)
        try Files.writeAtomically(config.jsonData(), to: directory + "/config.json")
    }

    public func newCache() -> SequenceCache { SequenceCache(config: config) }

    public enum LogitRows {
        case all               // every row (scoring, training)
        case lastOfEachSegment // one row per segment (generation)
    }

    public struct InputError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs the batch through the model, advancing every segment's cache, and returns the
    /// logits of the requested rows.
    public func forward(_ batch: ForwardBatch, logits rows: LogitRows = .lastOfEachSegment) throws -> Tensor {
        let d = config.hiddenSize
        for (i, t) in batch.tokens.enumerated() where t < 0 || t >= config.vocabSize {
            throw InputError(description: "token id \(t) at index \(i) is outside the vocabulary (0..<\(config.vocabSize))")
        }
        var x = Tensor(shape: [batch.rows, d], zeroed: false)
        for (r, t) in batch.tokens.enumerated() { x.row(r).update(from: embedTokens.row(t), count: d) }
        for layer in layers { x = layer(x, batch) }
        for seg in batch.segments { seg.cache.length += seg.count }
        let picked: [Int] = switch rows {
        case .all: Array(0..<batch.rows)
        case .lastOfEachSegment: batch.segments.map { $0.row + $0.count - 1 }
        }
        let y = Tensor(shape: [picked.count, d], zeroed: false)
        for (i, r) in picked.enumerated() { Norm.rms(x.row(r), norm.pointer, y.row(i), d, eps: config.rmsNormEps) }
        let bf16Head = reducedPrecision?.head == .bf16
        if bf16Head { Convert.roundToBF16(y.pointer, count: y.count) }
        let logits = Tensor(shape: [picked.count, config.vocabSize], zeroed: false)
        Linear.forward(y.pointer, lmHeadWeight.data, logits.pointer, m: picked.count, n: config.vocabSize, k: d)
        if bf16Head { Convert.roundToBF16(logits.pointer, count: logits.count) }
        return logits
    }

    /// Logits of every position of one sequence from a fresh cache.
    public func logits(_ tokens: [Int]) throws -> Tensor {
        try forward(ForwardBatch([(tokens, newCache())]), logits: .all)
    }

    /// log p(ids[t] | ids[<t]) for t = 1 … T−1 (temperature 1).
    public func nextTokenLogProbs(_ ids: [Int]) throws -> [Float] {
        guard ids.count >= 2 else { return [] }
        let logits = try self.logits(ids)
        let v = config.vocabSize
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: v)
        defer { scratch.deallocate() }
        return (1..<ids.count).map { t in
            let row = logits.row(t - 1)
            return row[ids[t]] - Softmax.logSumExp(row, v, scratch: scratch)
        }
    }
}
