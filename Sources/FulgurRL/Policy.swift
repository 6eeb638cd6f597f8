import Foundation
import FulgurGeneration
import FulgurModel
import FulgurRewards
import FulgurSupport
import FulgurTokenizer

/// A model with its tokenizer and chat template: turns tasks into prompts and samples
/// groups of responses (one batched decode for all prompts and samples).
public final class Policy: @unchecked Sendable {
    public let model: MiniMaxModel
    public let tokenizer: Tokenizer
    public let template: ChatTemplate
    public let generator: Generator

    public init(model: MiniMaxModel, tokenizer: Tokenizer) throws {
        self.model = model
        self.tokenizer = tokenizer
        template = try ChatTemplate(tokenizer: tokenizer)
        generator = Generator(model: model)
    }

    /// Loads a model folder that has a tokenizer.json.
    public convenience init(directory: String) throws {
        let model = try MiniMaxModel(directory: directory)
        let path = directory + "/tokenizer.json"
        guard FileManager.default.fileExists(atPath: path) else { throw FileError(directory, "no tokenizer.json in the model folder") }
        try self.init(model: model, tokenizer: try Tokenizer(contentsOfFile: path))
    }

    public func prompt(_ task: TaskInstance) -> [Int] { template.encodePrompt([.user(task.prompt)]) }

    public struct Response: Sendable {
        public var ids: [Int]
        public var logprobs: [Float]
        public var stopReason: StopReason
        /// The decoded reply up to `<end_of_sentence>`.
        public var text: String
        /// Whether the reply ended with `<end_of_sentence>` (not truncated).
        public var finished: Bool { stopReason == .stop }
    }

    /// `samples` responses per task; sampling stops at `<end_of_sentence>`. Sample j of task i
    /// uses RNG stream `indices[i]`·samples + j of `params.seed` (default index: i), so a task's
    /// responses depend on its index in the whole batch, not on how the batch is chunked or split
    /// over data-parallel ranks.
    public func respond(_ tasks: [TaskInstance], samples: Int, _ params: SamplingParameters, indices: [Int]? = nil,
                        maxBatch: Int = 256) throws -> [[Response]] {
        precondition(indices == nil || indices!.count == tasks.count, "one index per task")
        var p = params
        p.stopTokenIds = [template.endOfSentenceId]
        var out: [[Response]] = []
        let perChunk = max(1, maxBatch / max(samples, 1))
        var start = 0
        while start < tasks.count {
            let chunk = Array(tasks[start..<min(tasks.count, start + perChunk)])
            let streams = (start..<start + chunk.count).map { indices?[$0] ?? $0 }
            let groups = try generator.sample(prompts: chunk.map(prompt), count: samples, p, streams: streams)
            for g in groups {
                out.append(g.map { o in
                    let end = o.ids.firstIndex(of: template.endOfSentenceId) ?? o.ids.count
                    return Response(ids: o.ids, logprobs: o.logprobs, stopReason: o.stopReason,
                                    text: tokenizer.decode(Array(o.ids[..<end])))
                })
            }
            start += chunk.count
        }
        return out
    }
}
