import FulgurCluster
import Foundation

/// What every rank knows about every kept sample of a step, in the global order (group by group,
/// sample by sample). Under `mpirun` each rank generates and scores whole groups; the table is
/// summed over the ranks so that advantages (batch-normalized ones too), the loss normalizers and
/// the step's metrics are those of the whole batch on every rank. Alone, it is just a summary.
struct RolloutTable {
    struct Row: Equatable {
        var env = 0
        var reward = 0.0
        var correct = false
        var format = 0.0
        var truncated = false
        var length = 0
        var logProbSum = 0.0
    }

    let groupSize: Int
    private(set) var rows: [Row]

    init(groups: Int, groupSize: Int) {
        self.groupSize = groupSize
        rows = Array(repeating: Row(), count: groups * groupSize)
    }

    var groups: Int { rows.count / max(groupSize, 1) }
    func group(_ g: Int) -> ArraySlice<Row> { rows[(g * groupSize)..<((g + 1) * groupSize)] }

    mutating func set(group g: Int, _ values: [Row]) {
        precondition(values.count == groupSize)
        for (j, r) in values.enumerated() { rows[g * groupSize + j] = r }
    }

    /// Every rank filled the rows of its own groups (the others are zero): after the sum every
    /// rank holds every row.
    mutating func share(over cluster: Cluster) {
        guard cluster.isDistributed else { return }
        let fields = 7
        var flat = [Double](repeating: 0, count: rows.count * fields)
        for (i, r) in rows.enumerated() {
            flat.replaceSubrange((i * fields)..<((i + 1) * fields), with: [
                Double(r.env), r.reward, r.correct ? 1 : 0, r.format, r.truncated ? 1 : 0, Double(r.length), r.logProbSum,
            ])
        }
        cluster.sum(&flat)
        for i in rows.indices {
            let f = flat[(i * fields)..<((i + 1) * fields)].map { $0 }
            rows[i] = Row(env: Int(f[0]), reward: f[1], correct: f[2] != 0, format: f[3], truncated: f[4] != 0,
                          length: Int(f[5]), logProbSum: f[6])
        }
    }
}

/// Pearson's correlation from sums that add up over ranks.
struct PearsonSums {
    var n = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0

    mutating func add(_ x: Double, _ y: Double) {
        n += 1; sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y
    }

    var flattened: [Double] { [n, sx, sy, sxx, syy, sxy] }
    init() {}
    init(flattened f: [Double]) { (n, sx, sy, sxx, syy, sxy) = (f[0], f[1], f[2], f[3], f[4], f[5]) }

    var value: Double? {
        guard n >= 2 else { return nil }
        let vx = n * sxx - sx * sx, vy = n * syy - sy * sy
        guard vx > 0, vy > 0 else { return nil }
        return (n * sxy - sx * sy) / (vx * vy).squareRoot()
    }
}

extension Cluster {
    /// The loss statistics of the whole batch: counts and token-weighted means summed, the
    /// maximum ratio maximized.
    func sum(_ s: PolicyLoss.Stats) -> PolicyLoss.Stats {
        guard isDistributed else { return s }
        let t = Double(s.tokens), f = s.fork
        var v = [t, Double(s.zeroed), Double(s.capped), Double(s.outsideTrustRegion), s.ratioMean * t, s.isWeightMean * t,
                 s.kl * t, s.tisWeightMean * t, f.probSum, Double(f.low), f.zeroedProbSum, Double(f.zeroedLow),
                 f.cappedProbSum, Double(f.cappedLow)]
        sum(&v)
        var out = PolicyLoss.Stats()
        out.tokens = Int(v[0]); out.zeroed = Int(v[1]); out.capped = Int(v[2]); out.outsideTrustRegion = Int(v[3])
        let n = max(v[0], 1)
        out.ratioMean = v[4] / n; out.isWeightMean = v[5] / n; out.kl = v[6] / n; out.tisWeightMean = v[7] / n
        out.fork.probSum = v[8]; out.fork.low = Int(v[9]); out.fork.zeroedProbSum = v[10]; out.fork.zeroedLow = Int(v[11])
        out.fork.cappedProbSum = v[12]; out.fork.cappedLow = Int(v[13])
        out.ratioMax = maximum(s.ratioMax)
        return out
    }

    func sum(_ p: PearsonSums) -> PearsonSums {
        guard isDistributed else { return p }
        var v = p.flattened
        sum(&v)
        return PearsonSums(flattened: v)
    }
}
