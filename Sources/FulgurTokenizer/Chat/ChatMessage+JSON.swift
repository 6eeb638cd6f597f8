/// OpenAI-style chat messages in JSON — the `{"messages": [...]}` of SFT data and of
/// `/v1/chat/completions` requests:
///
///     {"role": "system" | "user" | "assistant" | "tool",
///      "content": "text" | [{"type": "text", "text": "..."}] | null,
///      "reasoning_content": "...",                       (assistant, optional)
///      "tool_calls": [{"function": {"name", "arguments": "<JSON text>" | {...}}}],  (assistant)
///      "name": "tool name"}                               (tool)
extension ChatMessage {
    public struct FormatError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public init(json m: JSONTree, path: String = "messages[]") throws {
        func fail(_ s: String) -> FormatError { FormatError(description: "\(path): \(s)") }
        guard case .object = m else { throw fail("expected an object, got \(m.kindName)") }
        guard case .string(let roleName)? = m["role"], let role = Role(rawValue: roleName) else {
            throw fail("role must be one of system, user, assistant, tool")
        }
        let content = try Self.text(m["content"], path: path + ".content")
        switch role {
        case .system: self = .system(content)
        case .user: self = .user(content)
        case .assistant:
            var reasoning: String?
            if let r = m["reasoning_content"], r != .null {
                guard case .string(let s) = r else { throw fail("reasoning_content must be a string") }
                reasoning = s
            }
            var calls: [ToolCall] = []
            if let tc = m["tool_calls"], tc != .null {
                guard case .array(let list) = tc else { throw fail("tool_calls must be an array") }
                for (i, c) in list.enumerated() {
                    let f = c["function"] ?? c
                    guard case .string(let name)? = f["name"] else { throw fail("tool_calls[\(i)] has no function name") }
                    var args = JSONTree.object([])
                    switch f["arguments"] {
                    case .string(let s)?:
                        do { args = try JSONTree.parse(s) } catch { throw fail("tool_calls[\(i)].arguments is not JSON: \(error)") }
                    case .object?: args = f["arguments"]!
                    case nil, .null?: break
                    default: throw fail("tool_calls[\(i)].arguments must be a JSON string or object")
                    }
                    calls.append(ToolCall(name: name, arguments: args))
                }
            }
            self = .assistant(content, reasoning: reasoning, toolCalls: calls)
        case .tool:
            var name = "tool"
            if case .string(let n)? = m["name"] { name = n }
            self = .tool(name: name, result: content)
        }
    }

    /// `content` as text: a string, a list of text parts, or null.
    static func text(_ v: JSONTree?, path: String) throws -> String {
        switch v {
        case nil, .null?: return ""
        case .string(let s)?: return s
        case .array(let parts)?:
            return try parts.enumerated().map { i, p in
                guard case .string(let t)? = p["text"] else {
                    throw FormatError(description: "\(path)[\(i)]: only text parts ({\"type\": \"text\", \"text\": …}) are supported")
                }
                return t
            }.joined()
        default: throw FormatError(description: "\(path): expected a string or a list of text parts")
        }
    }
}
