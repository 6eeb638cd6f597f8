import Dispatch
import Foundation
import FulgurCluster
import FulgurGeneration
import FulgurModel
import FulgurRewards
import FulgurSupport
import FulgurTensor
import FulgurTokenizer
import FulgurTraining

/// The RL loop (report §3–§4): sample prompts from a weighted mix of environments, generate
/// G responses per prompt from one forked prompt cache, score them, compute group-relative
/// advantages, then take μ minibatch updates of the CISPO/GRPO/DAPO loss per generation batch.
public final class RLTrainer: SteppedRun {
    public let config: RLConfig
    public let policy: Policy
    /// Generates the rollouts: `policy` itself, or a reduced-precision copy of its model
    /// (`rollout_precision`, `rollout_lm_head`) refreshed from it before every rollout.
    public let rolloutPolicy: Policy
    public let optimizer: AdamW
    let grads: Gradients
    let reference: MiniMaxModel?
    let envs: [(spec: RLConfig.EnvironmentSpec, env: any Environment)]
    let registry: EnvironmentRegistry
    /// The data-parallel job (a cluster of one without `mpirun`).
    public var cluster: Cluster { loop.cluster }
    let tokenizerJSON: Data?
    /// Where and how long it runs, and its run record: the loop `run()` drives.
    public let loop: StepLoop
    public private(set) var state: TrainerState
    /// Current generation window (max new tokens) under staged lengths.
    public private(set) var window: Int
    var perplexityHistory: [Double]

    /// `environments` is the registry the config's environment names are looked up in.
    public init(config: RLConfig, environments registry: EnvironmentRegistry, resume: Bool, runRecord: [String: JSONValue],
                cluster: Cluster = .world) throws {
        try config.validate(environments: registry)
        try DataParallel.checkDivides(batchSize: config.promptsPerStep, field: "prompts_per_step", cluster: cluster)
        self.registry = registry
        loop = StepLoop(out: config.out, steps: config.steps, checkpointEvery: config.checkpointEvery, runRecord: runRecord,
                       progressLabel: "rl step", transcripts: true, redrawEveryStep: true, cluster: cluster)
        Allocation.keepFreedMemory()
        self.config = config
        let resumeDir = resume ? try TrainingCheckpoint.latest(out: config.out) : nil
        let modelDir = resumeDir ?? config.initFrom
        let policy = try Policy(directory: modelDir)
        self.policy = policy
        if let r = config.rolloutRounding {
            rolloutPolicy = try Policy(model: try MiniMaxModel.rolloutCopy(of: policy.model, r), tokenizer: policy.tokenizer)
        } else {
            rolloutPolicy = policy
        }
        tokenizerJSON = FileManager.default.contents(atPath: modelDir + "/tokenizer.json")
        optimizer = AdamW(parameters: policy.model.trainableParameters, settings: config.optimizer)
        grads = policy.model.makeGradients()
        reference = config.loss.klCoef > 0 ? try MiniMaxModel(directory: config.initFrom) : nil
        envs = try config.environments.map { ($0, try registry.require($0.name)) }
        window = config.lengthStages?.windows.first ?? config.maxTokens
        perplexityHistory = []
        if let dir = resumeDir {
            state = try TrainingCheckpoint.loadState(dir)
            try TrainingCheckpoint.loadOptimizer(optimizer, from: dir)
            window = state.extra["window"]?.int ?? window
            perplexityHistory = state.extra["perplexity_history"]?.array?.compactMap(\.double) ?? []
        } else {
            state = TrainerState(step: 0, position: .init())
        }
    }

    // MARK: - Sampling

    struct Sample {
        let envIndex: Int
        let task: TaskInstance
        let prompt: [Int]
        let response: Policy.Response
        let score: RewardScore
        let reward: Double
        var advantage = 0.0
        var truncated: Bool { response.stopReason != .stop }
    }

    /// Environment weights at a step (the curriculum's latest stage, else the configured weights).
    func weights(at step: Int) -> [Double] {
        if let stage = config.curriculum.filter({ $0.startStep <= step }).max(by: { $0.startStep < $1.startStep }) {
            return envs.map { stage.weights[$0.spec.name] ?? 0 }
        }
        return envs.map(\.spec.weight)
    }

    /// `n` tasks drawn by weight; deterministic in (seed, step, round).
    func sampleTasks(_ n: Int, step: Int, round: Int) throws -> [(Int, TaskInstance)] {
        var rng = RNG(mixing: [config.seed, UInt64(step), UInt64(round), 0x7A5C])
        let w = weights(at: step)
        let total = w.reduce(0, +)
        guard total > 0 else { throw RLError("all environment weights are 0 at step \(step)") }
        return try (0..<n).map { _ in
            var u = rng.unit() * total
            var k = 0
            while k < w.count - 1 && u >= w[k] { u -= w[k]; k += 1 }
            let spec = envs[k].spec
            let d = rng.int(in: spec.minDifficulty...spec.maxDifficulty)
            guard let t = try envs[k].env.generate(count: 1, difficulty: d, seed: rng.next()).first else {
                throw RLError("environment \(spec.name) generated no task")
            }
            return (k, t)
        }
    }

    var samplingParameters: SamplingParameters {
        SamplingParameters(temperature: config.temperature, topP: config.topP, topK: config.topK,
                           seed: 0, maxTokens: window, repetitionWindow: config.effectiveRepetitionWindow,
                           repetitionThreshold: config.repetitionThreshold)
    }

    /// A step's rollouts: this rank's groups (by position in the global batch) and the table of
    /// every kept sample.
    struct Rollout {
        var groups: [Int: [Sample]]
        var table: RolloutTable
        /// The rank holding each kept group (for transcripts).
        var owners: [Int]
        var dropped: Int, rounds: Int, tokens: Int, seconds: Double, accuracy: Double
        /// Seconds spent scoring (verifiers; sandboxed tests for `code`/`swe`), slowest rank.
        var scoringSeconds: Double
        /// Samples scored over all ranks (dropped groups included).
        var scored: Int
    }

    /// Generates and scores groups until the batch is full (dynamic sampling drops groups whose
    /// rewards are all equal) or the round budget is spent. Every rank draws the same tasks; task i
    /// of a round is generated and scored by rank i mod N, with the RNG streams of its index in the
    /// round, so a prompt's samples do not depend on N. The kept/dropped verdicts and counts are
    /// summed, so every rank keeps the same groups in the same order.
    func rollout(step: Int) throws -> Rollout {
        let start = DispatchTime.now().uptimeNanoseconds
        var mine: [Int: [Sample]] = [:]
        var owners: [Int] = []
        var rounds = 0
        var counts = [0.0, 0.0, 0.0, 0.0]  // generated, correct (dropped groups included), tokens, dropped
        var scoring = 0.0
        if rolloutPolicy !== policy { rolloutPolicy.model.syncRounded(from: policy.model) }
        while owners.count < config.promptsPerStep && rounds < max(1, config.maxSamplingRounds) {
            let need = config.promptsPerStep - owners.count
            let tasks = try sampleTasks(need, step: step, round: rounds)
            var params = samplingParameters
            var seedRNG = RNG(mixing: [config.seed, UInt64(step), UInt64(rounds), 0x5EED])
            params.seed = seedRNG.next()
            let dealt = Array(DataParallel.dealt(need, rank: cluster.rank, size: cluster.size))
            let responses = try rolloutPolicy.respond(dealt.map { tasks[$0].1 }, samples: config.groupSize, params, indices: dealt)
            var kept = [Double](repeating: 0, count: need)
            var candidates: [Int: [Sample]] = [:]
            // every response of the round scored at once: verifiers are thread-safe, and the
            // sandboxed ones (code, swe) mostly wait on their test processes
            let scoreStart = DispatchTime.now().uptimeNanoseconds
            let flat = zip(dealt, responses).flatMap { i, group in group.map { (i, $0) } }
            let flatScores = Parallel.mapEach(flat.count) { n in
                let (k, task) = tasks[flat[n].0]
                return envs[k].env.score(task, response: flat[n].1.text)
            }
            scoring += Double(DispatchTime.now().uptimeNanoseconds - scoreStart) / 1e9
            var nextScore = 0
            for (i, group) in zip(dealt, responses) {
                let (k, task) = tasks[i]
                let prompt = policy.prompt(task)
                let samples = group.map { r -> Sample in
                    let s = flatScores[nextScore]
                    nextScore += 1
                    var reward = s.reward
                    if config.overlongCache > 0 {
                        reward += softOverlongPunishment(length: r.ids.count, maxLength: window, cache: config.overlongCache)
                    }
                    counts[2] += Double(r.ids.count)
                    return Sample(envIndex: k, task: task, prompt: prompt, response: r, score: s, reward: reward)
                }
                counts[0] += Double(samples.count)
                counts[1] += Double(samples.filter(\.score.correct).count)
                let rewards = samples.map(\.reward)
                if config.dynamicSampling && rewards.allSatisfy({ $0 == rewards[0] }) {
                    counts[3] += 1
                } else {
                    kept[i] = 1
                    candidates[i] = samples
                }
            }
            cluster.sum(&kept)
            for i in 0..<need where kept[i] != 0 && owners.count < config.promptsPerStep {
                if let samples = candidates[i] { mine[owners.count] = samples }
                owners.append(i % cluster.size)
            }
            rounds += 1
        }
        cluster.sum(&counts)
        // every rank fills its groups' rows; the sum gives all of them to every rank
        var table = RolloutTable(groups: owners.count, groupSize: config.groupSize)
        for (g, samples) in mine {
            table.set(group: g, samples.map {
                .init(env: $0.envIndex, reward: $0.reward, correct: $0.score.correct, format: $0.score.formatReward,
                      truncated: $0.truncated, length: $0.response.ids.count,
                      logProbSum: Double($0.response.logprobs.reduce(0, +)))
            })
        }
        table.share(over: cluster)
        let adv = config.advantage.advantages((0..<table.groups).map { table.group($0).map(\.reward) }, eps: config.advantageEps)
        for g in mine.keys { for i in mine[g]!.indices { mine[g]![i].advantage = adv[g][i] } }
        let seconds = cluster.maximum(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        return Rollout(groups: mine, table: table, owners: owners, dropped: Int(counts[3]), rounds: rounds, tokens: Int(counts[2]),
                       seconds: seconds, accuracy: counts[1] / max(counts[0], 1), scoringSeconds: cluster.maximum(scoring),
                       scored: Int(counts[0]))
    }

    // MARK: - Update

    struct UpdateStats {
        var loss = 0.0, gradNorm = 0.0, entropy = 0.0, entropyTokens = 0
        var stats = PolicyLoss.Stats()
        var tokens = 0
        /// Pearson correlation of training-mode vs rollout token probabilities.
        var trainRolloutPearson: Double?
    }

    var truncation: TrainingPass.Truncation? {
        config.topK > 0 || config.topP < 1 ? TrainingPass.Truncation(topK: config.topK, topP: config.topP) : nil
    }

    /// Log-probs of the response tokens of each sample under `model` (no gradient).
    func responseLogProbs(_ model: MiniMaxModel, _ samples: [Sample]) throws -> [[Float]] {
        let pass = try model.trainingForward(prompts: samples.map(\.prompt), responses: samples.map(\.response.ids),
                                             temperature: config.temperature, truncation: truncation)
        return pass.layout.gatherResponses(pass.logProbs)
    }

    /// μ minibatch updates over the step's groups: minibatch m holds the groups at positions
    /// m, m + μ, … of the global batch. Each rank computes the loss of its own groups with the
    /// whole minibatch's normalizers (CISPO's global token count), so the summed gradients are the
    /// one-process gradients and every rank takes the same optimizer step.
    func update(_ rollout: Rollout, lr: Double) throws -> UpdateStats {
        var u = UpdateStats()
        let table = rollout.table
        let mu = min(config.updatesPerBatch, table.groups)
        let positions = (0..<mu).map { m in Array(stride(from: m, to: table.groups, by: mu)) }
        let minibatches = positions.map { $0.compactMap { rollout.groups[$0] }.flatMap { $0 } }
        let rolloutLogProbs: [[[Float]]] = minibatches.map { $0.map(\.response.logprobs) }
        var old = rolloutLogProbs
        // Training-mode old log-probs: minibatch 0 is scored before any update, so its training
        // forward below gives them (the same computation); only the later minibatches need a pass now.
        if config.usesTrainingOldLogProbs {
            for m in minibatches.indices.dropFirst() where !minibatches[m].isEmpty {
                old[m] = try responseLogProbs(policy.model, minibatches[m])
            }
        }
        var pearson = PearsonSums()
        var sums = [0.0, 0.0, 0.0, 0.0]  // loss, entropy, entropy tokens, training tokens
        for (m, batch) in minibatches.enumerated() {
            // the whole minibatch's normalizers, from the table every rank holds
            let rows = positions[m].flatMap { table.group($0) }
            let batchTokens = rows.reduce(0) { $0 + (config.maskTruncated && $1.truncated ? 0 : $1.length) }
            grads.zero()
            if !batch.isEmpty {
                let pass = try policy.model.trainingForward(prompts: batch.map(\.prompt), responses: batch.map(\.response.ids),
                                                           temperature: config.temperature, truncation: truncation)
                let current = pass.layout.gatherResponses(pass.logProbs)
                if m == 0 {
                    if config.usesTrainingOldLogProbs { old[0] = current }
                    // training-mode vs rollout probabilities of the same tokens (no update yet): over the
                    // whole batch when every minibatch was scored, else over this first minibatch
                    let (a, b) = config.usesTrainingOldLogProbs ? (old.flatMap { $0 }, rolloutLogProbs.flatMap { $0 }) : (current, rolloutLogProbs[0])
                    for (x, y) in zip(a.joined(), b.joined()) { pearson.add(exp(Double(x)), exp(Double(y))) }
                }
                let ref = try reference.map { try responseLogProbs($0, batch) }
                let responses = batch.enumerated().map { i, s in
                    PolicyLoss.Response(logProbs: current[i], oldLogProbs: old[m][i], refLogProbs: ref?[i], advantage: s.advantage,
                                        mask: Array(repeating: !(config.maskTruncated && s.truncated), count: s.response.ids.count),
                                        weights: config.tisCap.map { cap in
                                            zip(old[m][i], rolloutLogProbs[m][i]).map { Float(min(exp(Double($0) - Double($1)), cap)) }
                                        })
                }
                let result = config.loss.evaluate(responses, batchTokens: batchTokens, batchResponses: rows.count)
                let dlp = pass.layout.scatterResponses(result.dLogProbs)
                for (i, rows) in pass.layout.responseRows.enumerated() {
                    for (t, row) in rows.enumerated() where responses[i].mask[t] {
                        sums[1] += Double(pass.entropy[row]); sums[2] += 1
                    }
                }
                pass.backward(dLogProbs: dlp, into: grads)
                sums[0] += result.loss / Double(mu)
                sums[3] += Double(batch.reduce(0) { $0 + $1.prompt.count + $1.response.ids.count })
                u.stats.merge(result.stats)
            }
            cluster.sum(grads)
            u.gradNorm += optimizer.update(grads, lr: lr) / Double(mu)
        }
        cluster.sum(&sums)
        u.loss = sums[0]; u.entropy = sums[1]; u.entropyTokens = Int(sums[2]); u.tokens = Int(sums[3])
        u.stats = cluster.sum(u.stats)
        u.trainRolloutPearson = cluster.sum(pearson).value
        return u
    }

    // MARK: - Loop

    public func step() throws -> RLStepMetrics {
        let step = state.step
        let lr = LearningRateSchedule(peak: config.lr, warmupSteps: config.schedule.warmup,
                                      decayStart: config.schedule.decayStart ?? config.steps, decayEnd: config.schedule.decayEnd ?? config.steps,
                                      floor: config.schedule.minLR, decay: config.schedule.decay).lr(at: step)
        let collectivesBefore = cluster.collectiveSeconds
        let r = try rollout(step: step)
        let trainStart = DispatchTime.now().uptimeNanoseconds
        let u = r.table.groups == 0 ? UpdateStats() : try update(r, lr: lr)
        let trainSeconds = Double(DispatchTime.now().uptimeNanoseconds - trainStart) / 1e9
        state.step += 1
        state.position = .init(epoch: 0, index: state.step)

        let all = r.table.rows
        let lengths = all.map { Double($0.length) }.sorted()
        let p99 = lengths.isEmpty ? 0 : lengths[min(lengths.count - 1, Int((Double(lengths.count) * 0.99).rounded(.up)) - 1)]
        let meanLogProb = all.isEmpty ? 0 : all.reduce(0.0) { $0 + $1.logProbSum } / max(1, lengths.reduce(0, +))
        let perplexity = exp(-meanLogProb)
        var rec = RLStepMetrics(step: state.step)
        rec.lr = lr; rec.loss = u.loss; rec.gradNorm = u.gradNorm
        rec.groups = r.table.groups; rec.droppedGroups = r.dropped; rec.samplingRounds = r.rounds
        rec.reward = mean(all.map(\.reward)); rec.accuracy = mean(all.map { $0.correct ? 1 : 0 })
        rec.format = mean(all.map(\.format)); rec.rolloutAccuracy = r.accuracy; rec.truncated = mean(all.map { $0.truncated ? 1 : 0 })
        rec.responseLengthMean = mean(lengths); rec.responseLengthP99 = p99
        rec.entropy = u.entropyTokens > 0 ? u.entropy / Double(u.entropyTokens) : 0
        rec.clipFraction = u.stats.clipFraction
        rec.zeroedFraction = u.stats.tokens > 0 ? Double(u.stats.zeroed) / Double(u.stats.tokens) : 0
        rec.cappedFraction = u.stats.tokens > 0 ? Double(u.stats.capped) / Double(u.stats.tokens) : 0
        rec.ratioMean = u.stats.ratioMean; rec.ratioMax = u.stats.ratioMax; rec.isWeightMean = u.stats.isWeightMean
        rec.kl = u.stats.kl; rec.generationPerplexity = perplexity; rec.window = window
        rec.generationS = r.seconds; rec.trainingS = trainSeconds
        rec.scoringS = r.scoringSeconds
        rec.scoredPerS = Double(r.scored) / max(r.scoringSeconds, 1e-9)
        rec.rolloutTokensPerS = Double(r.tokens) / max(r.seconds, 1e-9)
        rec.trainingTokensPerS = Double(u.tokens) / max(trainSeconds, 1e-9)
        if cluster.isDistributed {
            rec.ranks = cluster.size
            rec.allreduceS = cluster.collectiveSeconds - collectivesBefore
        }
        rec.clipping = Self.clipMetrics(u.stats)
        rec.trainRolloutProbPearson = u.trainRolloutPearson
        // per-environment reward and accuracy (of this step's kept groups)
        for (k, e) in envs.enumerated() {
            let mine = all.filter { $0.env == k }
            guard !mine.isEmpty else { continue }
            rec.byEnvironment[e.spec.name] = .init(reward: mean(mine.map(\.reward)), accuracy: mean(mine.map { $0.correct ? 1 : 0 }))
        }
        updateWindow(p99: p99, perplexity: perplexity, into: &rec)
        // the first sample of the first groups; a group's rank sends it to rank 0
        lastTranscripts = (0..<min(config.transcriptsPerStep, r.table.groups)).compactMap { g -> [String: JSONValue]? in
            var record: [String: JSONValue]?
            if let s = r.groups[g]?.first {
                record = [
                    "step": .number(Double(state.step)), "env": .string(envs[s.envIndex].spec.name), "task_id": .string(s.task.id),
                    "prompt": .string(s.task.prompt), "response": .string(s.response.text), "reward": .number(s.reward),
                    "correct": .bool(s.score.correct), "reason": .string(s.score.reason), "stop_reason": .string(s.response.stopReason.rawValue),
                ]
            }
            guard cluster.isDistributed else { return record }
            let bytes = cluster.broadcast(Data((record.map { JSONValue.object($0).jsonString() } ?? "").utf8), from: r.owners[g])
            return bytes.isEmpty ? nil : try? JSONDecoder().decode([String: JSONValue].self, from: bytes)
        }
        return rec
    }

    var lastTranscripts: [[String: JSONValue]] = []

    /// Who gets clipped (Figure 2, the report's fork-token explanation): fractions of the
    /// update tokens outside PPO's trust region, the mean π_old probability of all / zeroed /
    /// capped tokens, and the share of low-probability (p < 0.1) tokens in each set.
    static func clipMetrics(_ s: PolicyLoss.Stats) -> [String: Double] {
        let f = s.fork
        // a mean over an empty set is left out (not 0)
        func ratio(_ a: Double, _ n: Int) -> Double? { n > 0 ? a / Double(n) : nil }
        let all: [String: Double?] = [
            "outside_trust_region_fraction": ratio(Double(s.outsideTrustRegion), s.tokens),
            "tis_weight_mean": s.tokens > 0 ? s.tisWeightMean : nil,
            "prob_mean": ratio(f.probSum, s.tokens), "low_prob_fraction": ratio(Double(f.low), s.tokens),
            "zeroed_prob_mean": ratio(f.zeroedProbSum, s.zeroed), "zeroed_low_prob_fraction": ratio(Double(f.zeroedLow), s.zeroed),
            "capped_prob_mean": ratio(f.cappedProbSum, s.capped), "capped_low_prob_fraction": ratio(Double(f.cappedLow), s.capped),
            "low_prob_zeroed_fraction": ratio(Double(f.zeroedLow), f.low),
        ]
        return all.compactMapValues { $0 }
    }

    /// Staged windows (§5): move to the next window when the p99 length nears the current one
    /// and the generation perplexity has settled; the signals go into the metrics.
    func updateWindow(p99: Double, perplexity: Double, into rec: inout RLStepMetrics) {
        guard let stages = config.lengthStages else { return }
        perplexityHistory.append(perplexity)
        if perplexityHistory.count > stages.patience { perplexityHistory.removeFirst(perplexityHistory.count - stages.patience) }
        let settled = perplexityHistory.count == stages.patience
            && (perplexityHistory.max()! / max(perplexityHistory.min()!, 1e-12) - 1) < stages.perplexityTolerance
        let near = p99 >= stages.trigger * Double(window)
        rec.windowP99Ratio = p99 / Double(window)
        rec.perplexitySettled = settled
        if near && settled, let next = stages.windows.first(where: { $0 > window }) {
            rec.windowChangedTo = next
            window = next
            perplexityHistory = []
        }
        state.extra["window"] = .number(Double(window))
        state.extra["perplexity_history"] = .array(perplexityHistory.map { .number($0) })
    }

    // MARK: - The run (StepLoop drives it: metrics, transcripts, checkpoints, plots)

    public var completedSteps: Int { state.step }

    /// One step, plus the eval suite every `eval.every` steps.
    public func runStep() throws -> (metrics: RLStepMetrics, logged: Bool) {
        var rec = try step()
        if let e = config.eval, e.every > 0, state.step % e.every == 0 || state.step == config.steps {
            let suite = try EvalSuite.load(e.suite)
            let report = try Evaluator.run(policy: policy, suite: suite, samples: e.samples, seed: config.seed, modelName: config.out,
                                           environments: registry, cluster: cluster)
            rec.evalPassRate = report.overallPassRate
        }
        return (rec, true)
    }

    public func takeTranscripts() -> [[String: JSONValue]] {
        defer { lastTranscripts = [] }
        return lastTranscripts
    }

    public func saveCheckpoint() throws {
        _ = try TrainingCheckpoint.save(model: policy.model, optimizer: optimizer, state: state, tokenizerJSON: tokenizerJSON,
                                        runRecord: loop.runRecord, out: config.out, keep: config.keep, dtype: config.saveDType)
    }

    public func writePlots() throws {
        let recs = MetricsLog.read(config.out + "/metrics.jsonl")
        func series(_ key: String, _ name: String) -> SVGPlot.Series { SVGPlot.Series(name: name, key: key, in: recs) }
        let envKeys = config.environments.map(\.name)
        try SVGPlot(title: "RL reward and accuracy", xLabel: "step", yLabel: "mean over samples",
                    series: [series("reward", "reward"), series("accuracy", "accuracy"), series("eval_pass_rate", "eval pass rate")]
                        + envKeys.map { series("accuracy/\($0)", "accuracy: \($0)") }).write(to: config.out + "/reward.svg")
        try SVGPlot(title: "Response length", xLabel: "step", yLabel: "tokens",
                    series: [series("response_length_mean", "mean"), series("response_length_p99", "p99"), series("window", "window")])
            .write(to: config.out + "/length.svg")
        try SVGPlot(title: "Clipping and entropy", xLabel: "step", yLabel: "value",
                    series: [series("clip_fraction", "clip fraction"), series("entropy", "entropy"), series("is_weight_mean", "IS weight mean")])
            .write(to: config.out + "/clipping.svg")
    }
}

func mean(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.reduce(0, +) / Double(x.count) }
