/// One turn of a conversation in the MiniMax-M1 chat format.
public struct ChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable, Equatable, CaseIterable {
        case system, user, assistant, tool
    }

    public var role: Role
    /// The text (system, user, assistant); for tool turns see `toolResults`.
    public var content: String
    /// Assistant only: the reasoning, rendered as `<think>\n…\n</think>\n` before the content.
    public var reasoning: String?
    /// Assistant only: calls rendered after the content in a `<tool_calls>` block.
    public var toolCalls: [ToolCall]
    /// Tool only: one or more results, each rendered as `tool name: …\ntool result: …`.
    public var toolResults: [ToolResult]

    public init(role: Role, content: String = "", reasoning: String? = nil, toolCalls: [ToolCall] = [],
                toolResults: [ToolResult] = [])
    {
        self.role = role
        self.content = content
        self.reasoning = reasoning
        self.toolCalls = toolCalls
        self.toolResults = toolResults
    }

    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: .system, content: text) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: .user, content: text) }
    public static func assistant(_ text: String, reasoning: String? = nil, toolCalls: [ToolCall] = []) -> ChatMessage {
        ChatMessage(role: .assistant, content: text, reasoning: reasoning, toolCalls: toolCalls)
    }
    public static func tool(_ results: [ToolResult]) -> ChatMessage { ChatMessage(role: .tool, toolResults: results) }
    public static func tool(name: String, result: String) -> ChatMessage { .tool([ToolResult(name: name, content: result)]) }
}

/// A function call made by the model: `{"name": …, "arguments": {…}}` on one line.
public struct ToolCall: Sendable, Equatable {
    public var name: String
    /// The arguments object, with its keys in the order written.
    public var arguments: JSONTree

    public init(name: String, arguments: JSONTree = .object([])) {
        self.name = name
        self.arguments = arguments
    }

    /// The line the model writes for this call (Python `json.dumps` spacing).
    public var jsonLine: String {
        JSONTree.object([("name", .string(name)), ("arguments", arguments)]).serialized(pythonStyle: true)
    }
}

/// The result of one tool call, sent back to the model in a tool turn.
public struct ToolResult: Sendable, Equatable {
    public var name: String
    public var content: String

    public init(name: String, content: String) {
        self.name = name
        self.content = content
    }
}
