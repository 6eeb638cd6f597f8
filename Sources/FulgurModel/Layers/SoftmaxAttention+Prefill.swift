import FulgurTensor

/// The prefill path of causal softmax attention: one query tile (a chunk of query tokens
/// times the query heads of one KV group) against the cached keys and values, key tile by key
/// tile with a running maximum and sum per row (online softmax), so every product is a BLAS
/// GEMM of a useful size, a tile of scores stays in L2, and key tiles past the tile's last
/// query are never touched:
///
///     S = scale · Q K_tileᵀ (causal mask);  m' = max(m, rowmax S);  P = e^(S − m')
///     l ← l · e^(m − m') + rowsum P;  O ← O · e^(m − m') + P V_tile;   finally O / l
extension SoftmaxAttention {
    /// Query tokens per tile (times the group's query heads gives the GEMM rows).
    static let prefillQueryTokens = 64
    /// Keys per tile.
    static let prefillKeyTile = 256

    /// Scratch for one query tile, reused across the tiles a thread runs.
    final class PrefillScratch {
        let q: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>
        let rowMax: UnsafeMutablePointer<Float>, rowSum: UnsafeMutablePointer<Float>
        init(rows: Int, dim: Int) {
            q = .allocate(capacity: rows * dim)
            scores = .allocate(capacity: rows * SoftmaxAttention.prefillKeyTile)
            out = .allocate(capacity: rows * dim)
            rowMax = .allocate(capacity: rows)
            rowSum = .allocate(capacity: rows)
        }
        deinit { q.deallocate(); scores.deallocate(); out.deallocate(); rowMax.deallocate(); rowSum.deallocate() }
    }

    /// Attention of query tokens `start ..< start + count` of a segment (its first token at
    /// cache position `position`, rows from `row` in `q`/`o`, stride `heads · D`) for the query
    /// heads of KV group `group`, over that segment's KV cache.
    func attendTile(q: UnsafePointer<Float>, o: UnsafeMutablePointer<Float>, row: Int, position: Int, start: Int, count: Int,
                    group: Int, cache: KVCache, scale: Float, scratch s: PrefillScratch) {
        let rep = heads / kvHeads, d = headDim, ld = heads * d
        let rows = count * rep, tile = SoftmaxAttention.prefillKeyTile
        let nKeys = position + start + count
        for t in 0..<count {
            (s.q + t * rep * d).update(from: q + (row + start + t) * ld + group * rep * d, count: rep * d)
        }
        s.out.update(repeating: 0, count: rows * d)
        s.rowMax.update(repeating: -.infinity, count: rows)
        s.rowSum.update(repeating: 0, count: rows)
        let keys = cache.keys(head: group), values = cache.values(head: group)
        var kb = 0
        while kb < nKeys {
            let kn = min(tile, nKeys - kb)
            BLAS.gemm(transB: true, m: rows, n: kn, k: d, alpha: scale, a: s.q, lda: d, b: keys + kb * d, ldb: d,
                      c: s.scores, ldc: kn)
            for r in 0..<rows {
                let sr = s.scores + r * kn
                // keys 0 ..< position + start + r/rep + 1 are visible to this row
                let valid = max(0, min(kn, position + start + r / rep + 1 - kb))
                if valid < kn { (sr + valid).update(repeating: 0, count: kn - valid) }
                if valid == 0 { continue }
                let old = s.rowMax[r], m = max(old, Vec.max(sr, valid))
                let sum = Act.expShifted(sr, sr, valid, shift: m)
                if old != -.infinity && old != m {
                    let c = Act.exp(old - m)
                    s.rowSum[r] *= c
                    Vec.scale(s.out + r * d, c, d)
                }
                s.rowSum[r] += sum
                s.rowMax[r] = m
            }
            BLAS.gemm(m: rows, n: d, k: kn, a: s.scores, lda: kn, b: values + kb * d, ldb: d, beta: 1, c: s.out, ldc: d)
            kb += kn
        }
        for t in 0..<count {
            let dst = o + (row + start + t) * ld + group * rep * d
            for h in 0..<rep {
                let r = t * rep + h, inv = 1 / s.rowSum[r]
                for c in 0..<d { dst[h * d + c] = s.out[r * d + c] * inv }
            }
        }
    }
}
