import FulgurTensor

/// Training forward and backward of the routed experts. Gradients reach the router through
/// the renormalized top-k weights w_k = p_k / Σ_sel p:
///
///     dp_j = dw_j / s − (Σ_k dw_k p_k) / s²  (j selected; s = Σ_sel p),  dw_k = dy · Expert_k(x)
///     dlogits = p ⊙ (dp − Σ dp ⊙ p)
///
/// plus, when the load-balancing loss is on, coef · E · f_e / (N · L) on every p_{t,e}.
extension SparseMoE {
    public final class Tape {
        let h: Tensor
        let routing: Routing
        let groups: ExpertGroups
        let xs: Tensor      // [T, d] the routed rows, expert after expert (T = N·k)
        let hidden: Tensor  // [T, 2I] gate|up before the activation
        let act: Tensor     // [T, I]
        let ys: Tensor      // [T, d] expert outputs (unweighted)
        init(h: Tensor, routing: Routing, groups: ExpertGroups, xs: Tensor, hidden: Tensor, act: Tensor, ys: Tensor) {
            self.h = h; self.routing = routing; self.groups = groups; self.xs = xs; self.hidden = hidden; self.act = act; self.ys = ys
        }

        /// How many (token, slot) assignments each expert received.
        public var assignmentCounts: [Int] { (0..<groups.start.count - 1).map { groups.start[$0 + 1] - groups.start[$0] } }
        /// Σ_t p_{t,e} for each expert.
        public var probabilitySums: [Double] {
            let p = routing.probs, e = p.cols
            var s = [Double](repeating: 0, count: e)
            for r in 0..<p.rows { for j in 0..<e { s[j] += Double(p.row(r)[j]) } }
            return s
        }
    }

    /// The (row, slot) assignments sorted by expert (stable: rows in order within an expert):
    /// expert e owns positions start[e]..<start[e+1]; position t is row `row[t]`, slot `slot[t]`;
    /// `position[r·k + j]` is where assignment (r, j) went.
    struct ExpertGroups {
        var start: [Int], row: [Int], slot: [Int], position: [Int]

        init(_ routing: Routing, rows n: Int, k: Int, experts e: Int) {
            start = [Int](repeating: 0, count: e + 1)
            for a in 0..<n * k { start[routing.experts[a] + 1] += 1 }
            for x in 0..<e { start[x + 1] += start[x] }
            var fill = start
            row = [Int](repeating: 0, count: n * k); slot = row; position = row
            for a in 0..<n * k {
                let x = routing.experts[a], t = fill[x]
                row[t] = a / k; slot[t] = a % k; position[a] = t
                fill[x] += 1
            }
        }

        func range(_ e: Int) -> Range<Int> { start[e]..<start[e + 1] }
    }

    public func trainingForward(_ h: Tensor) -> (Tensor, Tape) {
        let n = h.rows, k = topK, d = hidden, i = intermediate, total = n * k
        let routing = route(h)
        let groups = ExpertGroups(routing, rows: n, k: k, experts: numExperts)
        let xs = Tensor(shape: [total, d], zeroed: false)
        let hid = Tensor(shape: [total, 2 * i], zeroed: false)
        let a = Tensor(shape: [total, i], zeroed: false)
        let ys = Tensor(shape: [total, d], zeroed: false)
        Parallel.forEach(total, minChunk: 64) { t in xs.row(t).update(from: h.row(groups.row[t]), count: d) }
        for e in 0..<numExperts where !groups.range(e).isEmpty {
            let r = groups.range(e)
            BLAS.linear(xs.row(r.lowerBound), gateUp.pointer + e * 2 * i * d, hid.row(r.lowerBound), m: r.count, n: 2 * i, k: d)
        }
        Parallel.forEach(total, minChunk: 32) { t in Act.swiglu(gate: hid.row(t), up: hid.row(t) + i, a.row(t), i) }
        for e in 0..<numExperts where !groups.range(e).isEmpty {
            let r = groups.range(e)
            BLAS.linear(a.row(r.lowerBound), down.pointer + e * d * i, ys.row(r.lowerBound), m: r.count, n: d, k: i)
        }
        let out = Tensor(shape: [n, d], zeroed: false)
        let weights = routing.weights
        Parallel.forEach(n, minChunk: 64) { r in
            let o = out.row(r)
            o.update(repeating: 0, count: d)
            for j in 0..<k { Vec.axpy(weights[r * k + j], ys.row(groups.position[r * k + j]), o, d) }
        }
        return (out, Tape(h: h, routing: routing, groups: groups, xs: xs, hidden: hid, act: a, ys: ys))
    }

    /// `auxGradient[e]`: d(aux loss)/d p_{t,e}, the same for every row (nil when the aux loss is off).
    public func backward(_ dy: Tensor, _ tape: Tape, auxGradient: [Float]?, _ g: Gradients) -> Tensor {
        let n = dy.rows, k = topK, d = hidden, i = intermediate, e = numExperts, total = n * k
        let groups = tape.groups, weights = tape.routing.weights
        let dWeights = Tensor(shape: [n, k], zeroed: false)  // d loss / d w_{r,slot}
        let dGateUp = g[gateUp], dDown = g[down]
        // dY (weighted) and dw, per position
        let dY = Tensor(shape: [total, d], zeroed: false)
        Parallel.forEach(total, minChunk: 64) { t in
            let r = groups.row[t], a = r * k + groups.slot[t]
            dWeights[a] = Vec.dot(dy.row(r), tape.ys.row(t), d)
            let w = weights[a], src = dy.row(r), dst = dY.row(t)
            for j in 0..<d { dst[j] = w * src[j] }
        }
        // Y = A W2ᵀ
        let dA = Tensor(shape: [total, i], zeroed: false)
        for x in 0..<e where !groups.range(x).isEmpty {
            let r = groups.range(x), c = r.count, o = r.lowerBound
            BLAS.gemm(m: c, n: i, k: d, a: dY.row(o), lda: d, b: down.pointer + x * d * i, ldb: i, c: dA.row(o), ldc: i)
            BLAS.gemm(transA: true, m: d, n: i, k: c, a: dY.row(o), lda: d, b: tape.act.row(o), ldb: i, beta: 1,
                      c: dDown.pointer + x * d * i, ldc: i)
        }
        // A = SiLU(G) ⊙ U
        let dHid = Tensor(shape: [total, 2 * i], zeroed: false), hid = tape.hidden
        Parallel.forEach(total, minChunk: 32) { t in
            Act.swigluBackward(gate: hid.row(t), up: hid.row(t) + i, dA.row(t), dGate: dHid.row(t), dUp: dHid.row(t) + i, i)
        }
        // [G U] = X W13ᵀ
        let dX = Tensor(shape: [total, d], zeroed: false)
        for x in 0..<e where !groups.range(x).isEmpty {
            let r = groups.range(x), c = r.count, o = r.lowerBound
            BLAS.gemm(m: c, n: d, k: 2 * i, a: dHid.row(o), lda: 2 * i, b: gateUp.pointer + x * 2 * i * d, ldb: d, c: dX.row(o), ldc: d)
            BLAS.gemm(transA: true, m: 2 * i, n: d, k: c, a: dHid.row(o), lda: 2 * i, b: tape.xs.row(o), ldb: d, beta: 1,
                      c: dGateUp.pointer + x * 2 * i * d, ldc: d)
        }
        // dh = Σ over the row's slots, then the router: weights → probabilities → logits
        let dh = Tensor(shape: [n, d], zeroed: false)
        let dLogits = Tensor(shape: [n, e], zeroed: false)
        let experts = tape.routing.experts, probs = tape.routing.probs
        Parallel.forEach(n, minChunk: 64) { r in
            let o = dh.row(r)
            o.update(repeating: 0, count: d)
            for j in 0..<k { Vec.axpy(1, dX.row(groups.position[r * k + j]), o, d) }
            let p = probs.row(r), dp = dLogits.row(r)
            dp.update(repeating: 0, count: e)
            var s: Float = 0, dot: Float = 0
            for j in 0..<k {
                let ex = experts[r * k + j]
                s += p[ex]
                dot += dWeights[r * k + j] * p[ex]
            }
            for j in 0..<k {
                let ex = experts[r * k + j]
                dp[ex] = dWeights[r * k + j] / s - dot / (s * s)
            }
            if let auxGradient { for j in 0..<e { dp[j] += auxGradient[j] } }
            Softmax.backward(p, dp, dp, e)
        }
        linearBackward(x: tape.h, w: gate, dy: dLogits, dx: dh, accumulateDx: true, dw: g[gate])
        return dh
    }
}
