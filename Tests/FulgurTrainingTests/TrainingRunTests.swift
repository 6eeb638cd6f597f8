import Foundation
import Testing
import FulgurData
@testable import FulgurModel
@testable import FulgurSupport
@testable import FulgurTraining

/// End-to-end training runs on a tiny hybrid model and the built-in addition corpus: the loss
/// goes down, a resumed run continues with exactly the losses of an uninterrupted one, and a
/// process killed with SIGKILL at random moments (also mid-checkpoint) never leaves a
/// corrupt latest checkpoint.
@Suite(.serialized) struct TrainingRunTests {
    static let modelConfig: JSONValue = [
        "model_type": "minimax_m1", "architectures": ["MiniMaxM1ForCausalLM"], "vocab_size": 288,
        "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 2,
        "num_key_value_heads": 1, "head_dim": 16, "rotary_dim": 8, "rope_theta": 10000.0,
        "num_local_experts": 2, "num_experts_per_tok": 1, "attn_type_list": [0, 1], "postnorm": true,
        "layernorm_linear_attention_alpha": 1.5, "layernorm_full_attention_alpha": 1.5, "layernorm_mlp_alpha": 1.5,
        "block_size": 16, "max_position_embeddings": 1024, "router_aux_loss_coef": 0.001,
    ]

    static func config(out: String, steps: Int, checkpointEvery: Int) throws -> TrainConfig {
        let json: JSONValue = [
            "model": modelConfig,
            "data": ["builtin": ["tasks": ["addition"], "count": 300, "min_difficulty": 1, "max_difficulty": 2, "seed": 5]],
            "seq_len": 128, "batch_size": 4, "steps": .number(Double(steps)), "lr": 0.003,
            "schedule": ["warmup": 3], "eval_every": 0, "checkpoint_every": .number(Double(checkpointEvery)),
            "keep": 2, "seed": 7, "out": .string(out),
        ]
        return try JSONDecoder().decode(TrainConfig.self, from: Data(json.jsonString().utf8))
    }

    static func tempDir(_ name: String) -> String {
        let d = NSTemporaryDirectory() + "fulgur-\(name)-\(UInt64.random(in: 0..<UInt64.max))"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// Losses by step from a run's metrics.jsonl.
    static func losses(_ out: String) -> [Int: Double] {
        var r: [Int: Double] = [:]
        for rec in MetricsLog.read(out + "/metrics.jsonl") {
            if let s = rec["step"]?.int, let l = rec["loss"]?.double { r[s] = l }
        }
        return r
    }

    static func train(_ cfg: TrainConfig, resume: Bool) throws {
        let session = try TrainingSession.prepare(cfg, configPath: cfg.out + "/train.json", corpus: SyntheticCorpus(environments: .ruleChecked), resume: resume, log: { _ in })
        try session.trainer.run(quiet: true)
    }

    /// CI's short training: 40 steps take the masked cross-entropy from ≈ ln(vocab) well down.
    @Test func shortTrainingLowersTheLoss() throws {
        let dir = Self.tempDir("train")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.train(try Self.config(out: dir, steps: 40, checkpointEvery: 40), resume: false)
        let l = Self.losses(dir)
        let first = try #require(l[1]), last = (36...40).compactMap { l[$0] }.reduce(0, +) / 5
        // a uniform guess over 288 tokens costs ln 288 = 5.66 nats; the first step is near it
        #expect(abs(first - log(288.0)) < 0.6, "first loss \(first)")
        #expect(last < first - 2.0, "loss fell from \(first) only to \(last)")
        // the checkpoint is a model folder that loads directly
        let latest = try #require(try TrainingCheckpoint.latest(out: dir))
        _ = try MiniMaxModel(directory: latest)
        #expect(FileManager.default.fileExists(atPath: latest + "/tokenizer.json"))
        #expect(FileManager.default.fileExists(atPath: dir + "/loss.svg"))
    }

    /// Stopping after step 6 (same config, so the same LR schedule) and resuming gives
    /// bit-identical losses for steps 7…12.
    @Test func resumeReproducesTheUninterruptedRun() throws {
        let a = Self.tempDir("full"), b = Self.tempDir("split")
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        try Self.train(try Self.config(out: a, steps: 12, checkpointEvery: 6), resume: false)
        let cfg = try Self.config(out: b, steps: 12, checkpointEvery: 6)
        let first = try TrainingSession.prepare(cfg, configPath: b + "/train.json", corpus: SyntheticCorpus(environments: .ruleChecked), resume: false, log: { _ in }).trainer
        let early = try (1...6).map { _ in try first.step().loss }
        _ = try first.saveCheckpoint()
        try Self.train(cfg, resume: true)
        let la = Self.losses(a), lb = Self.losses(b)
        for s in 1...6 { #expect(la[s] == early[s - 1], "step \(s): \(String(describing: la[s])) vs \(early[s - 1])") }
        for s in 7...12 { #expect(la[s] != nil && la[s] == lb[s], "step \(s): \(String(describing: la[s])) vs \(String(describing: lb[s]))") }
    }

    /// `fulgur train` killed with SIGKILL at random moments (checkpointing every step, so many
    /// kills land mid-write): the latest checkpoint always loads, and resuming to the end gives
    /// the uninterrupted loss curve.
    @Test func killNineNeverCorruptsTheLatestCheckpoint() throws {
        let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/release/fulgur").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            Issue.record("build the fulgur binary first (scripts/test does): \(binary)")
            return
        }
        let steps = 30
        let ref = Self.tempDir("ref"), dir = Self.tempDir("killed")
        defer { try? FileManager.default.removeItem(atPath: ref); try? FileManager.default.removeItem(atPath: dir) }
        try Self.train(try Self.config(out: ref, steps: steps, checkpointEvery: 1), resume: false)

        let cfgPath = dir + "/train.json"
        let cfg = try Self.config(out: dir + "/run", steps: steps, checkpointEvery: 1)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        try enc.encode(cfg).write(to: URL(fileURLWithPath: cfgPath))
        var rng = RNG(seed: 11)
        var kills = 0
        for attempt in 0..<40 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["train", "--config", cfgPath, "--quiet"] + (attempt > 0 ? ["--resume"] : [])
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            // wait for a new checkpoint (setup can be slow on a busy machine), then kill
            // after a random 0–0.3 s: with a checkpoint per step many kills land mid-write
            let before = try TrainingCheckpoint.latest(out: dir + "/run").map { try TrainingCheckpoint.loadState($0).step } ?? 0
            let deadline = Date().addingTimeInterval(120)
            while p.isRunning && Date() < deadline {
                let now = (try? TrainingCheckpoint.latest(out: dir + "/run")).flatMap { $0 }.flatMap { try? TrainingCheckpoint.loadState($0).step } ?? 0
                if now > before { break }
                Thread.sleep(forTimeInterval: 0.01)
            }
            Thread.sleep(forTimeInterval: 0.3 * rng.unit())
            if p.isRunning { kill(p.processIdentifier, SIGKILL); kills += 1 }
            p.waitUntilExit()
            if let latest = try TrainingCheckpoint.latest(out: dir + "/run") {
                _ = try MiniMaxModel(directory: latest)
                let state = try TrainingCheckpoint.loadState(latest)
                #expect(state.step >= 1 && state.step <= steps)
                if state.step == steps && p.terminationReason == .exit { break }
            }
        }
        #expect(kills >= 3, "only \(kills) kills landed")
        let latest = try #require(try TrainingCheckpoint.latest(out: dir + "/run"))
        if try TrainingCheckpoint.loadState(latest).step < steps {
            try Self.train(cfg, resume: true)
        }
        let lr = Self.losses(ref), lk = Self.losses(dir + "/run")
        for s in 1...steps { #expect(lr[s] == lk[s], "step \(s): \(String(describing: lr[s])) vs \(String(describing: lk[s]))") }
        // no temporary checkpoint folders are left behind once the run finishes
        let leftovers = (try FileManager.default.contentsOfDirectory(atPath: dir + "/run")
            + FileManager.default.contentsOfDirectory(atPath: dir + "/run/checkpoints")).filter { $0.contains("tmp") }
        #expect(leftovers.isEmpty, "left behind: \(leftovers)")
    }
}
