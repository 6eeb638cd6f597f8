import Foundation
import Synchronization

/// The server's counters, gauges and latency histograms, rendered in the Prometheus text
/// exposition format (version 0.0.4) by `GET /metrics`. Thread-safe; the engine thread and
/// the HTTP handlers record into it.
public final class ServerMetrics: Sendable {
    private struct State {
        var http: [HTTPKey: Int] = [:]
        var httpDuration: [String: Histogram] = [:]
        var finished: [String: Int] = [:]
        var promptTokens = 0
        var generationTokens = 0
        var queueDepth = 0
        var runningSequences = 0
        var cacheBytes = 0
        var steps = 0
        var timeToFirstToken = Histogram(bounds: Histogram.seconds)
        var timePerOutputToken = Histogram(bounds: Histogram.seconds)
        var queueTime = Histogram(bounds: Histogram.seconds)
        var stepDuration = Histogram(bounds: Histogram.seconds)
        var stepRows = Histogram(bounds: Histogram.tokens)
        var promptLength = Histogram(bounds: Histogram.tokens)
        var generationLength = Histogram(bounds: Histogram.tokens)
    }

    private struct HTTPKey: Hashable { let route: String, status: Int }

    private let state = Mutex(State())

    public init() {}

    // MARK: Recording

    func httpRequest(route: String, status: Int, seconds: Double) {
        state.withLock { s in
            s.http[HTTPKey(route: route, status: status), default: 0] += 1
            s.httpDuration[route, default: Histogram(bounds: Histogram.seconds)].observe(seconds)
        }
    }

    /// A request was admitted into the batch after waiting `queueSeconds`.
    func admitted(promptTokens: Int, queueSeconds: Double) {
        state.withLock { s in
            s.promptTokens += promptTokens
            s.promptLength.observe(Double(promptTokens))
            s.queueTime.observe(queueSeconds)
        }
    }

    func firstToken(afterSeconds t: Double) { state.withLock { $0.timeToFirstToken.observe(t) } }

    /// One engine step: `rows` tokens through the model, `generated` tokens sampled, and for
    /// each decoding sequence the time since its previous token.
    func step(seconds: Double, rows: Int, generated: Int, interTokenSeconds: [Double]) {
        state.withLock { s in
            s.steps += 1
            s.stepDuration.observe(seconds)
            s.stepRows.observe(Double(rows))
            s.generationTokens += generated
            for t in interTokenSeconds { s.timePerOutputToken.observe(t) }
        }
    }

    /// A choice or request ended (`stop`, `length`, `cancelled`, `timeout`, `error`).
    func finished(_ reason: String, generatedTokens: Int?) {
        state.withLock { s in
            s.finished[reason, default: 0] += 1
            if let n = generatedTokens { s.generationLength.observe(Double(n)) }
        }
    }

    func occupancy(queueDepth: Int, runningSequences: Int, cacheBytes: Int) {
        state.withLock { s in
            s.queueDepth = queueDepth
            s.runningSequences = runningSequences
            s.cacheBytes = cacheBytes
        }
    }

    // MARK: Reading

    public struct Snapshot: Sendable {
        public let queueDepth: Int
        public let runningSequences: Int
        public let promptTokens: Int
        public let generationTokens: Int
    }

    public var snapshot: Snapshot {
        state.withLock { Snapshot(queueDepth: $0.queueDepth, runningSequences: $0.runningSequences,
                                  promptTokens: $0.promptTokens, generationTokens: $0.generationTokens) }
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> String {
        let s = state.withLock { $0 }
        var out = ""
        func header(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func scalar(_ name: String, _ type: String, _ help: String, _ value: Double) {
            header(name, type, help)
            out += "\(name) \(Prometheus.number(value))\n"
        }
        header("fulgur_http_requests_total", "counter", "HTTP requests answered, by route and status code.")
        for (k, v) in s.http.sorted(by: { ($0.key.route, $0.key.status) < ($1.key.route, $1.key.status) }) {
            out += "fulgur_http_requests_total{route=\"\(Prometheus.escape(k.route))\",status=\"\(k.status)\"} \(v)\n"
        }
        header("fulgur_http_request_duration_seconds", "histogram", "Time from request to the end of the response (streams included), by route.")
        for (route, h) in s.httpDuration.sorted(by: { $0.key < $1.key }) {
            out += h.render("fulgur_http_request_duration_seconds", labels: "route=\"\(Prometheus.escape(route))\"")
        }
        header("fulgur_finished_total", "counter", "Choices and requests ended, by reason (stop, length, cancelled, timeout, error).")
        for (reason, v) in s.finished.sorted(by: { $0.key < $1.key }) {
            out += "fulgur_finished_total{reason=\"\(reason)\"} \(v)\n"
        }
        scalar("fulgur_prompt_tokens_total", "counter", "Prompt tokens prefilled.", Double(s.promptTokens))
        scalar("fulgur_generation_tokens_total", "counter", "Tokens generated.", Double(s.generationTokens))
        scalar("fulgur_queue_depth", "gauge", "Requests waiting for a batch slot.", Double(s.queueDepth))
        scalar("fulgur_running_sequences", "gauge", "Sequences in the batch (prefilling or decoding).", Double(s.runningSequences))
        scalar("fulgur_cache_bytes", "gauge", "Bytes held by the running sequences' lightning states and KV caches.", Double(s.cacheBytes))
        scalar("fulgur_engine_steps_total", "counter", "Forward passes run by the engine.", Double(s.steps))
        let hists: [(String, String, Histogram)] = [
            ("fulgur_time_to_first_token_seconds", "Time from submission to the first generated token.", s.timeToFirstToken),
            ("fulgur_time_per_output_token_seconds", "Time between consecutive tokens of a sequence.", s.timePerOutputToken),
            ("fulgur_queue_time_seconds", "Time a request waited for a batch slot.", s.queueTime),
            ("fulgur_engine_step_seconds", "Duration of one engine step (forward pass and sampling).", s.stepDuration),
            ("fulgur_engine_step_rows", "Tokens in one forward pass (decode rows plus prefill chunk).", s.stepRows),
            ("fulgur_prompt_length_tokens", "Prompt length of admitted requests.", s.promptLength),
            ("fulgur_generation_length_tokens", "Tokens generated per finished choice.", s.generationLength),
        ]
        for (name, help, h) in hists {
            header(name, "histogram", help)
            out += h.render(name)
        }
        if let rss = Self.residentBytes() {
            scalar("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", Double(rss))
        }
        return out
    }

    /// Resident set size from /proc/self/statm (Linux); nil elsewhere.
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
