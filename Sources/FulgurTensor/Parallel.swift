import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public enum Parallel {
    /// Number of worker threads used by Fulgur's own kernels: the machine's cores, shared evenly
    /// by the ranks of an `mpirun` job on this machine. Set FULGUR_THREADS (per process) to override.
    nonisolated(unsafe) public static var threads: Int = {
        if let s = ProcessInfo.processInfo.environment["FULGUR_THREADS"], let n = Int(s), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount / localProcesses)
    }()

    /// Processes of one `mpirun` job on this machine (Open MPI says so in the environment), else 1.
    public static var localProcesses: Int {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap { Int($0) }.map { max($0, 1) } ?? 1
    }

    /// A warning when the processes of a job on this machine ask for more threads than it has cores.
    public static var oversubscription: String? {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard localProcesses * threads > cores else { return nil }
        return "\(localProcesses) ranks × \(threads) threads (FULGUR_THREADS) exceed the \(cores) cores of this machine: expect them to slow each other down"
    }

    /// Parallel loops running now (inner code such as BLAS then stays on its thread).
    @usableFromInline static let activeRegions = Atomic<Int>(0)
    public static var inParallelRegion: Bool { activeRegions.load(ordering: .relaxed) > 0 }

    /// Runs `body(range)` over `0..<n` split into contiguous chunks, one per thread.
    /// Falls back to a plain call when the work is too small to be worth a fork.
    @inlinable
    public static func forRanges(_ n: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = min(threads, max(1, n / max(minChunk, 1)))
        if parts <= 1 { body(0..<n); return }
        tasks(parts) { p in
            let lo = n * p / parts, hi = n * (p + 1) / parts
            if lo < hi { body(lo..<hi) }
        }
    }

    /// Runs `body(i)` for every i in `0..<n`, chunked over the threads.
    @inlinable
    public static func forEach(_ n: Int, minChunk: Int = 1, _ body: (Int) -> Void) {
        forRanges(n, minChunk: minChunk) { r in for i in r { body(i) } }
    }

    /// `(0..<n).map(body)` computed in parallel; results keep their order.
    public static func map<T>(_ n: Int, minChunk: Int = 1, _ body: (Int) -> T) -> [T] {
        collect(n) { o in forEach(n, minChunk: minChunk) { o.p[$0] = body($0) } }
    }

    /// `(0..<n).map(body)` with every index its own task, claimed by threads as they free up: for
    /// items of uneven cost (verifiers running test processes), where `map`'s even ranges would
    /// leave a thread idle behind a slow item.
    public static func mapEach<T>(_ n: Int, _ body: (Int) -> T) -> [T] {
        collect(n) { o in tasks(n) { o.p[$0] = body($0) } }
    }

    /// The results `fill` writes into a buffer of `n` optionals, in order.
    private static func collect<T>(_ n: Int, _ fill: (SendablePointer<T?>) -> Void) -> [T] {
        let out = UnsafeMutablePointer<T?>.allocate(capacity: n)
        out.initialize(repeating: nil, count: n)
        defer { out.deinitialize(count: n); out.deallocate() }
        fill(SendablePointer(out))
        return (0..<n).map { out[$0]! }
    }
}

// MARK: - Persistent workers

/// Fork-join on persistent worker threads. `DispatchQueue.concurrentPerform` costs several
/// microseconds per call, which a decode step of a small model (dozens of parallel
/// products of tens of microseconds each) cannot afford. Here the helper threads spin for
/// a short while after each region (so the next one starts within a fraction of a
/// microsecond) and then sleep on a condition variable.
///
/// Tasks are claimed one at a time from a shared counter by the caller and the helpers
/// alike, so a helper that is descheduled (the machine is shared) simply claims fewer tasks
/// instead of holding up the region. One region runs at a time; a caller that finds the
/// pool busy (another thread's region) uses `concurrentPerform`, and code already inside a
/// region runs serially.
@usableFromInline
final class WorkerPool: @unchecked Sendable {
    /// generation (bits 32…63) | task count (bits 16…31) | next task index (bits 0…15)
    let state = Atomic<UInt64>(0)
    let finished = Atomic<Int>(0)
    let sleepers = Atomic<Int>(0)
    let busy = Atomic<Bool>(false)
    let condition = NSCondition()
    nonisolated(unsafe) var body: ((Int) -> Void)?
    let helpers: Int
    /// How long an idle helper spins before it sleeps.
    static let spinNanoseconds: UInt64 = 200_000
    static let maxTasks = 0xFFFF

    @usableFromInline static let shared = WorkerPool(helpers: Parallel.threads - 1)

    init(helpers: Int) {
        self.helpers = max(0, helpers)
        for _ in 0..<self.helpers {
            let t = Thread { [unowned self] in self.helperLoop() }
            t.name = "fulgur-worker"
            t.start()
        }
    }

    /// Runs body(i) for i in 0..<count; returns false (doing nothing) when the pool is busy.
    @usableFromInline
    func run(_ count: Int, _ body: (Int) -> Void) -> Bool {
        guard count <= Self.maxTasks, helpers > 0,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { f in
            self.body = f
            finished.store(0, ordering: .relaxed)
            let gen = (state.load(ordering: .relaxed) >> 32) &+ 1
            state.store((gen << 32) | (UInt64(count) << 16), ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                condition.lock(); condition.broadcast(); condition.unlock()
            }
            var mine = 0
            while let i = claim(generation: gen) { f(i); mine += 1 }
            finished.add(mine, ordering: .relaxed)
            // a helper that claimed a task may have been descheduled (shared machine): after a
            // short spin, yield the core instead of burning it
            var spins = 0
            while finished.load(ordering: .acquiring) < count {
                spins &+= 1
                if spins > 64 { sched_yield() }
            }
            self.body = nil
        }
        return true
    }

    /// The next task of generation `gen`, if any is left.
    @inline(__always)
    func claim(generation gen: UInt64) -> Int? {
        var s = state.load(ordering: .acquiring)
        while true {
            let idx = s & 0xFFFF, count = (s >> 16) & 0xFFFF
            if s >> 32 != gen || idx >= count { return nil }
            let (done, actual) = state.compareExchange(expected: s, desired: s + 1, ordering: .acquiringAndReleasing)
            if done { return Int(idx) }
            s = actual
        }
    }

    func helperLoop() {
        var seen: UInt64 = 0
        while true {
            var gen = state.load(ordering: .acquiring) >> 32
            if gen == seen {
                var spins = 0
                let start = DispatchTime.now().uptimeNanoseconds
                while true {
                    gen = state.load(ordering: .acquiring) >> 32
                    if gen != seen { break }
                    spins &+= 1
                    if spins > 64 { sched_yield() }
                    if spins & 15 == 0 && DispatchTime.now().uptimeNanoseconds - start > Self.spinNanoseconds {
                        condition.lock()
                        sleepers.add(1, ordering: .sequentiallyConsistent)
                        while true {
                            gen = state.load(ordering: .sequentiallyConsistent) >> 32
                            if gen != seen { break }
                            condition.wait()
                        }
                        sleepers.subtract(1, ordering: .sequentiallyConsistent)
                        condition.unlock()
                        break
                    }
                }
            }
            seen = gen
            let n = work(generation: gen)
            if n > 0 { finished.add(n, ordering: .releasing) }
        }
    }

    /// Claims and runs tasks of `gen`; the body is read only after a claim succeeded (the
    /// caller cannot end the region while a claimed task is unfinished) and released before
    /// this returns, so the caller's non-escaping closure never outlives its region.
    @inline(never)
    func work(generation gen: UInt64) -> Int {
        guard let first = claim(generation: gen) else { return 0 }
        let f = body.unsafelyUnwrapped
        f(first)
        var n = 1
        while let i = claim(generation: gen) { f(i); n += 1 }
        return n
    }
}

extension Parallel {
    /// Runs `body(p)` for p in `0..<count` on the worker threads (each index once; threads
    /// claim indices as they become free, so more tasks than threads balance uneven progress).
    @inlinable
    public static func tasks(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 || threads <= 1 || inParallelRegion { for p in 0..<count { body(p) }; return }
        activeRegions.add(1, ordering: .relaxed)
        defer { activeRegions.subtract(1, ordering: .relaxed) }
        if WorkerPool.shared.run(count, body) { return }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let f = body
            DispatchQueue.concurrentPerform(iterations: count) { f($0) }
        }
    }
}
