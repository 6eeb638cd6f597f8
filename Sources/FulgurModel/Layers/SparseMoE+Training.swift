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
        let rowsOf: [[Int]]        // rows routed to each expert
        let slotOf: [[Int]]        // the top-k slot of each of those rows
        let hidden: [Tensor?]      // per expert: [c, 2I] gate|up before the activation
        let act: [Tensor?]         // per expert: [c, I]
        let y: [Tensor?]           // per expert: [c, d] expert outputs (unweighted)
        init(h: Tensor, routing: Routing, rowsOf: [[Int]], slotOf: [[Int]], hidden: [Tensor?], act: [Tensor?], y: [Tensor?]) {
            self.h = h; self.routing = routing; self.rowsOf = rowsOf; self.slotOf = slotOf
            self.hidden = hidden; self.act = act; self.y = y
        }

        /// How many (token, slot) assignments each expert received.
        public var assignmentCounts: [Int] { rowsOf.map(\.count) }
        /// Σ_t p_{t,e} for each expert.
        public var probabilitySums: [Double] {
            let p = routing.probs, e = p.cols
            var s = [Double](repeating: 0, count: e)
            for r in 0..<p.rows { for j in 0..<e { s[j] += Double(p.row(r)[j]) } }
            return s
        }
    }

    public func trainingForward(_ h: Tensor) -> (Tensor, Tape) {
        let n = h.rows, k = topK, d = hidden, i = intermediate
        let routing = route(h)
        var rowsOf = [[Int]](repeating: [], count: numExperts), slotOf = rowsOf
        for r in 0..<n { for j in 0..<k { rowsOf[routing.experts[r * k + j]].append(r); slotOf[routing.experts[r * k + j]].append(j) } }
        var hiddenT = [Tensor?](repeating: nil, count: numExperts), actT = hiddenT, yT = hiddenT
        let out = Tensor(shape: [n, d])
        for e in 0..<numExperts where !rowsOf[e].isEmpty {
            let rows = rowsOf[e], c = rows.count
            let x = Tensor(shape: [c, d], zeroed: false)
            for (t, r) in rows.enumerated() { x.row(t).update(from: h.row(r), count: d) }
            let hid = Tensor(shape: [c, 2 * i], zeroed: false)
            BLAS.linear(x.pointer, gateUp.pointer + e * 2 * i * d, hid.pointer, m: c, n: 2 * i, k: d)
            let a = Tensor(shape: [c, i], zeroed: false)
            for t in 0..<c { Act.swiglu(gate: hid.row(t), up: hid.row(t) + i, a.row(t), i) }
            let y = Tensor(shape: [c, d], zeroed: false)
            BLAS.linear(a.pointer, down.pointer + e * d * i, y.pointer, m: c, n: d, k: i)
            for (t, r) in rows.enumerated() { Vec.axpy(routing.weights[r * k + slotOf[e][t]], y.row(t), out.row(r), d) }
            hiddenT[e] = hid; actT[e] = a; yT[e] = y
        }
        return (out, Tape(h: h, routing: routing, rowsOf: rowsOf, slotOf: slotOf, hidden: hiddenT, act: actT, y: yT))
    }

    /// `auxGradient[e]`: d(aux loss)/d p_{t,e}, the same for every row (nil when the aux loss is off).
    public func backward(_ dy: Tensor, _ tape: Tape, auxGradient: [Float]?, _ g: Gradients) -> Tensor {
        let n = dy.rows, k = topK, d = hidden, i = intermediate, e = numExperts
        let dh = Tensor(shape: [n, d])
        let dWeights = Tensor(shape: [n, k])  // d loss / d w_{r,slot}
        let dGateUp = g[gateUp], dDown = g[down]
        for x in 0..<e where !tape.rowsOf[x].isEmpty {
            let rows = tape.rowsOf[x], c = rows.count
            let hid = tape.hidden[x]!, a = tape.act[x]!, y = tape.y[x]!
            // dY (weighted) and dw
            let dY = Tensor(shape: [c, d], zeroed: false)
            for (t, r) in rows.enumerated() {
                let slot = tape.slotOf[x][t]
                dWeights[r * k + slot] = Vec.dot(dy.row(r), y.row(t), d)
                let w = tape.routing.weights[r * k + slot]
                for j in 0..<d { dY.row(t)[j] = w * dy.row(r)[j] }
            }
            // Y = A W2ᵀ
            let dA = Tensor(shape: [c, i], zeroed: false)
            BLAS.gemm(m: c, n: i, k: d, a: dY.pointer, lda: d, b: down.pointer + x * d * i, ldb: i, c: dA.pointer, ldc: i)
            BLAS.gemm(transA: true, m: d, n: i, k: c, a: dY.pointer, lda: d, b: a.pointer, ldb: i, beta: 1,
                      c: dDown.pointer + x * d * i, ldc: i)
            // A = SiLU(G) ⊙ U
            let dHid = Tensor(shape: [c, 2 * i], zeroed: false)
            for t in 0..<c {
                Act.swigluBackward(gate: hid.row(t), up: hid.row(t) + i, dA.row(t), dGate: dHid.row(t), dUp: dHid.row(t) + i, i)
            }
            // [G U] = X W13ᵀ
            let xg = Tensor(shape: [c, d], zeroed: false)
            for (t, r) in rows.enumerated() { xg.row(t).update(from: tape.h.row(r), count: d) }
            let dX = Tensor(shape: [c, d], zeroed: false)
            BLAS.gemm(m: c, n: d, k: 2 * i, a: dHid.pointer, lda: 2 * i, b: gateUp.pointer + x * 2 * i * d, ldb: d, c: dX.pointer, ldc: d)
            BLAS.gemm(transA: true, m: 2 * i, n: d, k: c, a: dHid.pointer, lda: 2 * i, b: xg.pointer, ldb: d, beta: 1,
                      c: dGateUp.pointer + x * 2 * i * d, ldc: d)
            for (t, r) in rows.enumerated() { Vec.axpy(1, dX.row(t), dh.row(r), d) }
        }
        // router: weights → probabilities → logits
        let dLogits = Tensor(shape: [n, e])
        for r in 0..<n {
            let p = tape.routing.probs.row(r), dp = dLogits.row(r)
            var s: Float = 0, dot: Float = 0
            for j in 0..<k {
                let ex = tape.routing.experts[r * k + j]
                s += p[ex]
                dot += dWeights[r * k + j] * p[ex]
            }
            for j in 0..<k {
                let ex = tape.routing.experts[r * k + j]
                dp[ex] = dWeights[r * k + j] / s - dot / (s * s)
            }
            if let auxGradient { for j in 0..<e { dp[j] += auxGradient[j] } }
            Softmax.backward(p, dp, dp, e)
        }
        linearBackward(x: tape.h, w: gate, dy: dLogits, dx: dh, accumulateDx: true, dw: g[gate])
        return dh
    }
}
