import Foundation

/// Pre-token bytes → their BPE ids, for the duration of one `encode` call on a long text
/// (natural text repeats its words, so most pre-tokens are found here instead of re-merged).
/// Bounded: it empties itself when full.
struct WordCache {
    static let maxKeyLength = 48
    private static let slotCount = 1 << 15
    private static let maxEntries = slotCount / 2

    let enabled: Bool
    private var slots: [Int32] = []
    private var hashes: [UInt64] = []
    private var keyStart: [Int32] = []
    private var keyLength: [UInt8] = []
    private var idStart: [Int32] = []
    private var idCount: [UInt8] = []
    private var keys: [UInt8] = []
    private var ids: [Int32] = []

    init(enabled: Bool) {
        self.enabled = enabled
        if enabled { slots = Array(repeating: -1, count: Self.slotCount) }
    }

    /// Appends the cached ids of the key to `out`; false when absent.
    @inline(__always)
    mutating func lookup(_ p: UnsafePointer<UInt8>, _ n: Int, into out: inout [Int]) -> Bool {
        let h = hashBytes(p, n)
        let mask = Self.slotCount - 1
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[s])
            if e < 0 { return false }
            if hashes[e] == h && Int(keyLength[e]) == n
                && keys.withUnsafeBufferPointer({ memcmp($0.baseAddress! + Int(keyStart[e]), p, n) }) == 0
            {
                let a = Int(idStart[e])
                for k in a..<a + Int(idCount[e]) { out.append(Int(ids[k])) }
                return true
            }
            s = (s + 1) & mask
        }
    }

    mutating func insert(_ p: UnsafePointer<UInt8>, _ n: Int, _ value: ArraySlice<Int>) {
        if hashes.count >= Self.maxEntries || value.count > 255 {
            if value.count > 255 { return }
            clear()
        }
        let h = hashBytes(p, n)
        let mask = Self.slotCount - 1
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s] >= 0 { s = (s + 1) & mask }
        slots[s] = Int32(hashes.count)
        hashes.append(h)
        keyStart.append(Int32(keys.count))
        keyLength.append(UInt8(n))
        keys.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        idStart.append(Int32(ids.count))
        idCount.append(UInt8(value.count))
        for v in value { ids.append(Int32(v)) }
    }

    private mutating func clear() {
        for i in slots.indices { slots[i] = -1 }
        hashes.removeAll(keepingCapacity: true)
        keyStart.removeAll(keepingCapacity: true)
        keyLength.removeAll(keepingCapacity: true)
        idStart.removeAll(keepingCapacity: true)
        idCount.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
    }
}
