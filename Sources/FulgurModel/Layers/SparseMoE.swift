import FulgurSupport
import FulgurTensor

/// Top-k routed mixture of SwiGLU experts (architecture.md §5):
///
///     p = softmax(h W_gateᵀ)  (fp32);  (w, idx) = top-k(p);  w ← w / Σw
///     y = Σ_k w_k · Expert_{idx_k}(h),   Expert_e(x) = (SiLU(x W1ᵀ) ⊙ x W3ᵀ) W2ᵀ
///
/// Each expert's W1 and W3 are stored stacked as one [2I, d] matrix (gate rows first, as
/// HF's packed `gate_up_proj`), so one GEMM computes both.
public final class SparseMoE: @unchecked Sendable {
    public let numExperts: Int
    public let topK: Int
    public let hidden: Int
    public let intermediate: Int
    public let gate: Tensor     // router [E, d], fp32
    public let gateUp: Tensor   // [E, 2I, d]
    public let down: Tensor     // [E, d, I]

    init(config c: ModelConfig, layer: Int, weights w: WeightSource) throws {
        numExperts = c.numExperts
        topK = c.expertsPerToken
        hidden = c.hiddenSize
        intermediate = c.intermediateSize
        let (e, d, i) = (c.numExperts, c.hiddenSize, c.intermediateSize)
        let base = "model.layers.\(layer)."
        // HF v5 names the block `mlp` with packed experts; MiniMax (and HF's saved files) use
        // `block_sparse_moe` with per-expert w1/w2/w3.
        let p = w.contains(base + "mlp.gate.weight") || w.contains(base + "mlp.experts.gate_up_proj")
            ? base + "mlp." : base + "block_sparse_moe."
        gate = try w.take(p + "gate.weight", shape: [e, d])
        if w.contains(p + "experts.gate_up_proj") {
            gateUp = try w.take(p + "experts.gate_up_proj", shape: [e, 2 * i, d])
            down = try w.take(p + "experts.down_proj", shape: [e, d, i])
        } else {
            gateUp = Tensor(shape: [e, 2 * i, d], zeroed: false)
            down = Tensor(shape: [e, d, i], zeroed: false)
            for x in 0..<e {
                let w1 = try w.take(p + "experts.\(x).w1.weight", shape: [i, d])
                let w3 = try w.take(p + "experts.\(x).w3.weight", shape: [i, d])
                let w2 = try w.take(p + "experts.\(x).w2.weight", shape: [d, i])
                (gateUp.pointer + x * 2 * i * d).update(from: w1.pointer, count: i * d)
                (gateUp.pointer + x * 2 * i * d + i * d).update(from: w3.pointer, count: i * d)
                (down.pointer + x * d * i).update(from: w2.pointer, count: d * i)
            }
        }
    }

    /// Parameters under MiniMax's per-expert names (views into the stacked tensors).
    public var parameters: [(String, Tensor)] { named(gate: gate, gateUp: gateUp, down: down) }

    /// Per-expert names for tensors shaped like this block's (parameters or their gradients).
    public func named(gate: Tensor, gateUp: Tensor, down: Tensor) -> [(String, Tensor)] {
        let (d, i) = (hidden, intermediate)
        var out: [(String, Tensor)] = [("gate.weight", gate)]
        for x in 0..<numExperts {
            out.append(("experts.\(x).w1.weight", Tensor(viewOf: gateUp, offset: x * 2 * i * d, shape: [i, d])))
            out.append(("experts.\(x).w2.weight", Tensor(viewOf: down, offset: x * d * i, shape: [d, i])))
            out.append(("experts.\(x).w3.weight", Tensor(viewOf: gateUp, offset: x * 2 * i * d + i * d, shape: [i, d])))
        }
        return out
    }

    /// Routing for N rows: the chosen experts and their renormalized weights, [N, k] each,
    /// plus the full softmax probabilities [N, E] (the aux loss and the backward need them).
    public struct Routing {
        public var experts: [Int]
        public var weights: [Float]
        public var probs: Tensor
    }

    public func route(_ h: Tensor) -> Routing {
        let n = h.rows, e = numExperts, k = topK
        let probs = h.linear(gate)
        var experts = [Int](repeating: 0, count: n * k)
        var weights = [Float](repeating: 0, count: n * k)
        experts.withUnsafeMutableBufferPointer { ex in
            weights.withUnsafeMutableBufferPointer { wt in
                for r in 0..<n {
                    let row = probs.row(r)
                    Softmax.inPlace(row, e)
                    TopK.indices(row, e, k: k, into: ex.baseAddress! + r * k)
                    var s: Float = 0
                    for j in 0..<k { s += row[ex[r * k + j]] }
                    for j in 0..<k { wt[r * k + j] = row[ex[r * k + j]] / s }
                }
            }
        }
        return Routing(experts: experts, weights: weights, probs: probs)
    }

    public func callAsFunction(_ h: Tensor) -> Tensor {
        let routing = route(h)
        let out = Tensor(shape: [h.rows, hidden])
        mixExperts(h, routing, into: out)
        return out
    }

    /// out[r] += Σ_k w[r,k] · Expert_{idx[r,k]}(h[r]), grouping rows by expert so each expert
    /// runs as one GEMM over its rows.
    func mixExperts(_ h: Tensor, _ routing: Routing, into out: Tensor) {
        let n = h.rows, k = topK, d = hidden, i = intermediate
        var rowsOf = [[Int]](repeating: [], count: numExperts)
        var weightOf = [[Float]](repeating: [], count: numExperts)
        for r in 0..<n {
            for j in 0..<k {
                rowsOf[routing.experts[r * k + j]].append(r)
                weightOf[routing.experts[r * k + j]].append(routing.weights[r * k + j])
            }
        }
        let maxRows = rowsOf.map(\.count).max() ?? 0
        let x = Tensor(shape: [maxRows, d], zeroed: false)
        let hidden2 = Tensor(shape: [maxRows, 2 * i], zeroed: false)
        let act = Tensor(shape: [maxRows, i], zeroed: false)
        let y = Tensor(shape: [maxRows, d], zeroed: false)
        for e in 0..<numExperts where !rowsOf[e].isEmpty {
            let rows = rowsOf[e], c = rows.count
            for (t, r) in rows.enumerated() { x.row(t).update(from: h.row(r), count: d) }
            Linear.forward(x.pointer, gateUp.pointer + e * 2 * i * d, hidden2.pointer, m: c, n: 2 * i, k: d)
            for t in 0..<c {
                let g = hidden2.pointer + t * 2 * i
                Act.swiglu(gate: g, up: g + i, act.pointer + t * i, i)
            }
            Linear.forward(act.pointer, down.pointer + e * d * i, y.pointer, m: c, n: d, k: i)
            for (t, r) in rows.enumerated() { Vec.axpy(weightOf[e][t], y.row(t), out.row(r), d) }
        }
    }
}
