import Foundation

/// A Prometheus histogram: cumulative bucket counts over fixed upper bounds, sum and count.
struct Histogram: Sendable {
    let bounds: [Double]
    private(set) var counts: [Int]  // per bucket (not cumulative); last = +Inf
    private(set) var sum = 0.0
    private(set) var count = 0

    init(bounds: [Double]) {
        precondition(bounds == bounds.sorted() && !bounds.isEmpty, "histogram bounds must increase")
        self.bounds = bounds
        counts = [Int](repeating: 0, count: bounds.count + 1)
    }

    mutating func observe(_ value: Double) {
        var i = 0
        while i < bounds.count && value > bounds[i] { i += 1 }  // `le` buckets: value ≤ bound
        counts[i] += 1
        sum += value
        count += 1
    }

    /// Exposition lines `name_bucket{…,le="…"}`, `name_sum`, `name_count`.
    func render(_ name: String, labels: String = "") -> String {
        var out = ""
        var cumulative = 0
        let sep = labels.isEmpty ? "" : labels + ","
        for (i, b) in bounds.enumerated() {
            cumulative += counts[i]
            out += "\(name)_bucket{\(sep)le=\"\(Prometheus.number(b))\"} \(cumulative)\n"
        }
        out += "\(name)_bucket{\(sep)le=\"+Inf\"} \(count)\n"
        let braces = labels.isEmpty ? "" : "{\(labels)}"
        out += "\(name)_sum\(braces) \(Prometheus.number(sum))\n"
        out += "\(name)_count\(braces) \(count)\n"
        return out
    }

    /// Latency buckets in seconds, 1 ms … 10 min.
    static let seconds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]
    /// Token-count buckets.
    static let tokens: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]
}

enum Prometheus {
    /// Numbers as Prometheus writes them: integers without a fraction, others in full precision.
    static func number(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "+Inf" : "-Inf" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(x)
    }

    /// A label value with `\`, `"` and newlines escaped.
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
