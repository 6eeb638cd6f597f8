import FulgurTensor

/// Keys (after RoPE) and values of one softmax-attention layer for one sequence.
/// Laid out per KV head, `[kvHeads][capacity][dim]`, so each head's keys are one matrix.
public final class KVCache: @unchecked Sendable {
    public let kvHeads: Int
    public let dim: Int
    public private(set) var length = 0
    public private(set) var capacity: Int
    private(set) var keys: UnsafeMutablePointer<Float>
    private(set) var values: UnsafeMutablePointer<Float>

    public init(kvHeads: Int, dim: Int, capacity: Int = 64) {
        self.kvHeads = kvHeads
        self.dim = dim
        self.capacity = max(capacity, 1)
        keys = .allocate(capacity: kvHeads * self.capacity * dim)
        values = .allocate(capacity: kvHeads * self.capacity * dim)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Keys of KV head `g`: `length` rows of `dim`.
    @inline(__always) public func keys(head g: Int) -> UnsafeMutablePointer<Float> { keys + g * capacity * dim }
    @inline(__always) public func values(head g: Int) -> UnsafeMutablePointer<Float> { values + g * capacity * dim }

    /// Appends `count` positions. Row t of `k`/`v` holds all KV heads (`kvHeads · dim` floats)
    /// and rows are `stride` floats apart.
    public func append(k: UnsafePointer<Float>, v: UnsafePointer<Float>, count: Int, stride: Int) {
        reserve(length + count)
        for g in 0..<kvHeads {
            let kd = keys(head: g) + length * dim, vd = values(head: g) + length * dim
            for t in 0..<count {
                (kd + t * dim).update(from: k + t * stride + g * dim, count: dim)
                (vd + t * dim).update(from: v + t * stride + g * dim, count: dim)
            }
        }
        length += count
    }

    public func reserve(_ needed: Int) {
        guard needed > capacity else { return }
        var newCap = capacity
        while newCap < needed { newCap *= 2 }
        let nk = UnsafeMutablePointer<Float>.allocate(capacity: kvHeads * newCap * dim)
        let nv = UnsafeMutablePointer<Float>.allocate(capacity: kvHeads * newCap * dim)
        for g in 0..<kvHeads {
            (nk + g * newCap * dim).update(from: keys + g * capacity * dim, count: length * dim)
            (nv + g * newCap * dim).update(from: values + g * capacity * dim, count: length * dim)
        }
        keys.deallocate(); values.deallocate()
        keys = nk; values = nv; capacity = newCap
    }

    /// Drops positions past `newLength` (rewind).
    public func truncate(to newLength: Int) {
        precondition(newLength >= 0 && newLength <= length)
        length = newLength
    }

    public func copy() -> KVCache {
        let c = KVCache(kvHeads: kvHeads, dim: dim, capacity: Swift.max(length, 1))
        c.append(fromCache: self)
        return c
    }

    private func append(fromCache other: KVCache) {
        for g in 0..<kvHeads {
            keys(head: g).update(from: other.keys(head: g), count: other.length * dim)
            values(head: g).update(from: other.values(head: g), count: other.length * dim)
        }
        length = other.length
    }

    public var bytes: Int { 2 * kvHeads * capacity * dim * MemoryLayout<Float>.stride }
}
