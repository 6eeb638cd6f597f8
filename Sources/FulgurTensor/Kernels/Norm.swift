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

    /// Row-wise RMSNorm of a [rows, n] matrix, parallel over rows.
    public static func rmsRows(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, n: Int, eps: Float) {
        let xs = SendablePointer(UnsafeMutablePointer(mutating: x)), ws = SendablePointer(UnsafeMutablePointer(mutating: w))
        let os = SendablePointer(out)
        Parallel.forRanges(rows, minChunk: max(1, 16384 / max(n, 1))) { r in
            for i in r { rms(xs.p + i * n, ws.p, os.p + i * n, n, eps: eps) }
        }
    }
}
