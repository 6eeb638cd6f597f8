import RealModule

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

        @inlinable
        public init(x: UnsafePointer<Float>, w: WeightData, y: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int) {
            self.x = x; self.w = w; self.y = y; self.m = m; self.n = n; self.k = k
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
        case .f32(let w): tiles(j.x, F32Rows(w), j.y, m: j.m, n: j.n, k: j.k, lo, hi)
        case .bf16(let w): tiles(j.x, BF16Rows(w), j.y, m: j.m, n: j.n, k: j.k, lo, hi)
        }
    }

    /// Weight rows lo..<hi dotted with the m input rows, in register tiles: 2 weight rows × 4
    /// input rows (6 vector loads per 8 multiply-adds, where one dot at a time needs 16; at
    /// 8 input rows the loads, not DRAM, would bound the kernel), then each remaining input row
    /// against 4 weight rows at a time (those rows come from L2 on the second pass). Every
    /// product sums in the same order in every tile shape — one 8-lane accumulator over k,
    /// its lanes, then the k mod 8 tail — so a row's result does not depend on the batch
    /// around it.
    @inline(__always)
    static func tiles<W: WeightRows>(_ x: UnsafePointer<Float>, _ w: W, _ y: UnsafeMutablePointer<Float>,
                                     m: Int, n: Int, k: Int, _ lo: Int, _ hi: Int) {
        let full = m / 4 * 4
        var r = lo
        while r + 2 <= hi {
            var i = 0
            while i < full { tile2x4(x + i * k, w, y + i * n, n: n, k: k, row: r); i += 4 }
            r += 2
        }
        if r < hi { for i in 0..<full { y[i * n + r] = tile1(x + i * k, w, k: k, row: r) } }
        for i in full..<m {
            let xi = x + i * k, yi = y + i * n
            var r = lo
            while r + 4 <= hi { tile4x1(xi, w, yi, k: k, row: r); r += 4 }
            while r < hi { yi[r] = tile1(xi, w, k: k, row: r); r += 1 }
        }
    }

    typealias V8 = SIMD8<Float>

    /// Lanes summed, then the tail from `from` — the one summation order of every tile.
    @inline(__always)
    static func finish<W: WeightRows>(_ acc: V8, _ x: UnsafePointer<Float>, _ w: W, row: Int, from: Int, k: Int) -> Float {
        var s = acc.sum()
        for j in from..<k { s += x[j] * w.scalar(row, j, k) }
        return s
    }

    @inline(__always)
    static func load(_ x: UnsafePointer<Float>, _ j: Int) -> V8 {
        UnsafeRawPointer(x).loadUnaligned(fromByteOffset: 4 * j, as: V8.self)
    }

    @inline(__always)
    static func tile2x4<W: WeightRows>(_ x: UnsafePointer<Float>, _ w: W, _ y: UnsafeMutablePointer<Float>, n: Int, k: Int, row r: Int) {
        let x1 = x + k, x2 = x1 + k, x3 = x2 + k
        var a0 = V8(), a1 = V8(), a2 = V8(), a3 = V8(), b0 = V8(), b1 = V8(), b2 = V8(), b3 = V8()
        var j = 0
        while j + 8 <= k {
            let u = w.load(r, j, k), v = w.load(r + 1, j, k)
            let p0 = load(x, j), p1 = load(x1, j), p2 = load(x2, j), p3 = load(x3, j)
            a0 += p0 * u; a1 += p1 * u; a2 += p2 * u; a3 += p3 * u
            b0 += p0 * v; b1 += p1 * v; b2 += p2 * v; b3 += p3 * v
            j += 8
        }
        y[r] = finish(a0, x, w, row: r, from: j, k: k); y[r + 1] = finish(b0, x, w, row: r + 1, from: j, k: k)
        y[n + r] = finish(a1, x1, w, row: r, from: j, k: k); y[n + r + 1] = finish(b1, x1, w, row: r + 1, from: j, k: k)
        y[2 * n + r] = finish(a2, x2, w, row: r, from: j, k: k); y[2 * n + r + 1] = finish(b2, x2, w, row: r + 1, from: j, k: k)
        y[3 * n + r] = finish(a3, x3, w, row: r, from: j, k: k); y[3 * n + r + 1] = finish(b3, x3, w, row: r + 1, from: j, k: k)
    }

    @inline(__always)
    static func tile4x1<W: WeightRows>(_ x: UnsafePointer<Float>, _ w: W, _ y: UnsafeMutablePointer<Float>, k: Int, row r: Int) {
        var a0 = V8(), a1 = V8(), a2 = V8(), a3 = V8()
        var j = 0
        while j + 8 <= k {
            let p = load(x, j)
            a0 += p * w.load(r, j, k); a1 += p * w.load(r + 1, j, k)
            a2 += p * w.load(r + 2, j, k); a3 += p * w.load(r + 3, j, k)
            j += 8
        }
        y[r] = finish(a0, x, w, row: r, from: j, k: k); y[r + 1] = finish(a1, x, w, row: r + 1, from: j, k: k)
        y[r + 2] = finish(a2, x, w, row: r + 2, from: j, k: k); y[r + 3] = finish(a3, x, w, row: r + 3, from: j, k: k)
    }

    @inline(__always)
    static func tile1<W: WeightRows>(_ x: UnsafePointer<Float>, _ w: W, k: Int, row r: Int) -> Float {
        var a = V8()
        var j = 0
        while j + 8 <= k { a += load(x, j) * w.load(r, j, k); j += 8 }
        return finish(a, x, w, row: r, from: j, k: k)
    }
}

/// How the streaming kernel reads weight rows: 8 values at a time, widened to Float32.
protocol WeightRows {
    func load(_ row: Int, _ j: Int, _ k: Int) -> SIMD8<Float>
    func scalar(_ row: Int, _ j: Int, _ k: Int) -> Float
}

struct F32Rows: WeightRows {
    let w: UnsafePointer<Float>
    init(_ w: UnsafePointer<Float>) { self.w = w }
    @inline(__always) func load(_ row: Int, _ j: Int, _ k: Int) -> SIMD8<Float> {
        UnsafeRawPointer(w + row * k).loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self)
    }
    @inline(__always) func scalar(_ row: Int, _ j: Int, _ k: Int) -> Float { w[row * k + j] }
}

/// bf16 weights widened exactly (the bf16 bits are the high half of the f32 bits).
struct BF16Rows: WeightRows {
    let w: UnsafePointer<UInt16>
    init(_ w: UnsafePointer<UInt16>) { self.w = w }
    @inline(__always) func load(_ row: Int, _ j: Int, _ k: Int) -> SIMD8<Float> {
        let h = UnsafeRawPointer(w + row * k).loadUnaligned(fromByteOffset: 2 * j, as: SIMD8<UInt16>.self)
        return unsafeBitCast(SIMD8<UInt32>(truncatingIfNeeded: h) &<< 16, to: SIMD8<Float>.self)
    }
    @inline(__always) func scalar(_ row: Int, _ j: Int, _ k: Int) -> Float {
        Float(bitPattern: UInt32(w[row * k + j]) &<< 16)
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
