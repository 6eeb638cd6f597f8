import ArgumentParser
import Dispatch
import Foundation
import FulgurGeneration
import FulgurModel
import FulgurTensor
import FulgurSupport

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print rates and ratios against baselines measured in the same run.",
        subcommands: [BenchInference.self, BenchTrain.self, BenchRL.self, BenchScaling.self, BenchTokenizer.self, BenchTasks.self, BenchVerify.self, BenchSandbox.self, BenchServing.self])
}

/// Wall-clock seconds of `body`.
func timed(_ body: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

/// CPU seconds (user + system, all threads) this process has used: on a shared machine a
/// steadier measure of work than wall-clock time (it still includes spin-waiting).
func processCPUSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) * 1e-6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) * 1e-6
}

/// The machine's sgemm rate (2048³, f32, BLAS with its default threads), best of 3.
func measureSgemmGFLOPs(size n: Int = 2048) -> Double {
    var rng = RNG(seed: 42)
    let a = Tensor(shape: [n, n]) { _ in rng.normal() }, b = Tensor(shape: [n, n]) { _ in rng.normal() }
    let c = Tensor(shape: [n, n])
    var best = Double.infinity
    for _ in 0..<3 {
        best = min(best, timed { BLAS.gemm(m: n, n: n, k: n, a: a.pointer, lda: n, b: b.pointer, ldb: n, c: c.pointer, ldc: n) })
    }
    return 2 * Double(n * n * n) / best / 1e9
}

struct BenchInference: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inference",
        abstract: "Prefill and decode tokens/s at several context lengths, achieved GFLOP/s, and the machine's sgemm GFLOP/s.",
        discussion: """
            FLOPs: 2 × active matmul parameters per token (projections, routed experts, LM head) plus \
            attention — lightning 4·B·d + 4·d² per head per prefill token (4·d² per decode token), softmax \
            4·n·d per head per token over n previous tokens (n/2 on average during a prefill).
            """)

    @Option(help: "Model folder to benchmark.") var model: String?
    @Option(help: "config.json to benchmark with random weights.") var config: String?
    @Option(help: "Comma-separated context lengths.") var contexts = "512,4096,32768"
    @Option(name: .customLong("decode-steps"), help: "Decode steps timed at each context.") var decodeSteps = 64
    @Option(help: "Prefills timed at each context (each from an empty cache); the fastest is reported, as the HF and llama.cpp scripts do for their side.")
    var repeats = 3
    @Option(help: "How weight matrices are kept in memory: f32 or bf16 (widened to f32 inside the kernels).")
    var weights: WeightPrecision = .f32
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        if (model == nil) == (config == nil) { throw ValidationError("give exactly one of --model or --config") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be ≥ 1, got \(repeats)") }
    }

    struct Row: Encodable {
        let context: Int
        let prefill_tokens_per_s: Double
        let prefill_gflops: Double
        let decode_tokens_per_s: Double
        let decode_ms_per_token: Double
        let decode_gflops: Double
        /// CPU seconds of the prefill and per decode token (all threads).
        let prefill_cpu_seconds: Double
        let decode_cpu_ms_per_token: Double
    }

    struct Report: Encodable {
        let model: String
        let parameters: Int
        let active_parameters: Int
        let threads: Int
        let machine: MachineReport
        let weights: String
        /// Prefills timed per context; the fastest is reported.
        let prefill_repeats: Int
        let sgemm_gflops: Double
        let prefill_fraction_of_sgemm: [Double]
        let results: [Row]
    }

    func run() throws {
        MachineReport.announce("inference")
        let m: MiniMaxModel
        if let model { m = try MiniMaxModel(directory: model, precision: weights) } else {
            m = try MiniMaxModel(config: try ModelConfig.load(path: config!), weights: RandomWeights(seed: 0), precision: weights)
        }
        let ctxs = try contexts.split(separator: ",").map { s -> Int in
            guard let v = Int(s), v > 0 else { throw ValidationError("--contexts: \(s) is not a positive length") }
            return v
        }
        let flops = FLOPCounter(m.config)
        let sgemm = measureSgemmGFLOPs()
        if !json { Console.err(String(format: "sgemm 2048³: %.1f GFLOP/s\n", sgemm)) }
        var rows: [Row] = []
        var rng = RNG(seed: 7)
        for n in ctxs {
            let ids = (0..<n).map { _ in Int(rng.next() % UInt64(m.config.vocabSize)) }
            // the fastest of `repeats` prefills, each from an empty cache (the first one also
            // faults in the activation buffers); decoding continues from the last one's cache
            var cache = m.newCache()
            var logits = Tensor(shape: [1])
            var tp = Double.infinity, cp = 0.0
            for r in 0..<repeats {
                if r > 0 { cache = m.newCache() }
                let c0 = processCPUSeconds()
                let t = try timed { logits = try m.forward(ForwardBatch([(ids, cache)])) }
                if t < tp { tp = t; cp = processCPUSeconds() - c0 }
            }
            var next = Vec.argmax(logits.pointer, logits.cols).index
            // one untimed step to warm up, then the timed steps
            logits = try m.forward(ForwardBatch([([next], cache)]))
            next = Vec.argmax(logits.pointer, logits.cols).index
            let c1 = processCPUSeconds()
            let td = try timed {
                for _ in 0..<decodeSteps {
                    logits = try m.forward(ForwardBatch([([next], cache)]))
                    next = Vec.argmax(logits.pointer, logits.cols).index
                }
            }
            let cd = (processCPUSeconds() - c1) / Double(decodeSteps)
            let perToken = td / Double(decodeSteps)
            let row = Row(
                context: n, prefill_tokens_per_s: Double(n) / tp, prefill_gflops: flops.prefill(tokens: n) / tp / 1e9,
                decode_tokens_per_s: 1 / perToken, decode_ms_per_token: perToken * 1e3,
                decode_gflops: flops.decode(context: n + decodeSteps / 2) / perToken / 1e9,
                prefill_cpu_seconds: cp, decode_cpu_ms_per_token: cd * 1e3)
            rows.append(row)
            if !json {
                Console.err(String(format: "context %6d: prefill %8.0f tok/s (%5.1f GFLOP/s, %4.0f%% of sgemm, cpu %.2f s) | decode %7.1f tok/s (%.3f ms/token, %.1f GFLOP/s, cpu %.3f ms/token)\n",
                                   n, row.prefill_tokens_per_s, row.prefill_gflops, 100 * row.prefill_gflops / sgemm, row.prefill_cpu_seconds,
                                   row.decode_tokens_per_s, row.decode_ms_per_token, row.decode_gflops, row.decode_cpu_ms_per_token))
            }
        }
        let (total, active) = m.config.parameterCounts
        let report = Report(model: model ?? config!, parameters: total, active_parameters: active,
                            threads: Parallel.threads, machine: MachineReport.now(), weights: weights.rawValue, prefill_repeats: repeats, sgemm_gflops: sgemm,
                            prefill_fraction_of_sgemm: rows.map { $0.prefill_gflops / sgemm }, results: rows)
        if json { printJSON(report) }
    }
}
