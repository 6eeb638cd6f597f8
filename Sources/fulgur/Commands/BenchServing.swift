import ArgumentParser
import Foundation
import FulgurGeneration
import FulgurModel
import FulgurSupport
import FulgurServer
import FulgurTensor

struct BenchServing: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serving",
        abstract: "Continuous batching: N concurrent requests vs the same N served one after another.",
        discussion: """
            Runs the server's engine in-process (no HTTP). Both passes use the same prompts (random \
            token ids), seeds and lengths (no stop tokens), so they generate the same tokens; the rate is \
            generated tokens / wall time, prefill included.
            """)

    @Option(help: "Model folder.") var model: String?
    @Option(help: "Model config (random weights) instead of --model.") var config: String?
    @Option(help: "Number of requests.") var requests = 16
    @Option(name: .customLong("prompt-tokens"), help: "Prompt length of each request.") var promptTokens = 64
    @Option(name: .customLong("max-tokens"), help: "Tokens generated per request.") var maxTokens = 128
    @Option(name: .customLong("prefill-chunk"), help: "Engine prefill chunk.") var prefillChunk = 256
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        if (model == nil) == (config == nil) { throw ValidationError("give exactly one of --model or --config") }
        guard requests >= 1, promptTokens >= 1, maxTokens >= 1, prefillChunk >= 1 else {
            throw ValidationError("--requests, --prompt-tokens, --max-tokens and --prefill-chunk must be ≥ 1")
        }
    }

    struct Pass: Encodable {
        let seconds: Double
        let generated_tokens: Int
        let tokens_per_s: Double
        let ttft_p50_s: Double
        let ttft_max_s: Double
    }

    struct Result: Encodable {
        let model: String
        let requests: Int
        let prompt_tokens: Int
        let max_tokens: Int
        let threads: Int
        let sequential: Pass
        let concurrent: Pass
        let speedup: Double
    }

    func run() async throws {
        let m: MiniMaxModel
        if let model {
            m = try MiniMaxModel(directory: model)
        } else {
            let cfg = try ModelConfig.load(path: config!)
            m = try MiniMaxModel(config: cfg, weights: RandomWeights(seed: 0, std: Float(cfg.raw["initializer_range"]?.double ?? 0.02)))
        }
        guard promptTokens + maxTokens <= m.config.maxPositionEmbeddings else {
            throw ValidationError("--prompt-tokens + --max-tokens exceeds the model's context (\(m.config.maxPositionEmbeddings))")
        }
        var rng = RNG(seed: 7)
        let prompts = (0..<requests).map { _ in (0..<promptTokens).map { _ in Int(rng.next() % UInt64(m.config.vocabSize)) } }
        func request(_ i: Int) -> GenerationRequest {
            GenerationRequest(prompt: prompts[i], sampling: SamplingParameters(seed: UInt64(i), maxTokens: maxTokens, repetitionWindow: 0))
        }
        let engine = InferenceEngine(model: m, codec: nil,
                                     configuration: EngineConfiguration(maxBatch: requests, maxQueue: requests, prefillChunk: prefillChunk))
        // Warm-up (first-touch of weights and caches).
        _ = try await Self.drain(engine.submit(GenerationRequest(prompt: prompts[0], sampling: SamplingParameters(seed: 0, maxTokens: 8, repetitionWindow: 0))))

        var ttfts: [Double] = []
        var generated = 0
        let seqStart = Date()
        for i in 0..<requests {
            let start = Date()
            let (n, first) = try await Self.drain(engine.submit(request(i)))
            generated += n
            ttfts.append(first.timeIntervalSince(start))
        }
        let sequential = Self.pass(seconds: Date().timeIntervalSince(seqStart), generated: generated, ttfts: ttfts)

        let conStart = Date()
        let handles = try (0..<requests).map { try engine.submit(request($0)) }
        let results = try await withThrowingTaskGroup(of: (Int, Date).self) { group in
            for h in handles { group.addTask { try await Self.drain(h) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let concurrent = Self.pass(seconds: Date().timeIntervalSince(conStart), generated: results.reduce(0) { $0 + $1.0 },
                                   ttfts: results.map { $0.1.timeIntervalSince(conStart) })
        await engine.shutdown()

        let result = Result(model: model ?? config!, requests: requests, prompt_tokens: promptTokens, max_tokens: maxTokens,
                            threads: Parallel.threads, sequential: sequential, concurrent: concurrent,
                            speedup: concurrent.tokens_per_s / sequential.tokens_per_s)
        if json {
            printJSON(result)
        } else {
            func line(_ name: String, _ p: Pass) -> String {
                String(format: "%@ %5d tokens in %6.2f s = %8.1f tokens/s  (time to first token p50 %.3f s, max %.3f s)\n",
                       name, p.generated_tokens, p.seconds, p.tokens_per_s, p.ttft_p50_s, p.ttft_max_s)
            }
            Console.out("\(requests) requests × (\(promptTokens) prompt + \(maxTokens) generated tokens), \(Parallel.threads) threads\n")
            Console.out(line("one after another:", sequential))
            Console.out(line("concurrent:       ", concurrent))
            Console.out(String(format: "speedup: %.2f×\n", result.speedup))
        }
    }

    /// Waits for a request to finish; returns (tokens generated, time of the first token).
    static func drain(_ handle: GenerationHandle) async throws -> (Int, Date) {
        var n = 0
        var first: Date?
        for await e in handle.events {
            switch e {
            case .token:
                n += 1
                if first == nil { first = Date() }
            case .finished: break
            case .failed(let error): throw error
            }
        }
        return (n, first ?? Date())
    }

    static func pass(seconds: Double, generated: Int, ttfts: [Double]) -> Pass {
        let sorted = ttfts.sorted()
        return Pass(seconds: seconds, generated_tokens: generated, tokens_per_s: Double(generated) / seconds,
                    ttft_p50_s: sorted[sorted.count / 2], ttft_max_s: sorted.last ?? 0)
    }
}
