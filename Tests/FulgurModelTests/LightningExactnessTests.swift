import Foundation
import Testing
@testable import FulgurModel
@testable import FulgurTensor
@testable import FulgurSupport

/// Block-wise lightning prefill (f32, BLAS) against the per-token recurrence and the
/// quadratic definition of architecture.md §2.4, both in Float64 (tolerance 1e-5 relative).
@Suite struct LightningExactnessTests {
    /// o_t = Σ_{j≤t} λ^(t−j) (q_t·k_j) v_j, in Float64.
    static func quadratic(_ q: [[Double]], _ k: [[Double]], _ v: [[Double]], lambda: Double) -> [[Double]] {
        let n = q.count, d = q[0].count
        return (0..<n).map { t in
            var o = [Double](repeating: 0, count: d)
            for j in 0...t {
                let w = pow(lambda, Double(t - j)) * zip(q[t], k[j]).map(*).reduce(0, +)
                for c in 0..<d { o[c] += w * v[j][c] }
            }
            return o
        }
    }

    /// S_t = λ S_{t−1} + k_tᵀ v_t, o_t = q_t S_t, in Float64.
    static func recurrent(_ q: [[Double]], _ k: [[Double]], _ v: [[Double]], lambda: Double) -> ([[Double]], [[Double]]) {
        let d = q[0].count
        var s = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
        var out: [[Double]] = []
        for t in 0..<q.count {
            for i in 0..<d { for j in 0..<d { s[i][j] = lambda * s[i][j] + k[t][i] * v[t][j] } }
            out.append((0..<d).map { j in (0..<d).map { i in q[t][i] * s[i][j] }.reduce(0, +) })
        }
        return (out, s)
    }

    static func relErr(_ a: [[Double]], _ b: [[Double]]) -> Double {
        var num = 0.0, den = 0.0
        for (x, y) in zip(a, b) { for (u, w) in zip(x, y) { num += (u - w) * (u - w); den += w * w } }
        return (num / max(den, 1e-300)).squareRoot()
    }

    @Test(arguments: [(37, 8), (64, 16), (50, 50), (5, 16)])
    func blockwiseMatchesRecurrenceAndDefinition(length n: Int, block: Int) throws {
        let heads = 4, d = 8
        let raw: [String: Any] = [
            "model_type": "minimax_m1", "vocab_size": 16, "hidden_size": 16, "intermediate_size": 8,
            "num_hidden_layers": 2, "num_attention_heads": heads, "head_dim": d, "num_local_experts": 2,
            "num_experts_per_tok": 1, "attn_type_list": [0, 0], "block_size": block,
        ]
        let config = try ModelConfig.parse(try JSONSerialization.data(withJSONObject: raw))
        let layer = try LightningAttention(config: config, layer: 0, prefix: "", weights: RandomWeights(seed: 0))
        // q, k, v as SiLU outputs would be: positive-ish values of order 1
        var rng = RNG(seed: UInt64(n * 31 + block))
        let qkv = Tensor(shape: [n, 3 * heads * d]) { _ in abs(rng.normal()) * 0.7 }
        let cache = SequenceCache(config: config)
        let batch = ForwardBatch([(Array(repeating: 0, count: n), cache)])
        let o = Tensor(shape: [n, heads * d])
        layer.mix(qkv: qkv, into: o, batch)
        for h in 0..<heads {
            func part(_ off: Int) -> [[Double]] {
                (0..<n).map { t in (0..<d).map { Double(qkv[t * 3 * heads * d + h * 3 * d + off + $0]) } }
            }
            let (q, k, v) = (part(0), part(d), part(2 * d))
            let lambda = Double(layer.decayPowers[h][1])
            let got = (0..<n).map { t in (0..<d).map { Double(o[t * heads * d + h * d + $0]) } }
            let (rec, state) = Self.recurrent(q, k, v, lambda: lambda)
            let quad = Self.quadratic(q, k, v, lambda: lambda)
            #expect(Self.relErr(rec, quad) < 1e-12)
            let e = Self.relErr(got, rec)
            #expect(e < 1e-5, "head \(h): relative error \(e)")
            // the carried state equals the recurrence's final state
            let s = cache.lightning(0).head(h)
            let gotState = (0..<d).map { i in (0..<d).map { Double(s[i * d + $0]) } }
            #expect(Self.relErr(gotState, state) < 1e-5)
        }
    }

    @Test func slopesFollowBothConventions() {
        // Power of two: ALiBi = 2^(−8(h+1)/H), the same in both dialects (up to the 1e-5 term).
        let m = DecaySlopes.rates(heads: 8, layer: 0, layers: 8, dialect: .minimax)
        let h = DecaySlopes.rates(heads: 8, layer: 0, layers: 8, dialect: .hf)
        for i in 0..<8 {
            let want = pow(2.0, -Double(i + 1)) * (1 + 1e-5)
            #expect(abs(Double(m[i]) - want) < 1e-7)
            #expect(abs(Double(h[i]) - want) < 1e-6)
        }
        // Not a power of two (6 heads): 4-head list then every 2nd of the 8-head list.
        let six = DecaySlopes.alibi(6)
        let want6 = [0.25, 0.0625, 0.015625, 0.00390625, 0.5, 0.125]
        for (a, b) in zip(six, want6) { #expect(abs(a - b) < 1e-12) }
        // Last layer of the real model: factor 1 − 78/79 + 1e-5.
        let last = DecaySlopes.rates(heads: 64, layer: 78, layers: 80, dialect: .minimax)
        #expect(abs(Double(last[0]) / pow(2.0, -1.0 / 8) - 0.0126682) < 1e-6)
    }
}
