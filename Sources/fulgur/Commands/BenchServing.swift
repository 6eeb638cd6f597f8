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
            generated tokens / wall time, prefill included; the decode phase is the time after the first \
            token (sequential: of each request; concurrent: once every request has one). The passes alternate \
            --repeats times and the fastest of each is reported. On a shared machine wall time depends on \
            the other load, so each rate is also given per CPU-second of this process (user + system), \
            which measures the work per token whatever the load.
            """)

    @Option(help: "Model folder.") var model: String?
    @Option(help: "Model config (random weights) instead of --model.") var config: String?
    @Option(help: "Number of requests.") var requests = 16
    @Option(name: .customLong("prompt-tokens"), help: "Prompt length of each request.") var promptTokens = 64
    @Option(name: .customLong("max-tokens"), help: "Tokens generated per request.") var maxTokens = 128
    @Option(name: .customLong("prefill-chunk"), help: "Engine prefill chunk.") var prefillChunk = 256
    @Option(help: "Alternating runs of both passes; the fastest of each counts.") var repeats = 3
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        if (model == nil) == (config == nil) { throw ValidationError("give exactly one of --model or --config") }
        guard requests >= 1, promptTokens >= 1, prefillChunk >= 1, repeats >= 1 else {
            throw ValidationError("--requests, --prompt-tokens, --prefill-chunk and --repeats must be ≥ 1")
        }
        guard maxTokens >= 2 else { throw ValidationError("--max-tokens must be ≥ 2 (the decode phase starts after the first token)") }
    }

    struct Pass: Encodable {
        let seconds: Double
        let generated_tokens: Int
        let tokens_per_s: Double
        /// Tokens after the first token (sequential: of each request; concurrent: once every
        /// request has its first token) per second of that phase.
        let decode_tokens_per_s: Double
        /// Process CPU time (user + system) of the pass, and tokens per CPU-second.
        let cpu_seconds: Double
        let tokens_per_cpu_s: Double
        let decode_tokens_per_cpu_s: Double
        let ttft_p50_s: Double
        let ttft_max_s: Double
    }

    struct Result: Encodable {
        let model: String
        let requests: Int
        let prompt_tokens: Int
        let max_tokens: Int
        let threads: Int
        let machine: MachineReport
        let repeats: Int
        let sequential: Pass
        let concurrent: Pass
        let speedup: Double
        let decode_speedup: Double
        /// The same ratios per CPU-second.
        let cpu_speedup: Double
        let decode_cpu_speedup: Double
        let load_average: Double
    }

    func run() async throws {
        MachineReport.announce("serving")
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

        var sequential: Pass?, concurrent: Pass?
        for _ in 0..<repeats {
            let s = try await runSequential(engine, request)
            if sequential == nil || s.seconds < sequential!.seconds { sequential = s }
            let c = try await runConcurrent(engine, request)
            if concurrent == nil || c.seconds < concurrent!.seconds { concurrent = c }
        }
        await engine.shutdown()

        let result = Result(model: model ?? config!, requests: requests, prompt_tokens: promptTokens, max_tokens: maxTokens,
                            threads: Parallel.threads, machine: MachineReport.now(), repeats: repeats, sequential: sequential!, concurrent: concurrent!,
                            speedup: concurrent!.tokens_per_s / sequential!.tokens_per_s,
                            decode_speedup: concurrent!.decode_tokens_per_s / sequential!.decode_tokens_per_s,
                            cpu_speedup: concurrent!.tokens_per_cpu_s / sequential!.tokens_per_cpu_s,
                            decode_cpu_speedup: concurrent!.decode_tokens_per_cpu_s / sequential!.decode_tokens_per_cpu_s,
                            load_average: Self.loadAverage())
        if json {
            printJSON(result)
        } else {
            func line(_ name: String, _ p: Pass) -> String {
                String(format: "%@ %5d tokens in %6.2f s = %7.1f tokens/s, decode phase %7.1f tokens/s; per CPU-second %7.1f, decode %7.1f (time to first token p50 %.3f s, max %.3f s)\n",
                       name, p.generated_tokens, p.seconds, p.tokens_per_s, p.decode_tokens_per_s, p.tokens_per_cpu_s,
                       p.decode_tokens_per_cpu_s, p.ttft_p50_s, p.ttft_max_s)
            }
            Console.out(String(format: "\(requests) requests × (\(promptTokens) prompt + \(maxTokens) generated tokens), \(Parallel.threads) threads, load average %.2f\n", result.load_average))
            Console.out(line("one after another:", result.sequential))
            Console.out(line("concurrent:       ", result.concurrent))
            Console.out(String(format: "speedup: %.2f× overall, %.2f× in the decode phase (wall time); per CPU-second %.2f× overall, %.2f× decode\n",
                               result.speedup, result.decode_speedup, result.cpu_speedup, result.decode_cpu_speedup))
        }
    }

    /// The requests one after another, each submitted when the previous one finished.
    func runSequential(_ engine: InferenceEngine, _ request: (Int) -> GenerationRequest) async throws -> Pass {
        var runs: [(submitted: Date, tokens: [Stamp])] = []
        let start = Stamp()
        for i in 0..<requests {
            let submitted = Date()
            let tokens = try await Self.drain(engine.submit(request(i)))
            guard tokens.count >= 2 else { throw ValidationError("request \(i) generated \(tokens.count) tokens; the benchmark needs ≥ 2") }
            runs.append((submitted, tokens))
        }
        let end = Stamp()
        // Decode phase of each request: after its first token.
        let decoded = runs.reduce(0) { $0 + $1.tokens.count - 1 }
        let decodeSeconds = runs.reduce(0.0) { $0 + $1.tokens.last!.wall.timeIntervalSince($1.tokens.first!.wall) }
        let decodeCPU = runs.reduce(0.0) { $0 + $1.tokens.last!.cpu - $1.tokens.first!.cpu }
        return Self.pass(start: start, end: end, generated: runs.reduce(0) { $0 + $1.tokens.count },
                         decoded: decoded, decodeSeconds: decodeSeconds, decodeCPU: decodeCPU,
                         ttfts: runs.map { $0.tokens.first!.wall.timeIntervalSince($0.submitted) })
    }

    /// All requests submitted at once.
    func runConcurrent(_ engine: InferenceEngine, _ request: (Int) -> GenerationRequest) async throws -> Pass {
        let start = Stamp()
        let handles = try (0..<requests).map { try engine.submit(request($0)) }
        let runs = try await withThrowingTaskGroup(of: [Stamp].self) { group in
            for h in handles { group.addTask { try await Self.drain(h) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let end = Stamp()
        guard runs.allSatisfy({ $0.count >= 2 }) else { throw ValidationError("a request generated < 2 tokens; the benchmark needs ≥ 2") }
        // Decode phase: once every request has its first token (all prompts prefilled).
        let decodeStart = runs.map { $0.first! }.max { $0.wall < $1.wall }!
        let decoded = runs.reduce(0) { $0 + $1.filter { $0.wall > decodeStart.wall }.count }
        return Self.pass(start: start, end: end, generated: runs.reduce(0) { $0 + $1.count },
                         decoded: decoded, decodeSeconds: end.wall.timeIntervalSince(decodeStart.wall),
                         decodeCPU: end.cpu - decodeStart.cpu,
                         ttfts: runs.map { $0.first!.wall.timeIntervalSince(start.wall) })
    }

    /// Wall time and the process's CPU time (user + system) at one moment.
    struct Stamp {
        let wall = Date()
        let cpu: Double = {
            var u = rusage()
            getrusage(RUSAGE_SELF.rawValue, &u)
            return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) * 1e-6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) * 1e-6
        }()
    }

    /// The 1-minute load average (0 when unknown): the machine may be shared.
    static func loadAverage() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return 0 }
        return Double(s.split(separator: " ").first ?? "") ?? 0
    }

    /// Waits for a request to finish; returns when each of its tokens arrived.
    static func drain(_ handle: GenerationHandle) async throws -> [Stamp] {
        var times: [Stamp] = []
        for await e in handle.events {
            switch e {
            case .token: times.append(Stamp())
            case .finished: break
            case .failed(let error): throw error
            }
        }
        return times
    }

    static func pass(start: Stamp, end: Stamp, generated: Int, decoded: Int, decodeSeconds: Double, decodeCPU: Double,
                     ttfts: [Double]) -> Pass {
        let sorted = ttfts.sorted()
        let seconds = end.wall.timeIntervalSince(start.wall), cpu = end.cpu - start.cpu
        return Pass(seconds: seconds, generated_tokens: generated, tokens_per_s: Double(generated) / seconds,
                    decode_tokens_per_s: Double(decoded) / decodeSeconds, cpu_seconds: cpu,
                    tokens_per_cpu_s: Double(generated) / cpu, decode_tokens_per_cpu_s: Double(decoded) / decodeCPU,
                    ttft_p50_s: sorted[sorted.count / 2], ttft_max_s: sorted.last ?? 0)
    }
}
