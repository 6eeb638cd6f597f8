import Foundation
import FulgurTokenizer

// The JSON bodies the server writes, in OpenAI's shapes. Optional fields that OpenAI sends as
// `null` (finish_reason, logprobs, content) are written as null, not left out.

/// An optional field written as `null` when absent (synthesized `Encodable` would leave it out).
@propertyWrapper
struct NullWhenAbsent<Value: Encodable>: Encodable {
    var wrappedValue: Value?
    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }
    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if let wrappedValue { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }
}

struct Usage: Encodable {
    let promptTokens: Int
    let completionTokens: Int
    var totalTokens: Int { promptTokens + completionTokens }

    enum CodingKeys: String, CodingKey { case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens" }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(promptTokens, forKey: .promptTokens)
        try c.encode(completionTokens, forKey: .completionTokens)
        try c.encode(totalTokens, forKey: .totalTokens)
    }
}

/// A tool call as OpenAI returns it: arguments as JSON text; `index` only in stream deltas.
struct ToolCallOut: Encodable {
    struct Function: Encodable { let name: String; let arguments: String }
    var index: Int?
    let id: String
    let type = "function"
    let function: Function

    init(_ call: ToolCall, id: String, index: Int?) {
        self.index = index
        self.id = id
        function = Function(name: call.name, arguments: call.arguments.serialized())
    }
}

// MARK: - Chat

/// One token's entry in `choices[].logprobs.content`.
struct ChatTokenLogprob: Encodable {
    struct Alternative: Encodable {
        let token: String
        let logprob: Float
        let bytes: [UInt8]?
    }
    let token: String
    let logprob: Float
    let bytes: [UInt8]?
    let topLogprobs: [Alternative]

    enum CodingKeys: String, CodingKey { case token, logprob, bytes, topLogprobs = "top_logprobs" }
}

struct ChatLogprobs: Encodable { var content: [ChatTokenLogprob] }

struct ChatMessageOut: Encodable {
    let role = "assistant"
    let content: String?
    let reasoningContent: String?
    let toolCalls: [ToolCallOut]

    enum CodingKeys: String, CodingKey { case role, content, reasoningContent = "reasoning_content", toolCalls = "tool_calls" }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(role, forKey: .role)
        try c.encode(content, forKey: .content)
        try c.encode(reasoningContent, forKey: .reasoningContent)
        if !toolCalls.isEmpty { try c.encode(toolCalls, forKey: .toolCalls) }
    }
}

struct ChatChoice: Encodable {
    let index: Int
    let message: ChatMessageOut
    @NullWhenAbsent var logprobs: ChatLogprobs?
    let finishReason: String

    enum CodingKeys: String, CodingKey { case index, message, logprobs, finishReason = "finish_reason" }
}

struct ChatCompletion: Encodable {
    let id: String
    let object = "chat.completion"
    let created: Int
    let model: String
    let choices: [ChatChoice]
    let usage: Usage
}

struct ChatDelta: Encodable {
    var role: String?
    var content: String?
    var reasoningContent: String?
    var toolCalls: [ToolCallOut]?

    enum CodingKeys: String, CodingKey { case role, content, reasoningContent = "reasoning_content", toolCalls = "tool_calls" }
}

struct ChatChunkChoice: Encodable {
    let index: Int
    let delta: ChatDelta
    @NullWhenAbsent var logprobs: ChatLogprobs?
    @NullWhenAbsent var finishReason: String?

    enum CodingKeys: String, CodingKey { case index, delta, logprobs, finishReason = "finish_reason" }
}

struct ChatChunk: Encodable {
    let id: String
    let object = "chat.completion.chunk"
    let created: Int
    let model: String
    let choices: [ChatChunkChoice]
    let usage: Usage?
}

// MARK: - Completions

/// `choices[].logprobs` of the legacy completions API.
struct CompletionLogprobs: Encodable {
    var tokens: [String] = []
    var tokenLogprobs: [Float] = []
    var topLogprobs: [[String: Float]] = []
    var textOffset: [Int] = []

    enum CodingKeys: String, CodingKey {
        case tokens, tokenLogprobs = "token_logprobs", topLogprobs = "top_logprobs", textOffset = "text_offset"
    }
}

struct CompletionChoice: Encodable {
    let index: Int
    let text: String
    @NullWhenAbsent var logprobs: CompletionLogprobs?
    @NullWhenAbsent var finishReason: String?
    /// Generated ids (a vLLM-style extension, sent when there is no tokenizer or on request).
    let tokenIds: [Int]?

    enum CodingKeys: String, CodingKey { case index, text, logprobs, finishReason = "finish_reason", tokenIds = "token_ids" }
}

struct Completion: Encodable {
    let id: String
    let object = "text_completion"
    let created: Int
    let model: String
    let choices: [CompletionChoice]
    let usage: Usage?
}

// MARK: - Models

struct ModelList: Encodable {
    struct Model: Encodable {
        let id: String
        let object = "model"
        let created: Int
        let ownedBy = "fulgur"
        let maxModelLen: Int

        enum CodingKeys: String, CodingKey { case id, object, created, ownedBy = "owned_by", maxModelLen = "max_model_len" }
    }
    let object = "list"
    let data: [Model]
}

enum JSONBody {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static func data<T: Encodable>(_ value: T) -> Data {
        (try? encoder.encode(value)) ?? Data(#"{"error":{"message":"response encoding failed","type":"server_error","param":null,"code":null}}"#.utf8)
    }
}
