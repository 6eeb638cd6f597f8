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
        Parallel.forEach(layout.segments.count * kvHeads) { i in
            let (seg, g) = (i / self.kvHeads, i % self.kvHeads)
            self.groupAttention(q: q, k: k, v: v, layout, seg: seg, group: g) { a in
                // O = P V, scattered back to the heads of the group
                let ot = UnsafeMutablePointer<Float>.allocate(capacity: a.rows * self.headDim)
                defer { ot.deallocate() }
                BLAS.gemm(m: a.rows, n: self.headDim, k: a.keys, a: a.p, lda: a.keys, b: a.v, ldb: self.headDim, c: ot, ldc: self.headDim)
                self.scatter(ot, into: o, rows: layout.segments[seg], group: g)
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
        // per (segment, group): dK and dV of the keys it sees; its own rows are written here, the
        // parent's rows (a shared prompt seen by several continuations) are summed afterwards
        let toParent = Parallel.map(layout.segments.count * kvHeads) { i -> (dk: [Float], dv: [Float]) in
            let (seg, grp) = (i / self.kvHeads, i % self.kvHeads)
            let (prefix, own) = layout.visibleRows(seg)
            var sent: (dk: [Float], dv: [Float]) = ([], [])
            self.groupAttention(q: tape.q, k: tape.k, v: tape.v, layout, seg: seg, group: grp) { a in
                let rows = a.rows, keys = a.keys
                let dot = self.gather(dO, rows: own, group: grp)   // [rows, D]
                let ot = self.gather(tape.o, rows: own, group: grp)
                let dk = UnsafeMutablePointer<Float>.allocate(capacity: keys * d)
                let dv = UnsafeMutablePointer<Float>.allocate(capacity: keys * d)
                let ds = UnsafeMutablePointer<Float>.allocate(capacity: rows * keys)
                let dqt = UnsafeMutablePointer<Float>.allocate(capacity: rows * d)
                defer { dot.deallocate(); ot.deallocate(); dk.deallocate(); dv.deallocate(); ds.deallocate(); dqt.deallocate() }
                // dV = Pᵀ dO
                BLAS.gemm(transA: true, m: keys, n: d, k: rows, a: a.p, lda: keys, b: dot, ldb: d, c: dv, ldc: d)
                // dP = dO Vᵀ, then dS = P ⊙ (dP − rowsum(dO ⊙ O)) in place of dP
                BLAS.gemm(transB: true, m: rows, n: keys, k: d, a: dot, lda: d, b: a.v, ldb: d, c: ds, ldc: keys)
                for r in 0..<rows {
                    let delta = Vec.dot(dot + r * d, ot + r * d, d)
                    let visible = a.visible(r)
                    let pr = a.p + r * keys, dr = ds + r * keys
                    for j in 0..<visible { dr[j] = pr[j] * (dr[j] - delta) }
                    if visible < keys { (dr + visible).update(repeating: 0, count: keys - visible) }
                }
                // dQ = dS K · scale, dK = dSᵀ Q · scale
                BLAS.gemm(m: rows, n: d, k: keys, alpha: scale, a: ds, lda: keys, b: a.k, ldb: d, c: dqt, ldc: d)
                self.scatter(dqt, into: dQ, rows: own, group: grp)
                BLAS.gemm(transA: true, m: keys, n: d, k: rows, alpha: scale, a: ds, lda: keys, b: a.q, ldb: d, c: dk, ldc: d)
                for t in 0..<own.count {
                    (dK.row(own.lowerBound + t) + grp * d).update(from: dk + (prefix.count + t) * d, count: d)
                    (dV.row(own.lowerBound + t) + grp * d).update(from: dv + (prefix.count + t) * d, count: d)
                }
                sent = (Array(UnsafeBufferPointer(start: dk, count: prefix.count * d)),
                        Array(UnsafeBufferPointer(start: dv, count: prefix.count * d)))
            }
            return sent
        }
        for (i, sent) in toParent.enumerated() where !sent.dk.isEmpty {
            let (seg, grp) = (i / kvHeads, i % kvHeads)
            let prefix = layout.visibleRows(seg).prefix
            sent.dk.withUnsafeBufferPointer { dk in
                sent.dv.withUnsafeBufferPointer { dv in
                    for t in 0..<prefix.count {
                        Vec.axpy(1, dk.baseAddress! + t * d, dK.row(prefix.lowerBound + t) + grp * d, d)
                        Vec.axpy(1, dv.baseAddress! + t * d, dV.row(prefix.lowerBound + t) + grp * d, d)
                    }
                }
            }
        }
        rotate(q: dQ, k: dK, layout, inverse: true)
        let dh = Tensor(shape: tape.h.shape, zeroed: false)
        linearBackward(x: tape.h, w: qProj, dy: dQ, dx: dh, accumulateDx: false, dw: g[qProj])
        linearBackward(x: tape.h, w: kProj, dy: dK, dx: dh, accumulateDx: true, dw: g[kProj])
        linearBackward(x: tape.h, w: vProj, dy: dV, dx: dh, accumulateDx: true, dw: g[vProj])
        return dh
    }

    /// RoPE at each segment's positions (a continuation's follow its parent's); `inverse`
    /// rotates by −φ (its transpose, for gradients).
    func rotate(q: Tensor, k: Tensor, _ layout: SequenceLayout, inverse: Bool) {
        guard rope.rotaryDim > 0 else { return }
        let half = rope.rotaryDim / 2
        var cs = [Float](repeating: 0, count: rope.rotaryDim)
        cs.withUnsafeMutableBufferPointer { cs in
            let c = cs.baseAddress!
            for (seg, start) in zip(layout.segments, layout.positions) {
                for t in 0..<seg.count {
                    rope.angles(position: start + t, into: c)
                    if inverse { for i in 0..<half { c[half + i] = -c[half + i] } }
                    rope.apply(q.row(seg.lowerBound + t), heads: heads, headDim: headDim, cs: c)
                    rope.apply(k.row(seg.lowerBound + t), heads: kvHeads, headDim: headDim, cs: c)
                }
            }
        }
    }

    /// The rows' vectors of group `g`, contiguous: query-shaped tensors (H heads) give row
    /// t·rep + r for head g·rep + r of token t; key-shaped ones (Hkv heads) one row per token.
    func gather(_ x: Tensor, rows: Range<Int>..., group g: Int) -> UnsafeMutablePointer<Float> {
        let width = x.cols / kvHeads
        let out = UnsafeMutablePointer<Float>.allocate(capacity: max(1, rows.reduce(0) { $0 + $1.count } * width))
        var t = 0
        for range in rows {
            for r in range { (out + t * width).update(from: x.row(r) + g * width, count: width); t += 1 }
        }
        return out
    }

    func scatter(_ src: UnsafePointer<Float>, into x: Tensor, rows: Range<Int>, group g: Int) {
        let width = x.cols / kvHeads
        for t in 0..<rows.count { (x.row(rows.lowerBound + t) + g * width).update(from: src + t * width, count: width) }
    }

    /// One (segment, KV group) of attention: the group's queries of the segment's rows, the keys
    /// and values it sees (the parent's rows, then its own) and the causal softmax probabilities.
    struct GroupAttention {
        let q: UnsafeMutablePointer<Float>  // [rows, D], rows = tokens × rep
        let k: UnsafeMutablePointer<Float>  // [keys, D]
        let v: UnsafeMutablePointer<Float>  // [keys, D]
        let p: UnsafeMutablePointer<Float>  // [rows, keys]
        let rows: Int, keys: Int, prefix: Int, rep: Int
        /// Keys query row r sees: the prefix and its own segment up to its token.
        func visible(_ r: Int) -> Int { prefix + r / rep + 1 }
    }

    func groupAttention(q: Tensor, k: Tensor, v: Tensor, _ layout: SequenceLayout, seg: Int, group g: Int,
                        _ body: (GroupAttention) -> Void) {
        let rep = heads / kvHeads, d = headDim
        let (prefix, own) = layout.visibleRows(seg)
        let rows = own.count * rep, keys = prefix.count + own.count
        let a = GroupAttention(q: gather(q, rows: own, group: g), k: gather(k, rows: prefix, own, group: g),
                               v: gather(v, rows: prefix, own, group: g),
                               p: .allocate(capacity: max(1, rows * keys)), rows: rows, keys: keys, prefix: prefix.count, rep: rep)
        defer { a.q.deallocate(); a.k.deallocate(); a.v.deallocate(); a.p.deallocate() }
        BLAS.gemm(transB: true, m: rows, n: keys, k: d, alpha: 1 / Float(d).squareRoot(), a: a.q, lda: d,
                  b: a.k, ldb: d, c: a.p, ldc: keys)
        for r in 0..<rows {
            let visible = a.visible(r)
            let row = a.p + r * keys
            Softmax.inPlace(row, visible)
            if visible < keys { (row + visible).update(repeating: 0, count: keys - visible) }
        }
        body(a)
    }
}
