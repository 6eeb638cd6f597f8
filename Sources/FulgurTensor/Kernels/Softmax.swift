import RealModule

public enum Softmax {
    /// Softmax of a row in place; returns the log of the normalizer (max + log Σ e^(x−max)).
    @inlinable @discardableResult
    public static func inPlace(_ x: UnsafeMutablePointer<Float>, _ n: Int) -> Float {
        let m = Vec.max(x, n)
        let s = Act.expShifted(x, x, n, shift: m)
        let inv = 1 / s
        for i in 0..<n { x[i] *= inv }
        return m + Float.log(s)
    }

    /// log-softmax of a row: out = x − logsumexp(x). `scratch` holds n floats. Returns logsumexp.
    @inlinable @discardableResult
    public static func log(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, scratch: UnsafeMutablePointer<Float>) -> Float {
        let lse = logSumExp(x, n, scratch: scratch)
        for i in 0..<n { out[i] = x[i] - lse }
        return lse
    }

    /// log Σ e^x, computed stably (accumulated in Double for long vocabularies).
    @inlinable
    public static func logSumExp(_ x: UnsafePointer<Float>, _ n: Int, scratch: UnsafeMutablePointer<Float>) -> Float {
        let m = Vec.max(x, n)
        if m == -.infinity { return -.infinity }
        let s = Act.expShifted(x, scratch, n, shift: m)
        return m + Float.log(s)
    }
}

extension Softmax {
    /// Backward of y = softmax(x) for one row: dx = y ⊙ (dy − Σ dy ⊙ y). In place allowed.
    @inlinable
    public static func backward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
        let s = Vec.dot(y, dy, n)
        for i in 0..<n { dx[i] = y[i] * (dy[i] - s) }
    }
}

public enum TopK {
    /// Indices of the k largest values, largest first; ties keep the lower index first.
    @inlinable
    public static func indices(_ x: UnsafePointer<Float>, _ n: Int, k: Int, into out: UnsafeMutablePointer<Int>) {
        precondition(k <= n, "top-k: k \(k) > n \(n)")
        var filled = 0
        for i in 0..<n {
            let v = x[i]
            if filled < k {
                var j = filled
                while j > 0 && x[out[j - 1]] < v { out[j] = out[j - 1]; j -= 1 }
                out[j] = i
                filled += 1
            } else if v > x[out[k - 1]] {
                var j = k - 1
                while j > 0 && x[out[j - 1]] < v { out[j] = out[j - 1]; j -= 1 }
                out[j] = i
            }
        }
    }

    public static func indices(_ x: [Float], k: Int) -> [Int] {
        var out = [Int](repeating: 0, count: k)
        x.withUnsafeBufferPointer { xb in out.withUnsafeMutableBufferPointer { indices(xb.baseAddress!, x.count, k: k, into: $0.baseAddress!) } }
        return out
    }
}
