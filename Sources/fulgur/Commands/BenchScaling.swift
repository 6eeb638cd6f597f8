import ArgumentParser
import Foundation
import FulgurGeneration
import FulgurModel
import FulgurSupport
import FulgurTensor

/// The report's Figure 1, measured: time and FLOPs to generate up to 32K–64K tokens with the
/// hybrid model vs the same-size all-softmax model (README, "Reproducing the report").
struct BenchScaling: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaling",
        abstract: "Figure 1: time and FLOPs to generate N tokens, hybrid vs softmax model, with their ratio at each length.",
        discussion: """
            Both models get random weights and a batch of 1. The default method samples: each \
            model's cache is prefilled with random tokens to a series of context lengths, and at each \
            one a few short windows of decode steps are timed (hybrid and softmax windows alternate, so \
            load on a shared machine falls on both); the time to generate N tokens is the sum of the \
            interpolated per-token times over the N contexts. By default the caches are filled \
            synthetically (random keys and values: a decode step's work depends on the length, not the \
            values), and a run to 65536 tokens takes a few minutes on 2 cores; --fill prefill runs the \
            model over random tokens instead (about 20 minutes more). --direct generates every token \
            (the full measurement; to 65536 tokens expect well over half an hour for the softmax \
            model). FLOPs: \(ScalingReport.flopFormula)
            """)

    @Option(help: "config.json of the hybrid model (the default is relative to the repository root).") var hybrid = "configs/bench/hybrid-25m.json"
    @Option(help: "config.json of the softmax baseline (the default is relative to the repository root).") var softmax = "configs/bench/softmax-25m.json"
    @Option(name: .customLong("max-length"), help: "Tokens to generate.") var maxLength = 65536
    @Option(help: "Table interval in tokens (cumulative time and FLOPs are reported at each multiple).") var every = 4096
    @Option(name: .customLong("prompt-length"), help: "Random prompt tokens before generation.") var promptLength = 16
    @Flag(help: "Generate every token with both models instead of sampling decode windows.") var direct = false
    @Option(help: "Sampled: decode steps per timed window.") var window = 32
    @Option(help: "Sampled: timed windows per model at each sampled context.") var rounds = 8
    @Option(help: "Sampled: contexts to sample at, comma-separated (default: the prompt, powers of two from 256 to max-length/16, then every max-length/16).")
    var contexts: String?
    @Option(help: "Sampled: how to reach each context — synthetic (random keys/values into the KV caches, seconds) or prefill (run the model over random tokens; ~20 min to 65536 for the softmax model).")
    var fill: DecodeProbe.Fill = .synthetic
    @Option(name: .customLong("fill-chunk"), help: "Sampled, --fill prefill: prefill chunk in tokens.") var fillChunk = 2048
    @Option(help: "Direct: sampling temperature (0 = greedy).") var temperature: Float = 1.0
    @Option(help: "Seed of the random weights, the prompt and the sampler.") var seed: UInt64 = 0
    @Option(help: "Folder to write figure1.svg, figure1.json and figure1.md into (rewritten after every checkpoint).")
    var out: String?
    @Flag(help: "Print one JSON object instead of the Markdown tables.") var json = false

    func validate() throws {
        guard maxLength >= 1 else { throw ValidationError("--max-length must be ≥ 1, got \(maxLength)") }
        guard every >= 1 else { throw ValidationError("--every must be ≥ 1, got \(every)") }
        guard promptLength >= 1 else { throw ValidationError("--prompt-length must be ≥ 1, got \(promptLength)") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be ≥ 0, got \(temperature)") }
        guard window >= 1, rounds >= 1 else { throw ValidationError("--window and --rounds must be ≥ 1") }
        guard fillChunk >= 1 else { throw ValidationError("--fill-chunk must be ≥ 1, got \(fillChunk)") }
        for (flag, path) in [("--hybrid", hybrid), ("--softmax", softmax)] where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(flag): config file not found: \(path) (defaults are relative to the repository root: run from there, or pass \(flag) PATH)")
        }
        _ = try sampleContexts()
    }

    /// The contexts (keys attended, mean over the timed steps) to sample at, increasing and at
    /// least one window set apart; the last one covers prompt + max-length.
    func sampleContexts() throws -> [Int] {
        let span = window * rounds
        var targets: [Int]
        if let contexts {
            targets = try contexts.split(separator: ",").map {
                guard let v = Int($0.trimmingCharacters(in: .whitespaces)), v >= 1 else {
                    throw ValidationError("--contexts: not a positive integer: \($0)")
                }
                return v
            }
        } else {
            let step = max(maxLength / 16, 1), first = promptLength + 1, end = promptLength + maxLength
            var middle: [Int] = []
            var p = 256
            while p < step { middle.append(p); p *= 2 }
            middle += stride(from: step, through: maxLength, by: step).map { $0 }
            // Keep each default point a window set away from its neighbours.
            targets = [first]
            for t in middle where t >= targets.last! + span && t <= end - span { targets.append(t) }
            if end >= targets.last! + span { targets.append(end) } else if targets.count > 1 { targets[targets.count - 1] = end }
        }
        targets = Array(Set(targets)).sorted()
        for (a, b) in zip(targets, targets.dropFirst()) where b - a < span {
            throw ValidationError("--contexts \(a) and \(b) are closer than window × rounds = \(span)")
        }
        return targets
    }

    func run() throws {
        MachineReport.announce("scaling")
        var configs = [try ModelConfig.load(path: hybrid), try ModelConfig.load(path: softmax)]
        let targets = try sampleContexts()
        let span = window * rounds
        let needed = direct ? promptLength + maxLength : max(promptLength + maxLength, targets.last! + span / 2 + 1)
        // Positions past the configured window are fine for random weights; raise it so that
        // both models can reach every requested context.
        var raisedContext: Int?
        for i in configs.indices where configs[i].maxPositionEmbeddings < needed {
            configs[i].maxPositionEmbeddings = needed
            raisedContext = needed
        }
        let models = try configs.map { try MiniMaxModel(config: $0, weights: RandomWeights(seed: seed)) }
        let checkpoints = Array(stride(from: every, to: maxLength, by: every)) + [maxLength]
        // Fill lengths: the window set is centred on each target context.
        let fills = targets.map { max(promptLength, $0 - (span + 1) / 2) }
        let report = ScalingReport(
            settings: .init(method: direct ? "direct" : "sampled", max_length: maxLength, every: every, prompt_length: promptLength,
                            temperature: temperature, seed: seed, batch: 1, threads: Parallel.threads,
                            max_position_embeddings_raised_to: raisedContext, window: direct ? nil : window,
                            rounds: direct ? nil : rounds, sample_fill_lengths: direct ? nil : fills,
                            fill_chunk: direct || fill == .synthetic ? nil : fillChunk, fill: direct ? nil : fill.rawValue),
            models: [("hybrid", hybrid, configs[0]), ("softmax", softmax, configs[1])],
            environment: .current(), checkpoints: checkpoints)
        let recorder = Recorder(report: report, out: out, quiet: json)
        if let out { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) }
        Console.err("bench scaling (\(direct ? "direct" : "sampled")): \(maxLength) tokens, hybrid \(hybrid) vs softmax \(softmax), load \(LoadAverage.text())\n")
        let wall = Date()
        if direct {
            var rng = RNG(seed: seed &+ 1)
            let vocab = configs.map(\.vocabSize).min()!
            let prompt = (0..<promptLength).map { _ in rng.int(in: 0...(vocab - 1)) }
            let params = SamplingParameters(temperature: temperature, seed: seed, maxTokens: maxLength, repetitionWindow: 0)
            _ = try InterleavedGeneration.run(models: models, prompt: prompt, params, checkpoints: checkpoints) { c in
                recorder.record(c)
            }
        } else {
            let probes = models.enumerated().map { DecodeProbe(model: $1, seed: seed &+ 1 &+ UInt64($0)) }
            for target in fills {
                let fillSeconds = try probes.map { try $0.fill(to: target, chunk: fillChunk, method: fill) }
                let first = probes[0].length
                var windows: [[Double]] = [[], []]
                for _ in 0..<rounds {
                    for (i, p) in probes.enumerated() { windows[i].append(try p.decode(steps: window) / Double(window) * 1000) }
                }
                // Steps attended first + 1 … first + span keys.
                let context = Double(first) + Double(span + 1) / 2
                recorder.sample(context: context, windows: windows, fillSeconds: fillSeconds)
            }
        }
        let final = recorder.finish(wallSeconds: Date().timeIntervalSince(wall))
        if let error = recorder.writeError { throw error }
        if json { printJSON(final) } else { Console.out(final.markdown()) }
    }

    /// Collects checkpoints from the model threads (one at a time) and rewrites the outputs
    /// after every round, so an interrupted long run still leaves its numbers.
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var report: ScalingReport
        private let out: String?
        private let quiet: Bool
        private(set) var writeError: (any Error)?

        init(report: ScalingReport, out: String?, quiet: Bool) { self.report = report; self.out = out; self.quiet = quiet }

        func record(_ c: InterleavedGeneration.Checkpoint) {
            lock.withLock {
                report.add(model: c.model, tokens: c.tokens, seconds: c.seconds, load: LoadAverage.now()?[0])
                guard c.model == report.models.count - 1, let row = report.checkpoints.last else { return }
                if !quiet {
                    Console.err(String(format: "tokens %6d/%d | hybrid %8.1f s (%6.1f tok/s) | softmax %8.1f s (%6.1f tok/s) | time ratio %.3f | FLOP ratio %.3f | load %@\n",
                                       row.tokens, report.settings.max_length, row.hybrid_seconds, row.hybrid_tokens_per_s,
                                       row.softmax_seconds, row.softmax_tokens_per_s, row.time_ratio, row.flop_ratio, LoadAverage.text()))
                }
                write()
            }
        }

        func sample(context: Double, windows: [[Double]], fillSeconds: [Double]) {
            lock.withLock {
                report.add(context: context, hybridWindowsMs: windows[0], softmaxWindowsMs: windows[1], fillSeconds: fillSeconds,
                           load: LoadAverage.now()?[0])
                if !quiet, let x = report.samples.last {
                    Console.err(String(format: "context %6.0f | hybrid %7.2f ms/token | softmax %7.2f ms/token | time ratio %.3f | FLOP ratio %.3f | fill %.1f s, %.1f s | load %@\n",
                                       x.context, x.hybrid_ms_per_token, x.softmax_ms_per_token, x.time_ratio, x.flop_ratio,
                                       fillSeconds[0], fillSeconds[1], LoadAverage.text()))
                }
                write()
            }
        }

        func finish(wallSeconds: Double) -> ScalingReport {
            lock.withLock {
                report.complete(wallSeconds: wallSeconds)
                write()
                return report
            }
        }

        private func write() {
            guard let out else { return }
            do {
                try Files.writeAtomically(report.svg(), to: out + "/figure1.svg")
                try Files.writeAtomically(report.markdown(), to: out + "/figure1.md")
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                try Files.writeAtomically(try enc.encode(report), to: out + "/figure1.json")
            } catch {
                writeError = writeError ?? error
            }
        }
    }
}

extension DecodeProbe.Fill: ExpressibleByArgument {}
