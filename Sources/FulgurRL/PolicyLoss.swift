import Foundation

/// The CISPO / GRPO / DAPO family in one loss (report Eq. 1–7). Per token, with
/// r = exp(log π_θ − log π_old) and advantage Â:
///
///     cispo:  ℓ = − sg(clip(r, 1 − ε_low^IS, 1 + ε_high^IS)) · Â · log π_θ · M
///     grpo:   ℓ = − min(r Â, clip(r, 1 − ε_low, 1 + ε_high) Â)           (PPO clip)
///     dapo:   the same with ε = 0.2 / 0.28 and token-level normalization
///
/// M is the unified trust-region mask of Eq. 7 (0 when Â > 0 and r > 1 + ε_high, or Â < 0 and
/// r < 1 − ε_low; CISPO applies it only when `unified_mask` is on). Normalization:
/// `token` divides by the total loss tokens of the batch (Eq. 4, DAPO), `sequence` takes the
/// per-response token mean then the mean over responses (Eq. 1, GRPO), and `combined`
/// averages the two (our reading of the report's §5 "sample-level loss with token-level
/// normalization"). Optional KL (k3 estimator) against a reference policy.
public struct PolicyLoss: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case cispo, grpo, dapo }
    public enum Normalization: String, Codable, Sendable, CaseIterable { case token, sequence, combined }

    public var kind: Kind = .cispo
    /// CISPO IS-weight bounds as offsets from 1: r̂ ∈ [1 − isLow, 1 + isHigh]; nil isLow = no
    /// lower bound (the report's choice). Default cap 1 + 4 = 5 (ScaleRL; the report does not
    /// publish its value).
    public var isLow: Double? = nil
    public var isHigh: Double = 4.0
    /// PPO clip (grpo/dapo) and the unified mask's ε.
    public var clipLow: Double = 0.2
    public var clipHigh: Double = 0.2
    /// Apply the unified mask M to CISPO too.
    public var unifiedMask = false
    public var normalization: Normalization = .token
    /// KL coefficient (k3 estimator against the reference policy); 0 = off.
    public var klCoef: Double = 0

    public init(kind: Kind = .cispo) {
        self.kind = kind
        switch kind {
        case .cispo: normalization = .token
        case .grpo: normalization = .sequence; clipLow = 0.2; clipHigh = 0.2
        case .dapo: normalization = .token; clipLow = 0.2; clipHigh = 0.28
        }
    }

    enum CodingKeys: String, CodingKey {
        case kind, isLow = "is_low", isHigh = "is_high", clipLow = "clip_low", clipHigh = "clip_high",
             unifiedMask = "unified_mask", normalization, klCoef = "kl_coef"
    }

    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        self.init(kind: try c.decodeIfPresent(Kind.self, forKey: .kind) ?? .cispo)
        isLow = try c.decodeIfPresent(Double.self, forKey: .isLow) ?? isLow
        isHigh = try c.decodeIfPresent(Double.self, forKey: .isHigh) ?? isHigh
        clipLow = try c.decodeIfPresent(Double.self, forKey: .clipLow) ?? clipLow
        clipHigh = try c.decodeIfPresent(Double.self, forKey: .clipHigh) ?? clipHigh
        unifiedMask = try c.decodeIfPresent(Bool.self, forKey: .unifiedMask) ?? unifiedMask
        normalization = try c.decodeIfPresent(Normalization.self, forKey: .normalization) ?? normalization
        klCoef = try c.decodeIfPresent(Double.self, forKey: .klCoef) ?? klCoef
    }

    /// One response's tokens in a batch.
    public struct Response {
        public var logProbs: [Float]     // log π_θ, current policy
        public var oldLogProbs: [Float]  // log π_old (rollout or recomputed)
        public var refLogProbs: [Float]? // reference policy (KL), when klCoef > 0
        public var advantage: Double
        /// Tokens that count (false for masked tokens, e.g. truncated samples).
        public var mask: [Bool]
        /// Per-token multipliers of the policy term (truncated importance sampling against the
        /// rollout policy, min(π_old/π_rollout, C)); nil = 1.
        public var weights: [Float]?
        public init(logProbs: [Float], oldLogProbs: [Float], refLogProbs: [Float]? = nil, advantage: Double, mask: [Bool],
                    weights: [Float]? = nil) {
            self.logProbs = logProbs; self.oldLogProbs = oldLogProbs; self.refLogProbs = refLogProbs
            self.advantage = advantage; self.mask = mask; self.weights = weights
        }
    }

    public struct Result {
        public var loss: Double
        /// ∂loss/∂log π_θ per token, per response.
        public var dLogProbs: [[Float]]
        public var stats: Stats
    }

    /// Clipping statistics over the counted tokens.
    public struct Stats: Sendable {
        public var tokens = 0
        /// Tokens whose gradient is zero (PPO clip or mask M).
        public var zeroed = 0
        /// Tokens whose CISPO IS weight was capped (r > 1 + ε_high^IS) or floored.
        public var capped = 0
        /// Tokens outside PPO's trust region (M = 0 in Eq. 7): the ones PPO/DAPO clipping
        /// zeroes; for CISPO the ones it would have zeroed but keeps.
        public var outsideTrustRegion = 0
        public var ratioMean = 0.0
        public var ratioMax = 0.0
        public var isWeightMean = 0.0
        public var kl = 0.0
        public var tisWeightMean = 0.0
        public var fork = ForkStats()
        public var clipFraction: Double { tokens > 0 ? Double(zeroed + capped) / Double(tokens) : 0 }

        /// Adds the counts of another minibatch (means weighted by tokens, max of maxima).
        public mutating func merge(_ o: Stats) {
            let n = Double(tokens + o.tokens)
            func mix(_ a: Double, _ b: Double) -> Double { n > 0 ? (a * Double(tokens) + b * Double(o.tokens)) / n : 0 }
            ratioMean = mix(ratioMean, o.ratioMean); isWeightMean = mix(isWeightMean, o.isWeightMean)
            kl = mix(kl, o.kl); tisWeightMean = mix(tisWeightMean, o.tisWeightMean)
            ratioMax = max(ratioMax, o.ratioMax)
            tokens += o.tokens; zeroed += o.zeroed; capped += o.capped; outsideTrustRegion += o.outsideTrustRegion
            fork.merge(o.fork)
        }
    }

    /// The report's "fork token" explanation (§3.1): low-probability tokens get large ratios
    /// after the first off-policy updates and are then clipped out. Probabilities are π_old's
    /// (the policy the tokens were sampled from); "low" means p < `ForkStats.lowProbability`.
    public struct ForkStats: Sendable {
        public static let lowProbability = 0.1
        /// Σ p and the count of low-p tokens over all counted tokens, the zeroed ones, the capped ones.
        public var probSum = 0.0, low = 0
        public var zeroedProbSum = 0.0, zeroedLow = 0
        public var cappedProbSum = 0.0, cappedLow = 0

        mutating func add(p: Double, zeroed: Bool, capped: Bool) {
            let isLow = p < Self.lowProbability ? 1 : 0
            probSum += p; low += isLow
            if zeroed { zeroedProbSum += p; zeroedLow += isLow }
            if capped { cappedProbSum += p; cappedLow += isLow }
        }

        mutating func merge(_ o: ForkStats) {
            probSum += o.probSum; low += o.low; zeroedProbSum += o.zeroedProbSum; zeroedLow += o.zeroedLow
            cappedProbSum += o.cappedProbSum; cappedLow += o.cappedLow
        }
    }

    /// `batchTokens`: the token-level normalizer Σ|o_i| over the whole batch (so minibatches of
    /// one batch share it); `batchResponses`: the sequence-level one.
    public func evaluate(_ responses: [Response], batchTokens: Int, batchResponses: Int) -> Result {
        var loss = 0.0
        var grads: [[Float]] = []
        var st = Stats()
        let nTok = Double(max(batchTokens, 1)), nSeq = Double(max(batchResponses, 1))
        for resp in responses {
            let a = resp.advantage
            let count = Double(max(resp.mask.reduce(0) { $0 + ($1 ? 1 : 0) }, 1))
            // weight of one token's ℓ in the final loss
            let w: Double = switch normalization {
            case .token: 1 / nTok
            case .sequence: 1 / (count * nSeq)
            case .combined: 0.5 / nTok + 0.5 / (count * nSeq)
            }
            var g = [Float](repeating: 0, count: resp.logProbs.count)
            for t in 0..<resp.logProbs.count where resp.mask[t] {
                let lp = Double(resp.logProbs[t])
                let r = exp(min(max(lp - Double(resp.oldLogProbs[t]), -20), 20))
                st.tokens += 1
                st.ratioMean += r
                st.ratioMax = max(st.ratioMax, r)
                let masked = (a > 0 && r > 1 + clipHigh) || (a < 0 && r < 1 - clipLow)
                if masked { st.outsideTrustRegion += 1 }
                var ell: Double, dl: Double  // loss term and its derivative wrt log π
                var zeroed = false, capped = false
                switch kind {
                case .cispo:
                    var rh = min(r, 1 + isHigh)
                    if let lo = isLow { rh = max(rh, 1 - lo) }
                    capped = rh != r
                    st.isWeightMean += rh
                    let m = unifiedMask && masked ? 0.0 : 1.0
                    zeroed = m == 0
                    ell = -rh * a * lp * m
                    dl = -rh * a * m
                case .grpo, .dapo:
                    let clipped = min(max(r, 1 - clipLow), 1 + clipHigh)
                    let s1 = r * a, s2 = clipped * a
                    ell = -min(s1, s2)
                    // gradient flows through the unclipped branch (ties count as unclipped)
                    if s1 <= s2 { dl = -r * a } else { dl = 0; zeroed = true }
                    st.isWeightMean += r
                }
                if zeroed { st.zeroed += 1 }
                if capped { st.capped += 1 }
                st.fork.add(p: exp(Double(resp.oldLogProbs[t])), zeroed: zeroed, capped: capped)
                if let tis = resp.weights {
                    ell *= Double(tis[t]); dl *= Double(tis[t])
                    st.tisWeightMean += Double(tis[t])
                } else {
                    st.tisWeightMean += 1
                }
                if klCoef > 0, let ref = resp.refLogProbs {
                    let d = Double(ref[t]) - lp
                    let k3 = exp(d) - d - 1
                    st.kl += k3
                    ell += klCoef * k3
                    dl += klCoef * (1 - exp(d))
                }
                loss += w * ell
                g[t] = Float(w * dl)
            }
            grads.append(g)
        }
        if st.tokens > 0 {
            st.ratioMean /= Double(st.tokens); st.isWeightMean /= Double(st.tokens); st.kl /= Double(st.tokens)
            st.tisWeightMean /= Double(st.tokens)
        }
        return Result(loss: loss, dLogProbs: grads, stats: st)
    }
}
