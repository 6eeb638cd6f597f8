import FulgurSupport

/// One message of a conversation, as the chat template renders it.
public struct ChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable { case system, user, assistant, tool }
    public var role: Role
    /// The text (list-of-parts content is joined).
    public var content: String
    /// Calls an assistant message made.
    public var toolCalls: [ToolCall] = []
    /// For a tool result: the function's name (taken from the matching call when not given).
    public var name: String?
    public var toolCallId: String?

    public init(role: Role, content: String, toolCalls: [ToolCall] = [], name: String? = nil, toolCallId: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.name = name
        self.toolCallId = toolCallId
    }
}

/// Renders a conversation (and the tools on offer) into the prompt ids, ending with the
/// generation prompt for the assistant's reply. Implemented by FulgurTokenizer's chat format.
public protocol ChatTemplate: Sendable {
    func render(_ messages: [ChatMessage], tools: [JSONValue]) throws -> [Int]
}

/// A validated `POST /v1/chat/completions` body.
struct ChatRequest {
    var model: String
    var messages: [ChatMessage]
    /// Function definitions (`{"type": "function", "function": {...}}`) given to the template.
    var tools: [JSONValue] = []
    /// Whether the reply is searched for tool calls (tools offered and tool_choice ≠ none).
    var parseToolCalls: Bool { !tools.isEmpty }
    var logprobs = false
    var topLogprobs = 0
    var options: GenerationOptions

    init(_ f: FieldReader, maxN: Int, vocabularySize: Int) throws(APIError) {
        model = try f.requiredString("model")
        guard let raw = try f.array("messages") else {
            throw .invalid("Missing required parameter: 'messages'.", param: "messages")
        }
        guard !raw.isEmpty else { throw .invalid("'messages' must contain at least one message.", param: "messages") }
        var messages: [ChatMessage] = []
        for (i, m) in raw.enumerated() {
            guard let o = m.object else { throw f.fail("messages[\(i)]", "expected a message object") }
            messages.append(try Self.message(FieldReader(o, path: "messages[\(i)]."), previous: messages))
        }
        self.messages = messages
        options = try GenerationOptions(f, maxN: maxN, vocabularySize: vocabularySize)
        logprobs = try f.bool("logprobs") ?? false
        if let k = try f.int("top_logprobs", in: 0...20) {
            guard logprobs else {
                throw .invalid("'top_logprobs' needs 'logprobs' set to true.", param: "top_logprobs")
            }
            topLogprobs = k
        }
        let tools = try Self.tools(f)
        switch try Self.toolChoice(f, tools: tools) {
        case .none: self.tools = []
        case .auto: self.tools = tools
        }
        try f.unsupported("response_format") { $0["type"]?.string == "text" }
    }

    private static func message(_ f: FieldReader, previous: [ChatMessage]) throws(APIError) -> ChatMessage {
        let roleName = try f.requiredString("role")
        let role: ChatMessage.Role
        switch roleName {
        case "system", "developer": role = .system
        case "user": role = .user
        case "assistant": role = .assistant
        case "tool": role = .tool
        default: throw f.fail("role", "'\(roleName)' is not one of system, developer, user, assistant, tool")
        }
        var message = ChatMessage(role: role, content: try content(f))
        message.name = try f.string("name")
        if role == .assistant, let calls = try f.array("tool_calls") {
            message.toolCalls = try calls.enumerated().map { (i, c) throws(APIError) -> ToolCall in
                let path = f.name("tool_calls[\(i)]")
                guard let o = c.object, let fn = o["function"]?.object, let name = fn["name"]?.string else {
                    throw .invalid("Invalid value for '\(path)': expected {\"id\", \"type\": \"function\", \"function\": {\"name\", \"arguments\"}}", param: path)
                }
                let arguments = fn["arguments"]?.string ?? fn["arguments"].map { $0.jsonString() } ?? "{}"
                return ToolCall(id: o["id"]?.string ?? "", name: name, arguments: arguments)
            }
        }
        if role == .tool {
            let id = try f.string("tool_call_id")
            message.toolCallId = id
            if message.name == nil, let id {  // the function's name from the call it answers
                message.name = previous.reversed().lazy.flatMap(\.toolCalls).first { $0.id == id }?.name
            }
        }
        if f.value("content") == nil && role != .assistant {  // only an assistant turn may omit it
            throw .invalid("Missing required parameter: '\(f.name("content"))'.", param: f.name("content"))
        }
        return message
    }

    /// A string, or a list of `{"type": "text", "text": …}` parts (joined).
    private static func content(_ f: FieldReader) throws(APIError) -> String {
        guard let v = f.value("content") else { return "" }
        if let s = v.string { return s }
        guard let parts = v.array else { throw f.fail("content", "expected a string or an array of text parts") }
        var text = ""
        for (i, p) in parts.enumerated() {
            let path = f.name("content[\(i)]")
            guard let type = p["type"]?.string else {
                throw .invalid("Invalid value for '\(path)': expected {\"type\": \"text\", \"text\": …}", param: path)
            }
            guard type == "text", let t = p["text"]?.string else {
                throw .invalid("Content parts of type '\(type)' are not supported; only text.", param: path, code: "unsupported_content")
            }
            text += t
        }
        return text
    }

    private static func tools(_ f: FieldReader) throws(APIError) -> [JSONValue] {
        guard let tools = try f.array("tools") else { return [] }
        for (i, t) in tools.enumerated() {
            guard t["type"]?.string == "function", let name = t["function"]?["name"]?.string, !name.isEmpty else {
                throw .invalid("Invalid value for 'tools[\(i)]': expected {\"type\": \"function\", \"function\": {\"name\": …, \"description\": …, \"parameters\": …}}",
                               param: "tools[\(i)]")
            }
        }
        return tools
    }

    private enum ToolChoice { case none, auto }

    private static func toolChoice(_ f: FieldReader, tools: [JSONValue]) throws(APIError) -> ToolChoice {
        guard let v = f.value("tool_choice") else { return .auto }
        switch v.string {
        case "none": return .none
        case "auto": return .auto
        case "required":
            throw .invalid("tool_choice 'required' is not supported (it needs constrained decoding); use 'auto'.",
                           param: "tool_choice", code: "unsupported_parameter")
        default:
            if v["type"]?.string == "function" {
                throw .invalid("Forcing a named function with tool_choice is not supported (it needs constrained decoding); use 'auto'.",
                               param: "tool_choice", code: "unsupported_parameter")
            }
            throw f.fail("tool_choice", "expected \"none\", \"auto\", \"required\" or {\"type\": \"function\", …}")
        }
    }
}
