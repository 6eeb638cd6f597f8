import Foundation
import FulgurCluster
import FulgurTensor

/// `mpirun -np N fulgur train|rl|pipeline|eval …`: the command's view of its job. Without
/// `mpirun` it is a job of one and nothing changes.
enum DataParallelJob {
    /// The cluster, announced on rank 0 (ranks, threads, library), with a warning on each machine
    /// whose ranks ask for more threads than it has cores.
    static func start() -> Cluster {
        let cluster = Cluster.world
        guard cluster.isDistributed else { return cluster }
        let localRank = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_RANK"].flatMap { Int($0) } ?? cluster.rank
        if localRank == 0, let warning = Parallel.oversubscription {
            Console.err("warning: \(warning)\n")
        }
        if cluster.isRoot {
            Console.err("data parallel: \(cluster.size) ranks × \(Parallel.threads) threads (\(cluster.library ?? "MPI"))\n")
        }
        return cluster
    }
}
