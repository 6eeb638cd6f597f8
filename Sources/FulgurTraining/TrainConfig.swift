import Foundation
import FulgurSupport
import FulgurTensor

/// The `train.json` schema (docs/training.md). Every field but the data has a default; flags
/// of `fulgur train` override fields after the file is read.
public struct TrainConfig: Codable, Sendable {
    public struct DataSpec: Codable, Sendable {
        /// Files: `.txt` (one document per file), `.jsonl` with `{"text"}` (pretraining) or
        /// `{"messages"}` (chat SFT, loss on assistant tokens only).
        public var train: [String] = []
        public var eval: [String] = []
        /// A built-in synthetic corpus (no files needed): `{"name": "arithmetic", "count": N, ...}`.
        public var builtin: BuiltinCorpus?
        /// Fraction of the training examples held out for eval when `eval` is empty.
        public var evalFraction: Double = 0.02

        enum CodingKeys: String, CodingKey { case train, eval, builtin, evalFraction = "eval_fraction" }
        public init() {}
        public init(from d: Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            try TrainConfig.rejectUnknownKeys(d, CodingKeys.self, "data")
            train = try c.decodeIfPresent([String].self, forKey: .train) ?? []
            eval = try c.decodeIfPresent([String].self, forKey: .eval) ?? []
            builtin = try c.decodeIfPresent(BuiltinCorpus.self, forKey: .builtin)
            evalFraction = try c.decodeIfPresent(Double.self, forKey: .evalFraction) ?? 0.02
        }
    }

    public struct BuiltinCorpus: Codable, Sendable {
        /// Task names (`fulgur tasks list`: those with worked solutions, and `tool_use`), mixed evenly.
        public var tasks: [String] = ["addition"]
        public var count: Int = 20_000
        public var minDifficulty: Int = 1
        public var maxDifficulty: Int = 3
        public var seed: UInt64 = 1

        enum CodingKeys: String, CodingKey { case tasks, count, minDifficulty = "min_difficulty", maxDifficulty = "max_difficulty", seed }
        public init() {}
        public init(from d: Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            try TrainConfig.rejectUnknownKeys(d, CodingKeys.self, "data.builtin")
            tasks = try c.decodeIfPresent([String].self, forKey: .tasks) ?? ["addition"]
            count = try c.decodeIfPresent(Int.self, forKey: .count) ?? 20_000
            minDifficulty = try c.decodeIfPresent(Int.self, forKey: .minDifficulty) ?? 1
            maxDifficulty = try c.decodeIfPresent(Int.self, forKey: .maxDifficulty) ?? 3
            seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 1
        }
    }

    public struct Schedule: Codable, Sendable {
        public var warmup: Int = 0
        /// Defaults: the decay starts at 80% of the steps and ends at the last step.
        public var decayStart: Int?
        public var decayEnd: Int?
        public var minLR: Double = 0
        public var decay: LearningRateSchedule.Decay = .cosine

        enum CodingKeys: String, CodingKey { case warmup, decayStart = "decay_start", decayEnd = "decay_end", minLR = "min_lr", decay }
        public init() {}
        public init(from d: Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            try TrainConfig.rejectUnknownKeys(d, CodingKeys.self, "schedule")
            warmup = try c.decodeIfPresent(Int.self, forKey: .warmup) ?? 0
            decayStart = try c.decodeIfPresent(Int.self, forKey: .decayStart)
            decayEnd = try c.decodeIfPresent(Int.self, forKey: .decayEnd)
            minLR = try c.decodeIfPresent(Double.self, forKey: .minLR) ?? 0
            decay = try c.decodeIfPresent(LearningRateSchedule.Decay.self, forKey: .decay) ?? .cosine
        }
    }

    /// Architecture for training from scratch: a path to a config.json or the object inline.
    public var model: JSONValue?
    /// Or continue from a model folder (config.json + weights [+ tokenizer.json]).
    public var initFrom: String?
    /// tokenizer.json to use (defaults to the one in `init_from`).
    public var tokenizer: String?
    public var data = DataSpec()
    public var seqLen = 512
    public var batchSize = 8
    public var gradAccum = 1
    public var steps = 1000
    public var lr = 3e-4
    public var schedule = Schedule()
    public var optimizer = AdamW.Settings()
    /// Load-balancing loss coefficient (default: the model config's router_aux_loss_coef).
    public var auxLossCoef: Double?
    public var evalEvery = 100
    public var evalBatches = 8
    public var checkpointEvery = 200
    /// Checkpoints kept (oldest deleted first; the latest is always kept).
    public var keep = 3
    /// Precision of the checkpoints' weights ("f32" or "bf16"; the optimizer state stays f32).
    /// bf16 halves the files; a run resumed from them continues from the rounded weights.
    public var saveDType: WeightPrecision = .f32
    public var logEvery = 1
    public var seed: UInt64 = 0
    public var out = "runs/train"

    enum CodingKeys: String, CodingKey {
        case model, initFrom = "init_from", tokenizer, data, seqLen = "seq_len", batchSize = "batch_size",
             gradAccum = "grad_accum", steps, lr, schedule, optimizer, auxLossCoef = "aux_loss_coef",
             evalEvery = "eval_every", evalBatches = "eval_batches", checkpointEvery = "checkpoint_every", keep, saveDType = "save_dtype",
             logEvery = "log_every", seed, out
    }

    public init() {}

    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        try TrainConfig.rejectUnknownKeys(d, CodingKeys.self, "")
        let def = TrainConfig()
        model = try c.decodeIfPresent(JSONValue.self, forKey: .model)
        initFrom = try c.decodeIfPresent(String.self, forKey: .initFrom)
        tokenizer = try c.decodeIfPresent(String.self, forKey: .tokenizer)
        data = try c.decodeIfPresent(DataSpec.self, forKey: .data) ?? def.data
        seqLen = try c.decodeIfPresent(Int.self, forKey: .seqLen) ?? def.seqLen
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? def.batchSize
        gradAccum = try c.decodeIfPresent(Int.self, forKey: .gradAccum) ?? def.gradAccum
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? def.steps
        lr = try c.decodeIfPresent(Double.self, forKey: .lr) ?? def.lr
        schedule = try c.decodeIfPresent(Schedule.self, forKey: .schedule) ?? def.schedule
        optimizer = try c.decodeIfPresent(AdamW.Settings.self, forKey: .optimizer) ?? def.optimizer
        auxLossCoef = try c.decodeIfPresent(Double.self, forKey: .auxLossCoef)
        evalEvery = try c.decodeIfPresent(Int.self, forKey: .evalEvery) ?? def.evalEvery
        evalBatches = try c.decodeIfPresent(Int.self, forKey: .evalBatches) ?? def.evalBatches
        checkpointEvery = try c.decodeIfPresent(Int.self, forKey: .checkpointEvery) ?? def.checkpointEvery
        keep = try c.decodeIfPresent(Int.self, forKey: .keep) ?? def.keep
        saveDType = try TrainConfig.weightPrecision(c, .saveDType, file: "train config") ?? def.saveDType
        logEvery = try c.decodeIfPresent(Int.self, forKey: .logEvery) ?? def.logEvery
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? def.seed
        out = try c.decodeIfPresent(String.self, forKey: .out) ?? def.out
    }

    public static func load(path: String) throws -> TrainConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw FileError(path, "cannot read") }
        do { return try JSONDecoder().decode(TrainConfig.self, from: data) } catch let e as FileError {
            throw FileError(path, e.detail)
        } catch {
            throw FileError(path, Files.describe(error))
        }
    }

    /// Range and consistency checks; messages name the field.
    public func validate() throws {
        func fail(_ s: String) -> FileError { FileError("train config", s) }
        guard model != nil || initFrom != nil else { throw fail("give `model` (a config) or `init_from` (a model folder)") }
        guard seqLen >= 2 else { throw fail("seq_len must be at least 2") }
        guard batchSize >= 1 else { throw fail("batch_size must be at least 1") }
        guard gradAccum >= 1 else { throw fail("grad_accum must be at least 1") }
        guard steps >= 1 else { throw fail("steps must be at least 1") }
        guard lr > 0, lr.isFinite else { throw fail("lr must be positive") }
        guard !data.train.isEmpty || data.builtin != nil else { throw fail("data: give `train` files or a `builtin` corpus") }
        guard data.evalFraction >= 0, data.evalFraction < 1 else { throw fail("data.eval_fraction must be in [0, 1)") }
        guard evalEvery >= 0, checkpointEvery >= 0, logEvery >= 1, keep >= 1 else {
            throw fail("eval_every/checkpoint_every must be ≥ 0, log_every and keep ≥ 1")
        }
        guard optimizer.beta1 >= 0, optimizer.beta1 < 1, optimizer.beta2 >= 0, optimizer.beta2 < 1 else {
            throw fail("optimizer.beta1/beta2 must be in [0, 1)")
        }
    }

    public var learningRateSchedule: LearningRateSchedule {
        LearningRateSchedule(peak: lr, warmupSteps: schedule.warmup,
                             decayStart: schedule.decayStart ?? Int(Double(steps) * 0.8),
                             decayEnd: schedule.decayEnd ?? steps, floor: schedule.minLR, decay: schedule.decay)
    }

    /// Unknown fields are errors (a typo must not silently fall back to a default).
    public static func rejectUnknownKeys<K: CodingKey & RawRepresentable>(_ d: Decoder, _: K.Type, _ section: String,
                                                                         file: String = "train config") throws where K.RawValue == String {
        let all = try d.container(keyedBy: AnyKey.self)
        for k in all.allKeys where K(rawValue: k.stringValue) == nil {
            throw FileError(file, "unknown field \(section.isEmpty ? "" : section + ".")\(k.stringValue)")
        }
    }

    /// Any JSON key (to list the keys of an object).
    public struct AnyKey: CodingKey {
        public var stringValue: String
        public var intValue: Int? { nil }
        public init(stringValue: String) { self.stringValue = stringValue }
        public init?(intValue: Int) { nil }
    }
}

extension TrainConfig {
    /// A precision field of a config file (`save_dtype`, `rollout_precision`, …): "fp32" (as the
    /// report writes it) or "f32", or "bf16", with an error naming the file and the field.
    public static func weightPrecision<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K, file: String) throws -> WeightPrecision? {
        guard let s = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
        switch s {
        case "fp32", "f32": return .f32
        case "bf16": return .bf16
        default: throw FileError(file, "\(key.stringValue): expected \"fp32\" (or \"f32\") or \"bf16\", got \"\(s)\"")
        }
    }
}
