import ArgumentParser
import Foundation
import FulgurGeneration
import FulgurModel
import FulgurSupport
import FulgurTensor

/// The report's Figure 1, measured: time and FLOPs to generate up to 32K–64K tokens with the
/// hybrid model vs the same-size all-softmax model (docs/report-figures.md).
struct BenchScaling: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaling",
        abstract: "Figure 1: time and FLOPs to generate N tokens, hybrid vs softmax model, with their ratio at each length.",
        discussion: """
            Both models get random weights, a batch of 1 and the same random prompt, and decode \
            through the public Generator. They take turns, one checkpoint interval each, so load on a \
            shared machine falls on both. FLOPs: \(ScalingReport.flopFormula) \
            --max-length 65536 takes about 4× as long as 32768 for the softmax model (the summary prints \
            an estimate from the measured per-token times).
            """)

    @Option(help: "config.json of the hybrid model.") var hybrid = "../shared/bench/hybrid-25m.json"
    @Option(help: "config.json of the softmax baseline.") var softmax = "../shared/bench/softmax-25m.json"
    @Option(name: .customLong("max-length"), help: "Tokens to generate.") var maxLength = 32768
    @Option(help: "Checkpoint interval in tokens (cumulative time and FLOPs are recorded at each).") var every = 2048
    @Option(name: .customLong("prompt-length"), help: "Random prompt tokens before generation.") var promptLength = 16
    @Option(help: "Sampling temperature (0 = greedy).") var temperature: Float = 1.0
    @Option(help: "Seed of the random weights, the prompt and the sampler.") var seed: UInt64 = 0
    @Option(help: "Folder to write figure1.svg, figure1.json and figure1.md into (rewritten after every checkpoint).")
    var out: String?
    @Flag(help: "Print one JSON object instead of the Markdown tables.") var json = false

    func validate() throws {
        guard maxLength >= 1 else { throw ValidationError("--max-length must be ≥ 1, got \(maxLength)") }
        guard every >= 1 else { throw ValidationError("--every must be ≥ 1, got \(every)") }
        guard promptLength >= 1 else { throw ValidationError("--prompt-length must be ≥ 1, got \(promptLength)") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be ≥ 0, got \(temperature)") }
    }

    func run() throws {
        var configs = [try ModelConfig.load(path: hybrid), try ModelConfig.load(path: softmax)]
        // Positions past the configured window are fine for random weights; raise it so that
        // both models can generate every requested token.
        var raisedContext: Int?
        for i in configs.indices where configs[i].maxPositionEmbeddings < promptLength + maxLength {
            configs[i].maxPositionEmbeddings = promptLength + maxLength
            raisedContext = promptLength + maxLength
        }
        let models = try configs.map { try MiniMaxModel(config: $0, weights: RandomWeights(seed: seed)) }
        var rng = RNG(seed: seed &+ 1)
        let vocab = configs.map(\.vocabSize).min()!
        let prompt = (0..<promptLength).map { _ in rng.int(in: 0...(vocab - 1)) }
        let checkpoints = Array(stride(from: every, to: maxLength, by: every)) + [maxLength]
        let params = SamplingParameters(temperature: temperature, seed: seed, maxTokens: maxLength, repetitionWindow: 0)

        let report = ScalingReport(
            settings: .init(max_length: maxLength, every: every, prompt_length: promptLength, temperature: temperature,
                            seed: seed, batch: 1, threads: Parallel.threads, max_position_embeddings_raised_to: raisedContext),
            models: [("hybrid", hybrid, configs[0]), ("softmax", softmax, configs[1])],
            environment: .current(), checkpoints: checkpoints)
        let recorder = Recorder(report: report, out: out, quiet: json)
        if let out { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) }
        Console.err("bench scaling: \(maxLength) tokens, checkpoints every \(every), hybrid \(hybrid) vs softmax \(softmax), load \(LoadAverage.text())\n")
        let wall = Date()
        _ = try InterleavedGeneration.run(models: models, prompt: prompt, params, checkpoints: checkpoints) { c in
            recorder.record(c)
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

/// The 1-, 5- and 15-minute load averages (the machine is shared; note them with timings).
enum LoadAverage {
    static func now() -> [Double]? {
        var v = [0.0, 0.0, 0.0]
        return getloadavg(&v, 3) == 3 ? v : nil
    }

    static func text() -> String {
        guard let v = now() else { return "n/a" }
        return v.map { String(format: "%.2f", $0) }.joined(separator: " ")
    }
}
