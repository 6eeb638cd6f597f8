import Foundation
import FulgurTensor
import FulgurSupport

/// Picks the next token from one row of logits, and reports its log-probability under the
/// exact distribution it was drawn from (after temperature, top-k and top-p), plus its
/// probability under the untempered model (for the repetition early stop).
public final class Sampler {
    public struct Choice: Sendable {
        public let token: Int
        /// log-prob under the sampling distribution (temperature-1 log-prob for greedy).
        public let logprob: Float
        /// probability under the model's temperature-1 distribution.
        public let modelProb: Float
    }

    let vocab: Int
    private let pr: UnsafeMutablePointer<Float>  // working probabilities
    private let order: UnsafeMutablePointer<Int>  // token ids sorted by probability (truncation)

    public init(vocab: Int) {
        self.vocab = vocab
        pr = .allocate(capacity: vocab)
        order = .allocate(capacity: vocab)
    }

    deinit {
        pr.deallocate()
        order.deallocate()
    }

    public func sample(_ logits: UnsafePointer<Float>, _ p: SamplingParameters, rng: inout RNG) -> Choice {
        let v = vocab
        let lse1 = Softmax.logSumExp(logits, v, scratch: pr)
        if p.isGreedy {
            let (t, _) = Vec.argmax(logits, v)
            let lp = logits[t] - lse1
            return Choice(token: t, logprob: lp, modelProb: Foundation.exp(lp))
        }
        // tempered probabilities
        let invT = 1 / p.temperature
        for i in 0..<v { pr[i] = logits[i] * invT }
        let m = Vec.max(pr, v)
        var total = Act.expShifted(pr, pr, v, shift: m)
        var candidates = v  // with truncation: the kept tokens are order[0..<candidates]
        if p.truncates {
            candidates = truncate(pr, v, p)
            total = 0
            for i in 0..<candidates { total += pr[order[i]] }
        }
        // inverse-CDF draw
        let u = Float(rng.uniformDouble()) * total
        var acc: Float = 0
        var chosen = -1
        for i in 0..<candidates {
            let t = p.truncates ? order[i] : i
            acc += pr[t]
            if acc > u { chosen = t; break }
        }
        if chosen < 0 {  // rounding at the very end: last token with nonzero mass
            for i in stride(from: candidates - 1, through: 0, by: -1) {
                let t = p.truncates ? order[i] : i
                if pr[t] > 0 { chosen = t; break }
            }
        }
        let lp = Foundation.log(pr[chosen] / total)
        return Choice(token: chosen, logprob: lp, modelProb: Foundation.exp(logits[chosen] - lse1))
    }

    /// Sorts token ids by probability into `order` and returns how many survive top-k then
    /// top-p (at least one).
    private func truncate(_ pr: UnsafeMutablePointer<Float>, _ v: Int, _ p: SamplingParameters) -> Int {
        var o = UnsafeMutableBufferPointer(start: order, count: v)
        for i in 0..<v { o[i] = i }
        o.sort { pr[$0] > pr[$1] || (pr[$0] == pr[$1] && $0 < $1) }
        var keep = p.topK > 0 ? min(p.topK, v) : v
        if p.topP < 1 {
            var kept: Float = 0  // mass after top-k (top-p applies to the renormalized top-k)
            for i in 0..<keep { kept += pr[order[i]] }
            var mass: Float = 0
            let target = p.topP * kept
            for i in 0..<keep {
                mass += pr[order[i]]
                if mass >= target { keep = i + 1; break }
            }
        }
        return max(keep, 1)
    }
}
