import FulgurSupport
import FulgurTensor
import Synchronization

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
    public let gate: Tensor                // router [E, d], always fp32
    public let gateUpWeight: WeightTensor  // [E, 2I, d]
    public let downWeight: WeightTensor    // [E, d, I]
    /// The Float32 parameters (a model loaded with bf16 weights has none).
    public var gateUp: Tensor { gateUpWeight.tensor }
    public var down: Tensor { downWeight.tensor }

    init(config c: ModelConfig, layer: Int, weights w: WeightSource, precision: WeightPrecision = .f32) throws {
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
            gateUpWeight = try w.takeWeight(p + "experts.gate_up_proj", shape: [e, 2 * i, d], precision: precision)
            downWeight = try w.takeWeight(p + "experts.down_proj", shape: [e, d, i], precision: precision)
        } else {
            // per-expert tensors, stacked (each copied as stored: bf16 stays bf16)
            gateUpWeight = WeightTensor(shape: [e, 2 * i, d], precision: precision)
            downWeight = WeightTensor(shape: [e, d, i], precision: precision)
            for x in 0..<e {
                gateUpWeight.place(try w.takeWeight(p + "experts.\(x).w1.weight", shape: [i, d], precision: precision), at: x * 2 * i * d)
                gateUpWeight.place(try w.takeWeight(p + "experts.\(x).w3.weight", shape: [i, d], precision: precision), at: x * 2 * i * d + i * d)
                downWeight.place(try w.takeWeight(p + "experts.\(x).w2.weight", shape: [d, i], precision: precision), at: x * d * i)
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

    /// out[r] += Σ_k w[r,k] · Expert_{idx[r,k]}(h[r]). Rows are grouped by expert (gathered
    /// into one buffer, expert after expert), so each expert is one product over its rows:
    /// BLAS when it has many, and for decode steps all experts' products share one streaming pass.
    func mixExperts(_ h: Tensor, _ routing: Routing, into out: Tensor) {
        let n = h.rows, k = topK, d = hidden, i = intermediate, e = numExperts
        // counting sort of the (row, slot) assignments by expert
        var start = [Int](repeating: 0, count: e + 1)
        for a in 0..<n * k { start[routing.experts[a] + 1] += 1 }
        for x in 0..<e { start[x + 1] += start[x] }
        var fill = start
        var rowOf = [Int](repeating: 0, count: n * k), weightOf = [Float](repeating: 0, count: n * k)
        for a in 0..<n * k {
            let x = routing.experts[a], t = fill[x]
            rowOf[t] = a / k
            weightOf[t] = routing.weights[a]
            fill[x] += 1
        }
        if case .f32(let gu) = gateUpWeight.data, case .f32(let dn) = downWeight.data, n * k > SparseMoE.streamingMaxAssignments {
            mixExpertsTiled(h, start: start, rowOf: rowOf, weightOf: weightOf, gateUp: gu, down: dn, into: out)
            return
        }
        let total = n * k
        let xs = Tensor(shape: [total, d], zeroed: false)
        let hidden2 = Tensor(shape: [total, 2 * i], zeroed: false)
        let act = Tensor(shape: [total, i], zeroed: false)
        let ys = Tensor(shape: [total, d], zeroed: false)
        for t in 0..<total { xs.row(t).update(from: h.row(rowOf[t]), count: d) }
        let gu = gateUpWeight.data, dn = downWeight.data
        var jobs: [Linear.Job] = []
        for x in 0..<e where start[x + 1] > start[x] {
            jobs.append(Linear.Job(x: xs.row(start[x]), w: gu.advanced(by: x * 2 * i * d), y: hidden2.row(start[x]),
                                   m: start[x + 1] - start[x], n: 2 * i, k: d, readOnce: true))
        }
        Linear.forward(jobs)
        let hp = SendablePointer(hidden2.pointer), ap = SendablePointer(act.pointer)
        Parallel.forRanges(total, minChunk: max(1, 32_768 / max(i, 1))) { r in
            for t in r { Act.swiglu(gate: hp.p + t * 2 * i, up: hp.p + t * 2 * i + i, ap.p + t * i, i) }
        }
        jobs.removeAll(keepingCapacity: true)
        for x in 0..<e where start[x + 1] > start[x] {
            jobs.append(Linear.Job(x: act.row(start[x]), w: dn.advanced(by: x * d * i), y: ys.row(start[x]),
                                   m: start[x + 1] - start[x], n: d, k: i, readOnce: true))
        }
        Linear.forward(jobs)
        for t in 0..<total { Vec.axpy(weightOf[t], ys.row(t), out.row(rowOf[t]), d) }
    }

    /// Assignments (rows × k) up to which the experts run as streaming products (decode steps).
    static let streamingMaxAssignments = 64
    /// Rows of one expert per task of the prefill path.
    static let prefillChunk = 128

    /// The prefill path (Float32 weights): tasks of up to `prefillChunk` rows of one expert,
    /// each gathering its rows and running both products and the activation on one thread
    /// with buffers that stay in cache — one parallel region for all experts instead of a
    /// fork-join per product and a pass over [N·k, 2I] activations — then, in parallel over
    /// output rows, the weighted sum of each row's expert outputs (in expert order).
    func mixExpertsTiled(_ h: Tensor, start: [Int], rowOf: [Int], weightOf: [Float],
                         gateUp gu: UnsafePointer<Float>, down dn: UnsafePointer<Float>, into out: Tensor) {
        let n = h.rows, k = topK, d = hidden, i = intermediate, e = numExperts, total = n * k
        let chunk = SparseMoE.prefillChunk
        var tasks: [(expert: Int, lo: Int, hi: Int)] = []
        for x in 0..<e {
            var t = start[x]
            while t < start[x + 1] { tasks.append((x, t, min(t + chunk, start[x + 1]))); t += chunk }
        }
        let ys = Tensor(shape: [total, d], zeroed: false)
        let hp = SendablePointer(h.pointer), yp = SendablePointer(ys.pointer)
        let gup = SendablePointer(UnsafeMutablePointer(mutating: gu)), dnp = SendablePointer(UnsafeMutablePointer(mutating: dn))
        let next = Atomic<Int>(0)
        rowOf.withUnsafeBufferPointer { rows in
            Parallel.tasks(min(Parallel.threads, tasks.count)) { _ in
                let xs = UnsafeMutablePointer<Float>.allocate(capacity: chunk * d)
                let hid = UnsafeMutablePointer<Float>.allocate(capacity: chunk * 2 * i)
                let act = UnsafeMutablePointer<Float>.allocate(capacity: chunk * i)
                defer { xs.deallocate(); hid.deallocate(); act.deallocate() }
                while true {
                    let j = next.add(1, ordering: .relaxed).oldValue
                    if j >= tasks.count { break }
                    let (x, lo, hi) = tasks[j], m = hi - lo
                    for t in lo..<hi { (xs + (t - lo) * d).update(from: hp.p + rows[t] * d, count: d) }
                    BLAS.linearOnThisThread(xs, gup.p + x * 2 * i * d, hid, m: m, n: 2 * i, k: d)
                    for r in 0..<m { Act.swiglu(gate: hid + r * 2 * i, up: hid + r * 2 * i + i, act + r * i, i) }
                    BLAS.linearOnThisThread(act, dnp.p + x * d * i, yp.p + lo * d, m: m, n: d, k: i)
                }
            }
        }
        // sorted position of each (row, slot) assignment, in expert order per row
        var slots = [Int](repeating: 0, count: total), filled = [Int](repeating: 0, count: n)
        for t in 0..<total {
            let r = rowOf[t]
            slots[r * k + filled[r]] = t
            filled[r] += 1
        }
        let op = SendablePointer(out.pointer)
        slots.withUnsafeBufferPointer { sl in
            weightOf.withUnsafeBufferPointer { w in
                Parallel.forRanges(n, minChunk: 64) { range in
                    for r in range {
                        let o = op.p + r * d
                        o.update(repeating: 0, count: d)
                        for j in 0..<k { let t = sl[r * k + j]; Vec.axpy(w[t], yp.p + t * d, o, d) }
                    }
                }
            }
        }
    }
}
