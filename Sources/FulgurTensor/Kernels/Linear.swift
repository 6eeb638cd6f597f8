import RealModule

/// y[M,N] = x[M,K] · Wᵀ for W stored [N,K] (the `nn.Linear` product), choosing the kernel:
/// for a few rows (decode steps), a streaming kernel that reads each weight row once and
/// dots it with every input row — BLAS GEMM would first copy ("pack") the whole weight
/// matrix, which for M = 1 costs more than the product; for many rows, BLAS GEMM.
public enum Linear {
    /// Row counts up to this use the streaming kernel.
    nonisolated(unsafe) public static var streamingMaxRows = 8

    public static func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                               m: Int, n: Int, k: Int, beta: Float = 0) {
        if m <= streamingMaxRows && beta == 0 {
            streaming(x, w, y, m: m, n: n, k: k)
        } else {
            BLAS.linear(x, w, y, m: m, n: n, k: k, beta: beta)
        }
    }

    /// Parallel over output features; 4 weight rows at a time share each load of x.
    public static func streaming(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                 m: Int, n: Int, k: Int) {
        let xs = SendablePointer(UnsafeMutablePointer(mutating: x)), ws = SendablePointer(UnsafeMutablePointer(mutating: w))
        let ys = SendablePointer(y)
        // at least ~64K multiply-adds per task, in multiples of 4 rows
        let minRows = max(4, (65_536 / max(k * m, 1)) & ~3)
        Parallel.forRanges((n + 3) / 4, minChunk: max(1, minRows / 4)) { r in
            let lo = r.lowerBound * 4, hi = min(r.upperBound * 4, n)
            rows(xs.p, ws.p, ys.p, m: m, n: n, k: k, from: lo, to: hi)
        }
    }

    @inline(__always)
    static func rows(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                     m: Int, n: Int, k: Int, from lo: Int, to hi: Int) {
        var r = lo
        while r + 4 <= hi {
            let w0 = w + r * k, w1 = w0 + k, w2 = w1 + k, w3 = w2 + k
            for i in 0..<m {
                let xi = x + i * k
                var a0: Float = 0, a1: Float = 0, a2: Float = 0, a3: Float = 0
                for j in 0..<k {
                    let xv = xi[j]
                    a0 = Relaxed.multiplyAdd(xv, w0[j], a0)
                    a1 = Relaxed.multiplyAdd(xv, w1[j], a1)
                    a2 = Relaxed.multiplyAdd(xv, w2[j], a2)
                    a3 = Relaxed.multiplyAdd(xv, w3[j], a3)
                }
                let yi = y + i * n + r
                yi[0] = a0; yi[1] = a1; yi[2] = a2; yi[3] = a3
            }
            r += 4
        }
        while r < hi {
            for i in 0..<m { y[i * n + r] = Vec.dot(x + i * k, w + r * k, k) }
            r += 1
        }
    }
}
