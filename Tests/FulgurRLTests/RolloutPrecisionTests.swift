import Foundation
import Testing
import FulgurModel
@testable import FulgurRL
import FulgurTensor
@testable import FulgurSupport
@testable import FulgurTraining

/// rl.json `rollout_precision`, `rollout_lm_head`, `tis_cap` (Figure 3) and the per-step
/// clip/fork metrics (Figure 2), on the tiny SFT'd model of RLRunTests.
@Suite(.serialized) struct RolloutPrecisionTests {
    static func config(_ extra: [String: JSONValue], out: String, steps: Int = 2) throws -> RLConfig {
        var cfg = try RLRunTests.config(out: out, steps: steps)
        var json = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(cfg)).object!
        for (k, v) in extra { json[k] = v }
        cfg = try JSONDecoder().decode(RLConfig.self, from: Data(JSONValue.object(json).jsonString().utf8))
        return cfg
    }

    func run(_ extra: [String: JSONValue], steps: Int = 2) throws -> [[String: JSONValue]] {
        let out = RLRunTests.tempDir("prec")
        defer { try? FileManager.default.removeItem(atPath: out) }
        try RLTrainer(config: try Self.config(extra, out: out, steps: steps), environments: .ruleChecked, resume: false, runRecord: [:]).run(quiet: true)
        return MetricsLog.read(out + "/metrics.jsonl")
    }

    @Test func optionsParseAndBadValuesAreNamed() throws {
        let out = RLRunTests.tempDir("opts")
        let c = try Self.config(["rollout_precision": "bf16", "rollout_lm_head": "fp32", "tis_cap": 2], out: out)
        #expect(c.rolloutRounding == .init(weights: .bf16, head: .f32) && c.tisCap == 2 && c.usesTrainingOldLogProbs)
        let d = try Self.config(["rollout_precision": "bf16"], out: out)
        #expect(d.rolloutRounding == .init(weights: .bf16, head: .bf16))
        let e = try Self.config([:], out: out)
        #expect(e.rolloutRounding == nil && e.tisCap == nil && !e.usesTrainingOldLogProbs)
        do {
            _ = try Self.config(["rollout_lm_head": "fp16"], out: out)
            Issue.record("fp16 accepted")
        } catch let err as FileError {
            #expect(err.detail.contains("rollout_lm_head") && err.detail.contains("fp16"))
        }
        #expect(throws: FileError.self) { try Self.config(["tis_cap": 0], out: out).validate(environments: .ruleChecked) }
    }

    /// fp32 rollouts: training-mode and rollout probabilities agree (Pearson 1 up to float
    /// summation order); the clip and fork metrics are logged.
    @Test func fp32RolloutsCorrelatePerfectly() throws {
        let recs = try run([:])
        for r in recs {
            let p = try #require(r["train_rollout_prob_pearson"]?.double)
            #expect(abs(p - 1) < 1e-6, "pearson \(p)")
            for k in ["outside_trust_region_fraction", "prob_mean", "low_prob_fraction", "tis_weight_mean"] {
                #expect(r[k]?.double != nil, "missing \(k)")
            }
            #expect(r["tis_weight_mean"]?.double == 1)
        }
    }

    /// A bf16 rollout with a bf16 head decorrelates more than one with an FP32 head, both
    /// below 1; π_old is the recomputed training-mode log-prob, so the first update's ratio is 1.
    @Test func bf16RolloutsAreLoggedAndTheRunIsDeterministic() throws {
        let bf = try run(["rollout_precision": "bf16", "tis_cap": 2, "updates_per_batch": 1])
        for r in bf {
            let p = try #require(r["train_rollout_prob_pearson"]?.double)
            #expect(p < 1 - 1e-6 && p > 0.5, "pearson \(p)")
            let w = try #require(r["tis_weight_mean"]?.double)
            #expect(w > 0 && w <= 2 && w != 1)
            #expect(abs((r["ratio_mean"]?.double ?? 0) - 1) < 1e-5, "one update on recomputed π_old has r = 1")
        }
        let again = try run(["rollout_precision": "bf16", "tis_cap": 2, "updates_per_batch": 1])
        for (x, y) in zip(bf, again) {
            for k in ["loss", "reward", "grad_norm", "train_rollout_prob_pearson", "tis_weight_mean"] {
                #expect(x[k]?.double == y[k]?.double, "\(k) differs on rerun")
            }
        }
    }

    /// The rollout copy is a bf16 engine (bf16 matrices; an FP32 head with rollout_lm_head
    /// fp32) and is refreshed from the policy before the rollout: after a change to the
    /// policy's weights (as an update makes), the step generates with their rounding.
    @Test func bf16RolloutCopyStoresBF16AndIsSyncedBeforeTheRollout() throws {
        let out = RLRunTests.tempDir("copy")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let cfg = try Self.config(["rollout_precision": "bf16", "rollout_lm_head": "fp32"], out: out, steps: 1)
        let trainer = try RLTrainer(config: cfg, environments: .ruleChecked, resume: false, runRecord: [:])
        let copy = trainer.rolloutPolicy.model, policy = trainer.policy.model
        #expect(copy !== policy && copy.precision == .bf16 && copy.headPrecision == .f32)
        for l in copy.layers {
            #expect(l.moe.gateUpWeight.precision == .bf16 && l.moe.downWeight.precision == .bf16)
            switch l.mixer {
            case .lightning(let a): #expect([a.qkvWeight, a.gateWeight, a.outWeight].allSatisfy { $0.precision == .bf16 })
            case .softmax(let a): #expect([a.qWeight, a.kWeight, a.vWeight, a.oWeight].allSatisfy { $0.precision == .bf16 })
            }
        }
        /// Whether the copy holds these weights (rounded, but the FP32 head).
        func holds(embed: Tensor, head: Tensor, gateUp: [Tensor], down: [Tensor]) -> Bool {
            func same(_ stored: Tensor, _ t: Tensor, rounded: Bool = true) -> Bool {
                (0..<t.count).allSatisfy { stored.pointer[$0] == (rounded ? Convert.roundedToBF16(t.pointer[$0]) : t.pointer[$0]) }
            }
            return same(copy.embedTokens, embed) && same(copy.lmHead, head, rounded: false)
                && copy.layers.indices.allSatisfy { same(copy.layers[$0].moe.gateUpWeight.widened(), gateUp[$0])
                    && same(copy.layers[$0].moe.downWeight.widened(), down[$0]) }
        }
        func snapshot() -> (Tensor, Tensor, [Tensor], [Tensor]) {
            (policy.embedTokens.copy(), policy.lmHead.copy(), policy.layers.map { $0.moe.gateUp.copy() }, policy.layers.map { $0.moe.down.copy() })
        }
        let initial = snapshot()
        #expect(holds(embed: initial.0, head: initial.1, gateUp: initial.2, down: initial.3))
        var rng = RNG(seed: 2)
        for (_, t) in policy.parameters { for i in 0..<t.count { t.pointer[i] += 0.01 * rng.normal() } }
        let moved = snapshot()
        #expect(!holds(embed: moved.0, head: moved.1, gateUp: moved.2, down: moved.3))
        _ = try trainer.run(quiet: true)
        #expect(holds(embed: moved.0, head: moved.1, gateUp: moved.2, down: moved.3))
    }
}
