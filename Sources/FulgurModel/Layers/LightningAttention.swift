import Foundation
import FulgurTensor
import RealModule

/// Lightning attention (architecture.md §2): linear attention with a per-head exponential
/// decay λ = e^(−s), computed block-wise for prefills and recurrently for decode steps.
///
///     z = SiLU(h W_qkvᵀ);  q, k, v = per-head split of z (head h owns 3D consecutive features)
///     o_t = Σ_{j≤t} λ^(t−j) (q_t · k_j) v_j        ≡   S_t = λ S_{t−1} + k_tᵀ v_t,  o_t = q_t S_t
///     out = (RMSNorm(o) ⊙ σ(h W_gateᵀ)) W_outᵀ     (one RMSNorm over all heads, eps 1e-6)
public final class LightningAttention: @unchecked Sendable {
    public let layer: Int
    public let heads: Int
    public let headDim: Int
    public let blockSize: Int
    public let qkvWeight: WeightTensor   // [3·H·D, d]
    public let gateWeight: WeightTensor  // [H·D, d]
    public let norm: Tensor              // [H·D]
    public let outWeight: WeightTensor   // [d, H·D]
    /// The Float32 parameters (a model loaded with bf16 weights has none).
    public var qkvProj: Tensor { qkvWeight.tensor }
    public var outputGate: Tensor { gateWeight.tensor }
    public var outProj: Tensor { outWeight.tensor }
    /// Per head: powers λ^k for k = 0 … B (the decay tables of §2.5).
    public let decayPowers: [[Float]]

    init(config c: ModelConfig, layer: Int, prefix p: String, weights w: WeightSource, precision: WeightPrecision = .f32) throws {
        self.layer = layer
        heads = c.numHeads
        headDim = c.headDim
        blockSize = c.blockSize
        qkvWeight = try w.takeWeight(p + "qkv_proj.weight", shape: [c.qkvSize, c.hiddenSize], precision: precision)
        gateWeight = try w.takeWeight(p + "output_gate.weight", shape: [c.attnSize, c.hiddenSize], precision: precision)
        norm = try w.take(p + "norm.weight", shape: [c.attnSize])
        outWeight = try w.takeWeight(p + "out_proj.weight", shape: [c.hiddenSize, c.attnSize], precision: precision)
        let rates = DecaySlopes.rates(heads: c.numHeads, layer: layer, layers: c.numLayers, dialect: c.dialect)
        decayPowers = rates.map { s in (0...c.blockSize).map { k in Float(Foundation.exp(-Double(s) * Double(k))) } }
    }

    public var parameters: [(String, Tensor)] {
        [("qkv_proj.weight", qkvProj), ("output_gate.weight", outputGate), ("norm.weight", norm), ("out_proj.weight", outProj)]
    }

    /// h: [N, d] normalized layer input for all rows of the batch → [N, d].
    public func callAsFunction(_ h: Tensor, _ batch: ForwardBatch) -> Tensor {
        let n = h.rows, d = h.cols, hd = heads * headDim
        let qkv = Tensor(shape: [n, 3 * hd], zeroed: false), gate = Tensor(shape: [n, hd], zeroed: false)
        // both projections read h: one pass (one fork-join) for a decode step
        Linear.forward([Linear.Job(x: h.pointer, w: qkvWeight.data, y: qkv.pointer, m: n, n: 3 * hd, k: d),
                        Linear.Job(x: h.pointer, w: gateWeight.data, y: gate.pointer, m: n, n: hd, k: d)])
        Act.silu(qkv.pointer, qkv.pointer, qkv.count)
        let o = Tensor(shape: [n, hd])
        mix(qkv: qkv, into: o, batch)
        Norm.rmsRows(o.pointer, norm.pointer, o.pointer, rows: n, n: hd, eps: ModelConfig.lightningNormEps)
        Act.sigmoid(gate.pointer, gate.pointer, gate.count)
        Vec.mul(o.pointer, gate.pointer, o.pointer, o.count)
        let out = Tensor(shape: [n, d], zeroed: false)
        Linear.forward(o.pointer, outWeight.data, out.pointer, m: n, n: d, k: hd)
        return out
    }

    /// The token mixing of every (segment, head) pair, in parallel.
    func mix(qkv: Tensor, into o: Tensor, _ batch: ForwardBatch) {
        let items = batch.segments.count * heads
        let work = batch.rows * heads * headDim * headDim
        let qp = SendablePointer(qkv.pointer), op = SendablePointer(o.pointer)
        let run = { (i: Int) in
            let seg = batch.segments[i / self.heads], h = i % self.heads
            let state = seg.cache.lightning(self.layer).head(h)
            if seg.count == 1 {
                self.step(qkv: qp.p, o: op.p, row: seg.row, head: h, state: state)
            } else {
                self.prefill(qkv: qp.p, o: op.p, row: seg.row, count: seg.count, head: h, state: state,
                             block: LightningAttention.inferenceBlock)
            }
        }
        if work < (batch.rows == batch.segments.count ? Self.parallelDecodeMixingWork : parallelMixingWork) {
            for i in 0..<items { run(i) }
        } else {
            Parallel.forEach(items) { run($0) }
        }
    }

    /// The computing block of inference prefills. Per token and head a block of B costs
    /// 4·B·D (intra-block, half of it masked) + 4·D² (state); with D = 32, 64-token blocks
    /// do a third of the work of 256 for the same result up to rounding (MiniMax-01 §3.3.3
    /// also uses 32–128-token blocks at inference). Training keeps the model's block size.
    static let inferenceBlock = 64

    /// Work from which a decode step's mixing (one row per sequence) runs in parallel: a
    /// single sequence's 8 heads stay on one thread, a batch of 8 sequences splits (G = 8 bf16
    /// rollouts: 334 → 330 and 358 → 345 ms per generation, alternating steps).
    static let parallelDecodeMixingWork = 32_768


    /// One decode step: S ← λS + kᵀv, o = qS (state updated before it is read).
    @inline(__always)
    func step(qkv: UnsafeMutablePointer<Float>, o: UnsafeMutablePointer<Float>, row: Int, head h: Int, state s: UnsafeMutablePointer<Float>) {
        let d = headDim
        let q = qkv + row * 3 * heads * d + h * 3 * d, k = q + d, v = q + 2 * d
        let out = o + row * heads * d + h * d
        let lambda = decayPowers[h][1]
        out.update(repeating: 0, count: d)
        for i in 0..<d {
            let srow = s + i * d
            let ki = k[i], qi = q[i]
            for j in 0..<d {
                let sij = Relaxed.multiplyAdd(lambda, srow[j], ki * v[j])
                srow[j] = sij
                out[j] = Relaxed.multiplyAdd(qi, sij, out[j])
            }
        }
    }

    /// Block-wise prefill of one segment and head, continuing the carried state (§2.5):
    ///     O = ((Q Kᵀ) ⊙ M) V + (Q ⊙ qd) S,    S ← λ^m S + (K ⊙ kd)ᵀ V
    /// with M[i,j] = λ^(i−j) (j ≤ i), qd[i] = λ^(i+1), kd[j] = λ^(m−1−j).
    /// `atBlockStart` sees the state before each block (the training forward saves them).
    /// `block` (≤ the model's block size) is the computing block: the result is the same
    /// for any block up to float rounding.
    func prefill(qkv: UnsafeMutablePointer<Float>, o: UnsafeMutablePointer<Float>, row: Int, count: Int, head h: Int,
                 state s: UnsafeMutablePointer<Float>, block: Int? = nil, atBlockStart: (() -> Void)? = nil) {
        let d = headDim, ldq = 3 * heads * d, ldo = heads * d
        let blockSize = min(block ?? self.blockSize, self.blockSize)
        let bmax = min(blockSize, count)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: bmax * bmax)
        let scaled = UnsafeMutablePointer<Float>.allocate(capacity: bmax * d)
        defer { scores.deallocate(); scaled.deallocate() }
        let pw = decayPowers[h]
        // rev[x] = λ^(bmax−1−x), so row i of the mask, λ^(i−j) for j ≤ i, is rev[bmax−1−i+j]
        // (contiguous in j: the masking loop vectorizes; same products as pw[i − j])
        let rev = UnsafeMutablePointer<Float>.allocate(capacity: bmax)
        defer { rev.deallocate() }
        for x in 0..<bmax { rev[x] = pw[bmax - 1 - x] }
        var start = 0
        while start < count {
            atBlockStart?()
            let m = min(blockSize, count - start)
            let q = qkv + (row + start) * ldq + h * 3 * d, k = q + d, v = q + 2 * d
            let out = o + (row + start) * ldo + h * d
            // intra-block: A = (Q Kᵀ) ⊙ M, O = A V
            BLAS.gemm(transB: true, m: m, n: m, k: d, a: q, lda: ldq, b: k, ldb: ldq, c: scores, ldc: m)
            for i in 0..<m {
                let r = scores + i * m
                let mask = rev + (bmax - 1 - i)
                for j in 0...i { r[j] *= mask[j] }
                if i + 1 < m { (r + i + 1).update(repeating: 0, count: m - i - 1) }
            }
            BLAS.gemm(m: m, n: d, k: m, a: scores, lda: m, b: v, ldb: ldq, c: out, ldc: ldo)
            // inter-block: O += (Q ⊙ qd) S
            for i in 0..<m {
                let f = pw[i + 1]
                for j in 0..<d { scaled[i * d + j] = q[i * ldq + j] * f }
            }
            BLAS.gemm(m: m, n: d, k: d, a: scaled, lda: d, b: s, ldb: d, beta: 1, c: out, ldc: ldo)
            // state: S ← λ^m S + (K ⊙ kd)ᵀ V
            for i in 0..<m {
                let f = pw[m - 1 - i]
                for j in 0..<d { scaled[i * d + j] = k[i * ldq + j] * f }
            }
            BLAS.gemm(transA: true, m: d, n: d, k: m, a: scaled, lda: d, b: v, ldb: ldq, beta: pw[m], c: s, ldc: d)
            start += m
        }
    }
}
