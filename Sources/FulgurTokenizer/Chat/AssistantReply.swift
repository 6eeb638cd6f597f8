/// Model output split into its parts: `<think>\n…\n</think>\n` reasoning, the answer, and a
/// `<tool_calls>` block with one JSON object `{"name": …, "arguments": {…}}` per line.
public struct AssistantReply: Sendable, Equatable {
    /// The reasoning, nil when the output has no think block.
    public var reasoning: String?
    /// The answer: the text outside the think block and the tool-call block, trimmed of
    /// surrounding whitespace.
    public var content: String
    public var toolCalls: [ToolCall]
    /// Lines of the tool-call block that are not a valid call, with the reason.
    public var toolCallErrors: [String]
    /// The output ended inside the think block (no `</think>`).
    public var reasoningUnfinished: Bool

    public init(reasoning: String? = nil, content: String = "", toolCalls: [ToolCall] = [], toolCallErrors: [String] = [],
                reasoningUnfinished: Bool = false)
    {
        self.reasoning = reasoning
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallErrors = toolCallErrors
        self.reasoningUnfinished = reasoningUnfinished
    }

    /// The reply as an assistant message (for the next turn of the conversation).
    public var message: ChatMessage { .assistant(content, reasoning: reasoning, toolCalls: toolCalls) }

    /// Parses decoded model output. Text after `<end_of_sentence>` is ignored. If the output has
    /// `</think>` but no `<think>` (a prompt that pre-fills it), what precedes `</think>` is reasoning.
    public init(parsing output: String) {
        self.init()
        var text = Substring(output)
        if let eos = text.range(of: ChatFormat.endOfSentence) { text = text[..<eos.lowerBound] }

        let open = "<think>", close = "</think>"
        let trimmedStart = text.drop { $0 == " " || $0 == "\n" }
        if trimmedStart.hasPrefix(open) {
            let afterOpen = trimmedStart.dropFirst(open.count)
            if let c = afterOpen.range(of: close) {
                reasoning = Self.stripOneNewline(afterOpen[..<c.lowerBound])
                text = afterOpen[c.upperBound...]
            } else {
                reasoning = Self.stripOneNewline(afterOpen)
                reasoningUnfinished = true
                text = ""
            }
        } else if let c = text.range(of: close) {
            reasoning = Self.stripOneNewline(text[..<c.lowerBound])
            text = text[c.upperBound...]
        }

        var answer = ""
        while let o = text.range(of: ChatFormat.toolCallsOpen) {
            answer += text[..<o.lowerBound]
            let rest = text[o.upperBound...]
            let c = rest.range(of: ChatFormat.toolCallsClose)
            parseCalls(rest[..<(c?.lowerBound ?? rest.endIndex)])
            text = c.map { rest[$0.upperBound...] } ?? ""
        }
        answer += text
        content = answer.trimmingWhitespace()
    }

    private mutating func parseCalls(_ block: Substring) {
        for line in block.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let s = String(line).trimmingWhitespace()
            if s.isEmpty { continue }
            guard let tree = try? JSONTree.parse(s) else { toolCallErrors.append("not valid JSON: \(s)"); continue }
            guard case .string(let name)? = tree["name"] else { toolCallErrors.append("no string \"name\": \(s)"); continue }
            var arguments = tree["arguments"] ?? .object([])
            // Some models write the arguments as a JSON string.
            if case .string(let inner) = arguments, let parsed = try? JSONTree.parse(inner) { arguments = parsed }
            guard case .object = arguments else { toolCallErrors.append("\"arguments\" is not an object: \(s)"); continue }
            toolCalls.append(ToolCall(name: name, arguments: arguments))
        }
    }

    /// Removes one leading and one trailing newline (the think block's own layout).
    static func stripOneNewline(_ s: Substring) -> String {
        var t = s
        if t.hasPrefix("\n") { t = t.dropFirst() }
        if t.hasSuffix("\n") { t = t.dropLast() }
        return String(t)
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[first...last])
        return String(view)
    }
}
