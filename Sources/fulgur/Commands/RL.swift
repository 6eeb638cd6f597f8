import ArgumentParser
import Foundation
import FulgurCluster
import FulgurEnvironments
import FulgurRL
import FulgurSupport
import FulgurTraining

struct RL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rl",
        abstract: "Reinforcement learning with CISPO (or GRPO/DAPO) on verifiable environments (docs/rl.md).")

    @Option(help: "rl.json.") var config: String
    @Option(help: "Steps (generation batches).") var steps: Int?
    @Option(help: "Output folder.") var out: String?
    @Option(help: "Seed.") var seed: UInt64?
    @Option(name: .customLong("init-from"), help: "Model folder to start from.") var initFrom: String?
    @Flag(help: "Continue from <out>/latest if it exists.") var resume = false
    @Flag(help: "No progress line.") var quiet = false

    func run() throws {
        var cfg = try RLConfig.load(path: config)
        if let steps { cfg.steps = steps }
        if let out { cfg.out = out }
        if let seed { cfg.seed = seed }
        if let initFrom { cfg.initFrom = initFrom }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let cfgJSON = (try? JSONDecoder().decode(JSONValue.self, from: try enc.encode(cfg))) ?? .null
        let record: [String: JSONValue] = [
            "kind": "rl", "config": cfgJSON, "config_path": .string(config), "git_commit": .string(TrainingCheckpoint.gitCommit()),
            "seed": .number(Double(cfg.seed)), "started": .string(ISO8601DateFormatter().string(from: Date())),
        ]
        let job = DataParallelJob.start()
        try DataParallel.checkDivides(batchSize: cfg.promptsPerStep, field: "prompts_per_step", cluster: job)
        let trainer = try RLTrainer(config: cfg, environments: .standard, resume: resume, runRecord: record, cluster: job)
        let last = try trainer.run(quiet: quiet)
        if job.isRoot { printJSON(JSONValue.object(last.map(MetricsLog.object) ?? [:])) }
    }
}
