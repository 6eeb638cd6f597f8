import FulgurGeneration

/// One request to the engine: a prompt continued `n` times (the prompt is prefilled once and
/// its cache forked per choice).
public struct GenerationRequest: Sendable {
    public var prompt: [Int]
    public var n: Int
    /// Temperature, top-p/top-k, seed (choice i uses `Generator.rng(seed:sequence: i)`, so a
    /// request gives the same tokens as `Generator` however it is batched), max tokens and
    /// stop token ids.
    public var sampling: SamplingParameters
    /// Generation stops when the output text contains one of these; the text is cut before it.
    public var stopStrings: [String]
    /// nil: no log-probs. k ≥ 0: the chosen token's log-prob and the k most likely alternatives.
    public var topLogprobs: Int?
    /// Whole-request time limit, from submission.
    public var timeout: Duration?

    public init(prompt: [Int], n: Int = 1, sampling: SamplingParameters, stopStrings: [String] = [],
                topLogprobs: Int? = nil, timeout: Duration? = nil) {
        self.prompt = prompt
        self.n = n
        self.sampling = sampling
        self.stopStrings = stopStrings
        self.topLogprobs = topLogprobs
        self.timeout = timeout
    }
}

/// Why a choice ended (OpenAI's `finish_reason`; `tool_calls` is decided by the API layer).
public enum FinishReason: String, Sendable {
    case stop, length
}

/// One generated token of one choice.
public struct TokenOutput: Sendable {
    public let id: Int
    /// Text that became safe to show with this token (empty while a character or a possible
    /// stop string is incomplete, and for special tokens).
    public let text: String
    /// log p(token) under the model's temperature-1 distribution (when log-probs were asked).
    public let logprob: Float?
    /// The most likely tokens with their log-probs, best first.
    public let top: [(id: Int, logprob: Float)]
    /// The engine step (forward pass) that produced it; steps are numbered from 0.
    public let step: Int
}

public enum GenerationEvent: Sendable {
    case token(choice: Int, TokenOutput)
    /// The last event of a choice; `text` is what was still held back.
    case finished(choice: Int, reason: FinishReason, text: String)
    /// The request ended early for all its choices.
    case failed(EngineError)
}

public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    case queueFull(limit: Int)
    case timeout(seconds: Double)
    case shuttingDown
    case invalidRequest(String)
    case internalError(String)

    public var description: String {
        switch self {
        case .queueFull(let limit): "the server is busy: \(limit) requests are already waiting; retry later"
        case .timeout(let s): "the request did not finish within its time limit (\(s) s)"
        case .shuttingDown: "the server is shutting down"
        case .invalidRequest(let m): m
        case .internalError(let m): "internal error: \(m)"
        }
    }
}
