import FulgurSupport

extension SequenceCache {
    /// Extends the cache to `length` tokens as if they had been prefilled, without running the
    /// model: every softmax layer's KV cache gets rows of random keys and values (a block of
    /// `min(1024, added)` standard-normal rows, repeated) and the position advances; lightning
    /// states, whose size does not depend on the length, are left as they are.
    ///
    /// For timing decode steps at long contexts (DecodeProbe): a decode step's work — the
    /// projections, the lightning recurrence, and the QKᵀ, softmax and AV over every cached
    /// key — depends on the length, not on the values. What the model computes from such a
    /// cache is meaningless.
    public func fillSynthetic(to length: Int, rng: inout RNG) {
        let added = length - self.length
        guard added > 0 else { return }
        for layer in layers {
            guard case .softmax(let kv) = layer else { continue }
            let rowWidth = kv.kvHeads * kv.dim
            let blockRows = min(1024, added)
            let k = (0..<(blockRows * rowWidth)).map { _ in rng.normal() }
            let v = (0..<(blockRows * rowWidth)).map { _ in rng.normal() }
            kv.reserve(kv.length + added)
            var left = added
            k.withUnsafeBufferPointer { kp in
                v.withUnsafeBufferPointer { vp in
                    while left > 0 {
                        let n = min(blockRows, left)
                        kv.append(k: kp.baseAddress!, v: vp.baseAddress!, count: n, stride: rowWidth)
                        left -= n
                    }
                }
            }
        }
        self.length = length
    }
}
