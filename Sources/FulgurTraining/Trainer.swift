import Dispatch
import Foundation
import FulgurCluster
import FulgurModel
import FulgurSupport
import FulgurTensor

/// Supervised training (pretraining and SFT): masked next-token cross-entropy (mean over the
/// loss tokens of each optimizer step) plus the MoE load-balancing loss, AdamW, an LR
/// schedule, periodic eval, atomic checkpoints with exact resume, metrics JSONL, an SVG
/// loss plot and a progress line.
public final class Trainer {
    public let config: TrainConfig
    public let model: MiniMaxModel
    public let optimizer: AdamW
    public let tokenizerJSON: Data?
    public private(set) var loader: DataLoader
    public let evalExamples: [Example]
    public private(set) var state: TrainerState
    let grads: Gradients
    let auxCoef: Float
    let runRecord: [String: JSONValue]
    /// The data-parallel job (a cluster of one without `mpirun`).
    public let cluster: Cluster

    /// Fresh run, or a resumed one when `resumeFrom` names a checkpoint folder (whose weights
    /// `model` was loaded from).
    public init(config: TrainConfig, model: MiniMaxModel, tokenizerJSON: Data?, train: [Example], eval: [Example],
                runRecord: [String: JSONValue], resumeFrom: String? = nil, cluster: Cluster = .world) throws {
        try DataParallel.checkDivides(batchSize: config.batchSize, field: "batch_size", cluster: cluster)
        self.cluster = cluster
        self.config = config
        Allocation.keepFreedMemory()
        self.model = model
        self.tokenizerJSON = tokenizerJSON
        self.evalExamples = eval
        self.runRecord = runRecord
        optimizer = AdamW(parameters: model.trainableParameters, settings: config.optimizer)
        grads = model.makeGradients()
        auxCoef = Float(config.auxLossCoef ?? Double(model.config.routerAuxLossCoef))
        let tokensPerBatch = config.batchSize * config.seqLen
        if let dir = resumeFrom {
            state = try TrainingCheckpoint.loadState(dir)
            try TrainingCheckpoint.loadOptimizer(optimizer, from: dir)
        } else {
            state = TrainerState(step: 0, position: .init())
        }
        loader = DataLoader(examples: train, tokensPerBatch: tokensPerBatch, seed: config.seed, position: state.position)
    }

    public struct StepResult {
        public var loss: Double
        public var auxLoss: Double
        public var gradNorm: Double
        public var lr: Double
        public var tokens: Int
        public var lossTokens: Int
        /// Seconds this rank spent in collectives (0 in one process).
        public var allreduceSeconds: Double
    }

    /// One optimizer step over `grad_accum` micro-batches. With several ranks each micro-batch is
    /// split over them (`DataParallel.share`); the routing statistics of each micro-batch, the
    /// gradients and the loss are summed over the ranks, so every rank takes the step one process
    /// would take on the whole batch.
    public func step() throws -> StepResult {
        let lr = config.learningRateSchedule.lr(at: state.step)
        let micro = (0..<config.gradAccum).map { _ in loader.next() }
        let lossTokens = micro.joined().reduce(0) { $0 + $1.lossTokens }
        let collectivesBefore = cluster.collectiveSeconds
        grads.zero()
        var lossSum = 0.0, aux = 0.0, tokens = 0
        let scale = lossTokens > 0 ? -1 / Float(lossTokens) : 0
        let noRouting = RoutingStatistics(assignments: .init(repeating: 0, count: model.config.numExperts),
                                          probabilitySums: .init(repeating: 0, count: model.config.numExperts), rows: 0)
        for batch in micro {
            tokens += batch.reduce(0) { $0 + $1.ids.count }
            let mine = DataParallel.share(of: batch, rank: cluster.rank, size: cluster.size)
            let pass = mine.isEmpty ? nil : try model.trainingForward(mine.map(\.ids))
            let routing = cluster.sum(pass?.routing ?? noRouting)
            aux += Double(routing.auxLoss) / Double(micro.count)
            guard let pass else { continue }
            let mask = mine.flatMap(\.lossMask)
            var dlp = [Float](repeating: 0, count: mask.count)
            // row r predicts token r+1; it counts when token r+1 is a loss token
            for r in 0..<mask.count - 1 where pass.hasTarget[r] && mask[r + 1] {
                dlp[r] = scale
                lossSum -= Double(pass.logProbs[r])
            }
            pass.backward(dLogProbs: dlp, auxCoefficient: auxCoef / Float(micro.count), routing: routing, into: grads)
        }
        cluster.sum(grads)
        lossSum = cluster.sum(lossSum)
        let norm = optimizer.update(grads, lr: lr)
        state.step += 1
        state.position = loader.position
        state.tokensSeen += tokens
        return StepResult(loss: lossSum / Double(max(lossTokens, 1)), auxLoss: aux, gradNorm: norm, lr: lr, tokens: tokens,
                          lossTokens: lossTokens, allreduceSeconds: cluster.collectiveSeconds - collectivesBefore)
    }

    /// Mean masked cross-entropy over the eval examples (at most `eval_batches` batches; with
    /// several ranks each evaluates its share of every batch and the sums are added).
    public func evalLoss() throws -> Double? {
        guard !evalExamples.isEmpty else { return nil }
        var sum = 0.0, count = 0
        var batch: [Example] = []
        var batches = 0
        func flush() throws {
            guard !batch.isEmpty else { return }
            let mine = DataParallel.share(of: batch, rank: cluster.rank, size: cluster.size)
            if !mine.isEmpty {
                let pass = try model.trainingForward(mine.map(\.ids))
                let mask = mine.flatMap(\.lossMask)
                for r in 0..<mask.count - 1 where pass.hasTarget[r] && mask[r + 1] { sum -= Double(pass.logProbs[r]); count += 1 }
            }
            batch = []
            batches += 1
        }
        var tokens = 0
        for e in evalExamples {
            if tokens + e.ids.count > config.batchSize * config.seqLen { try flush(); tokens = 0 }
            if batches >= config.evalBatches { break }
            batch.append(e)
            tokens += e.ids.count
        }
        if batches < config.evalBatches { try flush() }
        var totals = [sum, Double(count)]
        cluster.sum(&totals)
        return totals[1] > 0 ? totals[0] / totals[1] : nil
    }

    public func saveCheckpoint() throws -> String {
        try TrainingCheckpoint.save(model: model, optimizer: optimizer, state: state, tokenizerJSON: tokenizerJSON,
                                    runRecord: runRecord, out: config.out, keep: config.keep)
    }

    /// Runs to `config.steps`, logging, evaluating, checkpointing; returns the final metrics.
    /// With several ranks, rank 0 alone writes files and shows progress; the metrics are global.
    @discardableResult
    public func run(quiet: Bool = false) throws -> [String: JSONValue] {
        let out = config.out
        let root = cluster.isRoot
        let quiet = quiet || !root
        var metrics: MetricsLog?
        if root {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try Files.writeAtomically(JSONValue.object(runRecord).jsonString(), to: out + "/run.json")
            metrics = try MetricsLog(path: out + "/metrics.jsonl", truncateAfterStep: state.step)
        }
        let progress = ProgressLine(total: config.steps, label: "step")
        let first = state.step
        // a resumed run that is already done reports its last step
        var last = metrics?.lastKept ?? [:]
        var windowTokens = 0
        var windowStart = DispatchTime.now().uptimeNanoseconds
        let startElapsed = state.elapsedSeconds
        let runStart = DispatchTime.now().uptimeNanoseconds
        var lastEval: Double?
        while state.step < config.steps {
            let r = try step()
            windowTokens += r.tokens
            let now = DispatchTime.now().uptimeNanoseconds
            state.elapsedSeconds = startElapsed + Double(now - runStart) / 1e9
            var rec: [String: JSONValue] = [
                "step": .number(Double(state.step)), "loss": .number(r.loss), "aux_loss": .number(r.auxLoss),
                "lr": .number(r.lr), "grad_norm": .number(r.gradNorm), "tokens": .number(Double(state.tokensSeen)),
                "elapsed_s": .number(state.elapsedSeconds),
            ]
            if cluster.isDistributed {
                rec["ranks"] = .number(Double(cluster.size))
                rec["allreduce_s"] = .number(r.allreduceSeconds)
            }
            let isLog = state.step % config.logEvery == 0 || state.step == config.steps
            if isLog {
                let tps = Double(windowTokens) / max(Double(now - windowStart) / 1e9, 1e-9)
                rec["tokens_per_s"] = .number(tps)
                windowTokens = 0
                windowStart = now
            }
            if config.evalEvery > 0 && (state.step % config.evalEvery == 0 || state.step == config.steps), let e = try evalLoss() {
                rec["eval_loss"] = .number(e)
                lastEval = e
            }
            if isLog || rec["eval_loss"] != nil { metrics?.write(rec) }
            last = rec
            if !quiet {
                var fields = [("loss", String(format: "%.4f", r.loss)), ("lr", String(format: "%.2e", r.lr))]
                if let t = rec["tokens_per_s"]?.double { fields.append(("tok/s", String(format: "%.0f", t))) }
                if let e = lastEval { fields.append(("eval", String(format: "%.4f", e))) }
                progress.update(done: state.step, startedAt: first, fields: fields)
            }
            if root && config.checkpointEvery > 0 && (state.step % config.checkpointEvery == 0 || state.step == config.steps) {
                _ = try saveCheckpoint()
                try writePlot()
            }
        }
        if !quiet { progress.finish() }
        if root { try writePlot() }
        cluster.barrier()  // when run() returns on any rank, rank 0's checkpoint is on disk
        return last
    }

    /// loss.svg: training loss (and eval loss) against the step.
    public func writePlot() throws {
        let recs = MetricsLog.read(config.out + "/metrics.jsonl")
        func series(_ key: String, _ name: String) -> SVGPlot.Series { SVGPlot.Series(name: name, key: key, in: recs) }
        try SVGPlot(title: "Training loss", xLabel: "step", yLabel: "cross-entropy (nats/token)",
                    series: [series("loss", "train"), series("eval_loss", "eval")]).write(to: config.out + "/loss.svg")
    }
}
