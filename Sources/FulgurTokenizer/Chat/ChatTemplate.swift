/// The M1 chat format bound to a tokenizer: conversations to ids with a mask of the tokens
/// the model writes (for "loss on assistant tokens only"), prompts for generation, and model
/// output back to reasoning, answer and tool calls.
public struct ChatTemplate: Sendable {
    public let tokenizer: Tokenizer
    public var format: ChatFormat
    /// Special-token strings inside message text become special ids (as HF does) when true;
    /// when false they are encoded as ordinary text, so user content cannot forge a turn.
    public var matchSpecialTokensInContent: Bool
    /// `<end_of_sentence>`: ends every turn; the stop token of generation.
    public let endOfSentenceId: Int
    private let specialIds: [String: Int]

    /// Fails with `.missingTokens` when the tokenizer lacks a token the layout needs.
    public init(tokenizer: Tokenizer, format: ChatFormat = ChatFormat(), matchSpecialTokensInContent: Bool = true)
        throws(TokenizerError)
    {
        var ids: [String: Int] = [:]
        var missing: [String] = []
        for t in ChatFormat.requiredSpecialTokens {
            if let id = tokenizer.id(forToken: t) { ids[t] = id } else { missing.append(t) }
        }
        guard missing.isEmpty else {
            throw TokenizerError(
                .missingTokens, path: "added_tokens",
                "the MiniMax-M1 chat format needs the tokens \(missing.joined(separator: ", ")), which this tokenizer lacks "
                    + "(train one with --special-tokens \(ChatFormat.requiredSpecialTokens.joined(separator: ",")))")
        }
        self.tokenizer = tokenizer
        self.format = format
        self.matchSpecialTokensInContent = matchSpecialTokensInContent
        specialIds = ids
        endOfSentenceId = ids[ChatFormat.endOfSentence]!
    }

    /// Token ids with, for each, whether the model wrote it.
    public struct Encoding: Sendable, Equatable {
        public var ids: [Int]
        public var assistantMask: [Bool]
    }

    /// Encodes a conversation. Special tokens of the layout are emitted as ids; each text
    /// segment is encoded on its own, so assistant output is tokenized exactly as when the model
    /// generates it after the `ai name=assistant\n` prompt.
    public func encode(_ messages: [ChatMessage], tools: [JSONTree] = [], addGenerationPrompt: Bool = false) -> Encoding {
        var e = Encoding(ids: [], assistantMask: [])
        for seg in format.segments(messages, tools: tools, addGenerationPrompt: addGenerationPrompt) {
            let ids = seg.isSpecialToken
                ? [specialIds[seg.text]!] : tokenizer.encode(seg.text, matchSpecialTokens: matchSpecialTokensInContent)
            e.ids += ids
            e.assistantMask += Array(repeating: seg.isAssistantOutput, count: ids.count)
        }
        return e
    }

    /// The prompt for generating the next assistant turn.
    public func encodePrompt(_ messages: [ChatMessage], tools: [JSONTree] = []) -> [Int] {
        encode(messages, tools: tools, addGenerationPrompt: true).ids
    }

    /// Decodes generated ids (up to `<end_of_sentence>`) and splits them into reasoning, answer and tool calls.
    public func parseReply(_ ids: [Int]) -> AssistantReply {
        let end = ids.firstIndex(of: endOfSentenceId) ?? ids.count
        return AssistantReply(parsing: tokenizer.decode(Array(ids[..<end])))
    }
}
