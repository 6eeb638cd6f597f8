import Foundation

/// Seeded, reproducible random numbers: xoshiro256** (Blackman & Vigna) seeded by SplitMix64.
/// Every helper is implemented here (not via the standard library's `random(in:using:)`,
/// whose algorithm is not a documented contract), so draws are identical everywhere.
/// The state is four words, so it can be saved in checkpoints and restored exactly.
public struct RNG: RandomNumberGenerator, Sendable, Codable, Equatable {
    public var s: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the state with four SplitMix64 outputs starting from `seed`.
    public init(seed: UInt64) {
        var x = seed
        s = (RNG.splitMix64(&x), RNG.splitMix64(&x), RNG.splitMix64(&x), RNG.splitMix64(&x))
    }

    @inline(__always) static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = RNG.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = RNG.rotl(s.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 24 bits (exactly representable as Float).
    public mutating func uniformFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }
    /// Uniform in [0, 1) with 53 bits.
    public mutating func uniformDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Standard normal sample (Box–Muller).
    public mutating func normal() -> Float {
        var u1 = uniformDouble()
        while u1 <= 0 { u1 = uniformDouble() }
        let u2 = uniformDouble()
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
    }

    /// Seeds from several values (e.g. a user seed, a task name hash and an item index) so
    /// that each combination gets its own, unrelated stream.
    public init(mixing parts: [UInt64]) {
        var h: UInt64 = 0x6A09_E667_F3BC_C908
        for p in parts {
            var x = h ^ p
            h = RNG.splitMix64(&x)
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

    /// A uniform integer in `0..<n` (n > 0), without modulo bias (Lemire's multiply-shift with rejection).
    public mutating func below(_ n: Int) -> Int {
        precondition(n > 0, "RNG.below needs a positive bound")
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
    public mutating func unit() -> Double { uniformDouble() }

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
        precondition(k <= items.count, "RNG.sample: k exceeds the population")
        var pool = items
        for i in 0..<k { pool.swapAt(i, i + below(pool.count - i)) }
        return Array(pool[0..<k])
    }

    /// A derived, independent generator (for per-sequence streams).
    public mutating func fork() -> RNG { RNG(seed: next()) }

    // Codable as an array of four words.
    public init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        s = (try c.decode(UInt64.self), try c.decode(UInt64.self), try c.decode(UInt64.self), try c.decode(UInt64.self))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(s.0); try c.encode(s.1); try c.encode(s.2); try c.encode(s.3)
    }
    public static func == (a: RNG, b: RNG) -> Bool { a.s == b.s }
}

@inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Foundation.cos(x) }

/// SplitMix64 as a generator: the tiny seeded stream behind the task generators (the same seed
/// gives the same tasks on every platform).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 { RNG.splitMix64(&state) }
}
