import FulgurModel
import FulgurTensor
import FulgurSupport

/// One finished (or stopped) continuation.
public struct GenerationOutput: Sendable, Codable, Equatable {
    /// Generated ids only (prompt excluded); a stop token is included when one was produced.
    public var ids: [Int]
    /// One log-prob per id, from the distribution the id was sampled from.
    public var logprobs: [Float]
    public var stopReason: StopReason
}

/// Autoregressive generation over the model's caches: prompts are prefilled together as one
/// multi-segment batch, then every live sequence advances by one token per batched decode
/// step. `sample(prompt:count:)` prefills a prompt once and forks its cache N ways.
public final class Generator: @unchecked Sendable {
    public let model: MiniMaxModel

    public init(model: MiniMaxModel) { self.model = model }

    /// Called after every sampled token with (sequence index, token, log-prob); return false
    /// to stop that sequence (reason `.cancelled`).
    public typealias TokenCallback = (Int, Int, Float) -> Bool

    struct Live {
        let cache: SequenceCache
        var rng: RNG
        var output = GenerationOutput(ids: [], logprobs: [], stopReason: .length)
        var highProbabilityRun = 0
        var done = false
    }

    /// The RNG stream of sequence `i` for a seed: sequence 0 uses the seed itself, so one
    /// prompt gives the same tokens alone or in a batch.
    public static func rng(seed: UInt64, sequence i: Int) -> RNG {
        RNG(seed: seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Continues each prompt independently (sequence i uses RNG stream i).
    public func generate(prompts: [[Int]], _ params: SamplingParameters, onToken: TokenCallback? = nil) throws -> [GenerationOutput] {
        try params.validate()
        guard !prompts.isEmpty else { return [] }
        for (i, p) in prompts.enumerated() where p.isEmpty { throw SamplingError(description: "prompt \(i) is empty") }
        let caches = prompts.map { _ in model.newCache() }
        if params.maxTokens == 0 { return prompts.map { _ in GenerationOutput(ids: [], logprobs: [], stopReason: .length) } }
        let logits = try model.forward(ForwardBatch(zip(prompts, caches).map { ($0, $1) }), logits: .lastOfEachSegment)
        var live = caches.enumerated().map { Live(cache: $1, rng: Self.rng(seed: params.seed, sequence: $0)) }
        return try decode(&live, firstLogits: logits, rowOf: Array(0..<live.count), params, onToken)
    }

    /// `count` samples from one prompt: one prefill, then the cache is forked per sample.
    public func sample(prompt: [Int], count: Int, _ params: SamplingParameters, onToken: TokenCallback? = nil) throws -> [GenerationOutput] {
        try sample(prompts: [prompt], count: count, params, onToken: onToken)[0]
    }

    /// `count` samples from each prompt (a group per prompt, as GRPO/CISPO rollouts need):
    /// all prompts are prefilled in one batch, each cache is forked `count` ways, and every
    /// sample of every group advances in the same batched decode steps. Sample j of prompt i
    /// uses RNG stream k·count + j, where k = `streams[i]` (default i): a caller that splits one
    /// batch of prompts over several calls or processes passes each prompt's index in the whole
    /// batch, so its samples do not depend on the split. The callback sees the flat index i·count + j.
    public func sample(prompts: [[Int]], count: Int, _ params: SamplingParameters, streams: [Int]? = nil,
                       onToken: TokenCallback? = nil) throws -> [[GenerationOutput]] {
        try params.validate()
        for (i, p) in prompts.enumerated() where p.isEmpty { throw SamplingError(description: "prompt \(i) is empty") }
        guard count > 0, !prompts.isEmpty else { return prompts.map { _ in [] } }
        precondition(streams == nil || streams!.count == prompts.count, "one stream index per prompt")
        let roots = prompts.map { _ in model.newCache() }
        let logits = try model.forward(ForwardBatch(zip(prompts, roots).map { ($0, $1) }), logits: .lastOfEachSegment)
        if params.maxTokens == 0 {
            return prompts.map { _ in (0..<count).map { _ in GenerationOutput(ids: [], logprobs: [], stopReason: .length) } }
        }
        var live: [Live] = []
        var rows: [Int] = []
        for (i, root) in roots.enumerated() {
            for j in 0..<count {
                live.append(Live(cache: j == count - 1 ? root : root.fork(), rng: Self.rng(seed: params.seed, sequence: (streams?[i] ?? i) * count + j)))
                rows.append(i)
            }
        }
        let flat = try decode(&live, firstLogits: logits, rowOf: rows, params, onToken)
        return (0..<prompts.count).map { Array(flat[($0 * count)..<(($0 + 1) * count)]) }
    }

    private func decode(_ live: inout [Live], firstLogits: Tensor, rowOf: [Int], _ params: SamplingParameters,
                        _ onToken: TokenCallback?) throws -> [GenerationOutput] {
        let sampler = Sampler(vocab: model.config.vocabSize)
        var logits = firstLogits
        var rows = rowOf
        let maxContext = model.config.maxPositionEmbeddings
        while true {
            var active: [Int] = []
            for (i, row) in zip(live.indices.filter { !live[$0].done }, rows) {
                let choice = sampler.sample(logits.row(row), params, rng: &live[i].rng)
                live[i].output.ids.append(choice.token)
                live[i].output.logprobs.append(choice.logprob)
                if params.repetitionWindow > 0 {
                    live[i].highProbabilityRun = choice.modelProb > params.repetitionThreshold ? live[i].highProbabilityRun + 1 : 0
                }
                if let onToken, !onToken(i, choice.token, choice.logprob) {
                    finish(&live[i], .cancelled)
                } else if params.stopTokenIds.contains(choice.token) {
                    finish(&live[i], .stop)
                } else if params.repetitionWindow > 0 && live[i].highProbabilityRun >= params.repetitionWindow {
                    finish(&live[i], .repetition)
                } else if live[i].output.ids.count >= params.maxTokens || live[i].cache.length + 1 >= maxContext {
                    finish(&live[i], .length)
                } else {
                    active.append(i)
                }
            }
            if active.isEmpty { break }
            let batch = ForwardBatch(active.map { ([live[$0].output.ids.last!], live[$0].cache) })
            logits = try model.forward(batch, logits: .lastOfEachSegment)
            rows = Array(0..<active.count)
        }
        return live.map(\.output)
    }

    private func finish(_ s: inout Live, _ reason: StopReason) {
        s.output.stopReason = reason
        s.done = true
    }
}
