import Dispatch
import Foundation

public enum Parallel {
    /// Number of worker threads used by Fulgur's own kernels (the machine's cores).
    /// Set FULGUR_THREADS to override.
    nonisolated(unsafe) public static var threads: Int = {
        if let s = ProcessInfo.processInfo.environment["FULGUR_THREADS"], let n = Int(s), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Runs `body(range)` over `0..<n` split into contiguous chunks, one per thread.
    /// Falls back to a plain call when the work is too small to be worth a fork.
    @inlinable
    public static func forRanges(_ n: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = min(threads, max(1, n / max(minChunk, 1)))
        if parts <= 1 { body(0..<n); return }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let f = body
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let lo = n * p / parts, hi = n * (p + 1) / parts
                if lo < hi { f(lo..<hi) }
            }
        }
    }

    /// Runs `body(i)` for every i in `0..<n`, chunked over the threads.
    @inlinable
    public static func forEach(_ n: Int, minChunk: Int = 1, _ body: (Int) -> Void) {
        forRanges(n, minChunk: minChunk) { r in for i in r { body(i) } }
    }

    /// `(0..<n).map(body)` computed in parallel; results keep their order.
    public static func map<T>(_ n: Int, minChunk: Int = 1, _ body: (Int) -> T) -> [T] {
        let out = UnsafeMutablePointer<T?>.allocate(capacity: n)
        out.initialize(repeating: nil, count: n)
        defer { out.deinitialize(count: n); out.deallocate() }
        let o = SendablePointer(out)
        forEach(n, minChunk: minChunk) { o.p[$0] = body($0) }
        return (0..<n).map { out[$0]! }
    }
}
