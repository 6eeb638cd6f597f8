import FulgurTensor

/// Gradient accumulators, one per trainable parameter tensor (same shape), looked up by the
/// parameter itself. Backward passes add into them; `zero()` clears them all.
public final class Gradients: @unchecked Sendable {
    public let names: [String]
    public let parameters: [Tensor]
    public let tensors: [Tensor]
    /// One buffer holding every accumulator (each starts on a 64-byte boundary): what data-parallel
    /// ranks sum in one allreduce.
    public let flat: Tensor
    private let index: [ObjectIdentifier: Int]

    public init(_ named: [(String, Tensor)]) {
        names = named.map(\.0)
        parameters = named.map(\.1)
        var offsets: [Int] = []
        var end = 0
        for (_, p) in named {
            offsets.append(end)
            end += (p.count + 15) / 16 * 16
        }
        let flat = Tensor(shape: [max(end, 1)], persistent: true)
        self.flat = flat
        tensors = zip(named, offsets).map { Tensor(viewOf: flat, offset: $1, shape: $0.1.shape) }
        index = Dictionary(uniqueKeysWithValues: named.enumerated().map { (ObjectIdentifier($1.1), $0) })
    }

    /// The accumulator of parameter `p`.
    public subscript(_ p: Tensor) -> Tensor {
        guard let i = index[ObjectIdentifier(p)] else { preconditionFailure("no gradient slot for a \(p.shape) tensor") }
        return tensors[i]
    }

    public subscript(name name: String) -> Tensor? { names.firstIndex(of: name).map { tensors[$0] } }

    public func zero() {
        let p = SendablePointer(flat.pointer)
        Parallel.forRanges(flat.count, minChunk: 262_144) { (p.p + $0.lowerBound).update(repeating: 0, count: $0.count) }
    }

    /// ‖g‖₂ over all tensors: Float sums of squares over fixed blocks of 64K entries (in
    /// parallel), added in order in Double, so the result does not depend on the thread count.
    public func globalNorm() -> Double {
        let block = 65_536
        var s = 0.0
        for t in tensors {
            let p = SendablePointer(t.pointer), n = t.count
            let parts = Parallel.map((n + block - 1) / block) { b in
                Double(Vec.sumOfSquares(p.p + b * block, min(block, n - b * block)))
            }
            for x in parts { s += x }
        }
        return s.squareRoot()
    }

    public func scale(by f: Float) { for t in tensors { Vec.scale(t.pointer, f, t.count) } }

    public func add(_ other: Gradients) {
        for (a, b) in zip(tensors, other.tensors) { Vec.axpy(1, b.pointer, a.pointer, a.count) }
    }
}

/// y = x Wᵀ backward: dx (+)= dy W, dW += dyᵀ x.
@inline(__always)
func linearBackward(x: Tensor, w: Tensor, dy: Tensor, dx: Tensor?, accumulateDx: Bool, dw: Tensor) {
    let m = x.rows, k = x.cols, n = w.rows
    if let dx {
        BLAS.gemm(m: m, n: k, k: n, a: dy.pointer, lda: n, b: w.pointer, ldb: k, beta: accumulateDx ? 1 : 0, c: dx.pointer, ldc: k)
    }
    BLAS.gemm(transA: true, m: n, n: k, k: m, a: dy.pointer, lda: n, b: x.pointer, ldb: k, beta: 1, c: dw.pointer, ldc: k)
}
