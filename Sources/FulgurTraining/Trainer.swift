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
public final class Trainer: SteppedRun {
    public let config: TrainConfig
    public let model: MiniMaxModel
    public let optimizer: AdamW
    public let tokenizerJSON: Data?
    public private(set) var loader: DataLoader
    public let evalExamples: [Example]
    public private(set) var state: TrainerState
    let grads: Gradients
    let auxCoef: Float
    /// Where and how long it runs, and its run record: the loop `run()` drives.
    public let loop: StepLoop
    /// The data-parallel job (a cluster of one without `mpirun`).
    public var cluster: Cluster { loop.cluster }

    /// Fresh run, or a resumed one when `resumeFrom` names a checkpoint folder (whose weights
    /// `model` was loaded from).
    public init(config: TrainConfig, model: MiniMaxModel, tokenizerJSON: Data?, train: [Example], eval: [Example],
                runRecord: [String: JSONValue], resumeFrom: String? = nil, cluster: Cluster = .world) throws {
        try DataParallel.checkDivides(batchSize: config.batchSize, field: "batch_size", cluster: cluster)
        loop = StepLoop(out: config.out, steps: config.steps, checkpointEvery: config.checkpointEvery, runRecord: runRecord,
                       progressLabel: "step", cluster: cluster)
        self.config = config
        Allocation.keepFreedMemory()
        self.model = model
        self.tokenizerJSON = tokenizerJSON
        self.evalExamples = eval
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

    // MARK: - The run (StepLoop drives it)

    public var completedSteps: Int { state.step }

    /// One step and its metrics line; lines are written every `log_every` steps, at eval steps
    /// and at the last step. tokens/s is measured over the steps since the last written line.
    public func runStep() throws -> (metrics: TrainStepMetrics, logged: Bool) {
        // the clocks start with the first step of this process (loading is not training time)
        if window.start == 0 { window = (0, DispatchTime.now().uptimeNanoseconds); runStart = window.start; startElapsed = state.elapsedSeconds }
        let r = try step()
        window.tokens += r.tokens
        let now = DispatchTime.now().uptimeNanoseconds
        state.elapsedSeconds = startElapsed + Double(now - runStart) / 1e9
        var m = TrainStepMetrics(step: state.step, loss: r.loss, auxLoss: r.auxLoss, lr: r.lr, gradNorm: r.gradNorm,
                                 tokens: state.tokensSeen, elapsedS: state.elapsedSeconds)
        if cluster.isDistributed {
            m.ranks = cluster.size
            m.allreduceS = r.allreduceSeconds
        }
        let isLog = state.step % config.logEvery == 0 || state.step == config.steps
        if isLog {
            m.tokensPerS = Double(window.tokens) / max(Double(now - window.start) / 1e9, 1e-9)
            window = (0, now)
        }
        if config.evalEvery > 0 && (state.step % config.evalEvery == 0 || state.step == config.steps), let e = try evalLoss() {
            m.evalLoss = e
            lastEval = e
        }
        m.lastEvalLoss = lastEval
        return (m, isLog || m.evalLoss != nil)
    }

    public func saveCheckpoint() throws {
        _ = try TrainingCheckpoint.save(model: model, optimizer: optimizer, state: state, tokenizerJSON: tokenizerJSON,
                                        runRecord: loop.runRecord, out: config.out, keep: config.keep, dtype: config.saveDType)
    }

    private var window: (tokens: Int, start: UInt64) = (0, 0)
    private var runStart: UInt64 = 0
    private var startElapsed = 0.0
    private var lastEval: Double?

    /// loss.svg: training loss (and eval loss) against the step.
    public func writePlots() throws {
        let recs = MetricsLog.read(config.out + "/metrics.jsonl")
        func series(_ key: String, _ name: String) -> SVGPlot.Series { SVGPlot.Series(name: name, key: key, in: recs) }
        try SVGPlot(title: "Training loss", xLabel: "step", yLabel: "cross-entropy (nats/token)",
                    series: [series("loss", "train"), series("eval_loss", "eval")]).write(to: config.out + "/loss.svg")
    }
}

/// One metrics.jsonl line of `fulgur train` (keys: `step`, `loss`, `aux_loss`, `lr`,
/// `grad_norm`, `tokens` (seen so far), `elapsed_s`, and when present `tokens_per_s` (logged
/// lines), `eval_loss` (eval steps), `ranks` and `allreduce_s` (under mpirun)).
public struct TrainStepMetrics: StepMetrics {
    public var step: Int
    public var loss: Double
    public var auxLoss: Double
    public var lr: Double
    public var gradNorm: Double
    public var tokens: Int
    public var elapsedS: Double
    public var tokensPerS: Double?
    public var evalLoss: Double?
    public var ranks: Int?
    public var allreduceS: Double?
    /// The latest eval loss, for the progress line (not written).
    var lastEvalLoss: Double?

    enum CodingKeys: String, CodingKey {
        case step, loss, auxLoss = "aux_loss", lr, gradNorm = "grad_norm", tokens, elapsedS = "elapsed_s"
        case tokensPerS = "tokens_per_s", evalLoss = "eval_loss", ranks, allreduceS = "allreduce_s"
    }

    public var progressFields: [(String, String)] {
        var fields = [("loss", String(format: "%.4f", loss)), ("lr", String(format: "%.2e", lr))]
        if let t = tokensPerS { fields.append(("tok/s", String(format: "%.0f", t))) }
        if let e = lastEvalLoss ?? evalLoss { fields.append(("eval", String(format: "%.4f", e))) }
        return fields
    }
}
