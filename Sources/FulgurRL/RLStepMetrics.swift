import FulgurSupport
import FulgurTraining

/// One metrics.jsonl line of `fulgur rl` (keys: docs/rl.md). Besides the fixed fields it carries
/// `reward/ENV` and `accuracy/ENV` per environment of the step's kept groups, and the clipping
/// breakdown of `RLTrainer.clipMetrics` (each key present only when its set is non-empty).
public struct RLStepMetrics: StepMetrics {
    public var step: Int
    public var lr = 0.0, loss = 0.0, gradNorm = 0.0
    public var groups = 0, droppedGroups = 0, samplingRounds = 0
    public var reward = 0.0, accuracy = 0.0, format = 0.0, rolloutAccuracy = 0.0, truncated = 0.0
    public var responseLengthMean = 0.0, responseLengthP99 = 0.0
    public var entropy = 0.0, clipFraction = 0.0, zeroedFraction = 0.0, cappedFraction = 0.0
    public var ratioMean = 0.0, ratioMax = 0.0, isWeightMean = 0.0, kl = 0.0
    public var generationPerplexity = 0.0, window = 0
    public var generationS = 0.0, trainingS = 0.0, rolloutTokensPerS = 0.0, trainingTokensPerS = 0.0
    /// Of `generation_s`, the seconds spent scoring (sandboxed tests for `code`/`swe`), and the
    /// samples scored per second over all ranks.
    public var scoringS = 0.0, scoredPerS = 0.0
    public var trainRolloutProbPearson: Double?
    /// Staged windows (§5): the signals, and the new window when it changed.
    public var windowP99Ratio: Double?, perplexitySettled: Bool?, windowChangedTo: Int?
    public var evalPassRate: Double?
    public var ranks: Int?, allreduceS: Double?
    /// Per environment name: mean reward and accuracy of the step's kept samples.
    public var byEnvironment: [String: EnvironmentMetrics] = [:]
    /// `outside_trust_region_fraction`, `prob_mean`, `low_prob_fraction`, … (`RLTrainer.clipMetrics`).
    public var clipping: [String: Double] = [:]

    public struct EnvironmentMetrics: Sendable, Equatable {
        public var reward: Double
        public var accuracy: Double
    }

    public init(step: Int) { self.step = step }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case step, lr, loss, gradNorm = "grad_norm", groups, droppedGroups = "dropped_groups", samplingRounds = "sampling_rounds"
        case reward, accuracy, format, rolloutAccuracy = "rollout_accuracy", truncated
        case responseLengthMean = "response_length_mean", responseLengthP99 = "response_length_p99"
        case entropy, clipFraction = "clip_fraction", zeroedFraction = "zeroed_fraction", cappedFraction = "capped_fraction"
        case ratioMean = "ratio_mean", ratioMax = "ratio_max", isWeightMean = "is_weight_mean", kl
        case generationPerplexity = "generation_perplexity", window
        case generationS = "generation_s", trainingS = "training_s", rolloutTokensPerS = "rollout_tokens_per_s"
        case trainingTokensPerS = "training_tokens_per_s", trainRolloutProbPearson = "train_rollout_prob_pearson"
        case scoringS = "scoring_s", scoredPerS = "scored_per_s"
        case windowP99Ratio = "window_p99_ratio", perplexitySettled = "perplexity_settled", windowChangedTo = "window_changed_to"
        case evalPassRate = "eval_pass_rate", ranks, allreduceS = "allreduce_s"
    }

    /// The keys that are not fixed fields: `reward/ENV`, `accuracy/ENV` and the clipping breakdown.
    struct DynamicKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(step, forKey: .step); try c.encode(lr, forKey: .lr); try c.encode(loss, forKey: .loss)
        try c.encode(gradNorm, forKey: .gradNorm); try c.encode(groups, forKey: .groups)
        try c.encode(droppedGroups, forKey: .droppedGroups); try c.encode(samplingRounds, forKey: .samplingRounds)
        try c.encode(reward, forKey: .reward); try c.encode(accuracy, forKey: .accuracy); try c.encode(format, forKey: .format)
        try c.encode(rolloutAccuracy, forKey: .rolloutAccuracy); try c.encode(truncated, forKey: .truncated)
        try c.encode(responseLengthMean, forKey: .responseLengthMean); try c.encode(responseLengthP99, forKey: .responseLengthP99)
        try c.encode(entropy, forKey: .entropy); try c.encode(clipFraction, forKey: .clipFraction)
        try c.encode(zeroedFraction, forKey: .zeroedFraction); try c.encode(cappedFraction, forKey: .cappedFraction)
        try c.encode(ratioMean, forKey: .ratioMean); try c.encode(ratioMax, forKey: .ratioMax)
        try c.encode(isWeightMean, forKey: .isWeightMean); try c.encode(kl, forKey: .kl)
        try c.encode(generationPerplexity, forKey: .generationPerplexity); try c.encode(window, forKey: .window)
        try c.encode(generationS, forKey: .generationS); try c.encode(trainingS, forKey: .trainingS)
        try c.encode(rolloutTokensPerS, forKey: .rolloutTokensPerS); try c.encode(trainingTokensPerS, forKey: .trainingTokensPerS)
        try c.encode(scoringS, forKey: .scoringS); try c.encode(scoredPerS, forKey: .scoredPerS)
        try c.encodeIfPresent(trainRolloutProbPearson, forKey: .trainRolloutProbPearson)
        try c.encodeIfPresent(windowP99Ratio, forKey: .windowP99Ratio); try c.encodeIfPresent(perplexitySettled, forKey: .perplexitySettled)
        try c.encodeIfPresent(windowChangedTo, forKey: .windowChangedTo); try c.encodeIfPresent(evalPassRate, forKey: .evalPassRate)
        try c.encodeIfPresent(ranks, forKey: .ranks); try c.encodeIfPresent(allreduceS, forKey: .allreduceS)
        var d = encoder.container(keyedBy: DynamicKey.self)
        for (name, m) in byEnvironment {
            try d.encode(m.reward, forKey: DynamicKey(stringValue: "reward/\(name)"))
            try d.encode(m.accuracy, forKey: DynamicKey(stringValue: "accuracy/\(name)"))
        }
        for (k, v) in clipping { try d.encode(v, forKey: DynamicKey(stringValue: k)) }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        step = try c.decode(Int.self, forKey: .step)
        func num(_ k: CodingKeys) throws -> Double { try c.decodeIfPresent(Double.self, forKey: k) ?? 0 }
        func int(_ k: CodingKeys) throws -> Int { try c.decodeIfPresent(Int.self, forKey: k) ?? 0 }
        lr = try num(.lr); loss = try num(.loss); gradNorm = try num(.gradNorm)
        groups = try int(.groups); droppedGroups = try int(.droppedGroups); samplingRounds = try int(.samplingRounds)
        reward = try num(.reward); accuracy = try num(.accuracy); format = try num(.format)
        rolloutAccuracy = try num(.rolloutAccuracy); truncated = try num(.truncated)
        responseLengthMean = try num(.responseLengthMean); responseLengthP99 = try num(.responseLengthP99)
        entropy = try num(.entropy); clipFraction = try num(.clipFraction); zeroedFraction = try num(.zeroedFraction)
        cappedFraction = try num(.cappedFraction); ratioMean = try num(.ratioMean); ratioMax = try num(.ratioMax)
        isWeightMean = try num(.isWeightMean); kl = try num(.kl); generationPerplexity = try num(.generationPerplexity)
        window = try int(.window); generationS = try num(.generationS); trainingS = try num(.trainingS)
        rolloutTokensPerS = try num(.rolloutTokensPerS); trainingTokensPerS = try num(.trainingTokensPerS)
        scoringS = try num(.scoringS); scoredPerS = try num(.scoredPerS)
        trainRolloutProbPearson = try c.decodeIfPresent(Double.self, forKey: .trainRolloutProbPearson)
        windowP99Ratio = try c.decodeIfPresent(Double.self, forKey: .windowP99Ratio)
        perplexitySettled = try c.decodeIfPresent(Bool.self, forKey: .perplexitySettled)
        windowChangedTo = try c.decodeIfPresent(Int.self, forKey: .windowChangedTo)
        evalPassRate = try c.decodeIfPresent(Double.self, forKey: .evalPassRate)
        ranks = try c.decodeIfPresent(Int.self, forKey: .ranks)
        allreduceS = try c.decodeIfPresent(Double.self, forKey: .allreduceS)
        let d = try decoder.container(keyedBy: DynamicKey.self)
        let fixed = Set(CodingKeys.allCases.map(\.rawValue))
        for key in d.allKeys where !fixed.contains(key.stringValue) {
            let v = try d.decode(Double.self, forKey: key)
            if key.stringValue.hasPrefix("reward/") {
                let name = String(key.stringValue.dropFirst("reward/".count))
                byEnvironment[name, default: .init(reward: 0, accuracy: 0)].reward = v
            } else if key.stringValue.hasPrefix("accuracy/") {
                let name = String(key.stringValue.dropFirst("accuracy/".count))
                byEnvironment[name, default: .init(reward: 0, accuracy: 0)].accuracy = v
            } else {
                clipping[key.stringValue] = v
            }
        }
    }

    public var progressFields: [(String, String)] {
        [
            ("reward", String(format: "%.3f", reward)), ("acc", String(format: "%.2f", accuracy)),
            ("len", String(format: "%.0f", responseLengthMean)), ("clip", String(format: "%.3f", clipFraction)),
            ("gen/train s", String(format: "%.1f/%.1f", generationS, trainingS)),
        ]
    }
}
