import Foundation
import FulgurCluster
import FulgurRewards
import FulgurSupport
import FulgurTraining

/// The main job: SFT a small hybrid model from nothing on a built-in corpus, evaluate it,
/// improve it with CISPO, evaluate again, and write a before/after table.
///
/// pipeline.json (docs/rl.md):
///
///     {"sft": "sft-addition.json", "rl": "rl-addition.json",
///      "evals": [{"suite": "addition-3", "temperature": 0, "samples": 1},
///                {"suite": "addition", "samples": 4}],
///      "out": "runs/pipeline", "seed": 0}
///
/// Stage outputs: `out/sft`, `out/rl` (checkpoints, metrics, plots), `out/eval-sft-SUITE.json`,
/// `out/eval-rl-SUITE.json`, `out/summary.json`, `out/summary.md`. A rerun resumes: finished
/// stages are skipped and interrupted ones continue from their latest checkpoint.
public struct PipelineConfig: Codable, Sendable {
    public struct EvalSpec: Codable, Sendable {
        public var suite: String
        public var samples: Int = 4
        public var temperature: Float?
        public var topP: Float?
        public var maxTokens: Int?
        enum CodingKeys: String, CodingKey { case suite, samples, temperature, topP = "top_p", maxTokens = "max_tokens" }
        public init(from d: Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            try TrainConfig.rejectUnknownKeys(d, CodingKeys.self, "evals[]", file: "pipeline config")
            suite = try c.decode(String.self, forKey: .suite)
            samples = try c.decodeIfPresent(Int.self, forKey: .samples) ?? 4
            temperature = try c.decodeIfPresent(Float.self, forKey: .temperature)
            topP = try c.decodeIfPresent(Float.self, forKey: .topP)
            maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens)
        }
        /// Column label, e.g. `addition-3 (greedy)` or `addition (avg@4, T=1.0)`.
        public var label: String {
            if let t = temperature, t == 0 { return "\(suite) (greedy)" }
            return "\(suite) (avg@\(samples)\(temperature.map { ", T=\($0)" } ?? ""))"
        }
        var fileTag: String {
            let base = (suite as NSString).lastPathComponent.replacingOccurrences(of: ".json", with: "")
            return base + (temperature == 0 ? "-greedy" : "-avg\(samples)")
        }
    }

    /// Paths to a train.json and an rl.json (relative to the pipeline file).
    public var sft: String
    public var rl: String
    public var evals: [EvalSpec]
    public var out = "runs/pipeline"
    public var seed: UInt64 = 0

    enum CodingKeys: String, CodingKey { case sft, rl, evals, out, seed }

    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        try TrainConfig.rejectUnknownKeys(d, CodingKeys.self, "", file: "pipeline config")
        sft = try c.decode(String.self, forKey: .sft)
        rl = try c.decode(String.self, forKey: .rl)
        evals = try c.decodeIfPresent([EvalSpec].self, forKey: .evals) ?? []
        out = try c.decodeIfPresent(String.self, forKey: .out) ?? "runs/pipeline"
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
    }

    public static func load(path: String) throws -> PipelineConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw FileError(path, "cannot read") }
        do { return try JSONDecoder().decode(PipelineConfig.self, from: data) } catch let e as FileError {
            throw FileError(path, e.detail)
        } catch { throw FileError(path, Files.describe(error)) }
    }
}

public struct Pipeline {
    public let config: PipelineConfig
    public let configPath: String
    /// The environments of the RL stage and the evals, and the built-in SFT data's source.
    public let environments: EnvironmentRegistry
    public let corpus: any ConversationSource
    public let log: (String) -> Void
    /// The data-parallel job: every stage runs on all ranks; rank 0 writes the summaries.
    public let cluster: Cluster

    public init(config: PipelineConfig, configPath: String, environments: EnvironmentRegistry, corpus: any ConversationSource,
                cluster: Cluster = .world, log: @escaping (String) -> Void) {
        self.config = config; self.configPath = configPath
        self.environments = environments; self.corpus = corpus; self.cluster = cluster
        self.log = cluster.isRoot ? log : { _ in }
    }

    var out: String { config.out }

    /// Runs every stage (skipping finished ones) and returns the summary.
    public func run(quiet: Bool = false, runRecord: [String: JSONValue]) throws -> [String: JSONValue] {
        if cluster.isRoot { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) }
        let start = Date()
        var timings: [String: JSONValue] = [:]

        // 1. SFT
        let sftPath = TrainingSession.resolve(config.sft, relativeTo: configPath)
        var sft = try TrainConfig.load(path: sftPath)
        sft.out = out + "/sft"
        sft.seed = config.seed
        try sft.validate()
        var t0 = Date()
        if try Self.finishedStep(sft.out) != sft.steps {
            log("== stage 1/4: SFT (\(sft.steps) steps) → \(sft.out)")
            let session = try TrainingSession.prepare(sft, configPath: sftPath, corpus: corpus, resume: true, log: log, cluster: cluster)
            try session.trainer.run(quiet: quiet)
        } else {
            log("== stage 1/4: SFT already finished in \(sft.out)")
        }
        timings["sft_s"] = .number(Date().timeIntervalSince(t0))
        guard let sftModel = try TrainingCheckpoint.latest(out: sft.out) else { throw FileError(sft.out, "SFT left no checkpoint") }

        // 2. evaluate the SFT model
        t0 = Date()
        log("== stage 2/4: evaluating \(sftModel)")
        let before = try evaluate(model: sftModel, tag: "sft")
        timings["eval_sft_s"] = .number(Date().timeIntervalSince(t0))

        // 3. RL from the SFT model
        let rlPath = TrainingSession.resolve(config.rl, relativeTo: configPath)
        var rl = try RLConfig.load(path: rlPath)
        rl.initFrom = sftModel
        rl.out = out + "/rl"
        rl.seed = config.seed
        t0 = Date()
        if try Self.finishedStep(rl.out) != rl.steps {
            log("== stage 3/4: RL, \(rl.loss.kind.rawValue) (\(rl.steps) steps) → \(rl.out)")
            let resume = try TrainingCheckpoint.latest(out: rl.out) != nil
            var record = runRecord
            record["kind"] = "rl"
            let trainer = try RLTrainer(config: rl, environments: environments, resume: resume, runRecord: record, cluster: cluster)
            try trainer.run(quiet: quiet)
        } else {
            log("== stage 3/4: RL already finished in \(rl.out)")
        }
        timings["rl_s"] = .number(Date().timeIntervalSince(t0))
        guard let rlModel = try TrainingCheckpoint.latest(out: rl.out) else { throw FileError(rl.out, "RL left no checkpoint") }

        // 4. evaluate the RL model
        t0 = Date()
        log("== stage 4/4: evaluating \(rlModel)")
        let after = try evaluate(model: rlModel, tag: "rl")
        timings["eval_rl_s"] = .number(Date().timeIntervalSince(t0))
        timings["total_s"] = .number(Date().timeIntervalSince(start))

        let summary = Self.summary(evals: config.evals, before: before, after: after, sftModel: sftModel, rlModel: rlModel, timings: timings)
        guard cluster.isRoot else { return summary }
        try Files.writeAtomically(JSONValue.object(summary).jsonString(), to: out + "/summary.json")
        try Files.writeAtomically(Self.markdown(evals: config.evals, before: before, after: after, timings: timings), to: out + "/summary.md")
        return summary
    }

    /// Reports per eval spec (cached in out/eval-TAG-SUITE.json so a rerun does not redo them).
    func evaluate(model: String, tag: String) throws -> [Evaluator.Report] {
        let policy = try Policy(directory: model)
        return try config.evals.map { spec in
            let path = out + "/eval-\(tag)-\(spec.fileTag).json"
            if let data = FileManager.default.contents(atPath: path),
               let cached = try? JSONDecoder().decode(Evaluator.Report.self, from: data), cached.model == model {
                return cached
            }
            var suite = try EvalSuite.load(spec.suite)
            if let t = spec.temperature { suite.temperature = t }
            if let p = spec.topP { suite.topP = p }
            if let m = spec.maxTokens { suite.maxTokens = m }
            let report = try Evaluator.run(policy: policy, suite: suite, samples: spec.samples, seed: config.seed &+ 17, modelName: model,
                                              environments: environments, cluster: cluster)
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            if cluster.isRoot { try Files.writeAtomically(try enc.encode(report), to: path) }
            cluster.barrier()
            log(String(format: "%@: %.1f%% (%.0f s)", spec.label, 100 * report.overallPassRate, report.seconds))
            return report
        }
    }

    /// The step of the latest checkpoint under `out`, if any.
    static func finishedStep(_ out: String) throws -> Int? {
        guard let dir = try TrainingCheckpoint.latest(out: out) else { return nil }
        return try TrainingCheckpoint.loadState(dir).step
    }

    static func summary(evals: [PipelineConfig.EvalSpec], before: [Evaluator.Report], after: [Evaluator.Report],
                        sftModel: String, rlModel: String, timings: [String: JSONValue]) -> [String: JSONValue] {
        var rows: [JSONValue] = []
        for (spec, (b, a)) in zip(evals, zip(before, after)) {
            for (rb, ra) in zip(b.rows, a.rows) {
                rows.append(.object([
                    "eval": .string(spec.label), "task": .string(rb.task), "difficulty": .number(Double(rb.difficulty)),
                    "sft": .number(rb.passRate), "rl": .number(ra.passRate), "delta": .number(ra.passRate - rb.passRate),
                ]))
            }
            rows.append(.object([
                "eval": .string(spec.label), "task": "all", "sft": .number(b.overallPassRate), "rl": .number(a.overallPassRate),
                "delta": .number(a.overallPassRate - b.overallPassRate),
            ]))
        }
        return ["sft_model": .string(sftModel), "rl_model": .string(rlModel), "rows": .array(rows), "timings": .object(timings)]
    }

    static func markdown(evals: [PipelineConfig.EvalSpec], before: [Evaluator.Report], after: [Evaluator.Report],
                         timings: [String: JSONValue]) -> String {
        var s = "| eval | task | difficulty | after SFT | after RL | change |\n|---|---|---:|---:|---:|---:|\n"
        for (spec, (b, a)) in zip(evals, zip(before, after)) {
            for (rb, ra) in zip(b.rows, a.rows) {
                s += String(format: "| %@ | %@ | %d | %.1f%% | %.1f%% | %+.1f |\n", spec.label, rb.task, rb.difficulty,
                            100 * rb.passRate, 100 * ra.passRate, 100 * (ra.passRate - rb.passRate))
            }
            if b.rows.count > 1 {
                s += String(format: "| %@ | **all** | | **%.1f%%** | **%.1f%%** | **%+.1f** |\n", spec.label,
                            100 * b.overallPassRate, 100 * a.overallPassRate, 100 * (a.overallPassRate - b.overallPassRate))
            }
        }
        let t = { (k: String) in timings[k]?.double ?? 0 }
        s += String(format: "\nTime: SFT %.0f s, eval %.0f s, RL %.0f s, eval %.0f s; total %.0f s.\n",
                    t("sft_s"), t("eval_sft_s"), t("rl_s"), t("eval_rl_s"), t("total_s"))
        return s
    }
}
