import FulgurTensor

/// Training forward and backward of causal GQA softmax attention. The backward recomputes
/// the attention probabilities per (sequence, KV group) instead of storing them:
///
///     P = softmax(Q Kᵀ/√D + mask);  dP = dO Vᵀ;  dS = P ⊙ (dP − rowsum(dO ⊙ O))
///     dQ = dS K/√D;  dK = dSᵀ Q/√D;  dV = Pᵀ dO;  then RoPE is undone on dQ, dK.
extension SoftmaxAttention {
    public final class Tape {
        let h: Tensor, q: Tensor, k: Tensor, v: Tensor  // q, k after RoPE
        let o: Tensor  // attention output before o_proj [N, HD]
        init(h: Tensor, q: Tensor, k: Tensor, v: Tensor, o: Tensor) { self.h = h; self.q = q; self.k = k; self.v = v; self.o = o }
    }

    public func trainingForward(_ h: Tensor, _ layout: SequenceLayout) -> (Tensor, Tape) {
        let q = h.linear(qProj), k = h.linear(kProj), v = h.linear(vProj)
        rotate(q: q, k: k, layout, inverse: false)
        let o = Tensor(shape: [h.rows, heads * headDim])
        forEachGroup(layout) { seg, g in
            self.groupAttention(q: q, k: k, v: v, seg: seg, group: g) { p, rows, keys, qt in
                // O = P V, scattered back to the heads of the group
                let ot = UnsafeMutablePointer<Float>.allocate(capacity: rows * self.headDim)
                defer { ot.deallocate() }
                BLAS.gemm(m: rows, n: self.headDim, k: keys, a: p, lda: keys, b: v.pointer + seg.lowerBound * v.cols + g * self.headDim,
                          ldb: v.cols, c: ot, ldc: self.headDim)
                self.scatter(ot, into: o, seg: seg, group: g)
            }
        }
        return (o.linear(oProj), Tape(h: h, q: q, k: k, v: v, o: o))
    }

    public func backward(_ dOut: Tensor, _ tape: Tape, _ layout: SequenceLayout, _ g: Gradients) -> Tensor {
        let n = dOut.rows, d = headDim, rep = heads / kvHeads
        let dO = Tensor(shape: [n, heads * d], zeroed: false)
        linearBackward(x: tape.o, w: oProj, dy: dOut, dx: dO, accumulateDx: false, dw: g[oProj])
        let dQ = Tensor(shape: tape.q.shape), dK = Tensor(shape: tape.k.shape), dV = Tensor(shape: tape.v.shape)
        let scale = 1 / Float(d).squareRoot()
        forEachGroup(layout) { seg, grp in
            self.groupAttention(q: tape.q, k: tape.k, v: tape.v, seg: seg, group: grp) { p, rows, keys, qt in
                let dot = self.gather(dO, seg: seg, group: grp)   // [rows, D]
                let ot = self.gather(tape.o, seg: seg, group: grp)
                defer { dot.deallocate(); ot.deallocate() }
                let kk = tape.k.pointer + seg.lowerBound * tape.k.cols + grp * d
                let vv = tape.v.pointer + seg.lowerBound * tape.v.cols + grp * d
                // dV = Pᵀ dO
                BLAS.gemm(transA: true, m: keys, n: d, k: rows, a: p, lda: keys, b: dot, ldb: d,
                          c: dV.pointer + seg.lowerBound * dV.cols + grp * d, ldc: dV.cols)
                // dP = dO Vᵀ, then dS = P ⊙ (dP − rowsum(dO ⊙ O)) in place of dP
                let ds = UnsafeMutablePointer<Float>.allocate(capacity: rows * keys)
                defer { ds.deallocate() }
                BLAS.gemm(transB: true, m: rows, n: keys, k: d, a: dot, lda: d, b: vv, ldb: tape.v.cols, c: ds, ldc: keys)
                for r in 0..<rows {
                    let delta = Vec.dot(dot + r * d, ot + r * d, d)
                    let visible = r / rep + 1
                    let pr = p + r * keys, dr = ds + r * keys
                    for j in 0..<visible { dr[j] = pr[j] * (dr[j] - delta) }
                    if visible < keys { (dr + visible).update(repeating: 0, count: keys - visible) }
                }
                // dQ = dS K · scale, dK = dSᵀ Q · scale
                let dqt = UnsafeMutablePointer<Float>.allocate(capacity: rows * d)
                defer { dqt.deallocate() }
                BLAS.gemm(m: rows, n: d, k: keys, alpha: scale, a: ds, lda: keys, b: kk, ldb: tape.k.cols, c: dqt, ldc: d)
                self.scatter(dqt, into: dQ, seg: seg, group: grp)
                BLAS.gemm(transA: true, m: keys, n: d, k: rows, alpha: scale, a: ds, lda: keys, b: qt, ldb: d,
                          c: dK.pointer + seg.lowerBound * dK.cols + grp * d, ldc: dK.cols)
            }
        }
        rotate(q: dQ, k: dK, layout, inverse: true)
        let dh = Tensor(shape: tape.h.shape, zeroed: false)
        linearBackward(x: tape.h, w: qProj, dy: dQ, dx: dh, accumulateDx: false, dw: g[qProj])
        linearBackward(x: tape.h, w: kProj, dy: dK, dx: dh, accumulateDx: true, dw: g[kProj])
        linearBackward(x: tape.h, w: vProj, dy: dV, dx: dh, accumulateDx: true, dw: g[vProj])
        return dh
    }

    /// RoPE at positions 0… of each sequence; `inverse` rotates by −φ (its transpose, for gradients).
    func rotate(q: Tensor, k: Tensor, _ layout: SequenceLayout, inverse: Bool) {
        guard rope.rotaryDim > 0 else { return }
        let half = rope.rotaryDim / 2
        var cs = [Float](repeating: 0, count: rope.rotaryDim)
        cs.withUnsafeMutableBufferPointer { cs in
            let c = cs.baseAddress!
            for seg in layout.segments {
                for t in 0..<seg.count {
                    rope.angles(position: t, into: c)
                    if inverse { for i in 0..<half { c[half + i] = -c[half + i] } }
                    rope.apply(q.row(seg.lowerBound + t), heads: heads, headDim: headDim, cs: c)
                    rope.apply(k.row(seg.lowerBound + t), heads: kvHeads, headDim: headDim, cs: c)
                }
            }
        }
    }

    /// Every (sequence, KV group) pair, in parallel (each writes its own rows and columns;
    /// the products inside run on one thread each).
    func forEachGroup(_ layout: SequenceLayout, _ body: (Range<Int>, Int) -> Void) {
        let segments = layout.segments
        Parallel.forEach(segments.count * kvHeads) { body(segments[$0 / kvHeads], $0 % kvHeads) }
    }

    /// The query rows of KV group `g` of one sequence, token-major: row t·rep + r is head g·rep + r of token t.
    func gather(_ x: Tensor, seg: Range<Int>, group g: Int) -> UnsafeMutablePointer<Float> {
        let rep = heads / kvHeads, d = headDim
        let out = UnsafeMutablePointer<Float>.allocate(capacity: seg.count * rep * d)
        for t in 0..<seg.count { (out + t * rep * d).update(from: x.row(seg.lowerBound + t) + g * rep * d, count: rep * d) }
        return out
    }

    func scatter(_ src: UnsafePointer<Float>, into x: Tensor, seg: Range<Int>, group g: Int) {
        let rep = heads / kvHeads, d = headDim
        for t in 0..<seg.count { (x.row(seg.lowerBound + t) + g * rep * d).update(from: src + t * rep * d, count: rep * d) }
    }

    /// Calls `body(P, rows, keys, Qgroup)` with the causal softmax probabilities of one group.
    func groupAttention(q: Tensor, k: Tensor, v: Tensor, seg: Range<Int>, group g: Int,
                        _ body: (UnsafeMutablePointer<Float>, Int, Int, UnsafeMutablePointer<Float>) -> Void) {
        let rep = heads / kvHeads, d = headDim
        let rows = seg.count * rep, keys = seg.count
        let qt = gather(q, seg: seg, group: g)
        let p = UnsafeMutablePointer<Float>.allocate(capacity: rows * keys)
        defer { qt.deallocate(); p.deallocate() }
        BLAS.gemm(transB: true, m: rows, n: keys, k: d, alpha: 1 / Float(d).squareRoot(), a: qt, lda: d,
                  b: k.pointer + seg.lowerBound * k.cols + g * d, ldb: k.cols, c: p, ldc: keys)
        for r in 0..<rows {
            let visible = r / rep + 1
            let row = p + r * keys
            Softmax.inPlace(row, visible)
            if visible < keys { (row + visible).update(repeating: 0, count: keys - visible) }
        }
        body(p, rows, keys, qt)
    }
}
