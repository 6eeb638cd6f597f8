import Foundation

/// Pre-token bytes → their BPE ids, for the duration of one `encode` call on a long text
/// (natural text repeats its words, so most pre-tokens are found here instead of re-merged).
/// Keys of up to 16 bytes and single ids live inside the 32-byte slot, so the usual hit
/// reads one cache line. Bounded: it grows to `maxSlots`, then empties itself when full.
struct WordCache {
    static let maxKeyLength = 48
    private static let initialSlots = 1 << 12
    private static let maxSlots = 1 << 16

    struct Slot {
        var hash: UInt64 = 0
        /// Key bytes (≤ 16, zero-padded); for longer keys `key0` is the offset in `keys`.
        var key0: UInt64 = 0
        var key1: UInt64 = 0
        /// The id when `idCount == 1`, else the offset of the ids in `ids`.
        var id: UInt32 = 0
        var keyLength: UInt8 = 0  // 0: empty (keys are never empty)
        var idCount: UInt8 = 0
    }

    let enabled: Bool
    private var slots: [Slot] = []
    private var count = 0
    private var keys: [UInt8] = []
    private var ids: [Int32] = []

    init(enabled: Bool) {
        self.enabled = enabled
        if enabled { slots = Array(repeating: Slot(), count: Self.initialSlots) }
    }

    /// The first 16 bytes of a key as two words (zero-padded).
    @inline(__always)
    static func inlineKey(_ p: UnsafePointer<UInt8>, _ n: Int) -> (UInt64, UInt64) {
        var k: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &k) { $0.copyMemory(from: UnsafeRawBufferPointer(start: p, count: min(n, 16))) }
        return k
    }

    /// Appends the cached ids of the key to `out`; false when absent.
    @inline(__always)
    func lookup(_ p: UnsafePointer<UInt8>, _ n: Int, into out: inout [Int]) -> Bool {
        let h = hashBytes(p, n)
        let (k0, k1) = Self.inlineKey(p, n)
        let mask = slots.count - 1
        return slots.withUnsafeBufferPointer { slots in
            var s = Int(truncatingIfNeeded: h) & mask
            while true {
                let slot = slots[s]
                if slot.keyLength == 0 { return false }
                if slot.hash == h && Int(slot.keyLength) == n && matches(slot, p, n, k0, k1) {
                    if slot.idCount == 1 {
                        out.append(Int(slot.id))
                    } else {
                        ids.withUnsafeBufferPointer { ids in
                            let a = Int(slot.id)
                            for k in a..<a + Int(slot.idCount) { out.append(Int(ids[k])) }
                        }
                    }
                    return true
                }
                s = (s + 1) & mask
            }
        }
    }

    @inline(__always)
    private func matches(_ slot: Slot, _ p: UnsafePointer<UInt8>, _ n: Int, _ k0: UInt64, _ k1: UInt64) -> Bool {
        if n <= 16 { return slot.key0 == k0 && slot.key1 == k1 }
        return keys.withUnsafeBufferPointer { memcmp($0.baseAddress! + Int(slot.key0), p, n) == 0 }
    }

    mutating func insert(_ p: UnsafePointer<UInt8>, _ n: Int, _ value: ArraySlice<Int>) {
        guard n > 0, n <= Self.maxKeyLength, !value.isEmpty, value.count <= 255 else { return }
        if (count + 1) * 2 > slots.count {
            if slots.count < Self.maxSlots { rehash(slots.count * 2) } else { clear() }
        }
        var slot = Slot(hash: hashBytes(p, n), keyLength: UInt8(n), idCount: UInt8(value.count))
        if n <= 16 {
            (slot.key0, slot.key1) = Self.inlineKey(p, n)
        } else {
            slot.key0 = UInt64(keys.count)
            keys.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        }
        if value.count == 1 {
            slot.id = UInt32(value.first!)
        } else {
            slot.id = UInt32(ids.count)
            for v in value { ids.append(Int32(v)) }
        }
        place(slot)
        count += 1
    }

    private mutating func place(_ slot: Slot) {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: slot.hash) & mask
        while slots[s].keyLength != 0 { s = (s + 1) & mask }
        slots[s] = slot
    }

    private mutating func rehash(_ size: Int) {
        let old = slots
        slots = Array(repeating: Slot(), count: size)
        for slot in old where slot.keyLength != 0 { place(slot) }
    }

    private mutating func clear() {
        slots = Array(repeating: Slot(), count: slots.count)
        count = 0
        keys.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
    }
}
