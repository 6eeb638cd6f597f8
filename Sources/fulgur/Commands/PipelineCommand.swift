import ArgumentParser
import Foundation
import FulgurCluster
import FulgurData
import FulgurEnvironments
import FulgurRL
import FulgurSupport
import FulgurTraining

/// The main job: SFT → eval → CISPO RL → eval, with a before/after table.
struct PipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "The main job: SFT a small hybrid model on a built-in corpus, evaluate, improve it with CISPO RL, evaluate again.",
        discussion: "Reruns resume: finished stages are skipped, interrupted ones continue from their latest checkpoint. Schema: docs/rl.md.")

    @Option(help: "pipeline.json.") var config = "configs/pipeline.json"
    @Option(help: "Output folder (overrides the file).") var out: String?
    @Option(help: "Seed (overrides the file).") var seed: UInt64?
    @Flag(help: "No progress lines.") var quiet = false

    func run() throws {
        var cfg = try PipelineConfig.load(path: config)
        if let out { cfg.out = out }
        if let seed { cfg.seed = seed }
        let record: [String: JSONValue] = [
            "kind": "pipeline", "config_path": .string(config), "git_commit": .string(TrainingCheckpoint.gitCommit()),
            "seed": .number(Double(cfg.seed)), "started": .string(ISO8601DateFormatter().string(from: Date())),
        ]
        let job = DataParallelJob.start()
        let pipeline = Pipeline(config: cfg, configPath: config, environments: .standard,
                                corpus: SyntheticCorpus(environments: .standard), cluster: job, log: { Console.err($0 + "\n") })
        let summary = try pipeline.run(quiet: quiet, runRecord: record)
        guard job.isRoot else { return }
        if let md = try? String(contentsOfFile: cfg.out + "/summary.md", encoding: .utf8) { Console.out(md) }
        _ = summary
    }
}
