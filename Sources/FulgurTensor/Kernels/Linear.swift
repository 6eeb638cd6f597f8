import RealModule
#if canImport(CBLAS)
import CBLAS
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
        case .f32(let w): rowsF32(j.x, w, j.y, m: j.m, n: j.n, k: j.k, lo, hi, readOnce: j.readOnce)
        case .bf16(let w): rowsBF16(j.x, w, j.y, m: j.m, n: j.n, k: j.k, lo, hi, readOnce: j.readOnce)
        }
    }

    /// Weight rows lo..<hi, each read once front to back (the access pattern hardware
    /// prefetchers follow best) and dotted with the m input rows. Rows read once per step
    /// are prefetched `readOnceDistance` rows ahead with the non-temporal hint: on this AMD
    /// machine such lines are not passed on to L2 and the L3 victim cache, so the ≈ 12 MB of
    /// weights every decode step reads (attention, LM head) can stay in the 32 MB L3 while
    /// the routed experts stream past (single-stream decode +4–15 % in alternating A/B runs:
    /// 336 → 349 tok/s at 512 and 290 → 316 at 4K over 4 pairs, 338 → 391 at 512 over 6).
    static func rowsF32(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                        m: Int, n: Int, k: Int, _ lo: Int, _ hi: Int, readOnce: Bool) {
        for r in lo..<hi {
            let wr = w + r * k
            if readOnce && r + readOnceDistance < hi { prefetchOnce(wr + readOnceDistance * k, bytes: 4 * k) }
            for i in 0..<m { y[i * n + r] = Dot.f32(x + i * k, wr, k) }
        }
    }

    static let readOnceDistance = 2

    @inline(__always)
    static func prefetchOnce<T>(_ p: UnsafePointer<T>, bytes: Int) {
        #if canImport(CBLAS)
        let raw = UnsafeRawPointer(p)
        var o = 0
        while o < bytes { fulgur_prefetch_nta(raw + o); o += 64 }
        #endif
    }

    /// bf16 rows for one input row are dotted as they are (widened in registers); for several
    /// input rows each weight row is widened once into an L1 buffer first (widening it once per
    /// input row would make the kernel compute-bound at batch 8).
    static func rowsBF16(_ x: UnsafePointer<Float>, _ w: UnsafePointer<UInt16>, _ y: UnsafeMutablePointer<Float>,
                         m: Int, n: Int, k: Int, _ lo: Int, _ hi: Int, readOnce: Bool) {
        if m == 1 {
            for r in lo..<hi {
                let wr = w + r * k
                if readOnce && r + readOnceDistance < hi { prefetchOnce(wr + readOnceDistance * k, bytes: 2 * k) }
                y[r] = Dot.bf16(x, wr, k)
            }
            return
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: k) { buffer in
            let row = buffer.baseAddress!
            for r in lo..<hi {
                let wr = w + r * k
                if readOnce && r + readOnceDistance < hi { prefetchOnce(wr + readOnceDistance * k, bytes: 2 * k) }
                Convert.bf16ToF32(UnsafeRawPointer(wr), row, count: k)
                for i in 0..<m { y[i * n + r] = Dot.f32(x + i * k, row, k) }
            }
        }
    }
}

/// Dot products in fp32. `Relaxed` lets LLVM reassociate, so the loops vectorize into several
/// independent SIMD accumulators (with FMA on targets that have it, plain mul+add otherwise —
/// explicit SIMD `addingProduct` would become a libm call per lane on the baseline target).
public enum Dot {
    @inlinable @inline(__always)
    public static func f32(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc: Float = 0
        for i in 0..<n { acc = Relaxed.multiplyAdd(a[i], b[i], acc) }
        return acc
    }

    /// bf16 weights widened exactly (the bf16 bits are the high half of the f32 bits).
    @inlinable @inline(__always)
    public static func bf16(_ a: UnsafePointer<Float>, _ b: UnsafePointer<UInt16>, _ n: Int) -> Float {
        var acc: Float = 0
        for i in 0..<n { acc = Relaxed.multiplyAdd(a[i], Float(bitPattern: UInt32(b[i]) &<< 16), acc) }
        return acc
    }
}
