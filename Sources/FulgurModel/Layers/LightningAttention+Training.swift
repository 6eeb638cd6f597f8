import FulgurTensor

/// Training forward (saving activations) and the block-wise backward of lightning attention.
///
/// Backward, per head, with A = (dO Vᵀ) ⊙ M, C = (Q Kᵀ) ⊙ M, the forward's block-start states
/// S_b and a reverse state R = Σ_{t ≥ end of block} λ^(t−end) q_tᵀ do_t (blocks in reverse):
///
///     dQ = A K + (dO ⊙ λ^(i+1)) S_bᵀ
///     dK = Aᵀ Q + (V ⊙ λ^(m−j)) Rᵀ
///     dV = Cᵀ dO + (K ⊙ λ^(m−j)) R
///     R ← λ^m R + (Q ⊙ λ^i)ᵀ dO
///
/// A segment that continues another (a shared prompt) starts from the parent's final state,
/// and its R at its start (Σ_t λ^t q_tᵀ do_t) is R at the parent's end: the parent's backward
/// starts from the sum over its continuations.
///
/// O(n·B·d + n·d²) time and no n×n memory.
extension LightningAttention {
    public final class Tape {
        let h: Tensor       // layer input [N, d]
        let zPre: Tensor    // q|k|v before SiLU [N, 3HD]
        let z: Tensor       // after SiLU
        let o: Tensor       // attention output before the norm [N, HD]
        let invRMS: [Float]
        let normed: Tensor  // RMSNorm(o) ⊙ w
        let gate: Tensor    // σ(h W_gateᵀ)
        let gated: Tensor   // normed ⊙ gate (input of out_proj)
        /// Block-start states per (segment, head, block): [D, D] each.
        let states: [[Tensor]]
        init(h: Tensor, zPre: Tensor, z: Tensor, o: Tensor, invRMS: [Float], normed: Tensor, gate: Tensor, gated: Tensor, states: [[Tensor]]) {
            self.h = h; self.zPre = zPre; self.z = z; self.o = o; self.invRMS = invRMS
            self.normed = normed; self.gate = gate; self.gated = gated; self.states = states
        }
    }

    public func trainingForward(_ h: Tensor, _ layout: SequenceLayout) -> (Tensor, Tape) {
        let n = h.rows, hd = heads * headDim
        let zPre = h.linear(qkvProj)
        let z = Tensor(shape: zPre.shape, zeroed: false)
        elementwise(z.count) { Act.silu(zPre.pointer + $0, z.pointer + $0, $1) }
        let o = Tensor(shape: [n, hd])
        let zp = SendablePointer(z.pointer), op = SendablePointer(o.pointer)
        let minChunk = n * heads * headDim * headDim >= parallelMixingWork ? 1 : Int.max
        // per (segment, head): the block-start states, and the final state of a continued segment
        var states = [[Tensor]](repeating: [], count: layout.segments.count * heads)
        var finals = [Tensor?](repeating: nil, count: layout.segments.count * heads)
        for phase in layout.phases {
            let carried = finals
            let results = Parallel.map(phase.count * heads, minChunk: minChunk) { j in
                let si = phase[j / self.heads], h = j % self.heads, seg = layout.segments[si]
                let s = layout.parents[si].map { carried[$0 * self.heads + h]!.copy() } ?? Tensor(shape: [self.headDim, self.headDim])
                var saved: [Tensor] = []
                self.prefill(qkv: zp.p, o: op.p, row: seg.lowerBound, count: seg.count, head: h, state: s.pointer) {
                    saved.append(s.copy())
                }
                return (saved, s)
            }
            for (j, (saved, final)) in results.enumerated() {
                let i = phase[j / heads] * heads + j % heads
                states[i] = saved
                finals[i] = final
            }
        }
        var inv = [Float](repeating: 0, count: n)
        let normed = Tensor(shape: [n, hd], zeroed: false)
        inv.withUnsafeMutableBufferPointer {
            Norm.rmsRows(o.pointer, norm.pointer, normed.pointer, invRMS: $0.baseAddress!, rows: n, n: hd, eps: ModelConfig.lightningNormEps)
        }
        let gate = h.linear(outputGate)
        let gated = Tensor(shape: [n, hd], zeroed: false)
        elementwise(gate.count) { at, count in
            Act.sigmoid(gate.pointer + at, gate.pointer + at, count)
            Vec.mul(normed.pointer + at, gate.pointer + at, gated.pointer + at, count)
        }
        let out = gated.linear(outProj)
        return (out, Tape(h: h, zPre: zPre, z: z, o: o, invRMS: inv, normed: normed, gate: gate, gated: gated, states: states))
    }

    /// Iterates the blocks of a segment: (start, length).
    func blocks(count: Int, _ body: (Int, Int) -> Void) {
        var s = 0
        while s < count { let m = min(blockSize, count - s); body(s, m); s += m }
    }

    /// Returns dh (gradient of the layer input) and accumulates parameter gradients.
    public func backward(_ dOut: Tensor, _ tape: Tape, _ layout: SequenceLayout, _ g: Gradients) -> Tensor {
        let n = dOut.rows, hd = heads * headDim
        let dGated = Tensor(shape: [n, hd], zeroed: false)
        linearBackward(x: tape.gated, w: outProj, dy: dOut, dx: dGated, accumulateDx: false, dw: g[outProj])
        // gated = normed ⊙ σ(gp)
        let dNormed = Tensor(shape: [n, hd], zeroed: false)
        let dGatePre = Tensor(shape: [n, hd], zeroed: false)
        elementwise(dGated.count) { at, count in
            for i in at..<at + count {
                let s = tape.gate.pointer[i], dy = dGated.pointer[i]
                dNormed.pointer[i] = dy * s
                dGatePre.pointer[i] = dy * tape.normed.pointer[i] * s * (1 - s)
            }
        }
        let dh = Tensor(shape: tape.h.shape, zeroed: false)
        linearBackward(x: tape.h, w: outputGate, dy: dGatePre, dx: dh, accumulateDx: false, dw: g[outputGate])
        // RMSNorm over all heads
        let dO = Tensor(shape: [n, hd], zeroed: false)
        Norm.rmsBackwardRows(dNormed.pointer, tape.o.pointer, norm.pointer, invRMS: tape.invRMS, dO.pointer,
                             accumulate: false, dw: g[norm].pointer, rows: n, n: hd)
        // token mixing
        let dZ = Tensor(shape: tape.z.shape)
        let zp = SendablePointer(tape.z.pointer), dop = SendablePointer(dO.pointer), dzp = SendablePointer(dZ.pointer)
        let minChunk = n * heads * headDim * headDim >= parallelMixingWork ? 1 : Int.max
        // continuations first: what they send back into their parent's final state (R) starts
        // the parent's backward
        var sentBack = [Tensor?](repeating: nil, count: layout.segments.count * heads)
        for phase in layout.phases.reversed() {
            let incoming = sentBack
            let results = Parallel.map(phase.count * heads, minChunk: minChunk) { j in
                let si = phase[j / self.heads], h = j % self.heads
                return self.mixBackward(z: zp.p, dO: dop.p, dZ: dzp.p, rows: layout.segments[si], head: h,
                                        states: tape.states[si * self.heads + h], future: incoming[si * self.heads + h])
            }
            for (j, r) in results.enumerated() {
                guard let p = layout.parents[phase[j / heads]] else { continue }
                let i = p * heads + j % heads
                if let acc = sentBack[i] { Vec.axpy(1, r.pointer, acc.pointer, r.count) } else { sentBack[i] = r }
            }
        }
        // SiLU, then the qkv projection
        elementwise(dZ.count) { Act.siluBackward(tape.zPre.pointer + $0, dZ.pointer + $0, dZ.pointer + $0, $1) }
        linearBackward(x: tape.h, w: qkvProj, dy: dZ, dx: dh, accumulateDx: true, dw: g[qkvProj])
        return dh
    }

    /// The backward of one segment and head. `future` is R at the segment's end (what later
    /// tokens that continue this segment send back, nil for none); returns R at its start.
    func mixBackward(z: UnsafeMutablePointer<Float>, dO: UnsafeMutablePointer<Float>, dZ: UnsafeMutablePointer<Float>,
                     rows seg: Range<Int>, head h: Int, states: [Tensor], future: Tensor? = nil) -> Tensor {
        let d = headDim, ldz = 3 * heads * d, ldo = heads * d
        let bmax = max(1, min(blockSize, seg.count))
        let a = UnsafeMutablePointer<Float>.allocate(capacity: bmax * bmax)
        let scaled = UnsafeMutablePointer<Float>.allocate(capacity: bmax * d)
        let r = future?.copy() ?? Tensor(shape: [d, d])
        defer { a.deallocate(); scaled.deallocate() }
        let pw = decayPowers[h]
        // rev[x] = λ^(bmax−1−x): row i of the mask is rev[bmax−1−i …] (contiguous, as in `prefill`)
        let rev = UnsafeMutablePointer<Float>.allocate(capacity: bmax)
        defer { rev.deallocate() }
        for x in 0..<bmax { rev[x] = pw[bmax - 1 - x] }
        var starts: [(Int, Int)] = []
        blocks(count: seg.count) { starts.append(($0, $1)) }
        for (b, (start, m)) in starts.enumerated().reversed() {
            let row = seg.lowerBound + start
            let q = z + row * ldz + h * 3 * d, k = q + d, v = q + 2 * d
            let dq = dZ + row * ldz + h * 3 * d, dk = dq + d, dv = dq + 2 * d
            let go = dO + row * ldo + h * d
            let s = states[b].pointer
            // A = (dO Vᵀ) ⊙ M
            BLAS.gemm(transB: true, m: m, n: m, k: d, a: go, lda: ldo, b: v, ldb: ldz, c: a, ldc: m)
            applyDecayMask(a, m, rev + bmax - 1)
            // dQ = A K + (dO ⊙ λ^(i+1)) Sᵀ
            BLAS.gemm(m: m, n: d, k: m, a: a, lda: m, b: k, ldb: ldz, c: dq, ldc: ldz)
            for i in 0..<m { let f = pw[i + 1]; for j in 0..<d { scaled[i * d + j] = go[i * ldo + j] * f } }
            BLAS.gemm(transB: true, m: m, n: d, k: d, a: scaled, lda: d, b: s, ldb: d, beta: 1, c: dq, ldc: ldz)
            // dK = Aᵀ Q + (V ⊙ λ^(m−j)) Rᵀ
            BLAS.gemm(transA: true, m: m, n: d, k: m, a: a, lda: m, b: q, ldb: ldz, c: dk, ldc: ldz)
            for i in 0..<m { let f = pw[m - i]; for j in 0..<d { scaled[i * d + j] = v[i * ldz + j] * f } }
            BLAS.gemm(transB: true, m: m, n: d, k: d, a: scaled, lda: d, b: r.pointer, ldb: d, beta: 1, c: dk, ldc: ldz)
            // dV = Cᵀ dO + (K ⊙ λ^(m−j)) R, with C = (Q Kᵀ) ⊙ M
            BLAS.gemm(transB: true, m: m, n: m, k: d, a: q, lda: ldz, b: k, ldb: ldz, c: a, ldc: m)
            applyDecayMask(a, m, rev + bmax - 1)
            BLAS.gemm(transA: true, m: m, n: d, k: m, a: a, lda: m, b: go, ldb: ldo, c: dv, ldc: ldz)
            for i in 0..<m { let f = pw[m - i]; for j in 0..<d { scaled[i * d + j] = k[i * ldz + j] * f } }
            BLAS.gemm(m: m, n: d, k: d, a: scaled, lda: d, b: r.pointer, ldb: d, beta: 1, c: dv, ldc: ldz)
            // R ← λ^m R + (Q ⊙ λ^i)ᵀ dO
            for i in 0..<m { let f = pw[i]; for j in 0..<d { scaled[i * d + j] = q[i * ldz + j] * f } }
            BLAS.gemm(transA: true, m: d, n: d, k: m, a: scaled, lda: d, b: go, ldb: ldo, beta: pw[m], c: r.pointer, ldc: d)
        }
        return r
    }

    /// a[i,j] *= λ^(i−j) for j ≤ i, 0 above the diagonal; `last[−x]` = λ^x.
    @inline(__always)
    func applyDecayMask(_ a: UnsafeMutablePointer<Float>, _ m: Int, _ last: UnsafeMutablePointer<Float>) {
        for i in 0..<m {
            let row = a + i * m, mask = last - i
            for j in 0...i { row[j] *= mask[j] }
            if i + 1 < m { (row + i + 1).update(repeating: 0, count: m - i - 1) }
        }
    }
}

/// Work (rows · heads · d²) from which the per-(segment, head) token mixing runs in parallel.
let parallelMixingWork = 200_000
