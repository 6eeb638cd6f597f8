import Foundation
import Testing
import FulgurData
@testable import FulgurRL
@testable import FulgurSupport
@testable import FulgurTraining

/// An RL run end to end on a tiny SFT'd model: rollouts, scoring, CISPO updates, metrics,
/// transcripts, plots, checkpoints; a resumed run repeats the uninterrupted one exactly.
@Suite(.serialized) struct RLRunTests {
    static func tempDir(_ name: String) -> String {
        let d = NSTemporaryDirectory() + "fulgur-rl-\(name)-\(UInt64.random(in: 0..<UInt64.max))"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// A tiny hybrid SFT'd for 30 steps on 1-digit additions (enough for mixed rewards).
    nonisolated(unsafe) static var cachedModel: String?
    static func sftModel() throws -> String {
        if let m = cachedModel { return m }
        let dir = tempDir("sft")
        let json: JSONValue = [
            "model": [
                "model_type": "minimax_m1", "architectures": ["MiniMaxM1ForCausalLM"], "vocab_size": 288,
                "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 2,
                "num_key_value_heads": 1, "head_dim": 16, "rotary_dim": 8, "rope_theta": 10000.0,
                "num_local_experts": 2, "num_experts_per_tok": 1, "attn_type_list": [0, 1], "postnorm": true,
                "layernorm_linear_attention_alpha": 1.5, "layernorm_full_attention_alpha": 1.5, "layernorm_mlp_alpha": 1.5,
                "block_size": 16, "max_position_embeddings": 1024,
            ],
            "data": ["builtin": ["tasks": ["addition"], "count": 300, "min_difficulty": 1, "max_difficulty": 1, "seed": 5]],
            "seq_len": 128, "batch_size": 4, "steps": 30, "lr": 0.003, "schedule": ["warmup": 3], "eval_every": 0,
            "checkpoint_every": 30, "seed": 3, "out": .string(dir),
        ]
        let cfg = try JSONDecoder().decode(TrainConfig.self, from: Data(json.jsonString().utf8))
        let session = try TrainingSession.prepare(cfg, configPath: dir + "/train.json", corpus: SyntheticCorpus(environments: .ruleChecked), resume: false, log: { _ in })
        try session.trainer.run(quiet: true)
        let m = try #require(try TrainingCheckpoint.latest(out: dir))
        cachedModel = m
        return m
    }

    static func config(out: String, steps: Int) throws -> RLConfig {
        let json: JSONValue = [
            "init_from": .string(try sftModel()), "environments": [["name": "addition", "min_difficulty": 1, "max_difficulty": 1]],
            "steps": .number(Double(steps)), "prompts_per_step": 2, "group_size": 4, "updates_per_batch": 2,
            "max_tokens": 40, "lr": 0.001, "dynamic_sampling": false, "checkpoint_every": 2, "seed": 9,
            "out": .string(out),
        ]
        return try JSONDecoder().decode(RLConfig.self, from: Data(json.jsonString().utf8))
    }

    @Test func runWritesMetricsTranscriptsPlotsAndCheckpoints() throws {
        let out = Self.tempDir("run")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let trainer = try RLTrainer(config: try Self.config(out: out, steps: 3), environments: .ruleChecked, resume: false, runRecord: ["kind": "rl"])
        let last = try #require(try trainer.run(quiet: true))
        let recs = MetricsLog.read(out + "/metrics.jsonl")
        #expect(recs.count == 3)
        for key in ["reward", "accuracy", "response_length_mean", "response_length_p99", "entropy", "clip_fraction",
                    "is_weight_mean", "generation_s", "training_s", "rollout_tokens_per_s", "accuracy/addition"] {
            #expect(recs[2][key]?.double != nil, "missing metric \(key)")
        }
        // the typed metrics are what the line holds, and read back as the same values
        #expect(MetricsLog.object(last) == recs[2])
        let back = try #require(MetricsLog.decode(RLStepMetrics.self, recs[2]))
        #expect(MetricsLog.object(back) == recs[2])
        #expect(back.byEnvironment["addition"] == last.byEnvironment["addition"] && back.clipping == last.clipping)
        let acc = last.accuracy
        #expect(acc >= 0 && acc <= 1)
        #expect(MetricsLog.read(out + "/transcripts.jsonl").count >= 3)
        for f in ["reward.svg", "length.svg", "clipping.svg", "run.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + f), "missing \(f)")
        }
        #expect(try TrainingCheckpoint.loadState(try #require(try TrainingCheckpoint.latest(out: out))).step == 3)
    }

    /// Steps 1–2, then a resumed run for steps 3–4, equal an uninterrupted 4-step run.
    @Test func resumedRunRepeatsTheUninterruptedOne() throws {
        let a = Self.tempDir("a"), b = Self.tempDir("b")
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        try RLTrainer(config: try Self.config(out: a, steps: 4), environments: .ruleChecked, resume: false, runRecord: [:]).run(quiet: true)
        try RLTrainer(config: try Self.config(out: b, steps: 2), environments: .ruleChecked, resume: false, runRecord: [:]).run(quiet: true)
        try RLTrainer(config: try Self.config(out: b, steps: 4), environments: .ruleChecked, resume: true, runRecord: [:]).run(quiet: true)
        // resuming a finished run changes nothing and reports its last step
        let again = try RLTrainer(config: try Self.config(out: b, steps: 4), environments: .ruleChecked, resume: true, runRecord: [:]).run(quiet: true)
        #expect(again?.step == 4)
        let ra = MetricsLog.read(a + "/metrics.jsonl"), rb = MetricsLog.read(b + "/metrics.jsonl")
        #expect(ra.count == 4 && rb.count == 4)
        for (x, y) in zip(ra, rb) {
            for key in ["loss", "reward", "response_length_mean", "grad_norm", "entropy"] {
                #expect(x[key]?.double == y[key]?.double, "step \(x["step"]?.int ?? -1) \(key): \(String(describing: x[key])) vs \(String(describing: y[key]))")
            }
        }
    }

    /// `fulgur rl` killed with SIGKILL at random moments (a checkpoint per step, so kills land
    /// mid-rollout, mid-update and mid-write), then resumed each time: every step appears once
    /// in metrics.jsonl and transcripts.jsonl, with the values of an uninterrupted run — no
    /// step lost, none repeated.
    @Test func killNineLosesNoStepAndRepeatsNone() throws {
        let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/release/fulgur").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            Issue.record("build the fulgur binary first (scripts/test does): \(binary)")
            return
        }
        let steps = 30
        let ref = Self.tempDir("ref"), dir = Self.tempDir("killed")
        defer { try? FileManager.default.removeItem(atPath: ref); try? FileManager.default.removeItem(atPath: dir) }
        var refConfig = try Self.config(out: ref, steps: steps)
        refConfig.checkpointEvery = 1
        try RLTrainer(config: refConfig, environments: .ruleChecked, resume: false, runRecord: [:]).run(quiet: true)

        var cfg = try Self.config(out: dir + "/run", steps: steps)
        cfg.checkpointEvery = 1
        let cfgPath = dir + "/rl.json"
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        try enc.encode(cfg).write(to: URL(fileURLWithPath: cfgPath))
        func checkpointStep() -> Int {
            (try? TrainingCheckpoint.latest(out: dir + "/run")).flatMap { $0 }.flatMap { try? TrainingCheckpoint.loadState($0).step } ?? 0
        }
        var rng = RNG(seed: 12)
        var kills = 0, finished = false
        for _ in 0..<80 where !finished {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["rl", "--config", cfgPath, "--quiet", "--resume"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            // wait for a new checkpoint (setup can be slow on a busy machine), then kill after a
            // random 0–0.1 s (a step of this model, checkpoint included, takes about 50 ms)
            let before = checkpointStep(), deadline = Date().addingTimeInterval(120)
            while p.isRunning && Date() < deadline && checkpointStep() <= before { Thread.sleep(forTimeInterval: 0.01) }
            Thread.sleep(forTimeInterval: 0.1 * rng.unit())
            if p.isRunning { kill(p.processIdentifier, SIGKILL); kills += 1 }
            p.waitUntilExit()
            finished = p.terminationReason == .exit && p.terminationStatus == 0 && checkpointStep() == steps
        }
        #expect(finished, "the run did not finish within 80 attempts")
        #expect(kills >= 5, "only \(kills) kills landed")
        for file in ["metrics.jsonl", "transcripts.jsonl"] {
            let a = MetricsLog.read(ref + "/" + file), b = MetricsLog.read(dir + "/run/" + file)
            #expect(b.map { $0["step"]?.int } == a.map { $0["step"]?.int }, "\(file): steps \(b.map { $0["step"]?.int ?? -1 })")
            #expect(Set(a.compactMap { $0["step"]?.int }) == Set(1...steps), "\(file): the reference lacks steps")
            if file == "metrics.jsonl" {
                for (x, y) in zip(a, b) {
                    for key in ["loss", "reward", "response_length_mean", "grad_norm", "entropy"] {
                        #expect(x[key]?.double == y[key]?.double,
                                "step \(x["step"]?.int ?? -1) \(key): \(String(describing: x[key])) vs \(String(describing: y[key]))")
                    }
                }
            } else {
                #expect(a.map { $0["response"]?.string } == b.map { $0["response"]?.string }, "transcripts differ")
            }
        }
    }

    @Test func pipelineConfigRejectsUnknownFields() throws {
        let bad = #"{"sft": "a.json", "rl": "b.json", "evals": [], "stepz": 3}"#
        #expect(throws: FileError.self) { try JSONDecoder().decode(PipelineConfig.self, from: Data(bad.utf8)) }
        let good = #"{"sft": "a.json", "rl": "b.json", "evals": [{"suite": "addition-3", "temperature": 0, "samples": 1}]}"#
        let cfg = try JSONDecoder().decode(PipelineConfig.self, from: Data(good.utf8))
        #expect(cfg.evals[0].label == "addition-3 (greedy)" && cfg.out == "runs/pipeline")
    }
}
