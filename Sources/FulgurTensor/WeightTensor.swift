/// How a model keeps its weight matrices in memory. Kernels always compute in Float32:
/// bf16 weights are widened in registers (exactly: a bf16 value is the top half of a Float),
/// so bf16 storage halves the bytes a decode step streams without changing the arithmetic
/// beyond the rounding of the weights themselves.
public enum WeightPrecision: String, Sendable, CaseIterable, Codable {
    case f32, bf16
}

/// Weights as a kernel reads them: a Float32 or a bf16 pointer. `advanced(by:)` counts elements.
public enum WeightData: @unchecked Sendable {
    case f32(UnsafePointer<Float>)
    case bf16(UnsafePointer<UInt16>)

    @inlinable
    public func advanced(by n: Int) -> WeightData {
        switch self {
        case .f32(let p): .f32(p + n)
        case .bf16(let p): .bf16(p + n)
        }
    }
}

/// A weight tensor (row-major, any rank) stored in Float32 or bf16.
///
/// In Float32 it is the parameter `Tensor` itself (shared, so training updates are seen by
/// inference); in bf16 it owns a rounded copy and there is no Float32 tensor — such a model
/// is for inference only.
public final class WeightTensor: @unchecked Sendable {
    public let shape: [Int]
    public let precision: WeightPrecision
    private let f32: Tensor?
    private let bf16: UnsafeMutablePointer<UInt16>?

    /// Wraps `t` (Float32) or converts it to bf16 with round-to-nearest-even.
    public init(_ t: Tensor, precision: WeightPrecision) {
        shape = t.shape
        self.precision = precision
        switch precision {
        case .f32:
            f32 = t
            bf16 = nil
        case .bf16:
            f32 = nil
            let p = Self.bf16Storage(t.count)
            Convert.f32ToBF16(t.pointer, UnsafeMutableRawPointer(p), count: t.count)
            bf16 = p
        }
    }

    /// A bf16 tensor holding a copy of `count(shape)` raw bf16 values (from a checkpoint; the
    /// source may be only 2-byte aligned or unaligned, so it is copied bytewise).
    public init(shape: [Int], bf16Bits src: UnsafeRawPointer) {
        self.shape = shape
        precision = .bf16
        f32 = nil
        let n = shape.reduce(1, *)
        let p = Self.bf16Storage(n)
        UnsafeMutableRawPointer(p).copyMemory(from: src, byteCount: n * 2)
        bf16 = p
    }

    /// Uninitialized storage of `shape` in `precision` (fill it through `raw`).
    public init(shape: [Int], precision: WeightPrecision) {
        self.shape = shape
        self.precision = precision
        switch precision {
        case .f32:
            f32 = Tensor(shape: shape, zeroed: false, persistent: true)
            bf16 = nil
        case .bf16:
            f32 = nil
            bf16 = Self.bf16Storage(shape.reduce(1, *))
        }
    }

    deinit { bf16?.deallocate() }

    /// Uninitialized bf16 storage for `count` values (weights: persistent, on huge pages when large).
    private static func bf16Storage(_ count: Int) -> UnsafeMutablePointer<UInt16> {
        let n = max(count, 1)
        return Allocation.buffer(byteCount: 2 * n, persistent: true).bindMemory(to: UInt16.self, capacity: n)
    }

    /// Bytes per element.
    public var elementSize: Int { precision == .f32 ? 4 : 2 }

    /// The storage as raw bytes.
    public var raw: UnsafeMutableRawPointer {
        if let f32 { return UnsafeMutableRawPointer(f32.pointer) }
        return UnsafeMutableRawPointer(bf16!)
    }

    /// Copies all of `other` (same precision) to element offset `offset` of this tensor.
    public func place(_ other: WeightTensor, at offset: Int) {
        precondition(other.precision == precision && offset + other.count <= count, "place: \(other.shape) at \(offset) into \(shape)")
        (raw + offset * elementSize).copyMemory(from: other.raw, byteCount: other.count * elementSize)
    }

    public var count: Int { shape.reduce(1, *) }

    public var data: WeightData {
        if let f32 { return .f32(f32.pointer) }
        return .bf16(bf16!)
    }

    /// The Float32 parameter tensor. Models loaded with bf16 weights have none (inference only).
    public var tensor: Tensor {
        guard let f32 else {
            preconditionFailure("weights are stored in bf16 (inference only); load the model with f32 weights to train or export it")
        }
        return f32
    }

    /// A Float32 copy of the values (exact widening for bf16).
    public func widened() -> Tensor {
        if let f32 { return f32.copy() }
        let t = Tensor(shape: shape, zeroed: false)
        Convert.bf16ToF32(UnsafeRawPointer(bf16!), t.pointer, count: t.count)
        return t
    }

    public var bytes: Int { count * (precision == .f32 ? 4 : 2) }
}
