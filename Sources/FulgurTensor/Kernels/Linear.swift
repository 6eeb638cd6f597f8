import RealModule
#if canImport(CFulgurBLAS)
import CFulgurBLAS
#endif

/// y[M,N] = x[M,K] · Wᵀ for W stored [N,K] (the `nn.Linear` product), choosing the kernel:
/// for a few rows (decode steps), a streaming kernel that reads each weight row once, in
/// order, and dots it with every input row while it sits in L1 — BLAS GEMM would first copy
/// ("pack") the whole weight matrix, which for small M costs more than the product; for many
/// rows, BLAS GEMM. Weights may be Float32 or bf16 (widened in registers).
public enum Linear {
    /// Row counts up to this use the streaming kernel.
    nonisolated(unsafe) public static var streamingMaxRows = 8

    /// One product of a batch: y[m, n] = x[m, k] · w[n, k]ᵀ, rows of x and y contiguous.
    public struct Job: @unchecked Sendable {
        public var x: UnsafePointer<Float>
        public var w: WeightData
        public var y: UnsafeMutablePointer<Float>
        public var m: Int, n: Int, k: Int
        /// Weights that this step will not read again (routed experts): fetched with a
        /// non-temporal hint so they do not evict the weights every step reads from the caches.
        public var readOnce: Bool

        @inlinable
        public init(x: UnsafePointer<Float>, w: WeightData, y: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, readOnce: Bool = false) {
            self.x = x; self.w = w; self.y = y; self.m = m; self.n = n; self.k = k; self.readOnce = readOnce
        }
    }

    public static func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                               m: Int, n: Int, k: Int, beta: Float = 0) {
        if m <= streamingMaxRows && beta == 0 {
            stream([Job(x: x, w: .f32(w), y: y, m: m, n: n, k: k)])
        } else {
            BLAS.linear(x, w, y, m: m, n: n, k: k, beta: beta)
        }
    }

    public static func forward(_ x: UnsafePointer<Float>, _ w: WeightData, _ y: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int) {
        forward([Job(x: x, w: w, y: y, m: m, n: n, k: k)])
    }

    /// Runs several independent products. The small ones share one parallel region (one
    /// fork-join for, e.g., the q/k/v/gate projections of a decode step or the chosen experts).
    public static func forward(_ jobs: [Job]) {
        var small: [Job] = []
        for j in jobs where j.m > 0 && j.n > 0 {
            if j.m <= streamingMaxRows { small.append(j) } else { blas(j) }
        }
        if !small.isEmpty { stream(small) }
    }

    /// BLAS for many rows; bf16 weights are widened into a scratch matrix first (the copy is
    /// small next to an M-row product).
    static func blas(_ j: Job) {
        switch j.w {
        case .f32(let w):
            BLAS.linear(j.x, w, j.y, m: j.m, n: j.n, k: j.k)
        case .bf16(let w):
            let t = UnsafeMutablePointer<Float>.allocate(capacity: j.n * j.k)
            defer { t.deallocate() }
            Convert.bf16ToF32(UnsafeRawPointer(w), t, count: j.n * j.k)
            BLAS.linear(j.x, t, j.y, m: j.m, n: j.n, k: j.k)
        }
    }

    /// The streaming kernel over all jobs: the weight rows of every job are split into equal
    /// slices, several per thread (a thread that starts late, on a loaded machine, then takes
    /// fewer slices instead of holding up the step).
    public static func stream(_ jobs: [Job]) {
        var work = 0
        for j in jobs { work += j.m * j.n * j.k }
        let parts = work < 32_768 ? 1 : min(4 * Parallel.threads, max(1, work / 16_384))
        if parts == 1 {
            for j in jobs { rows(j, 0, j.n) }
            return
        }
        jobs.withUnsafeBufferPointer { jb in
            let js = SendablePointer(UnsafeMutablePointer(mutating: jb.baseAddress!)), count = jb.count
            Parallel.tasks(parts) { p in
                for i in 0..<count {
                    let j = js.p[i]
                    rows(j, j.n * p / parts, j.n * (p + 1) / parts)
                }
            }
        }
    }

    @inline(__always)
    static func rows(_ j: Job, _ lo: Int, _ hi: Int) {
        if lo >= hi { return }
        switch j.w {
        case .f32(let w): rows(j.x, w, j.y, m: j.m, n: j.n, k: j.k, lo, hi, readOnce: j.readOnce)
        case .bf16(let w): rows(j.x, w, j.y, m: j.m, n: j.n, k: j.k, lo, hi, readOnce: j.readOnce)
        }
    }

    /// Weight rows lo..<hi, each read once front to back (the access pattern hardware
    /// prefetchers follow best) and dotted with the m input rows two at a time, so each weight
    /// vector is loaded — and widened in registers when bf16 — once per pair. (bf16 rows used
    /// to be widened into an L1 buffer first, a pass that stalled on DRAM with nothing to
    /// overlap: a G = 8 bf16 rollout took 362 ms, now 306; f32 and single-stream decode
    /// unchanged or slightly faster, alternating runs.)
    ///
    /// Rows read once per step (routed experts) are prefetched about 2 KB ahead with the
    /// non-temporal hint: on this AMD machine such lines are not passed on to L2 and the L3
    /// victim cache, so the ≈ 12 MB of weights every decode step reads (attention, LM head) can
    /// stay in the 32 MB L3 while the experts stream past (single-stream decode +4–15 % in
    /// alternating A/B runs: 336 → 349 tok/s at 512 and 290 → 316 at 4K over 4 pairs, 338 → 391
    /// at 512 over 6).
    @inline(__always)
    static func rows<W: StreamedWeight>(_ x: UnsafePointer<Float>, _ w: UnsafePointer<W>, _ y: UnsafeMutablePointer<Float>,
                                        m: Int, n: Int, k: Int, _ lo: Int, _ hi: Int, readOnce: Bool) {
        let rowBytes = k * MemoryLayout<W>.stride
        let ahead = max(2, readOnceBytesAhead / max(rowBytes, 1))
        for r in lo..<hi {
            let wr = w + r * k
            if readOnce && r + ahead < hi { prefetchOnce(wr + ahead * k, bytes: rowBytes) }
            var i = 0
            while i + 2 <= m {
                let (a, b) = Dot.pair(x + i * k, x + (i + 1) * k, wr, k)
                y[i * n + r] = a
                y[(i + 1) * n + r] = b
                i += 2
            }
            if i < m { y[i * n + r] = Dot.single(x + i * k, wr, k) }
        }
    }

    /// How far ahead routed-expert rows are prefetched (at least two rows).
    static let readOnceBytesAhead = 2048

    @inline(__always)
    static func prefetchOnce<T>(_ p: UnsafePointer<T>, bytes: Int) {
        #if canImport(CFulgurBLAS)
        let raw = UnsafeRawPointer(p)
        var o = 0
        while o < bytes { fulgur_prefetch_nta(raw + o); o += 64 }
        #endif
    }
}

/// A weight element the streaming kernel reads: Float32, or bf16 bits (`UInt16`) widened
/// exactly in registers (a bf16 value is the top half of a Float).
public protocol StreamedWeight {
    static func load8(_ p: UnsafePointer<Self>) -> SIMD8<Float>
    static func widen(_ v: Self) -> Float
}

extension Float: StreamedWeight {
    @inlinable @inline(__always)
    public static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
    @inlinable @inline(__always)
    public static func widen(_ v: Float) -> Float { v }
}

extension UInt16: StreamedWeight {
    /// The same widening as `Convert.bf16ToF32`, written out here on purpose: routing this
    /// through a shared `@inlinable` helper left `SIMD8.init(truncatingIfNeeded:)` as an
    /// out-of-line call and made batch-8 bf16 generation 2× slower.
    @inlinable @inline(__always)
    public static func load8(_ p: UnsafePointer<UInt16>) -> SIMD8<Float> {
        let h = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<UInt16>.self)
        return unsafeBitCast(SIMD8<UInt32>(truncatingIfNeeded: h) &<< 16, to: SIMD8<Float>.self)
    }
    @inlinable @inline(__always)
    public static func widen(_ v: UInt16) -> Float { Float(bitPattern: UInt32(v) &<< 16) }
}

/// The streaming kernel's dot products, in one fixed order whether a row is dotted alone or
/// paired with another: four SIMD8 partial sums over blocks of 32 (then 8-wide blocks into
/// the first ones), summed (a0 + a1) + (a2 + a3) and across lanes by halves, plus a scalar
/// tail. So a row's output does not depend on the batch it decodes in. Multiply and add are
/// separate (explicit SIMD FMA is a libm call per lane on targets without FMA); the kernel
/// is bound by loads, not arithmetic.
public enum Dot {
    @inlinable @inline(__always)
    public static func single<W: StreamedWeight>(_ x: UnsafePointer<Float>, _ w: UnsafePointer<W>, _ k: Int) -> Float {
        var a0 = SIMD8<Float>(), a1 = a0, a2 = a0, a3 = a0
        var c = 0
        while c + 32 <= k {
            a0 += Float.load8(x + c) * W.load8(w + c)
            a1 += Float.load8(x + c + 8) * W.load8(w + c + 8)
            a2 += Float.load8(x + c + 16) * W.load8(w + c + 16)
            a3 += Float.load8(x + c + 24) * W.load8(w + c + 24)
            c += 32
        }
        if c + 8 <= k { a0 += Float.load8(x + c) * W.load8(w + c); c += 8 }
        if c + 8 <= k { a1 += Float.load8(x + c) * W.load8(w + c); c += 8 }
        if c + 8 <= k { a2 += Float.load8(x + c) * W.load8(w + c); c += 8 }
        var tail: Float = 0
        while c < k { tail += x[c] * W.widen(w[c]); c += 1 }
        return total(a0, a1, a2, a3) + tail
    }

    /// (x0 · w, x1 · w), each exactly as `single` computes it, loading w once.
    @inlinable @inline(__always)
    public static func pair<W: StreamedWeight>(_ x0: UnsafePointer<Float>, _ x1: UnsafePointer<Float>,
                                               _ w: UnsafePointer<W>, _ k: Int) -> (Float, Float) {
        var a0 = SIMD8<Float>(), a1 = a0, a2 = a0, a3 = a0
        var b0 = a0, b1 = a0, b2 = a0, b3 = a0
        var c = 0
        while c + 32 <= k {
            let w0 = W.load8(w + c), w1 = W.load8(w + c + 8), w2 = W.load8(w + c + 16), w3 = W.load8(w + c + 24)
            a0 += Float.load8(x0 + c) * w0
            a1 += Float.load8(x0 + c + 8) * w1
            a2 += Float.load8(x0 + c + 16) * w2
            a3 += Float.load8(x0 + c + 24) * w3
            b0 += Float.load8(x1 + c) * w0
            b1 += Float.load8(x1 + c + 8) * w1
            b2 += Float.load8(x1 + c + 16) * w2
            b3 += Float.load8(x1 + c + 24) * w3
            c += 32
        }
        if c + 8 <= k { let v = W.load8(w + c); a0 += Float.load8(x0 + c) * v; b0 += Float.load8(x1 + c) * v; c += 8 }
        if c + 8 <= k { let v = W.load8(w + c); a1 += Float.load8(x0 + c) * v; b1 += Float.load8(x1 + c) * v; c += 8 }
        if c + 8 <= k { let v = W.load8(w + c); a2 += Float.load8(x0 + c) * v; b2 += Float.load8(x1 + c) * v; c += 8 }
        var ta: Float = 0, tb: Float = 0
        while c < k { let v = W.widen(w[c]); ta += x0[c] * v; tb += x1[c] * v; c += 1 }
        return (total(a0, a1, a2, a3) + ta, total(b0, b1, b2, b3) + tb)
    }

    @inlinable @inline(__always)
    static func total(_ a0: SIMD8<Float>, _ a1: SIMD8<Float>, _ a2: SIMD8<Float>, _ a3: SIMD8<Float>) -> Float {
        let v = (a0 + a1) + (a2 + a3)
        let h = v.lowHalf + v.highHalf
        let q = h.lowHalf + h.highHalf
        return q[0] + q[1]
    }

    /// Float32 dot with fused multiply-adds where the target has them (attention scores).
    @inlinable @inline(__always)
    public static func f32(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc: Float = 0
        for i in 0..<n { acc = Relaxed.multiplyAdd(a[i], b[i], acc) }
        return acc
    }
}
