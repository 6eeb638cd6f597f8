import Foundation
import FulgurSupport
import FulgurTokenizer

/// A chat conversation and the tools offered in it (rendered into its system turn): one SFT
/// example of a built-in corpus.
public struct Conversation: Sendable {
    public var messages: [ChatMessage]
    public var tools: [JSONTree]

    public init(messages: [ChatMessage], tools: [JSONTree] = []) {
        self.messages = messages
        self.tools = tools
    }
}

/// Where the conversations of `data.builtin` come from. The caller passes it in (the executable
/// gives FulgurData's `SyntheticCorpus` over the one environment registry), so training itself
/// knows nothing of environments or rewards.
public protocol ConversationSource: Sendable {
    /// The task names `data.builtin.tasks` may use.
    var names: [String] { get }
    /// `spec.count` conversations; the same spec always gives the same conversations.
    func conversations(_ spec: TrainConfig.BuiltinCorpus) throws -> [Conversation]
}

/// The tokenizer `fulgur train` makes when a config has built-in data and no tokenizer.
public enum CorpusTokenizer {
    /// The special tokens of tokenizers made for Fulgur's own models (the chat layout's,
    /// plus the usual extras of the MiniMax vocabulary).
    public static let specialTokens = ["<pad>", "<beginning_of_sentence>", "<end_of_sentence>", "<end_of_document>", "<begin_of_document>"]

    /// Trains a byte-level BPE (digits kept apart) on the rendered conversations and returns
    /// its tokenizer.json.
    public static func train(on conversations: [Conversation], vocabularySize: Int) throws -> Data {
        let trainer = BPETrainer(vocabularySize: vocabularySize, specialTokens: specialTokens, pattern: .qwen2)
        var words = BPETrainer.WordCounts()
        let format = ChatFormat()
        for c in conversations {
            for seg in format.segments(c.messages, tools: c.tools, addGenerationPrompt: false) where !seg.isSpecialToken {
                trainer.count(seg.text, into: &words)
            }
        }
        let result = try trainer.train(words)
        return Data(trainer.tokenizerJSON(result).serialized().utf8)
    }
}
