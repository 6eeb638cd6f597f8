import FulgurSupport
import FulgurTokenizer

/// A validated `POST /v1/chat/completions` body, as the M1 chat format's messages.
struct ChatRequest {
    var model: String
    var messages: [ChatMessage]
    /// Function definitions (`{"type": "function", "function": {...}}`), keys in request order.
    var tools: [JSONTree] = []
    /// Whether the reply is searched for tool calls (tools offered, tool_choice not "none").
    var parseToolCalls: Bool { !tools.isEmpty }
    var logprobs = false
    var topLogprobs = 0
    var options: GenerationOptions

    /// `f` reads the body's fields; `tree` is the same body with object keys in order (tool
    /// schemas and call arguments are rendered into the prompt as written).
    init(_ f: FieldReader, tree: JSONTree, maxN: Int, vocabularySize: Int) throws(APIError) {
        model = try f.requiredString("model")
        guard let raw = try f.array("messages") else {
            throw .invalid("Missing required parameter: 'messages'.", param: "messages")
        }
        guard !raw.isEmpty else { throw .invalid("'messages' must contain at least one message.", param: "messages") }
        let rawTrees = Self.items(tree["messages"])
        var messages: [ChatMessage] = []
        var calls: [String: String] = [:]  // tool_call_id → function name
        for (i, m) in raw.enumerated() {
            guard let o = m.object else { throw f.fail("messages[\(i)]", "expected a message object") }
            let message = try Self.message(FieldReader(o, path: "messages[\(i)]."), tree: i < rawTrees.count ? rawTrees[i] : .null, calls: &calls)
            // Consecutive tool results form one tool turn, as the M1 layout writes them.
            if message.role == .tool, let last = messages.last, last.role == .tool {
                messages[messages.count - 1].toolResults += message.toolResults
            } else {
                messages.append(message)
            }
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
        let tools = try Self.tools(f, tree: tree)
        if try Self.offersTools(f) { self.tools = tools }
        try f.unsupported("response_format") { $0["type"]?.string == "text" }
    }

    private static func message(_ f: FieldReader, tree: JSONTree, calls: inout [String: String]) throws(APIError) -> ChatMessage {
        let roleName = try f.requiredString("role")
        let content = try content(f)
        switch roleName {
        case "system", "developer":
            return .system(try required(content, f))
        case "user":
            return .user(try required(content, f))
        case "assistant":
            var toolCalls: [ToolCall] = []
            let callTrees = Self.items(tree["tool_calls"])
            for (j, c) in (try f.array("tool_calls") ?? []).enumerated() {
                let path = f.name("tool_calls[\(j)]")
                guard let name = c["function"]?["name"]?.string, !name.isEmpty else {
                    throw .invalid("Invalid value for '\(path)': expected {\"id\", \"type\": \"function\", \"function\": {\"name\", \"arguments\"}}", param: path)
                }
                let args = j < callTrees.count ? callTrees[j]["function"]?["arguments"] : nil
                let arguments: JSONTree
                switch args {
                case .string(let s)?:
                    do { arguments = try JSONTree.parse(s) } catch {
                        throw .invalid("Invalid value for '\(path).function.arguments': not JSON (\(error))", param: path + ".function.arguments")
                    }
                case .object?: arguments = args!
                case nil, .null?: arguments = .object([])
                default:
                    throw .invalid("Invalid value for '\(path).function.arguments': expected a JSON string", param: path + ".function.arguments")
                }
                if let id = c["id"]?.string { calls[id] = name }
                toolCalls.append(ToolCall(name: name, arguments: arguments))
            }
            return .assistant(content ?? "", reasoning: try f.string("reasoning_content"), toolCalls: toolCalls)
        case "tool":
            // The function's name: given, or that of the call this result answers.
            var name = try f.string("name")
            if name == nil, let id = try f.string("tool_call_id") { name = calls[id] }
            return .tool(name: name ?? "tool", result: try required(content, f))
        default:
            throw f.fail("role", "'\(roleName)' is not one of system, developer, user, assistant, tool")
        }
    }

    private static func items(_ t: JSONTree?) -> [JSONTree] {
        if case .array(let a)? = t { return a }
        return []
    }

    private static func required(_ content: String?, _ f: FieldReader) throws(APIError) -> String {
        guard let content else { throw .invalid("Missing required parameter: '\(f.name("content"))'.", param: f.name("content")) }
        return content
    }

    /// A string, or a list of `{"type": "text", "text": …}` parts (joined); nil when absent.
    private static func content(_ f: FieldReader) throws(APIError) -> String? {
        guard let v = f.value("content") else { return nil }
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

    private static func tools(_ f: FieldReader, tree: JSONTree) throws(APIError) -> [JSONTree] {
        guard let tools = try f.array("tools") else { return [] }
        for (i, t) in tools.enumerated() {
            guard t["type"]?.string == "function", let name = t["function"]?["name"]?.string, !name.isEmpty else {
                throw .invalid("Invalid value for 'tools[\(i)]': expected {\"type\": \"function\", \"function\": {\"name\": …, \"description\": …, \"parameters\": …}}",
                               param: "tools[\(i)]")
            }
        }
        guard case .array(let trees)? = tree["tools"] else { return [] }
        return trees
    }

    /// `tool_choice`: "auto" (default) offers the tools, "none" does not; forcing a call
    /// needs constrained decoding, which the server does not do.
    private static func offersTools(_ f: FieldReader) throws(APIError) -> Bool {
        guard let v = f.value("tool_choice") else { return true }
        switch v.string {
        case "none": return false
        case "auto": return true
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
