import RealModule

public enum Norm {
    /// RMSNorm over rows of length n: out = x / sqrt(mean(x²) + eps) ⊙ w. In place allowed.
    /// Returns 1/rms (the backward pass needs it).
    @inlinable @discardableResult
    public static func rms(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, eps: Float) -> Float {
        let ms = Vec.sumOfSquares(x, n) / Float(n)
        let inv = 1 / (ms + eps).squareRoot()
        for i in 0..<n { out[i] = x[i] * inv * w[i] }
        return inv
    }

    /// Backward of `rms` for one row, given the saved 1/rms:
    ///     dx = r (dy ⊙ w) − r³/n · x · Σ(dy ⊙ w ⊙ x),   dw += dy ⊙ x · r
    @inlinable
    public static func rmsBackward(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, invRMS r: Float,
                                   _ dx: UnsafeMutablePointer<Float>, accumulate: Bool, dw: UnsafeMutablePointer<Float>?, _ n: Int) {
        var dot: Float = 0
        for i in 0..<n { dot = Relaxed.multiplyAdd(dy[i] * w[i], x[i], dot) }
        let c = r * r * r * dot / Float(n)
        if accumulate {
            for i in 0..<n { dx[i] += r * dy[i] * w[i] - c * x[i] }
        } else {
            for i in 0..<n { dx[i] = r * dy[i] * w[i] - c * x[i] }
        }
        if let dw { for i in 0..<n { dw[i] = Relaxed.multiplyAdd(dy[i] * x[i], r, dw[i]) } }
    }

    /// Row-wise RMSNorm of a [rows, n] matrix, parallel over rows.
    public static func rmsRows(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, n: Int, eps: Float) {
        let xs = SendablePointer(UnsafeMutablePointer(mutating: x)), ws = SendablePointer(UnsafeMutablePointer(mutating: w))
        let os = SendablePointer(out)
        Parallel.forRanges(rows, minChunk: max(1, 16384 / max(n, 1))) { r in
            for i in r { rms(xs.p + i * n, ws.p, os.p + i * n, n, eps: eps) }
        }
    }

    /// Row-wise RMSNorm of a [rows, n] matrix saving 1/rms of each row in `invRMS`, parallel over rows.
    public static func rmsRows(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                               invRMS: UnsafeMutablePointer<Float>, rows: Int, n: Int, eps: Float) {
        let xs = SendablePointer(UnsafeMutablePointer(mutating: x)), ws = SendablePointer(UnsafeMutablePointer(mutating: w))
        let os = SendablePointer(out), inv = SendablePointer(invRMS)
        Parallel.forRanges(rows, minChunk: max(1, 16384 / max(n, 1))) { r in
            for i in r { inv.p[i] = rms(xs.p + i * n, ws.p, os.p + i * n, n, eps: eps) }
        }
    }

    /// `rmsBackward` over the rows of a [rows, n] matrix: dx in parallel over rows, then
    /// dw (when given) in parallel over columns, each column summed over the rows in order,
    /// so the result does not depend on the thread count (the same sums as row after row).
    public static func rmsBackwardRows(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                                       invRMS: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, accumulate: Bool,
                                       dw: UnsafeMutablePointer<Float>?, rows: Int, n: Int) {
        let dys = SendablePointer(UnsafeMutablePointer(mutating: dy)), xs = SendablePointer(UnsafeMutablePointer(mutating: x))
        let ws = SendablePointer(UnsafeMutablePointer(mutating: w)), inv = SendablePointer(UnsafeMutablePointer(mutating: invRMS))
        let dxs = SendablePointer(dx)
        Parallel.forRanges(rows, minChunk: max(1, 16384 / max(n, 1))) { r in
            for i in r {
                rmsBackward(dys.p + i * n, xs.p + i * n, ws.p, invRMS: inv.p[i], dxs.p + i * n, accumulate: accumulate, dw: nil, n)
            }
        }
        guard let dw else { return }
        let dws = SendablePointer(dw)
        Parallel.forRanges(n, minChunk: rows * n >= 65_536 ? 16 : n) { c in
            let lo = c.lowerBound, m = c.count
            for i in 0..<rows {
                let d = dys.p + i * n + lo, xr = xs.p + i * n + lo, o = dws.p + lo, ri = inv.p[i]
                for j in 0..<m { o[j] = Relaxed.multiplyAdd(d[j] * xr[j], ri, o[j]) }
            }
        }
    }
}
