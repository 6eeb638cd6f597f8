#if canImport(Accelerate)
import Accelerate
#else
import CFulgurBLAS
#endif

/// Thin wrappers over BLAS (OpenBLAS on Linux, loaded at run time with the kernel set chosen
/// from CPUID — `BLASLibrary`; Accelerate on Apple platforms). All matrices are row-major.
///
/// BLAS itself runs single-threaded: OpenBLAS's own worker threads busy-wait between calls
/// and compete with Fulgur's threads, which hurts the many small products of a small model.
/// Large products are split over Fulgur's threads instead (`Parallel`), by rows of C (or
/// columns when C is wide). The split depends only on the shapes, never on what other
/// threads do (inside a parallel region the pieces run serially), so results are
/// reproducible bit for bit.
public enum BLAS {
    /// Multiply-adds (m·n·k) from which a product is split over threads.
    nonisolated(unsafe) public static var parallelThreshold = 1 << 20

    @usableFromInline static let singleThreaded: Bool = {
        #if !canImport(Accelerate)
        _ = fulgur_blas()  // loads it; the loader sets one BLAS thread
        #endif
        return true
    }()

    /// C[M,N] = alpha · op(A) · op(B) + beta · C, row-major with leading dimensions.
    @inlinable
    public static func gemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = singleThreaded
        if m == 0 || n == 0 { return }
        let threads = Parallel.threads
        guard threads > 1, k > 0, m * n * k >= parallelThreshold else {
            serialGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                       beta: beta, c: c, ldc: ldc)
            return
        }
        let ap = SendablePointer(UnsafeMutablePointer(mutating: a)), bp = SendablePointer(UnsafeMutablePointer(mutating: b))
        let cp = SendablePointer(c)
        if m >= n || m >= 64 * threads {
            // rows of op(A) and C: row i of op(A) is a + i·lda, or column i (a + i) when transposed
            Parallel.forRanges(m, minChunk: 16) { r in
                let aOff = transA ? r.lowerBound : r.lowerBound * lda
                serialGemm(transA: transA, transB: transB, m: r.count, n: n, k: k, alpha: alpha, a: ap.p + aOff, lda: lda,
                           b: bp.p, ldb: ldb, beta: beta, c: cp.p + r.lowerBound * ldc, ldc: ldc)
            }
        } else {
            // columns of op(B) and C: column j of op(B) is b + j, or row j (b + j·ldb) when transposed
            Parallel.forRanges(n, minChunk: 16) { r in
                let bOff = transB ? r.lowerBound * ldb : r.lowerBound
                serialGemm(transA: transA, transB: transB, m: m, n: r.count, k: k, alpha: alpha, a: ap.p, lda: lda,
                           b: bp.p + bOff, ldb: ldb, beta: beta, c: cp.p + r.lowerBound, ldc: ldc)
            }
        }
    }

    @inlinable
    static func serialGemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if beta == 0 {
                for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) }
            } else if beta != 1 {
                for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } }
            }
            return
        }
        #if canImport(Accelerate)
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasInt(m), blasInt(n), blasInt(k), alpha, a, blasInt(lda), b, blasInt(ldb), beta, c, blasInt(ldc))
        #else
        fulgur_sgemm(
            Int32(FULGUR_ROW_MAJOR), Int32(transA ? FULGUR_TRANS : FULGUR_NO_TRANS), Int32(transB ? FULGUR_TRANS : FULGUR_NO_TRANS),
            blasInt(m), blasInt(n), blasInt(k), alpha, a, blasInt(lda), b, blasInt(ldb), beta, c, blasInt(ldc))
        #endif
    }

    /// The `nn.Linear` product: y[M,N] = x[M,K] · Wᵀ with W stored [N,K] (beta 0 overwrites y,
    /// beta 1 accumulates).
    @inlinable
    public static func linear(
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, beta: Float = 0
    ) {
        gemm(transB: true, m: m, n: n, k: k, a: x, lda: k, b: w, ldb: k, beta: beta, c: y, ldc: n)
    }

    /// `linear` on the calling thread as one BLAS call, never split over threads (for callers
    /// that run many products in parallel themselves).
    @inlinable
    public static func linearOnThisThread(
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, beta: Float = 0
    ) {
        _ = singleThreaded
        serialGemm(transB: true, m: m, n: n, k: k, a: x, lda: k, b: w, ldb: k, beta: beta, c: y, ldc: n)
    }

    /// y[M] = alpha · op(A) · x + beta · y for A [M,N] row-major.
    @inlinable
    public static func gemv(
        trans: Bool = false, m: Int, n: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float = 0, y: UnsafeMutablePointer<Float>
    ) {
        #if canImport(Accelerate)
        cblas_sgemv(
            CblasRowMajor, trans ? CblasTrans : CblasNoTrans, blasInt(m), blasInt(n), alpha, a,
            blasInt(lda), x, 1, beta, y, 1)
        #else
        fulgur_sgemv(
            Int32(FULGUR_ROW_MAJOR), Int32(trans ? FULGUR_TRANS : FULGUR_NO_TRANS), blasInt(m), blasInt(n), alpha, a,
            blasInt(lda), x, 1, beta, y, 1)
        #endif
    }

    /// A batch of equally shaped products with fixed strides between the matrices.
    @inlinable
    public static func batchedGemm(
        count: Int, transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, strideA: Int,
        b: UnsafePointer<Float>, ldb: Int, strideB: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int
    ) {
        for i in 0..<count {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                 a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb,
                 beta: beta, c: c + i * strideC, ldc: ldc)
        }
    }

    @usableFromInline typealias BlasInt = Int32
    @inlinable @inline(__always) static func blasInt(_ x: Int) -> BlasInt { BlasInt(x) }
}

extension Tensor {
    /// self[M,K] · wᵀ where w is [N,K] (a Linear weight) → [M,N].
    public func linear(_ w: Tensor) -> Tensor {
        precondition(w.cols == cols, "linear: \(shape) · \(w.shape)ᵀ")
        let out = Tensor(shape: Array(shape.dropLast()) + [w.rows], zeroed: false)
        Linear.forward(pointer, w.pointer, out.pointer, m: rows, n: w.rows, k: cols)
        return out
    }

    /// self[M,K] · other[K,N] → [M,N].
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(other.rank == 2 && other.shape[0] == cols, "matmul: \(shape) · \(other.shape)")
        let out = Tensor(shape: Array(shape.dropLast()) + [other.cols], zeroed: false)
        BLAS.gemm(m: rows, n: other.cols, k: cols, a: pointer, lda: cols, b: other.pointer, ldb: other.cols,
                  c: out.pointer, ldc: other.cols)
        return out
    }
}
