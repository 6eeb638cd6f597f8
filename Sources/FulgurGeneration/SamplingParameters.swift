/// How tokens are chosen and when generation stops.
public struct SamplingParameters: Sendable, Codable, Equatable {
    /// Softmax temperature; 0 means greedy (arg-max).
    public var temperature: Float = 1.0
    /// Nucleus sampling: keep the smallest set of tokens whose probability sums to ≥ topP.
    public var topP: Float = 1.0
    /// Keep only the k most likely tokens (0 = off).
    public var topK: Int = 0
    public var seed: UInt64 = 0
    public var maxTokens: Int = 128
    /// Generation stops after producing one of these (the stop token is kept in the output).
    public var stopTokenIds: Set<Int> = []
    /// The report's repetition early stop (§3.2): halt when `repetitionWindow` consecutive
    /// sampled tokens each had probability > `repetitionThreshold` under the model's
    /// temperature-1 distribution. 0 turns it off.
    public var repetitionWindow: Int = 3000
    public var repetitionThreshold: Float = 0.99

    public init(temperature: Float = 1.0, topP: Float = 1.0, topK: Int = 0, seed: UInt64 = 0, maxTokens: Int = 128,
                stopTokenIds: Set<Int> = [], repetitionWindow: Int = 3000, repetitionThreshold: Float = 0.99) {
        self.temperature = temperature; self.topP = topP; self.topK = topK; self.seed = seed
        self.maxTokens = maxTokens; self.stopTokenIds = stopTokenIds
        self.repetitionWindow = repetitionWindow; self.repetitionThreshold = repetitionThreshold
    }

    public var isGreedy: Bool { temperature == 0 }
    /// Whether top-p/top-k change the distribution (the trainer must then use the same one).
    public var truncates: Bool { topK > 0 || topP < 1 }

    /// Checks ranges; the message names the parameter.
    public func validate() throws {
        func fail(_ s: String) -> SamplingError { SamplingError(description: s) }
        guard temperature >= 0, temperature.isFinite else { throw fail("temperature must be ≥ 0, got \(temperature)") }
        guard topP > 0, topP <= 1 else { throw fail("top_p must be in (0, 1], got \(topP)") }
        guard topK >= 0 else { throw fail("top_k must be ≥ 0, got \(topK)") }
        guard maxTokens >= 0 else { throw fail("max_tokens must be ≥ 0, got \(maxTokens)") }
        guard repetitionWindow >= 0 else { throw fail("repetition window must be ≥ 0, got \(repetitionWindow)") }
        guard repetitionThreshold >= 0, repetitionThreshold <= 1 else {
            throw fail("repetition threshold must be in [0, 1], got \(repetitionThreshold)")
        }
    }
}

public struct SamplingError: Error, CustomStringConvertible {
    public let description: String
}

public enum StopReason: String, Sendable, Codable {
    case stop        // a stop token (or stop string) was produced
    case length      // max tokens reached
    case repetition  // the repetition early stop fired
    case cancelled   // the caller stopped it (e.g. a client went away)
}
