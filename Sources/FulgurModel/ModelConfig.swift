import Foundation
import FulgurSupport

/// The kind of token mixer in a decoder layer.
public enum LayerKind: String, Sendable, Codable {
    case lightning  // linear attention with per-head exponential decay (attn_type 0)
    case softmax    // causal GQA softmax attention with partial RoPE (attn_type 1)
}

/// The two config.json dialects (architecture.md §1.2).
public enum ConfigDialect: String, Sendable {
    case hf       // HF in-tree: model_type "minimax", layer_types, *_factor, rope_parameters
    case minimax  // MiniMax's own: model_type "minimax_m1" / "minimax_text_01", attn_type_list, rotary_dim
}

/// A model configuration normalized from either dialect.
public struct ModelConfig: Sendable {
    public var dialect: ConfigDialect
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numLayers: Int
    public var numHeads: Int
    public var numKVHeads: Int
    public var headDim: Int
    public var numExperts: Int
    public var expertsPerToken: Int
    public var layerKinds: [LayerKind]
    /// Leading dims of each head that RoPE rotates (rotate-half inside the slice).
    public var rotaryDim: Int
    public var ropeTheta: Double
    public var rmsNormEps: Float
    /// Lightning-attention prefill block size B.
    public var blockSize: Int
    /// Residual scales: x = α · residual + β · sublayer(…).
    public var linearAttnAlpha: Float, linearAttnBeta: Float
    public var fullAttnAlpha: Float, fullAttnBeta: Float
    public var mlpAlpha: Float, mlpBeta: Float
    /// Post-norm: the residual carried is the normalized tensor (always true in the HF dialect).
    public var postnorm: Bool
    public var tieWordEmbeddings: Bool
    public var eosTokenIds: [Int]
    public var bosTokenId: Int?
    public var routerAuxLossCoef: Float
    public var maxPositionEmbeddings: Int
    /// The config.json object as read (written back unchanged by `init`/checkpoints).
    public var raw: [String: JSONValue]

    /// Epsilon of the lightning-attention output RMSNorm (MiniMax and HF: the module default).
    public static let lightningNormEps: Float = 1e-6

    public var qkvSize: Int { 3 * numHeads * headDim }
    public var attnSize: Int { numHeads * headDim }
    public var kvSize: Int { numKVHeads * headDim }
}

extension ModelConfig {
    public static func load(path: String) throws -> ModelConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw FileError(path, "cannot read config") }
        return try parse(data, path: path)
    }

    public static func load(directory: String) throws -> ModelConfig {
        try load(path: directory + "/config.json")
    }

    public static func parse(_ data: Data, path: String = "config.json") throws -> ModelConfig {
        let value: JSONValue
        do { value = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw FileError(path, "invalid JSON: \(Files.describe(error))")
        }
        guard let raw = value.object else { throw FileError(path, "config must be a JSON object") }
        return try ModelConfig(raw: raw, path: path)
    }

    public init(raw: [String: JSONValue], path: String = "config.json") throws {
        let r = ConfigReader(raw: raw, path: path)
        guard let modelType = try r.string("model_type") else { throw FileError(path, "missing field model_type") }
        switch modelType {
        case "minimax": dialect = .hf
        case "minimax_m1", "minimax_text_01": dialect = .minimax
        default:
            throw FileError(path, "model_type: unknown architecture \"\(modelType)\" (supported: minimax, minimax_m1, minimax_text_01)")
        }
        self.raw = raw
        vocabSize = try r.requiredInt("vocab_size", min: 1)
        hiddenSize = try r.requiredInt("hidden_size", min: 1)
        intermediateSize = try r.requiredInt("intermediate_size", min: 1)
        numLayers = try r.requiredInt("num_hidden_layers", min: 1)
        numHeads = try r.requiredInt("num_attention_heads", min: 1)
        numKVHeads = try r.int("num_key_value_heads", min: 1) ?? numHeads
        guard numHeads % numKVHeads == 0 else {
            throw FileError(path, "num_attention_heads (\(numHeads)) must be a multiple of num_key_value_heads (\(numKVHeads))")
        }
        headDim = try r.int("head_dim", min: 1) ?? (hiddenSize / numHeads)
        guard headDim >= 1 else { throw FileError(path, "head_dim: hidden_size / num_attention_heads is 0") }
        numExperts = try r.requiredInt("num_local_experts", min: 1)
        expertsPerToken = try r.requiredInt("num_experts_per_tok", min: 1)
        guard expertsPerToken <= numExperts else {
            throw FileError(path, "num_experts_per_tok (\(expertsPerToken)) exceeds num_local_experts (\(numExperts))")
        }
        rmsNormEps = Float(try r.double("rms_norm_eps", min: 0) ?? 1e-5)
        maxPositionEmbeddings = try r.int("max_position_embeddings", min: 1) ?? 131_072
        tieWordEmbeddings = try r.bool("tie_word_embeddings") ?? false
        routerAuxLossCoef = Float(try r.double("router_aux_loss_coef", min: 0) ?? 0.001)
        bosTokenId = try r.int("bos_token_id", min: 0)
        eosTokenIds = try r.intOrList("eos_token_id")
        if let act = try r.string("hidden_act"), act != "silu" {
            throw FileError(path, "hidden_act: unsupported activation \"\(act)\" (only silu)")
        }
        if let sw = raw["sliding_window"], sw != .null {
            throw FileError(path, "sliding_window: unsupported (must be null; MiniMax attention is full causal)")
        }
        if let shared = try r.int("shared_intermediate_size", min: 0), shared != 0 {
            throw FileError(path, "shared_intermediate_size: shared experts are not supported (must be 0)")
        }

        switch dialect {
        case .hf:
            if let types = raw["layer_types"] {
                guard let list = types.array else { throw FileError(path, "layer_types must be a list of strings") }
                layerKinds = try list.enumerated().map { i, v in
                    switch v.string {
                    case "linear_attention": return .lightning
                    case "full_attention": return .softmax
                    default: throw FileError(path, "layer_types[\(i)]: expected \"linear_attention\" or \"full_attention\", got \(v.jsonString())")
                    }
                }
            } else {
                // HF's default when absent: full attention on even layers, linear on odd ones.
                layerKinds = (0..<numLayers).map { $0 % 2 == 0 ? .softmax : .lightning }
            }
            blockSize = try r.int("block_size", min: 1) ?? 256
            linearAttnAlpha = Float(try r.double("linear_attn_alpha_factor") ?? 1)
            linearAttnBeta = Float(try r.double("linear_attn_beta_factor") ?? 1)
            fullAttnAlpha = Float(try r.double("full_attn_alpha_factor") ?? 1)
            fullAttnBeta = Float(try r.double("full_attn_beta_factor") ?? 1)
            mlpAlpha = Float(try r.double("mlp_alpha_factor") ?? 1)
            mlpBeta = Float(try r.double("mlp_beta_factor") ?? 1)
            postnorm = true  // HF's decoder layer is always post-norm
            rotaryDim = headDim  // HF's in-tree class rotates the whole head (rotary_dim is ignored)
            if let rp = raw["rope_parameters"] {
                guard let o = rp.object else { throw FileError(path, "rope_parameters must be an object") }
                let rr = ConfigReader(raw: o, path: path, prefix: "rope_parameters.")
                if let t = try rr.string("rope_type"), t != "default" {
                    throw FileError(path, "rope_parameters.rope_type: unsupported RoPE type \"\(t)\" (only default)")
                }
                ropeTheta = try rr.double("rope_theta", min: 0) ?? 1_000_000
                if let f = try rr.double("partial_rotary_factor", min: 0) {
                    rotaryDim = Int((Double(headDim) * f).rounded())
                }
            } else {
                ropeTheta = try r.double("rope_theta", min: 0) ?? 1_000_000
            }
        case .minimax:
            guard let list = raw["attn_type_list"]?.array else {
                throw FileError(path, "missing field attn_type_list (a list of 0 = lightning, 1 = softmax)")
            }
            layerKinds = try list.enumerated().map { i, v in
                switch v.int {
                case 0: return .lightning
                case 1: return .softmax
                default: throw FileError(path, "attn_type_list[\(i)]: expected 0 or 1, got \(v.jsonString())")
                }
            }
            blockSize = try r.int("block_size", min: 1) ?? 256  // hard-coded 256 in MiniMax's code
            linearAttnAlpha = Float(try r.double("layernorm_linear_attention_alpha") ?? 1)
            linearAttnBeta = Float(try r.double("layernorm_linear_attention_beta") ?? 1)
            fullAttnAlpha = Float(try r.double("layernorm_full_attention_alpha") ?? 1)
            fullAttnBeta = Float(try r.double("layernorm_full_attention_beta") ?? 1)
            mlpAlpha = Float(try r.double("layernorm_mlp_alpha") ?? 1)
            mlpBeta = Float(try r.double("layernorm_mlp_beta") ?? 1)
            postnorm = try r.bool("postnorm") ?? false
            rotaryDim = try r.int("rotary_dim", min: 0) ?? headDim
            ropeTheta = try r.double("rope_theta", min: 0) ?? 10_000
        }
        guard layerKinds.count == numLayers else {
            throw FileError(path, "\(dialect == .hf ? "layer_types" : "attn_type_list") has \(layerKinds.count) entries, num_hidden_layers is \(numLayers)")
        }
        guard rotaryDim % 2 == 0, rotaryDim <= headDim else {
            throw FileError(path, "rotary dim \(rotaryDim) must be even and at most head_dim \(headDim)")
        }
        guard ropeTheta > 0 else { throw FileError(path, "rope_theta must be positive") }
        for id in eosTokenIds where id >= vocabSize {
            throw FileError(path, "eos_token_id \(id) is outside the vocabulary (\(vocabSize))")
        }
    }

    /// Number of parameters (all experts) and active per token (top-k experts).
    public var parameterCounts: (total: Int, active: Int) {
        var total = vocabSize * hiddenSize * (tieWordEmbeddings ? 1 : 2) + hiddenSize
        var active = vocabSize * hiddenSize  // the LM head (the embedding is a lookup)
        for kind in layerKinds {
            let attn = kind == .lightning
                ? hiddenSize * qkvSize + hiddenSize * attnSize * 2 + attnSize
                : hiddenSize * attnSize * 2 + hiddenSize * kvSize * 2
            let expert = 3 * hiddenSize * intermediateSize
            total += attn + 2 * hiddenSize + numExperts * hiddenSize + numExperts * expert
            active += attn + numExperts * hiddenSize + expertsPerToken * expert
        }
        return (total, active)
    }

    /// The config.json text (the original object, pretty-printed with sorted keys).
    public func jsonData() -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? enc.encode(JSONValue.object(raw))) ?? Data()
    }
}

/// Typed field access with errors that name the file and the field.
struct ConfigReader {
    let raw: [String: JSONValue]
    let path: String
    var prefix = ""

    func present(_ k: String) -> JSONValue? {
        guard let v = raw[k], v != .null else { return nil }
        return v
    }
    func string(_ k: String) throws -> String? {
        guard let v = present(k) else { return nil }
        guard let s = v.string else { throw FileError(path, "\(prefix)\(k): expected a string, got \(v.jsonString())") }
        return s
    }
    func int(_ k: String, min: Int? = nil) throws -> Int? {
        guard let v = present(k) else { return nil }
        guard let i = v.int else { throw FileError(path, "\(prefix)\(k): expected an integer, got \(v.jsonString())") }
        if let min, i < min { throw FileError(path, "\(prefix)\(k): must be at least \(min), got \(i)") }
        return i
    }
    func requiredInt(_ k: String, min: Int? = nil) throws -> Int {
        guard let i = try int(k, min: min) else { throw FileError(path, "missing field \(prefix)\(k)") }
        return i
    }
    func double(_ k: String, min: Double? = nil) throws -> Double? {
        guard let v = present(k) else { return nil }
        guard let d = v.double, d.isFinite else { throw FileError(path, "\(prefix)\(k): expected a number, got \(v.jsonString())") }
        if let min, d < min { throw FileError(path, "\(prefix)\(k): must be at least \(min), got \(d)") }
        return d
    }
    func bool(_ k: String) throws -> Bool? {
        guard let v = present(k) else { return nil }
        guard let b = v.bool else { throw FileError(path, "\(prefix)\(k): expected true or false, got \(v.jsonString())") }
        return b
    }
    func intOrList(_ k: String) throws -> [Int] {
        guard let v = present(k) else { return [] }
        if let i = v.int, i >= 0 { return [i] }
        if let a = v.array {
            return try a.map { e in
                guard let i = e.int, i >= 0 else { throw FileError(path, "\(prefix)\(k): expected token ids, got \(v.jsonString())") }
                return i
            }
        }
        throw FileError(path, "\(prefix)\(k): expected a token id or a list of ids, got \(v.jsonString())")
    }
}
