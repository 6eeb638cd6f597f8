import Dispatch
import FulgurModel
import FulgurSupport

/// Times decode steps of one model at chosen context lengths without generating every token
/// before them: `fill(to:)` brings the cache to a length — by chunked prefill of random
/// tokens (continuing the same cache, as a chunked prompt prefill would) or synthetically
/// (`SequenceCache.fillSynthetic`: random keys and values, no model run) — then
/// `decode(steps:)` times single-token forward passes (batch of 1, LM head included, greedy
/// pick of the next token) at that context. A decode step's work depends on the context
/// length and not on what filled it, so these windows sample the per-token time of a long
/// generation.
public final class DecodeProbe: @unchecked Sendable {
    public enum Fill: String, Sendable, CaseIterable {
        /// Run the model over random tokens (the real prefill; quadratic for softmax layers).
        case prefill
        /// Random keys and values written into the KV caches; lightning states kept.
        case synthetic
    }

    public let model: MiniMaxModel
    public let cache: SequenceCache
    private var rng: RNG
    private var next: Int

    public init(model: MiniMaxModel, seed: UInt64) {
        self.model = model
        cache = model.newCache()
        rng = RNG(seed: seed)
        next = 0
    }

    /// Tokens in the cache (the context the next decode step attends over, minus itself).
    public var length: Int { cache.length }

    /// Brings the cache to `length` tokens; returns the seconds it took. The first call of an
    /// empty cache always prefills at least one real token, so the next decode step has a token.
    public func fill(to length: Int, chunk: Int = 2048, method: Fill = .prefill) throws -> Double {
        precondition(chunk > 0, "chunk must be positive")
        guard length > cache.length else { return 0 }
        guard length <= model.config.maxPositionEmbeddings else {
            throw SamplingError(description: "context \(length) exceeds max_position_embeddings \(model.config.maxPositionEmbeddings)")
        }
        let vocab = model.config.vocabSize
        let start = DispatchTime.now().uptimeNanoseconds
        while cache.length < length {
            if method == .synthetic, cache.length > 0 {
                cache.fillSynthetic(to: length, rng: &rng)
                break
            }
            let n = method == .synthetic ? 1 : min(chunk, length - cache.length)
            let tokens = (0..<n).map { _ in rng.int(in: 0...(vocab - 1)) }
            let logits = try model.forward(ForwardBatch([(tokens, cache)]), logits: .lastOfEachSegment)
            next = Self.argmax(logits.row(0), vocab)
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Runs `steps` decode steps from the current cache; returns their total seconds.
    /// The cache grows by `steps` tokens.
    public func decode(steps: Int) throws -> Double {
        guard cache.length + steps <= model.config.maxPositionEmbeddings else {
            throw SamplingError(description: "context \(cache.length + steps) exceeds max_position_embeddings \(model.config.maxPositionEmbeddings)")
        }
        let vocab = model.config.vocabSize
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<steps {
            let logits = try model.forward(ForwardBatch([([next], cache)]), logits: .lastOfEachSegment)
            next = Self.argmax(logits.row(0), vocab)
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func argmax(_ row: UnsafeMutablePointer<Float>, _ n: Int) -> Int {
        var best = 0
        for i in 1..<n where row[i] > row[best] { best = i }
        return best
    }
}
