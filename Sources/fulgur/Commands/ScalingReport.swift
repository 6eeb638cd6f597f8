import Foundation
import FulgurModel
import FulgurSupport

/// What `fulgur bench scaling` measured, as JSON (`--json`, figure1.json), Markdown tables
/// and the Figure 1 SVG. Model 0 is the hybrid, model 1 the softmax baseline.
///
/// Two methods fill the rows. `direct`: both models generate every token and the cumulative
/// time is read at each checkpoint. `sampled`: the per-token decode time is timed in short
/// windows at chosen context lengths (DecodeProbe) and the time to generate N tokens is the
/// sum of the piecewise-linear interpolation of those per-token times over the contexts
/// P + 1 … P + N (P = prompt length).
struct ScalingReport: Encodable {
    static let flopFormula = """
        per generated token at context n (keys attended, the new token included): \
        2 × active matmul parameters (projections, routed experts, LM head) + lightning 4·d² per head \
        + softmax 4·n·d per head (configs/bench/README.md; FLOPCounter.decode); summed over n = P + 1 … P + N \
        (the direct method adds the prompt prefill, FLOPCounter.prefill, for the first token).
        """

    static let sampledMethod = """
        sampled: each model's cache is brought to a target context (`fill`: synthetic = random keys and values \
        written into the KV caches, prefill = chunked prefill of random tokens), \
        then `rounds` windows of `window` single-token decode steps are timed, alternating hybrid and softmax \
        windows; the median window gives seconds per token at the window's mean context. The time to \
        generate N tokens is Σ over contexts P + 1 … P + N of the piecewise-linear interpolation of those \
        per-token times (constant below the first sample). Prefill time is not part of it.
        """

    static let directMethod = """
        direct: both models generate every token (batch 1, public Generator), taking turns one checkpoint \
        interval each; the time is the cumulative time each model held the turn (prompt prefill included).
        """

    struct Settings: Encodable {
        let method: String
        let max_length: Int
        let every: Int
        let prompt_length: Int
        let temperature: Float
        let seed: UInt64
        let batch: Int
        let threads: Int
        let max_position_embeddings_raised_to: Int?
        /// Sampled method: decode steps per timed window, windows per model per sample, the
        /// contexts the caches were filled to, and the prefill chunk.
        let window: Int?
        let rounds: Int?
        let sample_fill_lengths: [Int]?
        let fill_chunk: Int?
        let fill: String?
    }

    /// One sampled context (sampled method).
    struct Sample: Encodable {
        /// Mean context (keys attended) over the timed steps.
        let context: Double
        let hybrid_ms_per_token: Double
        let softmax_ms_per_token: Double
        let time_ratio: Double
        let hybrid_flops_per_token: Double
        let softmax_flops_per_token: Double
        let flop_ratio: Double
        /// Every window's ms per token, in the order timed (the median is reported above).
        let hybrid_windows_ms: [Double]
        let softmax_windows_ms: [Double]
        /// Seconds of chunked prefill since the previous sample (not part of the generation time).
        let hybrid_fill_seconds: Double
        let softmax_fill_seconds: Double
        let load_average_1m: Double?
    }

    struct Model: Encodable {
        let role: String
        let config: String
        let layers: String
        let parameters: Int
        let active_parameters: Int
        /// FLOPs of one decode step at context n: per_token + per_key · n.
        let decode_flops_per_token: Double
        let decode_flops_per_key: Double
        let prompt_prefill_flops: Double

        init(role: String, path: String, config c: ModelConfig, prompt: Int = 0) {
            self.role = role
            self.config = path
            let light = c.layerKinds.filter { $0 == .lightning }.count
            layers = "\(light) lightning + \(c.numLayers - light) softmax"
            (parameters, active_parameters) = c.parameterCounts
            let cost = DecodeCost(name: role, config: c)
            decode_flops_per_token = cost.perToken
            decode_flops_per_key = cost.perKey
            prompt_prefill_flops = FLOPCounter(c).prefill(tokens: prompt)
        }
    }

    struct Environment: Encodable {
        let date: String
        let commit: String?
        let cpu: String?
        let load_average_start: [Double]?
        var load_average_end: [Double]?

        static func current() -> Environment {
            Environment(date: ISO8601DateFormatter().string(from: Date()), commit: gitDescribe(), cpu: cpuName(),
                        load_average_start: LoadAverage.now(), load_average_end: nil)
        }

        /// `git describe --always --dirty` of the current directory, when it is a checkout.
        static func gitDescribe() -> String? {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["git", "describe", "--always", "--dirty"]
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = FileHandle.nullDevice
            guard (try? p.run()) != nil else { return nil }
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let s = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return p.terminationStatus == 0 && !s.isEmpty ? s : nil
        }

        static func cpuName() -> String? {
            guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
            let line = text.split(separator: "\n").first { $0.hasPrefix("model name") }
            return line.flatMap { $0.split(separator: ":", maxSplits: 1).last }.map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    struct Row: Encodable {
        let tokens: Int
        let hybrid_seconds: Double
        let softmax_seconds: Double
        let time_ratio: Double
        let hybrid_flops: Double
        let softmax_flops: Double
        let flop_ratio: Double
        /// Rates over the interval since the previous checkpoint.
        let hybrid_tokens_per_s: Double
        let softmax_tokens_per_s: Double
        /// When the last model reached this checkpoint.
        let load_average_1m: Double?
    }

    /// Time to generate `tokens`, from a least-squares line through the measured per-token
    /// times against context (seconds per token = a + b · n, summed over the contexts).
    struct Estimate: Encodable {
        let tokens: Int
        let hybrid_seconds: Double
        let softmax_seconds: Double
        let total_seconds: Double
    }

    /// The formula's FLOP ratios, prompt ignored (Figure 1's setting), for our two configs and
    /// for the report-scale models (ReferenceModels).
    struct FormulaRow: Encodable {
        let tokens: Int
        let ours: Double
        let m1_vs_softmax_m1: Double
        let m1_vs_deepseek_r1: Double
        let m1_flops: Double
        let softmax_m1_flops: Double
        let deepseek_r1_flops: Double
    }

    static let formulaLengths = [32768, 65536, 100_000, 131_072]
    static let estimateLengths = [65536, 131_072]

    let flop_formula = Self.flopFormula
    let method: String
    let settings: Settings
    let models: [Model]
    var environment: Environment
    var checkpoints: [Row] = []
    var samples: [Sample] = []
    var estimates: [Estimate] = []
    let formula: [FormulaRow]
    var complete = false
    var wall_seconds: Double?

    private let costs: [DecodeCost]
    private let prefill: [Double]
    private let checkpointTokens: [Int]
    private var seconds: [[Double]]

    enum CodingKeys: String, CodingKey {
        case flop_formula, method, settings, models, samples, environment, checkpoints, estimates, formula, complete, wall_seconds
    }

    init(settings: Settings, models: [(role: String, path: String, config: ModelConfig)], environment: Environment, checkpoints: [Int]) {
        precondition(models.count == 2, "hybrid and softmax")
        self.settings = settings
        method = settings.method == "direct" ? Self.directMethod : Self.sampledMethod
        self.models = models.map { Model(role: $0.role, path: $0.path, config: $0.config, prompt: settings.prompt_length) }
        self.environment = environment
        let costs = models.map { DecodeCost(name: $0.role, config: $0.config) }
        self.costs = costs
        prefill = self.models.map(\.prompt_prefill_flops)
        checkpointTokens = checkpoints
        seconds = models.map { _ in [] }
        let m1 = DecodeCost(name: "MiniMax-M1", config: ReferenceModels.minimaxM1())
        let sm1 = DecodeCost(name: "softmax M1", config: ReferenceModels.minimaxM1(allSoftmax: true))
        let r1 = ReferenceModels.deepSeekR1
        formula = Self.formulaLengths.map { t in
            FormulaRow(tokens: t, ours: costs[0].generation(tokens: t) / costs[1].generation(tokens: t),
                       m1_vs_softmax_m1: m1.generation(tokens: t) / sm1.generation(tokens: t),
                       m1_vs_deepseek_r1: m1.generation(tokens: t) / r1.generation(tokens: t),
                       m1_flops: m1.generation(tokens: t), softmax_m1_flops: sm1.generation(tokens: t),
                       deepseek_r1_flops: r1.generation(tokens: t))
        }
    }

    /// FLOPs to generate `k` tokens with model `i`: the prompt prefill gives token 1, then
    /// k − 1 decode steps at contexts P + 1 … P + k − 1.
    /// Sampled: k decode steps at contexts P + 1 … P + k.
    func flops(model i: Int, tokens k: Int) -> Double {
        if settings.method == "direct" { return prefill[i] + costs[i].steps(from: settings.prompt_length, count: k - 1) }
        return costs[i].steps(from: settings.prompt_length, count: k)
    }

    /// Sampled method: records one context's windows (ms per token, hybrid then softmax) and
    /// recomputes the rows for every checkpoint the samples cover.
    mutating func add(context: Double, hybridWindowsMs: [Double], softmaxWindowsMs: [Double],
                      fillSeconds: [Double], load: Double?) {
        let h = Self.median(hybridWindowsMs), sm = Self.median(softmaxWindowsMs)
        let n = Int(context.rounded())
        samples.append(Sample(context: context, hybrid_ms_per_token: h, softmax_ms_per_token: sm, time_ratio: h / sm,
                              hybrid_flops_per_token: costs[0].step(context: n), softmax_flops_per_token: costs[1].step(context: n),
                              flop_ratio: costs[0].step(context: n) / costs[1].step(context: n),
                              hybrid_windows_ms: hybridWindowsMs, softmax_windows_ms: softmaxWindowsMs,
                              hybrid_fill_seconds: fillSeconds[0], softmax_fill_seconds: fillSeconds[1], load_average_1m: load))
        checkpoints = Self.integrate(samples: samples, prompt: settings.prompt_length, checkpoints: checkpointTokens).map { t, sec in
            let f = (0..<2).map { flops(model: $0, tokens: t) }
            return Row(tokens: t, hybrid_seconds: sec[0], softmax_seconds: sec[1], time_ratio: sec[0] / sec[1],
                       hybrid_flops: f[0], softmax_flops: f[1], flop_ratio: f[0] / f[1],
                       hybrid_tokens_per_s: 0, softmax_tokens_per_s: 0, load_average_1m: load)
        }
        // Interval rates, as in the direct method.
        for k in checkpoints.indices {
            let prevT = k > 0 ? checkpoints[k - 1].tokens : 0
            let prev = k > 0 ? (checkpoints[k - 1].hybrid_seconds, checkpoints[k - 1].softmax_seconds) : (0, 0)
            let r = checkpoints[k]
            checkpoints[k] = Row(tokens: r.tokens, hybrid_seconds: r.hybrid_seconds, softmax_seconds: r.softmax_seconds,
                                 time_ratio: r.time_ratio, hybrid_flops: r.hybrid_flops, softmax_flops: r.softmax_flops,
                                 flop_ratio: r.flop_ratio,
                                 hybrid_tokens_per_s: Double(r.tokens - prevT) / (r.hybrid_seconds - prev.0),
                                 softmax_tokens_per_s: Double(r.tokens - prevT) / (r.softmax_seconds - prev.1),
                                 load_average_1m: samples.first { $0.context >= Double(settings.prompt_length + r.tokens) }?.load_average_1m ?? load)
        }
    }

    /// Seconds to generate each checkpoint's N tokens, per model: Σ_{n = P+1}^{P+N} s(n) with s
    /// the piecewise-linear interpolation of the samples' seconds per token. Only the
    /// checkpoints whose last context the samples reach (P + N ≤ the last sampled context,
    /// rounded up) are returned, so nothing is extrapolated upward.
    static func integrate(samples: [Sample], prompt p: Int, checkpoints: [Int]) -> [(tokens: Int, seconds: [Double])] {
        guard let last = samples.map(\.context).max() else { return [] }
        let covered = checkpoints.filter { Double(p + $0) <= last.rounded(.up) }
        let fs = [PiecewiseLinear(samples.map { (x: $0.context, y: $0.hybrid_ms_per_token / 1000) }),
                  PiecewiseLinear(samples.map { (x: $0.context, y: $0.softmax_ms_per_token / 1000) })]
        let sums = fs.map { $0.cumulativeSums(after: p, ends: covered.map { p + $0 }) }
        return covered.indices.map { (covered[$0], [sums[0][$0], sums[1][$0]]) }
    }

    static func median(_ v: [Double]) -> Double {
        precondition(!v.isEmpty, "median of no values")
        let s = v.sorted(), m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }

    mutating func add(model i: Int, tokens: Int, seconds s: Double, load: Double?) {
        precondition(checkpointTokens[seconds[i].count] == tokens, "checkpoints arrive in order")
        seconds[i].append(s)
        let k = checkpoints.count
        guard seconds.allSatisfy({ $0.count > k }) else { return }
        let t = checkpointTokens[k], prevT = k > 0 ? checkpointTokens[k - 1] : 0
        let sec = seconds.map { $0[k] }, prev = seconds.map { k > 0 ? $0[k - 1] : 0 }
        let f = (0..<2).map { flops(model: $0, tokens: t) }
        checkpoints.append(Row(
            tokens: t, hybrid_seconds: sec[0], softmax_seconds: sec[1], time_ratio: sec[0] / sec[1],
            hybrid_flops: f[0], softmax_flops: f[1], flop_ratio: f[0] / f[1],
            hybrid_tokens_per_s: Double(t - prevT) / (sec[0] - prev[0]), softmax_tokens_per_s: Double(t - prevT) / (sec[1] - prev[1]),
            load_average_1m: load))
        estimates = Self.estimateLengths.compactMap(estimate)
    }

    mutating func complete(wallSeconds: Double) {
        complete = checkpoints.count == checkpointTokens.count
        if settings.method != "direct" { estimates = [] }
        wall_seconds = wallSeconds
        environment.load_average_end = LoadAverage.now()
    }

    /// Fits seconds per token = a + b · (mid-interval context) to each model's intervals.
    func estimate(tokens l: Int) -> Estimate? {
        guard checkpoints.count >= 2 else { return nil }
        let p = Double(settings.prompt_length), ll = Double(l)
        let secs = (0..<2).map { i -> Double in
            var xs: [Double] = [], ys: [Double] = []
            var prevT = 0, prevS = 0.0
            for (k, row) in checkpoints.enumerated() {
                let s = seconds[i][k]
                xs.append(p + Double(prevT + row.tokens) / 2)
                ys.append((s - prevS) / Double(row.tokens - prevT))
                (prevT, prevS) = (row.tokens, s)
            }
            let (a, b) = LeastSquares.line(xs, ys)
            return a * ll + b * (p * ll + ll * ll / 2)
        }
        return Estimate(tokens: l, hybrid_seconds: secs[0], softmax_seconds: secs[1], total_seconds: secs[0] + secs[1])
    }
}

extension ScalingReport {
    func markdown() -> String {
        var s = "### Measured (\(settings.method)): hybrid vs softmax, \(models[0].config) vs \(models[1].config)\n\n"
        let e = environment
        s += "Measured \(e.date)\(e.commit.map { " at commit `\($0)`" } ?? "")\(e.cpu.map { " on \($0)" } ?? ""), "
        s += "\(settings.threads) threads; load average (1, 5, 15 min) \(Self.load(e.load_average_start)) at the start"
        s += e.load_average_end.map { ", \(Self.load($0)) at the end" } ?? ""
        s += ". Batch 1, prompt \(settings.prompt_length) random tokens, "
        s += settings.method != "direct" ? "greedy decode steps"
            : settings.temperature == 0 ? "greedy" : "sampled at temperature \(settings.temperature)"
        s += ", seed \(settings.seed), random weights. "
        for m in models {
            s += "\(m.role): \(m.layers), \(Self.millions(m.parameters)) parameters (\(Self.millions(m.active_parameters)) active). "
        }
        if !complete { s += "**Partial: \(checkpoints.count) of \(checkpointTokens.count) checkpoints.** " }
        if let w = wall_seconds { s += String(format: "Wall time %.0f s.", w) }
        s += "\n\nMethod: \(method)"
        if !samples.isEmpty {
            s += "\n\nSampled per-token decode times (median of \(settings.rounds ?? 0) windows of \(settings.window ?? 0) steps each):\n\n"
            s += "| context | hybrid ms/token | softmax ms/token | time ratio | hybrid MFLOP/token | softmax MFLOP/token | FLOP ratio | fill s (hybrid, softmax) | load 1 min |\n"
            s += "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
            for x in samples {
                s += String(format: "| %.0f | %.2f | %.2f | %.3f | %.1f | %.1f | %.3f | %.1f, %.1f | %@ |\n", x.context,
                            x.hybrid_ms_per_token, x.softmax_ms_per_token, x.time_ratio, x.hybrid_flops_per_token / 1e6,
                            x.softmax_flops_per_token / 1e6, x.flop_ratio, x.hybrid_fill_seconds, x.softmax_fill_seconds,
                            x.load_average_1m.map { String(format: "%.2f", $0) } ?? "n/a")
            }
            s += "\nTime to generate N tokens (integrated):"
        }
        s += "\n\n| tokens | hybrid s | softmax s | time ratio | hybrid TFLOP | softmax TFLOP | FLOP ratio | hybrid tok/s | softmax tok/s | load 1 min |\n"
        s += "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        for r in checkpoints {
            s += String(format: "| %d | %.1f | %.1f | %.3f | %.3f | %.3f | %.3f | %.1f | %.1f | %@ |\n",
                        r.tokens, r.hybrid_seconds, r.softmax_seconds, r.time_ratio, r.hybrid_flops / 1e12, r.softmax_flops / 1e12,
                        r.flop_ratio, r.hybrid_tokens_per_s, r.softmax_tokens_per_s, r.load_average_1m.map { String(format: "%.2f", $0) } ?? "n/a")
        }
        s += "\ntok/s: over the interval since the previous checkpoint. FLOPs: \(Self.flopFormula)\n"
        if !estimates.isEmpty {
            s += "\nEstimated time (least-squares line of seconds per token against context, from these checkpoints):\n\n"
            s += "| tokens | hybrid | softmax | both |\n|---:|---:|---:|---:|\n"
            for e in estimates {
                s += "| \(e.tokens) | \(Self.minutes(e.hybrid_seconds)) | \(Self.minutes(e.softmax_seconds)) | \(Self.minutes(e.total_seconds)) |\n"
            }
        }
        s += "\n### The formula, prompt ignored (Figure 1's setting)\n\n"
        s += "| tokens | ours: hybrid ÷ softmax | M1 ÷ softmax M1 | M1 ÷ DeepSeek-R1 | M1 (1e16 FLOPs) | softmax M1 | DeepSeek-R1 |\n"
        s += "|---:|---:|---:|---:|---:|---:|---:|\n"
        for r in formula {
            s += String(format: "| %d | %.3f | %.3f | %.3f | %.2f | %.2f | %.2f |\n", r.tokens, r.ours, r.m1_vs_softmax_m1,
                        r.m1_vs_deepseek_r1, r.m1_flops / 1e16, r.softmax_m1_flops / 1e16, r.deepseek_r1_flops / 1e16)
        }
        return s
    }

    /// Four panels: measured time, formula FLOPs, the two ratios, and the formula's ratios
    /// extrapolated to 128K tokens for our configs and the report-scale models.
    func svg() -> String {
        func pts(_ f: (Row) -> Double) -> [(x: Double, y: Double)] {
            [(x: 0, y: 0)] + checkpoints.map { (x: Double($0.tokens), y: f($0)) }
        }
        let ratio = checkpoints.map { (x: Double($0.tokens), time: $0.time_ratio, flops: $0.flop_ratio) }
        var panels = [
            SVGPlot(title: settings.method == "direct" ? "Time to generate (measured)" : "Time to generate (sampled, integrated)", xLabel: "generated tokens", yLabel: "seconds",
                    series: [.init(name: "hybrid (7 lightning + 1 softmax)", points: pts(\.hybrid_seconds)),
                             .init(name: "softmax (8 softmax)", points: pts(\.softmax_seconds))]),
            SVGPlot(title: "FLOPs to generate (formula)", xLabel: "generated tokens", yLabel: "TFLOP",
                    series: [.init(name: "hybrid", points: pts { $0.hybrid_flops / 1e12 }),
                             .init(name: "softmax", points: pts { $0.softmax_flops / 1e12 })]),
            SVGPlot(title: "hybrid ÷ softmax", xLabel: "generated tokens", yLabel: "ratio",
                    series: [.init(name: "time (measured)", points: ratio.map { (x: $0.x, y: $0.time) }),
                             .init(name: "FLOPs (formula)", points: ratio.map { (x: $0.x, y: $0.flops) })]),
        ]
        let lengths = stride(from: 2048, through: 131_072, by: 2048).map { $0 }
        let m1 = DecodeCost(name: "M1", config: ReferenceModels.minimaxM1())
        let sm1 = DecodeCost(name: "softmax M1", config: ReferenceModels.minimaxM1(allSoftmax: true))
        func curve(_ a: DecodeCost, _ b: DecodeCost) -> [(x: Double, y: Double)] {
            lengths.map { (x: Double($0), y: a.generation(tokens: $0) / b.generation(tokens: $0)) }
        }
        panels.append(SVGPlot(title: "FLOP ratio by the formula, to 128K", xLabel: "generated tokens", yLabel: "ratio",
                              series: [.init(name: "ours: hybrid ÷ softmax", points: curve(costs[0], costs[1])),
                                       .init(name: "M1 ÷ softmax M1", points: curve(m1, sm1)),
                                       .init(name: "M1 ÷ DeepSeek-R1", points: curve(m1, ReferenceModels.deepSeekR1))]))
        if !samples.isEmpty {
            panels.append(SVGPlot(title: "Decode step time (measured)", xLabel: "context (tokens)", yLabel: "ms per token",
                                  series: [.init(name: "hybrid", points: samples.map { (x: $0.context, y: $0.hybrid_ms_per_token) }),
                                           .init(name: "softmax", points: samples.map { (x: $0.context, y: $0.softmax_ms_per_token) })]))
            panels.append(SVGPlot(title: "Decode step: hybrid ÷ softmax", xLabel: "context (tokens)", yLabel: "ratio",
                                  series: [.init(name: "time (measured)", points: samples.map { (x: $0.context, y: $0.time_ratio) }),
                                           .init(name: "FLOPs (formula)", points: samples.map { (x: $0.context, y: $0.flop_ratio) })]))
        }
        for i in panels.indices { panels[i].width = 560; panels[i].height = 360 }
        return SVGPlot.grid(panels, columns: 2)
    }

    static func load(_ v: [Double]?) -> String { v.map { $0.map { String(format: "%.2f", $0) }.joined(separator: ", ") } ?? "n/a" }
    static func millions(_ n: Int) -> String { String(format: "%.1fM", Double(n) / 1e6) }
    static func minutes(_ s: Double) -> String { String(format: "%.0f s (%.1f min)", s, s / 60) }
}
