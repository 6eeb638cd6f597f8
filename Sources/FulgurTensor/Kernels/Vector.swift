import RealModule

/// Elementwise and reduction kernels over raw Float pointers. `Relaxed` arithmetic lets
/// LLVM reassociate and vectorize the loops (Swift never reorders plain float sums).
public enum Vec {
    @inlinable @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc: Float = 0
        for i in 0..<n { acc = Relaxed.multiplyAdd(a[i], b[i], acc) }
        return acc
    }

    @inlinable @inline(__always)
    public static func sum(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc: Float = 0
        for i in 0..<n { acc = Relaxed.sum(acc, a[i]) }
        return acc
    }

    @inlinable @inline(__always)
    public static func sumOfSquares(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc: Float = 0
        for i in 0..<n { acc = Relaxed.multiplyAdd(a[i], a[i], acc) }
        return acc
    }

    /// y += alpha · x
    @inlinable @inline(__always)
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] = Relaxed.multiplyAdd(alpha, x[i], y[i]) }
    }

    /// y = alpha · x + beta · y
    @inlinable @inline(__always)
    public static func axpby(_ alpha: Float, _ x: UnsafePointer<Float>, _ beta: Float, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] = Relaxed.multiplyAdd(alpha, x[i], beta * y[i]) }
    }

    /// x *= alpha
    @inlinable @inline(__always)
    public static func scale(_ x: UnsafeMutablePointer<Float>, _ alpha: Float, _ n: Int) {
        for i in 0..<n { x[i] *= alpha }
    }

    /// out = a + b
    @inlinable @inline(__always)
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { out[i] = a[i] + b[i] }
    }

    /// out = a ⊙ b
    @inlinable @inline(__always)
    public static func mul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { out[i] = a[i] * b[i] }
    }

    /// Largest value and its first index.
    @inlinable
    public static func argmax(_ a: UnsafePointer<Float>, _ n: Int) -> (index: Int, value: Float) {
        var best = 0
        var bv = a[0]
        for i in 1..<Swift.max(n, 1) where a[i] > bv { bv = a[i]; best = i }
        return (best, bv)
    }

    @inlinable
    public static func max(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = -Float.infinity
        for i in 0..<n { m = Swift.max(m, a[i]) }
        return m
    }
}
