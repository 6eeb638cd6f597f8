import Foundation

/// Open-addressing hash tables for the tokenizer's hot lookups. Keys are raw bytes, never
/// `String` (Swift compares strings by canonical equivalence, which would merge distinct tokens),
/// and a lookup takes a pointer and a length so no array is built per query.

@inline(__always)
func hashBytes(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 8 <= n {
        h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 29
        i += 8
    }
    if i < n {
        var w: UInt64 = 0
        var shift: UInt64 = 0
        while i < n { w |= UInt64(p[i]) << shift; shift += 8; i += 1 }
        h = (h ^ w) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
    }
    h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
    return h ^ (h >> 32)
}

/// Byte string → Int32. Insert-only; later inserts of an equal key replace the value.
struct ByteStringTable: Sendable {
    private(set) var arena: [UInt8] = []
    private var starts: [Int32] = []
    private var lengths: [Int32] = []
    private(set) var values: [Int32] = []
    private var hashes: [UInt64] = []
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
        mask = size - 1
    }

    var count: Int { values.count }

    /// Inserts or replaces; returns the previous value if the key was present.
    @discardableResult
    mutating func insert<C: Collection>(_ key: C, value: Int32) -> Int32? where C.Element == UInt8 {
        let bytes = Array(key)
        let h = bytes.withUnsafeBufferPointer { hashBytes($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
        if let e = bytes.withUnsafeBufferPointer({ findEntry($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count, h) }) {
            let old = values[e]
            values[e] = value
            return old
        }
        if (values.count + 1) * 2 > slots.count { grow() }
        let e = Int32(values.count)
        starts.append(Int32(arena.count))
        lengths.append(Int32(bytes.count))
        arena.append(contentsOf: bytes)
        values.append(value)
        hashes.append(h)
        place(Int(e), h)
        return nil
    }

    private mutating func place(_ e: Int, _ h: UInt64) {
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s] >= 0 { s = (s + 1) & mask }
        slots[s] = Int32(e)
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        mask = slots.count - 1
        for e in 0..<values.count { place(e, hashes[e]) }
    }

    @inline(__always)
    private func findEntry(_ p: UnsafePointer<UInt8>, _ n: Int, _ h: UInt64) -> Int? {
        var s = Int(truncatingIfNeeded: h) & mask
        return slots.withUnsafeBufferPointer { slots in
            hashes.withUnsafeBufferPointer { hashes in
                arena.withUnsafeBufferPointer { arena in
                    while true {
                        let e = Int(slots[s])
                        if e < 0 { return nil }
                        if hashes[e] == h && Int(lengths[e]) == n
                            && (n == 0 || memcmp(arena.baseAddress! + Int(starts[e]), p, n) == 0)
                        {
                            return e
                        }
                        s = (s + 1) & mask
                    }
                }
            }
        }
    }

    @inline(__always)
    func find(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        findEntry(p, n, hashBytes(p, n)).map { values[$0] }
    }

    func find<C: Collection>(_ key: C) -> Int32? where C.Element == UInt8 {
        if let found = key.withContiguousStorageIfAvailable({ find($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }) {
            return found
        }
        let bytes = Array(key)
        return bytes.withUnsafeBufferPointer { find($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
    }

    /// All keys with their values, in insertion order.
    func forEach(_ body: (ArraySlice<UInt8>, Int32) -> Void) {
        for e in 0..<values.count {
            let s = Int(starts[e])
            body(arena[s..<s + Int(lengths[e])], values[e])
        }
    }
}

/// A pair of token ids → (rank, merged id), for BPE merges. Keys and values are interleaved so
/// a probe touches one cache line.
struct MergeTable: Sendable {
    /// slot i: key at 2i, value at 2i + 1.
    private var slots: [UInt64]
    private let shift: UInt64
    private let mask: Int

    static let empty = UInt64.max

    init(capacity: Int) {
        var bits = 4
        while (1 << bits) < capacity * 2 { bits += 1 }
        slots = Array(repeating: MergeTable.empty, count: 2 << bits)
        shift = UInt64(64 - bits)
        mask = (1 << bits) - 1
    }

    @inline(__always)
    static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    /// Inserts or replaces (a later duplicate merge takes the later rank, as in HF tokenizers).
    mutating func insert(_ a: Int32, _ b: Int32, rank: UInt32, merged: Int32) {
        let k = MergeTable.key(a, b)
        var s = slot(k)
        while slots[2 * s] != MergeTable.empty && slots[2 * s] != k { s = (s + 1) & mask }
        slots[2 * s] = k
        slots[2 * s + 1] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: merged))
    }

    /// Packed `rank << 32 | merged`, or `UInt64.max` when the pair does not merge.
    @inline(__always)
    func lookup(_ a: Int32, _ b: Int32, _ table: UnsafePointer<UInt64>) -> UInt64 {
        let k = MergeTable.key(a, b)
        var s = slot(k)
        while true {
            let x = table[2 * s]
            if x == k { return table[2 * s + 1] }
            if x == MergeTable.empty { return UInt64.max }
            s = (s + 1) & mask
        }
    }

    func withPointer<R>(_ body: (UnsafePointer<UInt64>) -> R) -> R {
        slots.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
