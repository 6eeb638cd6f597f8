/// A function through sample points (x sorted, distinct), linear between neighbouring points
/// and constant beyond the first and last. Used to integrate sampled per-token times over a
/// range of context lengths.
public struct PiecewiseLinear: Sendable, Equatable {
    public let xs: [Double]
    public let ys: [Double]

    /// `points` in any order; a repeated x keeps the mean of its y values.
    public init(_ points: [(x: Double, y: Double)]) {
        precondition(!points.isEmpty, "a piecewise-linear function needs at least one point")
        var xs: [Double] = [], ys: [Double] = [], counts: [Double] = []
        for p in points.sorted(by: { $0.x < $1.x }) {
            if let last = xs.last, last == p.x {
                ys[ys.count - 1] += p.y
                counts[counts.count - 1] += 1
            } else {
                xs.append(p.x); ys.append(p.y); counts.append(1)
            }
        }
        self.xs = xs
        self.ys = zip(ys, counts).map { $0 / $1 }
    }

    public func callAsFunction(_ x: Double) -> Double {
        if x <= xs[0] { return ys[0] }
        if x >= xs[xs.count - 1] { return ys[ys.count - 1] }
        // Binary search for the segment xs[i] < x ≤ xs[i + 1].
        var lo = 0, hi = xs.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if xs[mid] < x { lo = mid } else { hi = mid }
        }
        let t = (x - xs[lo]) / (xs[hi] - xs[lo])
        return ys[lo] + t * (ys[hi] - ys[lo])
    }

    /// Σ f(n) for the integers n = a … b (0 when b < a).
    public func sum(from a: Int, through b: Int) -> Double {
        guard b >= a else { return 0 }
        var s = 0.0
        for n in a...b { s += self(Double(n)) }
        return s
    }

    /// Running sums over consecutive integer ranges: element k is Σ f(n) for
    /// n = start + 1 … ends[k] (`ends` increasing, each ≥ start).
    public func cumulativeSums(after start: Int, ends: [Int]) -> [Double] {
        var acc = 0.0, done = start
        return ends.map { e in
            precondition(e >= done, "ends must be increasing and not below start")
            acc += sum(from: done + 1, through: e)
            done = e
            return acc
        }
    }
}
