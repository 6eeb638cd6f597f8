/// The MiniMax-M1 chat layout (architecture.md §7, first variant: `ai_setting=assistant`,
/// `ai name=assistant`, no default system prompt), rendered as text segments that say which
/// parts the model writes. Decisions the hub template leaves open are in docs/chat-format.md.
///
/// ```
/// <begin_of_document>
/// <beginning_of_sentence>system ai_setting=assistant\n{system}<end_of_sentence>\n
/// <beginning_of_sentence>system tool_setting=tools\nYou are provided with these tools:\n<tools>\n{tool}\n…</tools>\n\n…<end_of_sentence>\n
/// <beginning_of_sentence>user name=user\n{text}<end_of_sentence>\n
/// <beginning_of_sentence>ai name=assistant\n[<think>\n{reasoning}\n</think>\n]{text}[<tool_calls>\n{call}\n…</tool_calls>]<end_of_sentence>\n
/// <beginning_of_sentence>tool name=tools\ntool name: {name}\ntool result: {text}\n\n…<end_of_sentence>\n
/// <beginning_of_sentence>ai name=assistant\n        (generation prompt)
/// ```
public struct ChatFormat: Sendable {
    public static let beginOfDocument = "<begin_of_document>"
    public static let beginningOfSentence = "<beginning_of_sentence>"
    public static let endOfSentence = "<end_of_sentence>"
    /// The special tokens the layout needs as single tokens.
    public static let requiredSpecialTokens = [beginOfDocument, beginningOfSentence, endOfSentence]

    public static let thinkOpen = "<think>\n"
    public static let thinkClose = "\n</think>\n"
    public static let toolCallsOpen = "<tool_calls>"
    public static let toolCallsClose = "</tool_calls>"
    static let toolsPreamble = "You are provided with these tools:\n<tools>\n"
    static let toolsInstructions = """
        </tools>\n\nIf you need to call tools, please respond with <tool_calls></tool_calls> XML tags, and provide \
        tool-name and json-object of arguments, following the format below:\n<tool_calls>\n\
        {"name": <tool-name-1>, "arguments": <args-json-object-1>}\n...\n</tool_calls>
        """

    /// Which assistant turns keep their reasoning when a conversation is rendered.
    public enum ReasoningInHistory: String, Sendable, CaseIterable {
        /// Every assistant turn that has reasoning shows it.
        case keep
        /// Turns before the last user message lose it; the current exchange (after the last
        /// user message, including tool-call rounds) keeps it. What the model sees when serving.
        case dropBeforeLastUser
        /// No turn shows it.
        case drop
    }

    public var reasoningInHistory: ReasoningInHistory

    public init(reasoningInHistory: ReasoningInHistory = .dropBeforeLastUser) {
        self.reasoningInHistory = reasoningInHistory
    }

    /// A piece of the rendered conversation.
    public struct Segment: Sendable, Equatable {
        public var text: String
        /// One of `requiredSpecialTokens`, to be emitted as its id (never re-tokenized).
        public var isSpecialToken: Bool
        /// Written by the model: assistant reasoning, answer, tool calls and the closing
        /// `<end_of_sentence>` (the loss mask of supervised fine-tuning).
        public var isAssistantOutput: Bool
    }

    /// The conversation as segments. `tools` are tool definitions (JSON objects, key order kept).
    public func segments(_ messages: [ChatMessage], tools: [JSONTree] = [], addGenerationPrompt: Bool) -> [Segment] {
        var out: [Segment] = []
        func special(_ s: String, output: Bool = false) {
            out.append(Segment(text: s, isSpecialToken: true, isAssistantOutput: output))
        }
        func text(_ s: String, output: Bool = false) {
            guard !s.isEmpty else { return }
            if let last = out.last, !last.isSpecialToken, last.isAssistantOutput == output {
                out[out.count - 1].text += s
            } else {
                out.append(Segment(text: s, isSpecialToken: false, isAssistantOutput: output))
            }
        }
        func turn(_ header: String, _ body: () -> Void) {
            special(Self.beginningOfSentence)
            text(header)
            body()
        }
        func endTurn(output: Bool = false) {
            special(Self.endOfSentence, output: output)
            text("\n")
        }

        special(Self.beginOfDocument)
        // All system messages, concatenated as the hub template does, in one turn at the top.
        let system = messages.filter { $0.role == .system }.map(\.content).joined()
        if !system.isEmpty {
            turn("system ai_setting=assistant\n") { text(system) }
            endTurn()
        }
        if !tools.isEmpty {
            turn("system tool_setting=tools\n" + Self.toolsPreamble) {
                for tool in tools { text(tool.serialized(pythonStyle: true) + "\n") }
                text(Self.toolsInstructions)
            }
            endTurn()
        }
        let lastUser = messages.lastIndex { $0.role == .user } ?? -1
        for (i, m) in messages.enumerated() {
            switch m.role {
            case .system:
                continue
            case .user:
                turn("user name=user\n") { text(m.content) }
                endTurn()
            case .assistant:
                let keep = reasoningInHistory == .keep || (reasoningInHistory == .dropBeforeLastUser && i > lastUser)
                turn("ai name=assistant\n") { text(Self.assistantText(m, includeReasoning: keep), output: true) }
                // The model's own end token is part of its output: it learns to stop.
                endTurn(output: true)
            case .tool:
                turn("tool name=tools\n") {
                    for r in m.toolResults { text("tool name: \(r.name)\ntool result: \(r.content)\n\n") }
                }
                endTurn()
            }
        }
        if addGenerationPrompt { turn("ai name=assistant\n") {} }
        return out
    }

    /// The rendered conversation as one string.
    public func render(_ messages: [ChatMessage], tools: [JSONTree] = [], addGenerationPrompt: Bool) -> String {
        segments(messages, tools: tools, addGenerationPrompt: addGenerationPrompt).map(\.text).joined()
    }

    /// What the model writes for an assistant turn, without the closing `<end_of_sentence>`.
    public static func assistantText(_ m: ChatMessage, includeReasoning: Bool = true) -> String {
        var s = ""
        if includeReasoning, let r = m.reasoning { s += thinkOpen + r + thinkClose }
        s += m.content
        if !m.toolCalls.isEmpty {
            if !m.content.isEmpty && !m.content.hasSuffix("\n") { s += "\n" }
            s += toolCallsOpen + "\n"
            for call in m.toolCalls { s += call.jsonLine + "\n" }
            s += toolCallsClose
        }
        return s
    }
}
