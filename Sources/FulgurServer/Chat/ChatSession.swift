import Foundation
import FulgurGeneration
import FulgurTokenizer
import Synchronization

/// A conversation with the in-process engine, as `fulgur chat` runs it: the message history,
/// the system prompt, the terminal commands, and replies streamed as reasoning and answer
/// pieces. Replies join the history with their reasoning; the chat format decides what the
/// model sees of it (by default reasoning before the last user message is dropped).
public final class ChatSession: @unchecked Sendable {
    public enum Input: Equatable {
        case message(String)
        case reset
        case system(String?)
        case exit
        case help
        case unknownCommand(String)
        case empty
    }

    public enum Piece: Equatable {
        case reasoning(String)
        case content(String)
    }

    public struct Reply: Equatable {
        public var reasoning = ""
        public var content = ""
        public var finishReason: FinishReason?
        public var tokens = 0
    }

    let engine: InferenceEngine
    let template: ChatTemplate
    let eos: [Int]
    public var parameters = SamplingParameters(temperature: 1, topP: 0.95, maxTokens: 2048, repetitionWindow: 0)
    public var systemPrompt: String? { didSet { history.removeAll() } }
    public private(set) var history: [ChatMessage] = []
    private let current = Mutex<GenerationHandle?>(nil)

    public init(engine: InferenceEngine, template: ChatTemplate, eos: [Int]) {
        self.engine = engine
        self.template = template
        self.eos = eos
    }

    public static func parse(_ line: String) -> Input {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("/") else { return text.isEmpty ? .empty : .message(line) }
        let parts = text.split(separator: " ", maxSplits: 1)
        let argument = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : nil
        switch parts[0] {
        case "/exit", "/quit": return .exit
        case "/reset": return .reset
        case "/system": return .system(argument?.isEmpty == false ? argument : nil)
        case "/help": return .help
        default: return .unknownCommand(String(parts[0]))
        }
    }

    public func reset() { history.removeAll() }

    /// The conversation as the template sees it.
    var messages: [ChatMessage] {
        (systemPrompt.map { [.system($0)] } ?? []) + history
    }

    /// Sends a user message and streams the reply; the pair joins the history unless the reply
    /// was interrupted before any answer text.
    public func send(_ text: String, onPiece: (Piece) -> Void) async throws -> Reply {
        let user = ChatMessage.user(text)
        let prompt = template.encodePrompt(messages + [user])
        guard prompt.count < engine.contextLength else {
            throw EngineError.invalidRequest("the conversation has \(prompt.count) tokens; the model's context is \(engine.contextLength). Use /reset.")
        }
        var p = parameters
        p.maxTokens = min(p.maxTokens, engine.contextLength - prompt.count)
        p.stopTokenIds.formUnion(eos)
        p.seed &+= UInt64(history.count)  // a different stream per turn, reproducible from --seed
        let handle = try engine.submit(GenerationRequest(prompt: prompt, sampling: p))
        current.withLock { $0 = handle }
        defer { current.withLock { $0 = nil } }
        var parser = ReplyParser(parseToolCalls: false)
        var reply = Reply()
        func show(_ deltas: [ReplyParser.Delta]) {
            for d in deltas {
                switch d {
                case .reasoning(let s): reply.reasoning += s; onPiece(.reasoning(s))
                case .content(let s): reply.content += s; onPiece(.content(s))
                case .toolCall: break
                }
            }
        }
        for await event in handle.events {
            switch event {
            case .token(_, let t):
                reply.tokens += 1
                show(parser.push(t.text))
            case .finished(_, let reason, let rest):
                show(parser.push(rest) + parser.finish())
                reply.finishReason = reason
            case .failed(let e):
                throw e
            }
        }
        if reply.finishReason == nil { show(parser.finish()) }  // interrupted
        if reply.finishReason != nil || !reply.content.isEmpty {
            history += [user, .assistant(reply.content, reasoning: reply.reasoning.isEmpty ? nil : reply.reasoning)]
        }
        return reply
    }

    /// Stops the reply being generated (from another thread, e.g. a signal handler).
    public func interrupt() -> Bool {
        current.withLock { h in
            h?.cancel()
            return h != nil
        }
    }
}
