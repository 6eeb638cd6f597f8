import ArgumentParser
import Foundation
import FulgurGeneration
import FulgurModel
import FulgurRL
import FulgurSupport
import FulgurTensor
import FulgurTraining

/// The cost structure of one CISPO step, as TRL's GRPOTrainer measures it: G samples per
/// prompt (batched decode from forked prompt caches), rewards, group advantages, one CISPO
/// update (training-mode forward, backward, AdamW) per generation batch.
struct BenchRL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rl",
        abstract: "RL step throughput: completions/s, rollout and training tokens/s, generation/training split.",
        discussion: """
            Random weights and random prompt ids; every response runs to --new-tokens (no stop token) and gets \
            a seeded random 0/1 reward, so the work per step is fixed. Compare: scripts/bench_trl_grpo.py \
            (TRL GRPOTrainer(loss_type="cispo") on the same model, prompts and thread count). \
            --rollout-precision bf16 generates with a bf16 rollout copy (bf16 matrices and activations, FP32 LM \
            head: rl.json's rollout_precision bf16 with rollout_lm_head fp32), refreshed from the FP32 training \
            model before each step's generation (counted in the generation time); training stays FP32.
            """)

    @Option(help: "config.json of the model (random weights).") var config: String
    @Option(help: "Prompts per step.") var prompts = 4
    @Option(help: "Samples per prompt (G).") var group = 8
    @Option(name: .customLong("prompt-tokens"), help: "Prompt length.") var promptTokens = 32
    @Option(name: .customLong("new-tokens"), help: "Tokens generated per sample.") var newTokens = 64
    @Option(help: "Timed steps (after one warm-up step).") var steps = 3
    @Flag(inversion: .prefixedNo, help: "Train each prompt's G responses on one shared copy of the prompt (as `fulgur rl` does).")
    var sharePrompts = true
    @Option(name: .customLong("rollout-precision"), help: "Rollout engine: f32 (the training model itself) or bf16 (a bf16 copy with an FP32 LM head).")
    var rolloutPrecision: WeightPrecision = .f32
    @Flag(help: "Print one JSON object.") var json = false

    struct Report: Encodable {
        let model: String
        let prompts: Int
        let group: Int
        let new_tokens: Int
        let rollout_precision: String
        let threads: Int
        let machine: MachineReport
        let completions_per_s: Double
        let seconds_per_step: Double
        let generation_s: Double
        let training_s: Double
        let generation_fraction: Double
        let rollout_tokens_per_s: Double
        let training_tokens_per_s: Double
        /// Seconds per step of the training forward (with gradient zeroing), backward and AdamW.
        let training_split_s: [String: Double]
    }

    func run() throws {
        MachineReport.announce("rl")
        let cfg = try ModelConfig.load(path: config)
        Allocation.keepFreedMemory()
        let model = try MiniMaxModel(config: cfg, weights: RandomWeights(seed: 0))
        let optimizer = AdamW(parameters: model.trainableParameters, settings: AdamW.Settings(weightDecay: 0))
        let grads = model.makeGradients()
        // bf16: the report's engine (bf16 weights and activations, FP32 LM head), synced each step
        let rolloutModel = rolloutPrecision == .bf16
            ? try MiniMaxModel.rolloutCopy(of: model, ReducedPrecision(weights: .bf16, head: .f32)) : model
        let generator = Generator(model: rolloutModel)
        let loss = PolicyLoss(kind: .cispo)
        var rng = RNG(seed: 1)
        var genSeconds = 0.0, trainSeconds = 0.0
        var split = (forward: 0.0, backward: 0.0, optimizer: 0.0)
        func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

        func step(timed: Bool) throws {
            let promptIds = (0..<prompts).map { _ in (0..<promptTokens).map { _ in rng.int(in: 0...(cfg.vocabSize - 1)) } }
            let params = SamplingParameters(temperature: 1, seed: rng.next(), maxTokens: newTokens, repetitionWindow: 0)
            let t0 = now()
            if rolloutModel !== model { rolloutModel.syncRounded(from: model) }
            let outs = try generator.sample(prompts: promptIds, count: group, params)
            let t1 = now()
            let rewards = outs.map { g in g.map { _ in Double(rng.int(in: 0...1)) } }
            let adv = AdvantageEstimator.groupStd.advantages(rewards)
            var prompts: [[Int]] = [], responseIds: [[Int]] = []
            for (p, g) in zip(promptIds, outs) {
                for o in g { prompts.append(p); responseIds.append(o.ids) }
            }
            let tf = now()
            grads.zero()
            let pass = try model.trainingForward(prompts: prompts, responses: responseIds, sharePrompts: sharePrompts)
            let current = pass.layout.gatherResponses(pass.logProbs)
            let samples = zip(outs, adv).flatMap { g, a in zip(g, a) }
            let responses = zip(samples, current).map { s, lp in
                PolicyLoss.Response(logProbs: lp, oldLogProbs: s.0.logprobs, advantage: s.1,
                                    mask: Array(repeating: true, count: s.0.ids.count))
            }
            let tokens = responses.reduce(0) { $0 + $1.mask.count }
            let result = loss.evaluate(responses, batchTokens: tokens, batchResponses: responses.count)
            let tb = now()
            pass.backward(dLogProbs: pass.layout.scatterResponses(result.dLogProbs), into: grads)
            let to = now()
            optimizer.update(grads, lr: 1e-5)
            let t2 = now()
            if timed {
                genSeconds += Double(t1 - t0) / 1e9
                trainSeconds += Double(t2 - t1) / 1e9
                split.forward += Double(tb - tf) / 1e9
                split.backward += Double(to - tb) / 1e9
                split.optimizer += Double(t2 - to) / 1e9
            }
        }
        try step(timed: false)
        for _ in 0..<steps { try step(timed: true) }
        let perStep = (genSeconds + trainSeconds) / Double(steps)
        let completions = Double(prompts * group)
        let r = Report(model: config, prompts: prompts, group: group, new_tokens: newTokens,
                       rollout_precision: rolloutPrecision.rawValue, threads: Parallel.threads, machine: MachineReport.now(),
                       completions_per_s: completions / perStep, seconds_per_step: perStep,
                       generation_s: genSeconds / Double(steps), training_s: trainSeconds / Double(steps),
                       generation_fraction: genSeconds / (genSeconds + trainSeconds),
                       rollout_tokens_per_s: completions * Double(newTokens) * Double(steps) / genSeconds,
                       training_tokens_per_s: completions * Double(promptTokens + newTokens) * Double(steps) / trainSeconds,
                       training_split_s: ["forward": split.forward / Double(steps), "backward": split.backward / Double(steps),
                                          "optimizer": split.optimizer / Double(steps)])
        if json { printJSON(r) } else {
            Console.out(String(format: "rl %@ %d prompts × G=%d × %d tokens, %@ rollouts: %.2f completions/s, %.2f s/step (%.0f%% generation), rollout %.0f tok/s, training %.0f tok/s (forward %.3f s, backward %.3f s, AdamW %.3f s)\n",
                               config, prompts, group, newTokens, rolloutPrecision.rawValue, r.completions_per_s, perStep, 100 * r.generation_fraction,
                               r.rollout_tokens_per_s, r.training_tokens_per_s, r.training_split_s["forward"]!,
                               r.training_split_s["backward"]!, r.training_split_s["optimizer"]!))
        }
    }
}
