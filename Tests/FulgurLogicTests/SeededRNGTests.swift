import FulgurSupport
import Testing

@Suite struct RNGTests {
    /// SplitMix64 reference outputs for seed 1234567 (Vigna's splitmix64.c; the same five values are
    /// published on Rosetta Code "Pseudo-random numbers/Splitmix64").
    @Test func splitMixMatchesReference() {
        var state: UInt64 = 1_234_567
        let got = (0..<5).map { _ in RNG.splitMix64(&state) }
        #expect(got == [6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431,
                        16408922859458223821])
    }

    /// xoshiro256** seeded with four SplitMix64 outputs from seed 100: the first outputs published
    /// with the Xoshiro-cpp / Quuxplusone test vectors (0x0afee0773a0d8a51, …).
    @Test func xoshiroMatchesReference() {
        var rng = RNG(seed: 100)
        let got = (0..<4).map { _ in rng.next() }
        #expect(got == [0x0AFE_E077_3A0D_8A51, 0x13B0_CA75_9B9B_1735, 0x5C76_D220_F846_1395, 0x8852_F10B_70A2_89F7])
    }

    @Test func fnv1aMatchesReference() {
        #expect(RNG.fnv1a("") == 0xCBF2_9CE4_8422_2325)
        #expect(RNG.fnv1a("a") == 0xAF63_DC4C_8601_EC8C)
        #expect(RNG.fnv1a("foobar") == 0x8594_4171_F739_67E8)
    }

    /// `below(n)` is uniform: a chi-square test over 7 buckets with 70,000 draws stays under the
    /// 99.9% quantile of χ²(6) = 22.46.
    @Test func belowIsUniform() {
        var rng = RNG(seed: 42)
        var counts = Array(repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[rng.below(7)] += 1 }
        let chi2 = counts.reduce(0.0) { $0 + pow2(Double($1) - 10_000) / 10_000 }
        #expect(chi2 < 22.46, "χ² = \(chi2), counts \(counts)")
        for _ in 0..<1000 { #expect((3...5).contains(rng.int(in: 3...5))) }
    }

    @Test func shuffleAndSampleArePermutations() {
        var rng = RNG(seed: 7)
        let items = Array(0..<50)
        #expect(rng.shuffled(items).sorted() == items)
        let s = rng.sample(items, 10)
        #expect(Set(s).count == 10 && s.allSatisfy { items.contains($0) })
        var a = RNG(mixing: [1, 2, 3]), b = RNG(mixing: [1, 2, 3]), c = RNG(mixing: [1, 2, 4])
        let x = a.next()
        #expect(x == b.next())
        #expect(x != c.next())
    }
}

private func pow2(_ x: Double) -> Double { x * x }
