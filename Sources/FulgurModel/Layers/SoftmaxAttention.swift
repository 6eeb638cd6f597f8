import Foundation
import FulgurTensor
import RealModule
import Synchronization

/// Causal grouped-query softmax attention with partial RoPE (architecture.md §3):
///
///     q = h W_qᵀ, k = h W_kᵀ, v = h W_vᵀ;  q, k ← RoPE(first rotaryDim dims, position)
///     o = softmax(q kᵀ / √D + causal mask) v      (query head h reads KV head h / (H/Hkv))
///     out = o W_oᵀ
///
/// The KV cache holds post-RoPE keys.
public final class SoftmaxAttention: @unchecked Sendable {
    public let layer: Int
    public let heads: Int
    public let kvHeads: Int
    public let headDim: Int
    public let qWeight: WeightTensor  // [H·D, d]
    public let kWeight: WeightTensor  // [Hkv·D, d]
    public let vWeight: WeightTensor  // [Hkv·D, d]
    public let oWeight: WeightTensor  // [d, H·D]
    /// The Float32 parameters (a model loaded with bf16 weights has none).
    public var qProj: Tensor { qWeight.tensor }
    public var kProj: Tensor { kWeight.tensor }
    public var vProj: Tensor { vWeight.tensor }
    public var oProj: Tensor { oWeight.tensor }
    public let rope: RotaryEmbedding

    /// Query rows per (segment, KV head) up to which the cache is streamed by `attendFew`
    /// instead of going through BLAS (whose per-call packing dominates for a decode step).
    static let streamingMaxRows = 16

    /// Causal attention of `heads` query vectors (one token's query heads of one KV group,
    /// consecutive, `dim` apart) over `count` cached keys/values ([count, dim] each):
    ///     out_h = Σ_j softmax_j(scale · q_h · k_j) v_j
    /// Each key and value row is read once for all the heads (the cache of a long context
    /// does not fit in L2, so a pass per head would fetch it from memory once per head).
    /// `scores` holds heads × count floats.
    static func attendFew(q: UnsafePointer<Float>, heads: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
                          count: Int, dim d: Int, scale: Float, scores: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        for j in 0..<count {
            let kj = keys + j * d
            for h in 0..<heads { scores[h * count + j] = scale * Dot.f32(q + h * d, kj, d) }
        }
        for h in 0..<heads { Softmax.inPlace(scores + h * count, count) }
        out.update(repeating: 0, count: heads * d)
        var j = 0
        // four value rows per pass over each head's output row
        while j + 4 <= count {
            let v0 = values + j * d, v1 = v0 + d, v2 = v1 + d, v3 = v2 + d
            for h in 0..<heads {
                let oh = out + h * d, sh = scores + h * count
                let p0 = sh[j], p1 = sh[j + 1], p2 = sh[j + 2], p3 = sh[j + 3]
                for c in 0..<d {
                    oh[c] = Relaxed.multiplyAdd(p3, v3[c], Relaxed.multiplyAdd(p2, v2[c],
                                Relaxed.multiplyAdd(p1, v1[c], Relaxed.multiplyAdd(p0, v0[c], oh[c]))))
                }
            }
            j += 4
        }
        while j < count {
            for h in 0..<heads { Vec.axpy(scores[h * count + j], values + j * d, out + h * d, d) }
            j += 1
        }
    }

    init(config c: ModelConfig, layer: Int, prefix p: String, weights w: WeightSource, precision: WeightPrecision = .f32) throws {
        self.layer = layer
        heads = c.numHeads
        kvHeads = c.numKVHeads
        headDim = c.headDim
        qWeight = try w.takeWeight(p + "q_proj.weight", shape: [c.attnSize, c.hiddenSize], precision: precision)
        kWeight = try w.takeWeight(p + "k_proj.weight", shape: [c.kvSize, c.hiddenSize], precision: precision)
        vWeight = try w.takeWeight(p + "v_proj.weight", shape: [c.kvSize, c.hiddenSize], precision: precision)
        oWeight = try w.takeWeight(p + "o_proj.weight", shape: [c.hiddenSize, c.attnSize], precision: precision)
        rope = RotaryEmbedding(rotaryDim: c.rotaryDim, theta: c.ropeTheta)
    }

    public var parameters: [(String, Tensor)] {
        [("q_proj.weight", qProj), ("k_proj.weight", kProj), ("v_proj.weight", vProj), ("o_proj.weight", oProj)]
    }

    public func callAsFunction(_ h: Tensor, _ batch: ForwardBatch) -> Tensor {
        let n = h.rows, d = h.cols, hd = heads * headDim, kvd = kvHeads * headDim
        let q = Tensor(shape: [n, hd], zeroed: false), k = Tensor(shape: [n, kvd], zeroed: false)
        let v = Tensor(shape: [n, kvd], zeroed: false)
        Linear.forward([Linear.Job(x: h.pointer, w: qWeight.data, y: q.pointer, m: n, n: hd, k: d),
                        Linear.Job(x: h.pointer, w: kWeight.data, y: k.pointer, m: n, n: kvd, k: d),
                        Linear.Job(x: h.pointer, w: vWeight.data, y: v.pointer, m: n, n: kvd, k: d)])
        applyRoPE(q: q, k: k, batch)
        for seg in batch.segments {
            seg.cache.kv(layer).append(k: k.row(seg.row), v: v.row(seg.row), count: seg.count, stride: k.cols)
        }
        let o = Tensor(shape: [batch.rows, heads * headDim])
        attend(q: q, into: o, batch)
        let out = Tensor(shape: [n, d], zeroed: false)
        Linear.forward(o.pointer, oWeight.data, out.pointer, m: n, n: d, k: hd)
        return out
    }

    func applyRoPE(q: Tensor, k: Tensor, _ batch: ForwardBatch) {
        guard rope.rotaryDim > 0 else { return }
        var cs = [Float](repeating: 0, count: rope.rotaryDim)
        cs.withUnsafeMutableBufferPointer { cs in
            for seg in batch.segments {
                for t in 0..<seg.count {
                    rope.angles(position: seg.position + t, into: cs.baseAddress!)
                    rope.apply(q.row(seg.row + t), heads: heads, headDim: headDim, cs: cs.baseAddress!)
                    rope.apply(k.row(seg.row + t), heads: kvHeads, headDim: headDim, cs: cs.baseAddress!)
                }
            }
        }
    }

    /// For each (segment, KV head, chunk of query tokens): decode steps (a few query rows)
    /// stream the cache once per row (`attendFew`); prefill chunks go through `attendTile`
    /// (BLAS tiles with an online softmax). Chunks run in parallel, the costliest first.
    func attend(q: Tensor, into o: Tensor, _ batch: ForwardBatch) {
        let rep = heads / kvHeads, d = headDim
        struct Item { let seg: Int; let group: Int; let start: Int; let count: Int; let streamed: Bool; let cost: Int }
        var items: [Item] = []
        var work = 0, tileRows = 0, streamedKeys = 0
        for (si, seg) in batch.segments.enumerated() {
            let streamed = seg.count * rep <= SoftmaxAttention.streamingMaxRows
            let chunk = streamed ? seg.count : SoftmaxAttention.prefillQueryTokens
            if streamed { streamedKeys = max(streamedKeys, seg.position + seg.count) } else { tileRows = max(tileRows, min(chunk, seg.count) * rep) }
            for g in 0..<kvHeads {
                var s = 0
                while s < seg.count {
                    let c = min(chunk, seg.count - s)
                    items.append(Item(seg: si, group: g, start: s, count: c, streamed: streamed, cost: c * (seg.position + s + c)))
                    s += chunk
                }
            }
            work += seg.count * (seg.position + seg.count) * heads * d
        }
        items.sort { $0.cost > $1.cost }
        let qp = SendablePointer(q.pointer), op = SendablePointer(o.pointer)
        let scale = 1 / Float(d).squareRoot()
        let ldq = heads * d
        let run = { (it: Item, scratch: PrefillScratch?, scores: UnsafeMutablePointer<Float>) in
            let seg = batch.segments[it.seg]
            let cache = seg.cache.kv(self.layer)
            if !it.streamed {
                self.attendTile(q: qp.p, o: op.p, row: seg.row, position: seg.position, start: it.start, count: it.count,
                                group: it.group, cache: cache, scale: scale, scratch: scratch!)
                return
            }
            // decode steps: a few query rows against the whole cache, streamed once
            for t in 0..<it.count {
                let q = qp.p + (seg.row + it.start + t) * ldq + it.group * rep * d
                let out = op.p + (seg.row + it.start + t) * ldq + it.group * rep * d
                SoftmaxAttention.attendFew(q: q, heads: rep, keys: cache.keys(head: it.group), values: cache.values(head: it.group),
                                           count: seg.position + it.start + t + 1, dim: d, scale: scale, scores: scores, out: out)
            }
        }
        // per thread: the tile scratch and the decode rows' scores
        let runAll = { (take: () -> Int?) in
            let scratch = tileRows > 0 ? PrefillScratch(rows: tileRows, dim: d) : nil
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: max(1, rep * streamedKeys))
            defer { scores.deallocate() }
            while let i = take() { run(items[i], scratch, scores) }
        }
        if work < 100_000 || items.count == 1 {
            var i = 0
            runAll { defer { i += 1 }; return i < items.count ? i : nil }
        } else {
            let next = Atomic<Int>(0)
            Parallel.tasks(min(Parallel.threads, items.count)) { _ in
                runAll {
                    let i = next.add(1, ordering: .relaxed).oldValue
                    return i < items.count ? i : nil
                }
            }
        }
    }
}
