/// Online monitor of generative-reward length bias (report §4.2.2): over a sliding window of
/// recent samples it measures the Pearson correlation of the reward with the response length
/// and with correctness (when correctness is known, e.g. a rule-verified subset), and flags
/// the window when length explains the reward better than correctness does — the sign that the
/// policy is gaming the judge by writing more, and that the judge needs recalibration.
public struct LengthBiasMonitor: Sendable {
    public struct Sample: Sendable, Equatable {
        public var reward: Double
        public var length: Double
        /// 1 correct, 0 incorrect, nil unknown.
        public var correctness: Double?
    }

    public struct Metrics: Sendable, Equatable {
        public var samples: Int
        public var meanReward: Double
        public var meanLength: Double
        /// corr(reward, length) over the window; nil with fewer than 2 samples or no variance.
        public var rewardLengthCorrelation: Double?
        /// corr(reward, correctness) over the samples whose correctness is known.
        public var rewardCorrectnessCorrelation: Double?
        /// corr(length, correctness) over the same samples.
        public var lengthCorrectnessCorrelation: Double?
        /// corr(reward, length) with correctness held fixed (partial correlation): what length
        /// adds to the reward beyond being correct.
        public var partialRewardLengthCorrelation: Double?
        public var flagged: Bool

        /// Flat `name → value` pairs for a metrics logger (`length_bias/...`); absent values omitted.
        public var dictionary: [String: Double] {
            var d: [String: Double] = [
                "length_bias/samples": Double(samples), "length_bias/mean_reward": meanReward,
                "length_bias/mean_length": meanLength, "length_bias/flagged": flagged ? 1 : 0,
            ]
            d["length_bias/reward_length_corr"] = rewardLengthCorrelation
            d["length_bias/reward_correctness_corr"] = rewardCorrectnessCorrelation
            d["length_bias/length_correctness_corr"] = lengthCorrectnessCorrelation
            d["length_bias/partial_reward_length_corr"] = partialRewardLengthCorrelation
            return d
        }
    }

    public let window: Int
    public let minimumSamples: Int
    /// Flag when corr(reward, length) is at least this …
    public let threshold: Double
    /// … and exceeds corr(reward, correctness) by at least this margin (when that is known).
    public let margin: Double
    private var ring: [Sample] = []
    private var next = 0

    public init(window: Int = 512, minimumSamples: Int = 64, threshold: Double = 0.3, margin: Double = 0.1) {
        precondition(window >= 2 && minimumSamples >= 2, "window and minimumSamples must be at least 2")
        self.window = window; self.minimumSamples = minimumSamples; self.threshold = threshold; self.margin = margin
    }

    /// Records one scored response (length in tokens or characters, consistently).
    public mutating func record(reward: Double, length: Int, correct: Bool? = nil) {
        let s = Sample(reward: reward, length: Double(length), correctness: correct.map { $0 ? 1 : 0 })
        if ring.count < window { ring.append(s) } else { ring[next] = s }
        next = (next + 1) % window
    }

    public var samples: [Sample] { ring }

    public var metrics: Metrics {
        let n = ring.count
        let rewards = ring.map(\.reward), lengths = ring.map(\.length)
        let known = ring.filter { $0.correctness != nil }
        let rl = LengthBiasMonitor.pearson(rewards, lengths)
        let rc = LengthBiasMonitor.pearson(known.map(\.reward), known.map { $0.correctness! })
        let lc = LengthBiasMonitor.pearson(known.map(\.length), known.map { $0.correctness! })
        let rlKnown = LengthBiasMonitor.pearson(known.map(\.reward), known.map(\.length))
        var partial: Double? = nil
        if let a = rlKnown, let b = rc, let c = lc, b * b < 1, c * c < 1 {
            partial = (a - b * c) / ((1 - b * b) * (1 - c * c)).squareRoot()
        }
        var flagged = false
        if n >= minimumSamples, let rl, rl >= threshold {
            if known.count >= minimumSamples, let rc { flagged = rl > rc + margin } else { flagged = true }
        }
        return Metrics(samples: n, meanReward: n == 0 ? 0 : rewards.reduce(0, +) / Double(n),
                       meanLength: n == 0 ? 0 : lengths.reduce(0, +) / Double(n),
                       rewardLengthCorrelation: rl, rewardCorrectnessCorrelation: rc,
                       lengthCorrectnessCorrelation: lc, partialRewardLengthCorrelation: partial, flagged: flagged)
    }

    /// Pearson correlation (two-pass, numerically stable); nil for < 2 points or zero variance.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        let n = min(x.count, y.count)
        guard n >= 2 else { return nil }
        let mx = x.prefix(n).reduce(0, +) / Double(n), my = y.prefix(n).reduce(0, +) / Double(n)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<n {
            let dx = x[i] - mx, dy = y[i] - my
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }
}
