/// Byte-pair encoding of one pre-token, with HF tokenizers' semantics: start from one symbol
/// per byte (byte-level) or per scalar, then repeatedly apply the lowest-ranked merge,
/// leftmost first. Symbols missing from the vocabulary go to `byte_fallback`, then to
/// `unk_token` (fused if `fuse_unk`), and are dropped when there is neither — as HF does.
struct BPEModel: Sendable {
    let byteLevel: Bool
    /// Model-input spelling (raw bytes when byte-level) → id.
    let vocab: ByteStringTable
    let merges: MergeTable
    /// Byte-level: the id of each single byte, -1 when absent.
    let byteIds: [Int32]
    /// `byte_fallback`: the id of `<0xXX>` for each byte, -1 when absent.
    let fallbackIds: [Int32]
    let unkId: Int32
    let fuseUnk: Bool
    let byteFallback: Bool
    let ignoreMerges: Bool

    /// Words with more symbols than this use the heap (O(n log n)); shorter ones a linear scan.
    static let heapThreshold = 48

    func encode(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into out: inout [Int], scratch: inout BPEScratch) {
        let n = end - start
        if n == 0 { return }
        if ignoreMerges, let id = vocab.find(p + start, n) { out.append(Int(id)); return }
        if n <= WordCache.maxKeyLength, scratch.cache.enabled, scratch.cache.lookup(p + start, n, into: &out) { return }
        let first = out.count
        initialSymbols(p, start, end, &scratch.symbols)
        merges.withPointer { table in
            if scratch.symbols.count > Self.heapThreshold {
                mergeWithHeap(&scratch, table)
            } else {
                mergeLinear(&scratch.symbols, &scratch.pairs, table)
            }
        }
        for s in scratch.symbols { out.append(Int(s)) }
        if n <= WordCache.maxKeyLength, scratch.cache.enabled { scratch.cache.insert(p + start, n, out[first...]) }
    }

    func initialSymbols(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ symbols: inout [Int32]) {
        symbols.removeAll(keepingCapacity: true)
        if byteLevel && unkId < 0 && !byteFallback {
            for i in start..<end {
                let id = byteIds[Int(p[i])]
                if id >= 0 { symbols.append(id) }
            }
            return
        }
        var pendingUnk = false  // a (fused) unknown symbol waiting to be appended
        var i = start
        while i < end {
            let n = byteLevel ? 1 : decodeUTF8(p, i, end).length
            let id = byteLevel ? byteIds[Int(p[i])] : (vocab.find(p + i, n) ?? -1)
            if id >= 0 {
                if pendingUnk { symbols.append(unkId); pendingUnk = false }
                symbols.append(id)
            } else if byteFallback && (i..<i + n).allSatisfy({ fallbackIds[Int(p[$0])] >= 0 }) {
                if pendingUnk { symbols.append(unkId); pendingUnk = false }
                for k in i..<i + n { symbols.append(fallbackIds[Int(p[k])]) }
            } else if unkId >= 0 {
                if pendingUnk && !fuseUnk { symbols.append(unkId) }
                pendingUnk = true
            }
            i += n
        }
        if pendingUnk { symbols.append(unkId) }
    }

    /// Repeatedly merges the leftmost lowest-ranked pair; O(n²), fastest for short words.
    @inline(__always)
    func mergeLinear(_ sym: inout [Int32], _ pairs: inout [UInt64], _ table: UnsafePointer<UInt64>) {
        var n = sym.count
        if n < 2 { return }
        pairs.removeAll(keepingCapacity: true)
        for i in 0..<n - 1 { pairs.append(merges.lookup(sym[i], sym[i + 1], table)) }
        sym.withUnsafeMutableBufferPointer { s in
            pairs.withUnsafeMutableBufferPointer { r in
                while n > 1 {
                    // Packed rank << 32 | id: the minimum is the lowest rank; strict < keeps the leftmost.
                    var best = UInt64.max
                    var bi = -1
                    for i in 0..<n - 1 where r[i] < best { best = r[i]; bi = i }
                    if bi < 0 { break }
                    s[bi] = Int32(truncatingIfNeeded: best & 0xFFFF_FFFF)
                    var k = bi + 1
                    while k < n - 1 { s[k] = s[k + 1]; k += 1 }
                    k = bi + 1
                    while k < n - 2 { r[k] = r[k + 1]; k += 1 }
                    n -= 1
                    if bi > 0 { r[bi - 1] = merges.lookup(s[bi - 1], s[bi], table) }
                    if bi < n - 1 { r[bi] = merges.lookup(s[bi], s[bi + 1], table) }
                }
            }
        }
        sym.removeLast(sym.count - n)
    }

    /// HF's algorithm: a min-heap of (rank, position) over a linked list of symbols, with
    /// stale entries skipped when popped. O(n log n) for long words (runs of thousands of bytes).
    func mergeWithHeap(_ scratch: inout BPEScratch, _ table: UnsafePointer<UInt64>) {
        let n = scratch.symbols.count
        var heap = MinHeap(storage: scratch.heap)
        scratch.prev.removeAll(keepingCapacity: true)
        scratch.next.removeAll(keepingCapacity: true)
        for i in 0..<n {
            scratch.prev.append(Int32(i - 1))
            scratch.next.append(i + 1 < n ? Int32(i + 1) : -1)
        }
        scratch.symbols.withUnsafeMutableBufferPointer { sym in
            scratch.prev.withUnsafeMutableBufferPointer { prev in
                scratch.next.withUnsafeMutableBufferPointer { next in
                    for i in 0..<n - 1 {
                        let m = merges.lookup(sym[i], sym[i + 1], table)
                        if m != UInt64.max { heap.push(m & ~0xFFFF_FFFF | UInt64(i)) }
                    }
                    while let top = heap.pop() {
                        let pos = Int(top & 0xFFFF_FFFF)
                        let rank = top >> 32
                        if sym[pos] < 0 { continue }  // merged into its left neighbour
                        let nx = Int(next[pos])
                        if nx < 0 { continue }
                        let m = merges.lookup(sym[pos], sym[nx], table)
                        if m == UInt64.max || m >> 32 != rank { continue }  // stale entry
                        sym[pos] = Int32(truncatingIfNeeded: m & 0xFFFF_FFFF)
                        sym[nx] = -1
                        let after = next[nx]
                        next[pos] = after
                        if after >= 0 { prev[Int(after)] = Int32(pos) }
                        let pv = Int(prev[pos])
                        if pv >= 0 {
                            let m2 = merges.lookup(sym[pv], sym[pos], table)
                            if m2 != UInt64.max { heap.push(m2 & ~0xFFFF_FFFF | UInt64(pv)) }
                        }
                        if after >= 0 {
                            let m3 = merges.lookup(sym[pos], sym[Int(after)], table)
                            if m3 != UInt64.max { heap.push(m3 & ~0xFFFF_FFFF | UInt64(pos)) }
                        }
                    }
                }
            }
        }
        scratch.heap = heap.storage
        scratch.symbols.removeAll { $0 < 0 }
    }
}

/// Reusable buffers for encoding (one per `encode` call, so a tokenizer is freely shared).
struct BPEScratch {
    var symbols: [Int32] = []
    var pairs: [UInt64] = []
    var prev: [Int32] = []
    var next: [Int32] = []
    var heap: [UInt64] = []
    var cache: WordCache

    init(cache: Bool) { self.cache = WordCache(enabled: cache) }
}

/// A binary min-heap of packed UInt64 keys.
struct MinHeap {
    var storage: [UInt64]

    init(storage: [UInt64]) {
        self.storage = storage
        self.storage.removeAll(keepingCapacity: true)
    }

    mutating func push(_ x: UInt64) {
        storage.append(x)
        var i = storage.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if storage[parent] <= x { break }
            storage[i] = storage[parent]
            i = parent
        }
        storage[i] = x
    }

    mutating func pop() -> UInt64? {
        guard let last = storage.popLast() else { return nil }
        if storage.isEmpty { return last }
        let top = storage[0]
        let n = storage.count
        var i = 0
        while true {
            var c = 2 * i + 1
            if c >= n { break }
            if c + 1 < n && storage[c + 1] < storage[c] { c += 1 }
            if storage[c] >= last { break }
            storage[i] = storage[c]
            i = c
        }
        storage[i] = last
        return top
    }
}
