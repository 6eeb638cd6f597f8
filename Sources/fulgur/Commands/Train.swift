import ArgumentParser
import Foundation
import FulgurCluster
import FulgurData
import FulgurEnvironments
import FulgurModel
import FulgurSupport
import FulgurTensor
import FulgurTokenizer
import FulgurTraining

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pretrain or fine-tune (SFT) a model from a train.json (docs/training.md); flags override the file.")

    @Option(help: "train.json.") var config: String
    @Option(help: "Optimizer steps.") var steps: Int?
    @Option(help: "Peak learning rate.") var lr: Double?
    @Option(help: "Output folder.") var out: String?
    @Option(help: "Seed (data order, init).") var seed: UInt64?
    @Option(name: .customLong("batch-size"), help: "Sequences' worth of tokens per micro-batch.") var batchSize: Int?
    @Option(name: .customLong("seq-len"), help: "Maximum sequence length.") var seqLen: Int?
    @Option(name: .customLong("grad-accum"), help: "Micro-batches per optimizer step.") var gradAccum: Int?
    @Flag(help: "Continue from <out>/latest if it exists.") var resume = false
    @Flag(help: "No progress line.") var quiet = false

    func run() throws {
        var cfg = try TrainConfig.load(path: config)
        if let steps { cfg.steps = steps }
        if let lr { cfg.lr = lr }
        if let out { cfg.out = out }
        if let seed { cfg.seed = seed }
        if let batchSize { cfg.batchSize = batchSize }
        if let seqLen { cfg.seqLen = seqLen }
        if let gradAccum { cfg.gradAccum = gradAccum }
        try cfg.validate()
        let job = DataParallelJob.start()
        try DataParallel.checkDivides(batchSize: cfg.batchSize, field: "batch_size", cluster: job)
        let session = try TrainingSession.prepare(cfg, configPath: config, corpus: SyntheticCorpus(environments: .standard), resume: resume,
                                                  log: quiet || !job.isRoot ? { _ in } : { Console.err($0 + "\n") })
        let last = try session.trainer.run(quiet: quiet)
        guard job.isRoot else { return }
        Console.err("checkpoint: \(try TrainingCheckpoint.latest(out: cfg.out) ?? "none")\n")
        printJSON(JSONValue.object(last.map(MetricsLog.object) ?? [:]))
    }
}
