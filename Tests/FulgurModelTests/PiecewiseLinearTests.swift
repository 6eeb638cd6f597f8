import Testing
import FulgurSupport

/// The interpolation and integer sums behind `bench scaling`'s sampled method.
struct PiecewiseLinearTests {
    let f = PiecewiseLinear([(x: 10, y: 4), (x: 0, y: 2), (x: 20, y: 4)])

    @Test func interpolatesAndHoldsTheEnds() {
        #expect(f.xs == [0, 10, 20])
        #expect(f(-5) == 2)
        #expect(f(0) == 2)
        #expect(f(5) == 3)
        #expect(f(7.5) == 3.5)
        #expect(f(15) == 4)
        #expect(f(30) == 4)
    }

    @Test func repeatedXKeepsTheMean() {
        let g = PiecewiseLinear([(x: 1, y: 1), (x: 1, y: 3), (x: 3, y: 6)])
        #expect(g.xs == [1, 3])
        #expect(g.ys == [2, 6])
        #expect(g(2) == 4)
    }

    // f(n) for n = 1 … 12: 2.2, 2.4, …, 4.0 (n = 1 … 10), then 4, 4: Σ = 31 + 8 = 39.
    @Test func sumsOverIntegers() {
        #expect(abs(f.sum(from: 1, through: 12) - 39) < 1e-12)
        #expect(f.sum(from: 5, through: 4) == 0)
        #expect(f.sum(from: 5, through: 5) == 3)
    }

    // Ends 10 and 12 after 0: Σ_{1..10} = 31, Σ_{1..12} = 39. A linear per-token time a + b·n
    // sums exactly: 0.5 + 0.001·n over n = 17 … 1016 is 1000·0.5 + 0.001·516,500 = 1016.5.
    @Test func cumulativeSumsAndALinearCost() {
        let s = f.cumulativeSums(after: 0, ends: [10, 12])
        #expect(abs(s[0] - 31) < 1e-12)
        #expect(abs(s[1] - 39) < 1e-12)
        let line = PiecewiseLinear([(x: 0, y: 0.5), (x: 4000, y: 4.5)])
        #expect(abs(line.cumulativeSums(after: 16, ends: [1016])[0] - 1016.5) < 1e-9)
    }
}
