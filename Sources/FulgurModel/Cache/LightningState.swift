import FulgurTensor

/// The recurrent state of one lightning-attention layer for one sequence:
/// per head S ∈ R^(D×D) (row = key dim, column = value dim), kept in fp32 (architecture.md §2.7).
/// Its size does not depend on the context length.
public final class LightningState: @unchecked Sendable {
    public let heads: Int
    public let dim: Int
    public let state: Tensor  // [heads, dim, dim]

    public init(heads: Int, dim: Int) {
        self.heads = heads
        self.dim = dim
        state = Tensor(shape: [heads, dim, dim])
    }

    private init(copying other: LightningState) {
        heads = other.heads
        dim = other.dim
        state = other.state.copy()
    }

    @inline(__always) public func head(_ h: Int) -> UnsafeMutablePointer<Float> { state.pointer + h * dim * dim }

    public func copy() -> LightningState { LightningState(copying: self) }
}
