/// Group-relative advantages (report Eq. 2): every token of response i gets
/// Â_i = (R_i − mean_G R) / (std_G R + eps), with options for the std.
public enum AdvantageEstimator: String, Codable, Sendable, CaseIterable {
    /// (R − mean) / (std + eps), std with Bessel's correction (TRL, verl).
    case groupStd = "group_std"
    /// R − mean (Dr.GRPO).
    case groupMean = "group_mean"
    /// (R − group mean) / (std of all rewards in the batch + eps) (TRL `scale_rewards="batch"`).
    case batchStd = "batch_std"

    /// `groups`: rewards per prompt group. Returns advantages in the same layout.
    public func advantages(_ groups: [[Double]], eps: Double = 1e-6) -> [[Double]] {
        let batchStd = Self.std(groups.flatMap { $0 })
        return groups.map { g in
            let mean = g.reduce(0, +) / Double(max(g.count, 1))
            switch self {
            case .groupMean: return g.map { $0 - mean }
            case .groupStd: let s = Self.std(g); return g.map { ($0 - mean) / (s + eps) }
            case .batchStd: return g.map { ($0 - mean) / (batchStd + eps) }
            }
        }
    }

    /// Sample standard deviation with Bessel's correction (0 for fewer than two values).
    public static func std(_ x: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        let m = x.reduce(0, +) / Double(x.count)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
    }
}

/// DAPO's soft overlong punishment (Eq. 13), added to the correctness reward:
/// 0 up to L_max − L_cache, then linearly down to −1 at L_max, and −1 beyond.
public func softOverlongPunishment(length: Int, maxLength: Int, cache: Int) -> Double {
    if length <= maxLength - cache { return 0 }
    if length <= maxLength { return Double((maxLength - cache) - length) / Double(cache) }
    return -1
}
