#if !canImport(Accelerate)
import CFulgurBLAS
#endif
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A dense, row-major Float32 tensor that owns a 64-byte aligned buffer.
///
/// Tensors are reference types (like llm.c's buffers): layers hold their weights and
/// scratch activations as `Tensor`s, and kernels work on the raw pointer. Nothing in a
/// hot loop allocates a `Tensor`.
public final class Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>
    /// For a view: the tensor that owns the memory (kept alive by the view).
    private let owner: Tensor?

    /// `persistent`: the tensor lives as long as the model (weights, optimizer moments,
    /// gradient accumulators), so a large one goes on huge pages (`Allocation.buffer`).
    public init(shape: [Int], zeroed: Bool = true, persistent: Bool = false) {
        owner = nil
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.count = shape.reduce(1, *)
        let raw = Allocation.buffer(byteCount: max(count, 1) * MemoryLayout<Float>.stride, persistent: persistent)
        self.pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        if zeroed { pointer.initialize(repeating: 0, count: count) }
    }

    public convenience init(shape: [Int], values: [Float]) {
        precondition(values.count == shape.reduce(1, *), "values.count \(values.count) ≠ shape \(shape)")
        self.init(shape: shape, zeroed: false)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    public convenience init(shape: [Int], fill: (Int) -> Float) {
        self.init(shape: shape, zeroed: false)
        for i in 0..<count { pointer[i] = fill(i) }
    }

    /// A view of `count(shape)` elements of `base` starting at `offset`; shares memory.
    public init(viewOf base: Tensor, offset: Int, shape: [Int]) {
        let n = shape.reduce(1, *)
        precondition(offset >= 0 && offset + n <= base.count, "view [\(offset), \(offset + n)) out of \(base.count)")
        self.shape = shape
        self.count = n
        self.pointer = base.pointer + offset
        self.owner = base.owner ?? base
    }

    deinit { if owner == nil { pointer.deallocate() } }

    public var buffer: UnsafeMutableBufferPointer<Float> { .init(start: pointer, count: count) }
    public var rank: Int { shape.count }
    /// Size of the last dimension (the row length of a matrix view).
    public var cols: Int { shape.last ?? 1 }
    /// Product of all dimensions but the last.
    public var rows: Int { cols == 0 ? 0 : count / cols }

    public subscript(i: Int) -> Float {
        get { precondition(i >= 0 && i < count, "index \(i) out of range \(count)"); return pointer[i] }
        set { precondition(i >= 0 && i < count, "index \(i) out of range \(count)"); pointer[i] = newValue }
    }

    /// Start of row `r` when the tensor is viewed as `[rows, cols]`.
    @inline(__always) public func row(_ r: Int) -> UnsafeMutablePointer<Float> { pointer + r * cols }

    public func toArray() -> [Float] { Array(buffer) }

    public func copy() -> Tensor {
        let t = Tensor(shape: shape, zeroed: false)
        t.pointer.update(from: pointer, count: count)
        return t
    }

    /// A new tensor with the same values and another shape of equal size.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        let t = Tensor(shape: newShape, zeroed: false)
        t.pointer.update(from: pointer, count: count)
        return t
    }

    public func zero() { pointer.update(repeating: 0, count: count) }

    public func copy(from other: Tensor) {
        precondition(other.count == count, "copy: \(other.shape) into \(shape)")
        pointer.update(from: other.pointer, count: count)
    }
}

/// A raw pointer that may cross into `concurrentPerform` closures. Each parallel task
/// must write a disjoint range.
public struct SendablePointer<T>: @unchecked Sendable {
    public let p: UnsafeMutablePointer<T>
    @inlinable public init(_ p: UnsafeMutablePointer<T>) { self.p = p }
}

/// Process-wide allocator settings for tensor workloads.
public enum Allocation {
    /// glibc serves large blocks with fresh `mmap`s and unmaps them on free, so every
    /// layer's activations of a prefill would fault in (and zero) their pages again. Keeping
    /// blocks up to 32 MiB (glibc's maximum) in the heap, and not trimming it, lets the next
    /// layer reuse the same pages. Idempotent; models call it when they are built.
    public static let configured: Bool = {
        #if os(Linux)
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 256 << 20)
        #endif
        return true
    }()

    /// Buffers from this size on are 2 MiB aligned and asked to be backed by transparent huge
    /// pages (`MADV_HUGEPAGE`; this kernel's THP mode is `madvise`).
    public static let hugePageBytes = 2 << 20
    nonisolated(unsafe) public static var useHugePages: Bool = {
        #if os(Linux)
        return ProcessInfo.processInfo.environment["FULGUR_THP"] != "0"
        #else
        return false
        #endif
    }()

    /// Uninitialized memory for a tensor: 64-byte aligned, or for large persistent buffers
    /// (weights) 2 MiB aligned on huge pages, so streaming the weights of a decode step walks a
    /// few dozen TLB entries instead of thousands of 4 KiB pages (each miss a nested page walk
    /// in a VM): single-stream decode +9 % at 512 and +15 % at 4K, batch-8 rollouts +20 % in
    /// alternating A/B runs. Activations stay on small pages: faulting in fresh huge pages every
    /// step made training 10–20 % slower.
    public static func buffer(byteCount: Int, persistent: Bool) -> UnsafeMutableRawPointer {
        _ = configured
        guard persistent && useHugePages && byteCount >= hugePageBytes else {
            return .allocate(byteCount: byteCount, alignment: 64)
        }
        let p = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: hugePageBytes)
        #if os(Linux)
        _ = madvise(p, (byteCount + hugePageBytes - 1) / hugePageBytes * hugePageBytes, MADV_HUGEPAGE)
        #endif
        return p
    }

    /// Training and RL free and reallocate the same few hundred MB of activations every step:
    /// never trimming the heap lets each step reuse pages that are already mapped. Call once at
    /// the start of a training run.
    public static func keepFreedMemory() {
        _ = configured
        #if os(Linux)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
        #endif
    }
}
