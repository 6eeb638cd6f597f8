import Foundation
import FulgurModel
import FulgurSupport
import FulgurTokenizer

/// What a model folder gives the server besides the weights: its tokenizer (as the engine's
/// codec), the M1 chat template, and the end-of-sequence ids.
public struct ModelSetup: Sendable {
    public let codec: TextCodec?
    public let chatTemplate: ChatTemplate?
    /// Why chat is unavailable (no tokenizer, or one without the chat format's special tokens).
    public let chatUnavailable: String?
    /// The config's `eos_token_id` and the tokenizer's `<end_of_sentence>`.
    public let eos: [Int]

    /// Reads `DIR/tokenizer.json` when it exists; a malformed one is an error.
    public init(directory: String, model: MiniMaxModel) throws {
        let path = directory + "/tokenizer.json"
        guard FileManager.default.fileExists(atPath: path) else {
            self.init(codec: nil, chatTemplate: nil, eos: model.config.eosTokenIds,
                      chatUnavailable: "this model folder has no tokenizer.json")
            return
        }
        let tokenizer = try Tokenizer(contentsOfFile: path)
        guard tokenizer.vocabularySize <= model.config.vocabSize else {
            throw FileError(path, "the tokenizer has \(tokenizer.vocabularySize) tokens but the model's vocabulary has \(model.config.vocabSize)")
        }
        var eos = model.config.eosTokenIds
        if let end = tokenizer.specialTokenId(ChatFormat.endOfSentence), !eos.contains(end) { eos.append(end) }
        do {
            self.init(codec: TokenizerCodec(tokenizer), chatTemplate: try ChatTemplate(tokenizer: tokenizer), eos: eos)
        } catch {
            self.init(codec: TokenizerCodec(tokenizer), chatTemplate: nil, eos: eos, chatUnavailable: "\(error)")
        }
    }

    public init(codec: TextCodec?, chatTemplate: ChatTemplate?, eos: [Int], chatUnavailable: String? = nil) {
        self.codec = codec
        self.chatTemplate = chatTemplate
        self.eos = eos
        self.chatUnavailable = chatTemplate == nil ? chatUnavailable ?? "no chat template" : nil
    }
}
