import Foundation
@testable import FulgurGeneration
@testable import FulgurModel
@testable import FulgurServer
@testable import FulgurTensor
import FulgurSupport
import FulgurTokenizer

/// Small random models and a readable stand-in tokenizer for the engine tests.
enum TestSupport {
    static let vocab = 300
    /// The stand-in's special end token.
    static let eos = 299

    /// A random hybrid model (L L L S L L L S), small enough for fast tests.
    static func model(context: Int = 4096, seed: UInt64 = 1) throws -> MiniMaxModel {
        let raw: [String: Any] = [
            "model_type": "minimax_m1", "vocab_size": vocab, "hidden_size": 32, "intermediate_size": 24,
            "num_hidden_layers": 8, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8,
            "num_local_experts": 4, "num_experts_per_tok": 2, "attn_type_list": [0, 0, 0, 1, 0, 0, 0, 1],
            "rotary_dim": 4, "rope_theta": 10000.0, "block_size": 4, "postnorm": true,
            "layernorm_linear_attention_alpha": 1.5, "layernorm_full_attention_alpha": 1.5, "layernorm_mlp_alpha": 1.5,
            "max_position_embeddings": context,
        ]
        let config = try ModelConfig.parse(try JSONSerialization.data(withJSONObject: raw))
        return try MiniMaxModel(config: config, weights: RandomWeights(seed: seed, std: 0.15))
    }

    static func tokens(_ n: Int, seed: UInt64) -> [Int] {
        var rng = RNG(seed: seed)
        return (0..<n).map { _ in Int(rng.next() % UInt64(vocab - 1)) }
    }
}

/// A stand-in tokenizer: id i reads "<i>"; `TestSupport.eos` is special (no text).
/// Its decoder cuts at stop strings across ids and holds back possible stop-string starts,
/// which is all the engine relies on.
struct TestCodec: TextCodec {
    func encode(_ text: String) -> [Int] {
        text.split(separator: ">").compactMap { Int($0.dropFirst()) }
    }
    func bytes(of id: Int) -> [UInt8] { id == TestSupport.eos ? [] : Array("<\(id)>".utf8) }
    func makeDecoder(stopStrings: [String]) -> any TextDecoding { Decoder(stops: stopStrings) }

    struct Decoder: TextDecoding {
        let stops: [String]
        var pending = ""
        var isStopped = false

        mutating func append(_ id: Int) -> String {
            guard !isStopped, id != TestSupport.eos else { return "" }
            pending += "<\(id)>"
            if let cut = stops.compactMap({ pending.range(of: $0)?.lowerBound }).min() {
                isStopped = true
                defer { pending = "" }
                return String(pending[..<cut])
            }
            let keep = stops.map { s in (0..<s.count).last { k in pending.hasSuffix(s.prefix(k)) } ?? 0 }.max() ?? 0
            defer { pending = String(pending.suffix(keep)) }
            return String(pending.dropLast(keep))
        }

        mutating func finish() -> String {
            defer { pending = "" }
            return isStopped ? "" : pending
        }
    }
}

/// Everything one request produced.
struct Collected {
    var ids: [[Int]]
    var text: [String]
    var logprobs: [[Float]]
    var finish: [FinishReason?]
    var failure: EngineError?

    static func from(_ handle: GenerationHandle, n: Int = 1) async -> Collected {
        var c = Collected(ids: Array(repeating: [], count: n), text: Array(repeating: "", count: n),
                          logprobs: Array(repeating: [], count: n), finish: Array(repeating: nil, count: n))
        for await e in handle.events {
            switch e {
            case .token(let i, let t):
                c.ids[i].append(t.id)
                c.text[i] += t.text
                if let lp = t.logprob { c.logprobs[i].append(lp) }
            case .finished(let i, let reason, let text):
                c.finish[i] = reason
                c.text[i] += text
            case .failed(let e):
                c.failure = e
            }
        }
        return c
    }
}

extension TestSupport {
    /// A byte-level BPE trained here with the chat format's special tokens, sized to the test
    /// model's vocabulary.
    static let tokenizer: Tokenizer = {
        let trainer = BPETrainer(vocabularySize: vocab, specialTokens: ChatFormat.requiredSpecialTokens)
        var words = BPETrainer.WordCounts()
        for i in 0..<50 {
            trainer.count("The weather in city \(i) is sunny. Réponse \(i): 2 + \(i) = \(2 + i). 漢字 🙂\n", into: &words)
        }
        let json = trainer.tokenizerJSON(try! trainer.train(words))
        return try! Tokenizer(json: Array(json.serialized().utf8))
    }()

    static func chatSetup() throws -> ModelSetup {
        let template = try ChatTemplate(tokenizer: tokenizer)
        return ModelSetup(codec: TokenizerCodec(tokenizer), chatTemplate: template, eos: [template.endOfSentenceId])
    }
}
