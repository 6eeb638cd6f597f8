/// One chat message sent to a judge model.
public struct JudgeMessage: Codable, Sendable, Equatable {
    public var role: String
    public var content: String
    public init(role: String, content: String) { self.role = role; self.content = content }
    public static func system(_ s: String) -> JudgeMessage { JudgeMessage(role: "system", content: s) }
    public static func user(_ s: String) -> JudgeMessage { JudgeMessage(role: "user", content: s) }
}

/// What to ask a text generator for.
public struct CompletionRequest: Sendable, Equatable {
    public var messages: [JudgeMessage]
    public var maxTokens: Int
    public var temperature: Double
    public var stop: [String]

    public init(messages: [JudgeMessage], maxTokens: Int = 1024, temperature: Double = 0, stop: [String] = []) {
        self.messages = messages; self.maxTokens = maxTokens; self.temperature = temperature; self.stop = stop
    }
}

/// Any model that turns chat messages into text: an OpenAI-compatible endpoint
/// (`OpenAICompatibleClient`) now, a Fulgur model once generation serves chat.
/// The judge (generative reward model) is built on this and nothing else.
public protocol TextGenerator: Sendable {
    func complete(_ request: CompletionRequest) async throws -> String
}

/// The judge of §4.2 is a text generator; the name says what it is used for.
public typealias JudgeModel = TextGenerator

/// Why a judge call failed.
public enum JudgeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The endpoint answered with a non-success HTTP status.
    case http(status: Int, body: String)
    /// The endpoint could not be reached (after retries).
    case transport(String)
    /// The endpoint's body was not a chat completion.
    case badResponse(String)

    public var description: String {
        switch self {
        case .http(let s, let body): return "judge endpoint returned HTTP \(s): \(body)"
        case .transport(let m): return "judge endpoint unreachable: \(m)"
        case .badResponse(let m): return "judge endpoint returned an unexpected body: \(m)"
        }
    }
}
