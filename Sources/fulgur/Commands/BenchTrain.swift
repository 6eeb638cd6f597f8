import ArgumentParser
import Foundation
import FulgurModel
import FulgurSupport
import FulgurTensor
import FulgurTraining

struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training throughput: forward + backward + AdamW tokens/s and GFLOP/s.",
        discussion: """
            FLOPs per step: 3 × the forward FLOPs (forward + backward ≈ 1 + 2), the forward counted as \
            2 × active matmul parameters per token (including the LM head on every token) plus attention \
            (lightning 4·B·d + 4·d² per head per token; softmax 4·(n/2)·d per head per token).
            """)

    @Option(help: "config.json of the model (random weights).") var config: String
    @Option(name: .customLong("seq-len"), help: "Sequence length.") var seqLen = 512
    @Option(name: .customLong("batch-size"), help: "Sequences per step.") var batchSize = 4
    @Option(help: "Timed steps (after one warm-up step); rates use the fastest, as scripts/bench_torch_train.py does for PyTorch.")
    var steps = 5
    @Flag(help: "Print one JSON object.") var json = false

    struct Report: Encodable {
        let model: String
        let seq_len: Int
        let batch_size: Int
        let threads: Int
        let machine: MachineReport
        let tokens_per_s: Double
        let gflops: Double
        let sgemm_gflops: Double
        /// The fastest timed step (what tokens_per_s and gflops use) and the mean of all of them.
        let seconds_per_step: Double
        let mean_seconds_per_step: Double
    }

    func validate() throws {
        guard steps >= 1, batchSize >= 1, seqLen >= 2 else {
            throw ValidationError("--steps and --batch-size must be ≥ 1 and --seq-len ≥ 2")
        }
    }

    func run() throws {
        MachineReport.announce("train")
        let cfg = try ModelConfig.load(path: config)
        Allocation.keepFreedMemory()
        let model = try MiniMaxModel(config: cfg, weights: RandomWeights(seed: 0))
        let optimizer = AdamW(parameters: model.trainableParameters)
        let grads = model.makeGradients()
        var rng = RNG(seed: 1)
        let batch = (0..<batchSize).map { _ in (0..<seqLen).map { _ in rng.int(in: 0...(cfg.vocabSize - 1)) } }
        func step() throws {
            grads.zero()
            let pass = try model.trainingForward(batch)
            let n = Float(batchSize * (seqLen - 1))
            pass.backward(dLogProbs: pass.hasTarget.map { $0 ? -1 / n : 0 }, auxCoefficient: cfg.routerAuxLossCoef, into: grads)
            optimizer.update(grads, lr: 1e-4)
        }
        try step()
        var times: [Double] = []
        for _ in 0..<steps { times.append(try timed { try step() }) }
        let seconds = times.min()!, mean = times.reduce(0, +) / Double(steps)
        let tokens = Double(batchSize * seqLen)
        let f = FLOPCounter(cfg)
        let forward = Double(batchSize) * (f.prefill(tokens: seqLen) - f.lmHeadFLOPsPerToken) + tokens * f.lmHeadFLOPsPerToken
        let sgemm = measureSgemmGFLOPs()
        let r = Report(model: config, seq_len: seqLen, batch_size: batchSize, threads: Parallel.threads, machine: MachineReport.now(),
                       tokens_per_s: tokens / seconds, gflops: 3 * forward / seconds / 1e9, sgemm_gflops: sgemm,
                       seconds_per_step: seconds, mean_seconds_per_step: mean)
        if json { printJSON(r) } else {
            Console.out(String(format: "train %@ seq %d × batch %d: %.0f tokens/s, %.1f GFLOP/s (%.0f%% of sgemm %.1f), %.2f s/step (fastest of %d; mean %.2f)\n",
                               config, seqLen, batchSize, r.tokens_per_s, r.gflops, 100 * r.gflops / sgemm, sgemm, seconds, steps, mean))
        }
    }
}
