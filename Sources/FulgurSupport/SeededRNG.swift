/// A small, fast, seeded random number generator: xoshiro256** (Blackman & Vigna) whose
/// state is filled by SplitMix64 from a 64-bit seed, the authors' recommended seeding.
///
/// Everything drawn from it is deterministic on every platform and Swift version: the
/// helpers below (`below`, `int(in:)`, `shuffle`, …) are implemented here rather than via
/// the standard library's `random(in:using:)`, whose algorithm is not a documented contract.
public struct SeededRNG: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Seeds the state with four SplitMix64 outputs starting from `seed`.
    public init(seed: UInt64) {
        var sm = seed
        s0 = SeededRNG.splitMix64(&sm)
        s1 = SeededRNG.splitMix64(&sm)
        s2 = SeededRNG.splitMix64(&sm)
        s3 = SeededRNG.splitMix64(&sm)
    }

    /// Seeds from several values (e.g. a user seed, a task name hash and an item index) so
    /// that each combination gets its own, unrelated stream.
    public init(mixing parts: [UInt64]) {
        var h: UInt64 = 0x6A09_E667_F3BC_C908
        for p in parts {
            var x = h ^ p
            h = SeededRNG.splitMix64(&x)
        }
        self.init(seed: h)
    }

    /// One SplitMix64 step: advances `state` and returns the mixed output.
    public static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// FNV-1a 64-bit hash of a string's UTF-8 bytes (stable, for deriving seeds from names).
    public static func fnv1a(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform integer in `0..<n` (n > 0), without modulo bias (Lemire's multiply-shift with rejection).
    public mutating func below(_ n: Int) -> Int {
        precondition(n > 0, "SeededRNG.below needs a positive bound")
        let bound = UInt64(n)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// A uniform integer in `range` (non-empty).
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// A uniformly chosen element of a non-empty array.
    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// Fisher–Yates shuffle in place.
    public mutating func shuffle<T>(_ items: inout [T]) {
        var i = items.count - 1
        while i > 0 {
            let j = below(i + 1)
            if i != j { items.swapAt(i, j) }
            i -= 1
        }
    }

    /// A shuffled copy.
    public mutating func shuffled<T>(_ items: [T]) -> [T] {
        var copy = items
        shuffle(&copy)
        return copy
    }

    /// `k` distinct elements chosen uniformly, in random order (k ≤ count).
    public mutating func sample<T>(_ items: [T], _ k: Int) -> [T] {
        precondition(k <= items.count, "SeededRNG.sample: k exceeds the population")
        var pool = items
        for i in 0..<k { pool.swapAt(i, i + below(pool.count - i)) }
        return Array(pool[0..<k])
    }
}
