import FulgurCluster
import FulgurModel

/// How data-parallel ranks split work. Every rank draws the same global batch from the same
/// data loader (so the loader position in a checkpoint does not depend on the rank count) and
/// trains on its share; gradients and statistics are then summed over the ranks.
public enum DataParallel {
    /// Rank `rank`'s contiguous share of `batch`, balanced by tokens: example i goes to the rank
    /// whose 1/size of the batch's tokens holds the example's midpoint. Empty when the batch has
    /// fewer examples than ranks and none falls to this one.
    public static func share(of batch: [Example], rank: Int, size: Int) -> ArraySlice<Example> {
        guard size > 1 else { return batch[...] }
        let total = batch.reduce(0) { $0 + $1.ids.count }
        var before = 0, lo = batch.count, hi = batch.count
        for (i, e) in batch.enumerated() {
            let owner = min(size - 1, (2 * before + e.ids.count) * size / max(2 * total, 1))
            if owner == rank && lo == batch.count { lo = i }
            if owner > rank { hi = i; break }
            before += e.ids.count
        }
        return lo <= hi ? batch[lo..<hi] : batch[lo..<lo]
    }

    /// The indices `0..<count` this rank handles when work items are dealt round-robin.
    public static func dealt(_ count: Int, rank: Int, size: Int) -> StrideTo<Int> {
        stride(from: rank, to: count, by: size)
    }

    /// A batch size that does not split evenly over the ranks is refused before any work.
    public static func checkDivides(batchSize: Int, field: String, cluster: Cluster) throws {
        guard batchSize % cluster.size == 0 else {
            throw DataParallelError("\(field) = \(batchSize) does not divide over \(cluster.size) ranks: use a multiple of \(cluster.size)")
        }
    }
}

/// A run that cannot be split over the ranks it was started with.
public struct DataParallelError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Cluster {
    /// Sums every rank's gradients in place: one flat buffer, bucketed allreduce.
    public func sum(_ g: Gradients) { sum(g.flat.pointer, count: g.flat.count) }

    /// Sums routing statistics over the ranks (the aux loss of the whole batch).
    public func sum(_ r: RoutingStatistics) -> RoutingStatistics {
        guard isDistributed else { return r }
        var v = r.flattened
        sum(&v)
        return RoutingStatistics(flattened: v)
    }
}
