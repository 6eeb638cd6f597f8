import ArgumentParser
import Foundation
import FulgurGeneration
import FulgurModel
import FulgurSupport
import FulgurTensor

/// The main job on built-in defaults (no downloads).
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the main job on a built-in default: create a small random hybrid model, save it, load it back and generate.")

    @Option(help: "Working folder for the run.") var out = "runs/demo"
    @Option(help: "Random seed.") var seed: UInt64 = 0

    /// A small hybrid: 8 layers in the report's 7:1 pattern, 8 experts top-2, MiniMax dialect.
    static let builtinConfig: [String: JSONValue] = [
        "model_type": "minimax_m1", "architectures": ["MiniMaxM1ForCausalLM"],
        "vocab_size": 512, "hidden_size": 128, "intermediate_size": 256, "num_hidden_layers": 8,
        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32, "rotary_dim": 16, "rope_theta": 10_000_000.0,
        "num_local_experts": 8, "num_experts_per_tok": 2, "attn_type_list": [0, 0, 0, 0, 0, 0, 0, 1],
        "postnorm": true, "layernorm_linear_attention_alpha": 2.0, "layernorm_full_attention_alpha": 2.0,
        "layernorm_mlp_alpha": 2.0, "rms_norm_eps": 1e-5, "max_position_embeddings": 65536, "block_size": 256,
    ]

    func run() throws {
        let dir = out + "/model"
        let config = try ModelConfig(raw: Self.builtinConfig)
        let (total, active) = config.parameterCounts
        Console.err("[1/3] init: random \(config.numLayers)-layer hybrid (\(config.layerKinds.map { $0 == .lightning ? "L" : "S" }.joined())), \(total) parameters, \(active) active per token → \(dir)\n")
        try MiniMaxModel(config: config, weights: RandomWeights(seed: seed)).save(to: dir)

        Console.err("[2/3] load \(dir)\n")
        let model = try MiniMaxModel(directory: dir)

        let prompts = (0..<4).map { i in (0..<(16 + 8 * i)).map { ($0 * 7 + i) % config.vocabSize } }
        let params = SamplingParameters(temperature: 1.0, seed: seed, maxTokens: 64)
        Console.err("[3/3] generate: \(prompts.count) prompts, \(params.maxTokens) tokens each, batched decode\n")
        let generator = Generator(model: model)
        var outputs: [GenerationOutput] = []
        let seconds = try timed { outputs = try generator.generate(prompts: prompts, params) }
        let tokens = outputs.reduce(0) { $0 + $1.ids.count }
        for (i, o) in outputs.enumerated() {
            Console.out("sample \(i): \(o.ids.prefix(16).map(String.init).joined(separator: " ")) … (\(o.ids.count) ids, stop: \(o.stopReason.rawValue), mean logprob \(String(format: "%.3f", o.logprobs.reduce(0, +) / Float(max(o.logprobs.count, 1)))))\n")
        }
        Console.out(String(format: "generated %d tokens in %.2f s (%.0f tokens/s over %d sequences)\n", tokens, seconds, Double(tokens) / seconds, prompts.count))
    }
}
