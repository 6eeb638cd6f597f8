import Foundation
import FulgurRewards
import FulgurModel
import FulgurSupport
import FulgurTensor
import FulgurTraining

/// The `rl.json` schema (docs/rl.md). Every field has a default except `init_from`.
public struct RLConfig: Codable, Sendable {
    public struct EnvironmentSpec: Codable, Sendable {
        public var name: String
        public var weight: Double = 1
        public var minDifficulty: Int = 1
        public var maxDifficulty: Int = 3
        /// For a GenRM environment (`judge-*`): the task whose prompts and references it uses.
        public var task: String?
        /// For a GenRM environment: the judge endpoint (`JudgeEndpoint`, the exact `judge` object).
        public var judge: JudgeEndpoint?
        enum CodingKeys: String, CodingKey {
            case name, weight, minDifficulty = "min_difficulty", maxDifficulty = "max_difficulty", task, judge
        }
        public init(name: String, weight: Double = 1, minDifficulty: Int = 1, maxDifficulty: Int = 3) {
            self.name = name; self.weight = weight; self.minDifficulty = minDifficulty; self.maxDifficulty = maxDifficulty
        }
        public init(from d: Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            weight = try c.decodeIfPresent(Double.self, forKey: .weight) ?? 1
            minDifficulty = try c.decodeIfPresent(Int.self, forKey: .minDifficulty) ?? 1
            maxDifficulty = try c.decodeIfPresent(Int.self, forKey: .maxDifficulty) ?? minDifficulty
            task = try c.decodeIfPresent(String.self, forKey: .task)
            judge = try c.decodeIfPresent(JudgeEndpoint.self, forKey: .judge)
        }
    }

    /// A curriculum stage (report §4.3): from `start_step` on, these environment weights apply.
    public struct CurriculumStage: Codable, Sendable {
        public var startStep: Int
        public var weights: [String: Double]
        enum CodingKeys: String, CodingKey { case startStep = "start_step", weights }
        public init(startStep: Int, weights: [String: Double]) { self.startStep = startStep; self.weights = weights }
    }

    /// Staged output-length windows (report §5): the generation window grows to the next value
    /// once the p99 response length reaches `trigger` × the current window and the generation
    /// perplexity has settled (relative change over `patience` steps below `perplexity_tolerance`).
    public struct LengthStages: Codable, Sendable {
        public var windows: [Int]
        public var trigger: Double = 0.9
        public var patience: Int = 3
        public var perplexityTolerance: Double = 0.05
        enum CodingKeys: String, CodingKey { case windows, trigger, patience, perplexityTolerance = "perplexity_tolerance" }
        public init(windows: [Int]) { self.windows = windows }
        public init(from d: Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            windows = try c.decode([Int].self, forKey: .windows)
            trigger = try c.decodeIfPresent(Double.self, forKey: .trigger) ?? 0.9
            patience = try c.decodeIfPresent(Int.self, forKey: .patience) ?? 3
            perplexityTolerance = try c.decodeIfPresent(Double.self, forKey: .perplexityTolerance) ?? 0.05
        }
    }

    public struct EvalSpec: Codable, Sendable {
        public var suite: String
        public var samples: Int = 2
        public var every: Int = 10
        public init(suite: String, samples: Int = 2, every: Int = 10) { self.suite = suite; self.samples = samples; self.every = every }
        public init(from d: Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            suite = try c.decode(String.self, forKey: .suite)
            samples = try c.decodeIfPresent(Int.self, forKey: .samples) ?? 2
            every = try c.decodeIfPresent(Int.self, forKey: .every) ?? 10
        }
    }

    /// Model folder (with tokenizer.json) the policy starts from.
    public var initFrom: String = ""
    public var environments: [EnvironmentSpec] = []
    public var curriculum: [CurriculumStage] = []
    public var steps = 20
    /// Prompt groups per generation batch.
    public var promptsPerStep = 8
    /// Responses per prompt (G).
    public var groupSize = 8
    /// Minibatch updates per generation batch (μ; the report used 16).
    public var updatesPerBatch = 1
    public var maxTokens = 256
    public var lengthStages: LengthStages?
    public var temperature: Float = 1.0
    public var topP: Float = 1.0
    public var topK = 0
    public var loss = PolicyLoss(kind: .cispo)
    public var advantage: AdvantageEstimator = .groupStd
    public var advantageEps = 1e-6
    /// DAPO dynamic sampling: drop groups whose rewards are all equal and refill.
    public var dynamicSampling = true
    /// Generation rounds allowed per step to refill the batch.
    public var maxSamplingRounds = 3
    /// Soft overlong punishment over the last `overlong_cache` tokens of the window (0 = off).
    public var overlongCache = 0
    /// Give truncated responses (length or repetition stop) zero loss weight.
    public var maskTruncated = true
    /// Repetition early stop in rollouts; window 0 = scale with the output length (max_tokens/4, at least 16).
    public var repetitionWindow = 0
    public var repetitionThreshold: Float = 0.99
    /// Recompute π_old with a training-mode forward before the first update (default: rollout
    /// log-probs). Implied when rollouts run in reduced precision or `tis_cap` is set.
    public var recomputeOldLogProbs = false
    /// Rollout forward precision (report §3.2, Fig. 3): `bf16` rounds the rollout copy's weights
    /// and activations to bf16 (ReducedPrecision.swift); training stays Float32.
    public var rolloutPrecision: WeightPrecision = .f32
    /// The rollout LM head's precision; nil = the same as `rollout_precision` (`f32` is the report's fix).
    public var rolloutLMHead: WeightPrecision?
    /// Truncated importance sampling: each token's loss × min(π_old/π_rollout, C); nil = off.
    public var tisCap: Double?
    public var lr = 1e-5
    public var schedule = TrainConfig.Schedule()
    public var optimizer = AdamW.Settings(weightDecay: 0.0)
    public var eval: EvalSpec?
    public var transcriptsPerStep = 4
    public var checkpointEvery = 10
    public var keep = 2
    /// Precision of the checkpoints' weights ("f32" or "bf16"; the optimizer state stays f32).
    public var saveDType: WeightPrecision = .f32
    public var seed: UInt64 = 0
    public var out = "runs/rl"

    enum CodingKeys: String, CodingKey {
        case initFrom = "init_from", environments, curriculum, steps, promptsPerStep = "prompts_per_step", groupSize = "group_size",
             updatesPerBatch = "updates_per_batch", maxTokens = "max_tokens", lengthStages = "length_stages", temperature,
             topP = "top_p", topK = "top_k", loss, advantage, advantageEps = "advantage_eps", dynamicSampling = "dynamic_sampling",
             maxSamplingRounds = "max_sampling_rounds", overlongCache = "overlong_cache", maskTruncated = "mask_truncated",
             repetitionWindow = "repetition_window", repetitionThreshold = "repetition_threshold",
             recomputeOldLogProbs = "recompute_old_logprobs", rolloutPrecision = "rollout_precision",
             rolloutLMHead = "rollout_lm_head", tisCap = "tis_cap", lr, schedule, optimizer, eval,
             transcriptsPerStep = "transcripts_per_step", checkpointEvery = "checkpoint_every", keep, saveDType = "save_dtype", seed, out
    }

    public init() {}

    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        try TrainConfig.rejectUnknownKeys(d, CodingKeys.self, "", file: "rl config")
        let def = RLConfig()
        func v<T: Decodable>(_ k: CodingKeys, _ dflt: T) throws -> T { try c.decodeIfPresent(T.self, forKey: k) ?? dflt }
        initFrom = try v(.initFrom, def.initFrom)
        environments = try v(.environments, def.environments)
        curriculum = try v(.curriculum, def.curriculum)
        steps = try v(.steps, def.steps)
        promptsPerStep = try v(.promptsPerStep, def.promptsPerStep)
        groupSize = try v(.groupSize, def.groupSize)
        updatesPerBatch = try v(.updatesPerBatch, def.updatesPerBatch)
        maxTokens = try v(.maxTokens, def.maxTokens)
        lengthStages = try c.decodeIfPresent(LengthStages.self, forKey: .lengthStages)
        temperature = try v(.temperature, def.temperature)
        topP = try v(.topP, def.topP)
        topK = try v(.topK, def.topK)
        loss = try v(.loss, def.loss)
        advantage = try v(.advantage, def.advantage)
        advantageEps = try v(.advantageEps, def.advantageEps)
        dynamicSampling = try v(.dynamicSampling, def.dynamicSampling)
        maxSamplingRounds = try v(.maxSamplingRounds, def.maxSamplingRounds)
        overlongCache = try v(.overlongCache, def.overlongCache)
        maskTruncated = try v(.maskTruncated, def.maskTruncated)
        repetitionWindow = try v(.repetitionWindow, def.repetitionWindow)
        repetitionThreshold = try v(.repetitionThreshold, def.repetitionThreshold)
        recomputeOldLogProbs = try v(.recomputeOldLogProbs, def.recomputeOldLogProbs)
        func precision(_ k: CodingKeys) throws -> WeightPrecision? { try TrainConfig.weightPrecision(c, k, file: "rl config") }
        rolloutPrecision = try precision(.rolloutPrecision) ?? def.rolloutPrecision
        rolloutLMHead = try precision(.rolloutLMHead)
        tisCap = try c.decodeIfPresent(Double.self, forKey: .tisCap)
        lr = try v(.lr, def.lr)
        schedule = try v(.schedule, def.schedule)
        optimizer = try v(.optimizer, def.optimizer)
        eval = try c.decodeIfPresent(EvalSpec.self, forKey: .eval)
        transcriptsPerStep = try v(.transcriptsPerStep, def.transcriptsPerStep)
        checkpointEvery = try v(.checkpointEvery, def.checkpointEvery)
        keep = try v(.keep, def.keep)
        saveDType = try precision(.saveDType) ?? def.saveDType
        seed = try v(.seed, def.seed)
        out = try v(.out, def.out)
    }

    public static func load(path: String) throws -> RLConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw FileError(path, "cannot read") }
        do { return try JSONDecoder().decode(RLConfig.self, from: data) } catch let e as FileError {
            throw FileError(path, e.detail)
        } catch { throw FileError(path, Files.describe(error)) }
    }

    /// Checks the config against the environments the run may use (names only: nothing is built).
    public func validate(environments registry: EnvironmentRegistry) throws {
        func fail(_ s: String) -> FileError { FileError("rl config", s) }
        guard !initFrom.isEmpty else { throw fail("init_from (a model folder with tokenizer.json) is required") }
        guard !environments.isEmpty else { throw fail("environments is empty") }
        for (i, e) in environments.enumerated() {
            guard e.weight >= 0 else { throw fail("environments[\(i)].weight must be ≥ 0") }
            guard 1 <= e.minDifficulty, e.minDifficulty <= e.maxDifficulty, e.maxDifficulty <= 10 else {
                throw fail("environments[\(i)]: need 1 ≤ min_difficulty ≤ max_difficulty ≤ 10")
            }
            if e.judge != nil || e.task != nil {
                guard e.name.hasPrefix("judge-") else {
                    throw fail("environments[\(i)]: `task` and `judge` belong to GenRM environments (judge-*), not \(e.name)")
                }
                guard let task = e.task, registry.entry(task) != nil else {
                    throw fail("environments[\(i)].task: \(e.task.map { "unknown task \"\($0)\"" } ?? "missing"); available: \(registry.names.joined(separator: ", "))")
                }
                guard e.judge != nil else { throw fail("environments[\(i)].judge: missing (the judge endpoint)") }
            }
            // the name only: building a sandboxed environment probes the sandbox (done at first use)
            guard registry.entry(e.name) != nil else {
                throw fail("environments[\(i)].name: unknown environment \"\(e.name)\"; available: \(registry.names.joined(separator: ", "))")
            }
        }
        guard steps >= 1, promptsPerStep >= 1, groupSize >= 2 else { throw fail("steps ≥ 1, prompts_per_step ≥ 1, group_size ≥ 2") }
        guard updatesPerBatch >= 1, updatesPerBatch <= promptsPerStep else { throw fail("updates_per_batch must be in 1…prompts_per_step") }
        guard maxTokens >= 1 else { throw fail("max_tokens must be ≥ 1") }
        guard temperature > 0 else { throw fail("temperature must be > 0 for RL sampling") }
        guard overlongCache >= 0, overlongCache < maxTokens else { throw fail("overlong_cache must be in 0..<max_tokens") }
        if let c = tisCap, !(c.isFinite && c > 0) { throw fail("tis_cap must be a number > 0 (or null for no correction)") }
        for s in curriculum { for k in s.weights.keys where !environments.contains(where: { $0.name == k }) {
            throw fail("curriculum weight for \(k), which is not in environments")
        } }
    }

    /// How rollouts are computed (nil = by the training model itself, in Float32).
    public var rolloutRounding: ReducedPrecision? {
        let r = ReducedPrecision(weights: rolloutPrecision, head: rolloutLMHead ?? rolloutPrecision)
        return r.isReduced ? r : nil
    }

    /// Whether π_old comes from a training-mode forward (rollout log-probs differ from it, or TIS needs both).
    public var usesTrainingOldLogProbs: Bool { recomputeOldLogProbs || rolloutRounding != nil || tisCap != nil }

    /// The effective repetition window: configured, or scaled with the output length.
    public var effectiveRepetitionWindow: Int { repetitionWindow > 0 ? repetitionWindow : max(16, maxTokens / 4) }
}

public struct RLError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}
