import ArgumentParser
import Foundation
import FulgurGeneration
import FulgurModel
import FulgurSupport
import FulgurTensor
import FulgurTokenizer

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a randomly initialized model folder (config.json + model.safetensors).")

    @Option(help: "config.json in either dialect (HF `minimax` or MiniMax `minimax_m1`).") var config: String
    @Option(help: "Output folder.") var out: String
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Stored precision of the weights: f32 or bf16 (router gates stay f32, as MiniMax ships M1).")
    var dtype: WeightPrecision = .f32
    @Option(name: .customLong("max-shard-size"), help: "Split the weights into shards of at most this size with model.safetensors.index.json, e.g. 2GB, 500MB, 1GiB.")
    var maxShardSize: String?

    func validate() throws {
        if let s = maxShardSize, CheckpointWriter.parseSize(s) == nil {
            throw ValidationError("--max-shard-size: \"\(s)\" is not a size (e.g. 2GB, 500MB, 1GiB, or bytes)")
        }
    }

    func run() throws {
        let cfg = try ModelConfig.load(path: config)
        let std = Float(cfg.raw["initializer_range"]?.double ?? 0.02)
        let model = try MiniMaxModel(config: cfg, weights: RandomWeights(seed: seed, std: std))
        try model.save(to: out, dtype: dtype == .bf16 ? .bf16 : .f32, maxShardBytes: maxShardSize.flatMap(CheckpointWriter.parseSize))
        let (total, active) = cfg.parameterCounts
        Console.err("wrote \(out): \(total) parameters (\(active) active per token), \(dtype.rawValue)\n")
    }
}

extension WeightPrecision: ExpressibleByArgument {}

/// Loads a model folder (and its tokenizer when present).
struct ModelOptions: ParsableArguments {
    @Option(help: "Model folder (config.json + model.safetensors or shards).") var model: String
    @Option(help: "How weight matrices are kept in memory: f32, or bf16 (half the bytes each decode step reads; widened to f32 inside the kernels; bf16 checkpoints are loaded without widening).")
    var weights: WeightPrecision = .f32

    func load() throws -> MiniMaxModel { try MiniMaxModel(directory: model, precision: weights) }

    /// The folder's tokenizer.json, or nil when there is none.
    func tokenizer() throws -> Tokenizer? {
        let path = model + "/tokenizer.json"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try Tokenizer(contentsOfFile: path)
    }
}

/// Default stop ids: the config's `eos_token_id`, else the tokenizer's `<end_of_sentence>`.
func defaultStopIds(_ config: ModelConfig, _ tokenizer: Tokenizer?) -> Set<Int> {
    if !config.eosTokenIds.isEmpty { return Set(config.eosTokenIds) }
    return tokenizer?.specialTokenId(ChatFormat.endOfSentence).map { [$0] } ?? []
}

func parseIds(_ s: String) throws -> [Int] {
    try s.split(separator: ",", omittingEmptySubsequences: false).map { part in
        guard let i = Int(part.trimmingCharacters(in: .whitespaces)), i >= 0 else {
            throw ValidationError("--ids: \"\(part)\" is not a token id (expected comma-separated non-negative integers)")
        }
        return i
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate a continuation of a prompt.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Prompt as raw text (needs tokenizer.json in the model folder).") var prompt: String?
    @Option(help: "Prompt as comma-separated token ids.") var ids: String?
    @Option(name: .customLong("max-tokens"), help: "Maximum tokens to generate.") var maxTokens = 128
    @Option(help: "Sampling temperature (0 = greedy).") var temperature: Float = 1.0
    @Option(name: .customLong("top-p"), help: "Nucleus sampling mass.") var topP: Float = 1.0
    @Option(name: .customLong("top-k"), help: "Keep the k most likely tokens (0 = off).") var topK = 0
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(name: .customLong("repetition-window"), help: "Stop after this many consecutive tokens with p > threshold (0 = off).")
    var repetitionWindow = 3000
    @Option(name: .customLong("repetition-threshold"), help: "Probability threshold of the repetition stop.")
    var repetitionThreshold: Float = 0.99
    @Flag(help: "Wrap --prompt as a user message in the chat format and add the generation prompt.") var chat = false
    @Flag(help: "Print one JSON object {ids, logprobs, stop_reason} instead of streaming.") var json = false

    func validate() throws {
        if (prompt == nil) == (ids == nil) { throw ValidationError("give exactly one of --prompt or --ids") }
    }

    func run() throws {
        let model = try modelOptions.load()
        let tokenizer = try modelOptions.tokenizer()
        let promptIds: [Int]
        if let prompt {
            guard let tokenizer else { throw ValidationError("--prompt needs a tokenizer.json in \(modelOptions.model); use --ids") }
            promptIds = chat ? try ChatTemplate(tokenizer: tokenizer).encodePrompt([.user(prompt)]) : tokenizer.encode(prompt)
        } else {
            promptIds = try parseIds(ids!)
        }
        var params = SamplingParameters(
            temperature: temperature, topP: topP, topK: topK, seed: seed, maxTokens: maxTokens,
            repetitionWindow: repetitionWindow, repetitionThreshold: repetitionThreshold)
        params.stopTokenIds = defaultStopIds(model.config, tokenizer)
        let generator = Generator(model: model)
        let stream = !json
        var decoder = tokenizer.map { StreamingDecoder(tokenizer: $0) }
        let out = try generator.generate(prompts: [promptIds], params) { _, token, _ in
            if stream {
                if decoder != nil { Console.out(decoder!.append(token)) } else { Console.out("\(token) ") }
            }
            return true
        }[0]
        if stream, decoder != nil { Console.out(decoder!.finish()) }
        if json {
            printJSON(GenerateResult(ids: out.ids, logprobs: out.logprobs, stop_reason: out.stopReason.rawValue))
        } else {
            Console.out("\n")
        }
    }

    struct GenerateResult: Encodable {
        let ids: [Int]
        let logprobs: [Float]
        let stop_reason: String
    }
}

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print log p(id_t | ids_<t) for t = 1 … T−1 at temperature 1.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Comma-separated token ids.") var ids: String

    func run() throws {
        let model = try modelOptions.load()
        let tokens = try parseIds(ids)
        struct Result: Encodable { let next_token_logprobs: [Float] }
        printJSON(Result(next_token_logprobs: try model.nextTokenLogProbs(tokens)))
    }
}

func printJSON<T: Encodable>(_ value: T) {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = (try? enc.encode(value)) ?? Data("null".utf8)
    Console.out(String(decoding: data, as: UTF8.self) + "\n")
}
