import Foundation
import FulgurSupport
import FulgurTokenizer

public struct ServerOptions: Sendable {
    /// The id clients pass as `model` and `GET /v1/models` lists.
    public var modelName: String
    /// When set, `/v1/*` needs `Authorization: Bearer <key>`.
    public var apiKey: String?
    /// Larger request bodies get 413.
    public var maxBodyBytes: Int
    /// Per-request limit from arrival to the last token (nil: none).
    public var requestTimeout: Duration?

    public init(modelName: String, apiKey: String? = nil, maxBodyBytes: Int = 8 << 20, requestTimeout: Duration? = .seconds(600)) {
        self.modelName = modelName
        self.apiKey = apiKey
        self.maxBodyBytes = maxBodyBytes
        self.requestTimeout = requestTimeout
    }
}

/// The OpenAI endpoints over an `InferenceEngine`, independent of the HTTP framework: a body
/// goes in, a JSON body or a sequence of server-sent events comes out.
///
/// Each endpoint is two steps, so refusals (400, 404, 429) are known before a stream starts:
/// `prepare…` validates the body and submits to the engine; `respond`/`stream` consume the
/// engine's events.
public final class OpenAIService: Sendable {
    public let engine: InferenceEngine
    public let setup: ModelSetup
    public let options: ServerOptions
    let created = Int(Date().timeIntervalSince1970)

    public init(engine: InferenceEngine, setup: ModelSetup, options: ServerOptions) {
        self.engine = engine
        self.setup = setup
        self.options = options
    }

    /// End-of-sequence ids: the config's `eos_token_id` and the tokenizer's end token.
    var eos: [Int] { setup.eos }

    var display: TokenDisplay { TokenDisplay(codec: engine.codec) }

    // MARK: - Models

    func models() -> Data {
        JSONBody.data(ModelList(data: [.init(id: options.modelName, created: created, maxModelLen: engine.contextLength)]))
    }

    // MARK: - Chat

    /// A validated, submitted chat request.
    final class PreparedChat: Sendable {
        let request: ChatRequest
        let promptTokens: Int
        let handle: GenerationHandle
        let id = "chatcmpl-" + randomHex(24)

        init(request: ChatRequest, promptTokens: Int, handle: GenerationHandle) {
            self.request = request
            self.promptTokens = promptTokens
            self.handle = handle
        }
    }

    func prepareChat(_ body: Data) throws(APIError) -> PreparedChat {
        let fields = try FieldReader.body(body)
        let tree = (try? JSONTree.parse(Array(body))) ?? .null  // valid JSON: FieldReader parsed it
        let r = try ChatRequest(fields, tree: tree, maxN: engine.configuration.maxBatch, vocabularySize: engine.vocabularySize)
        try checkModel(r.model)
        guard let template = setup.chatTemplate else {
            throw .invalid("Chat is unavailable for this model: \(setup.chatUnavailable ?? "no chat template"). Use /v1/completions.",
                           param: "messages", code: "no_tokenizer")
        }
        let prompt = template.encodePrompt(r.messages, tools: r.tools)
        let maxTokens = try budget(prompt: prompt.count, requested: r.options.maxTokens, default: nil,
                                   param: r.options.maxTokens == nil ? "messages" : r.options.maxTokensParam)
        let handle = try submit(GenerationRequest(
            prompt: prompt, n: r.options.n, sampling: r.options.sampling(maxTokens: maxTokens, eos: eos),
            stopStrings: r.options.stop, topLogprobs: r.logprobs ? r.topLogprobs : nil, timeout: options.requestTimeout), param: "messages")
        return PreparedChat(request: r, promptTokens: prompt.count, handle: handle)
    }

    /// Waits for every choice and builds the `chat.completion` body.
    func respond(_ p: PreparedChat) async throws(APIError) -> Data {
        var states = (0..<p.request.options.n).map { _ in ChatChoiceState(parseToolCalls: p.request.parseToolCalls, display: display) }
        for await event in p.handle.events {
            switch event {
            case .token(let c, let t): _ = states[c].token(t)
            case .finished(let c, let reason, let text): _ = states[c].finished(reason, text: text)
            case .failed(let e): throw .from(e, param: "messages")
            }
        }
        let choices = states.enumerated().map { i, s in
            ChatChoice(
                index: i,
                message: ChatMessageOut(content: s.toolCalls.isEmpty || !s.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? s.content : nil,
                                        reasoningContent: s.reasoning.isEmpty ? nil : s.reasoning,
                                        toolCalls: s.toolCalls.map { var c = $0; c.index = nil; return c }),
                logprobs: p.request.logprobs ? ChatLogprobs(content: s.logprobs) : nil,
                finishReason: s.finishReason ?? "stop")
        }
        return JSONBody.data(ChatCompletion(
            id: p.id, created: Int(Date().timeIntervalSince1970), model: options.modelName, choices: choices,
            usage: Usage(promptTokens: p.promptTokens, completionTokens: states.reduce(0) { $0 + $1.generated })))
    }

    /// Streams `chat.completion.chunk` events, then `[DONE]`; an engine failure becomes an
    /// `{"error": …}` event. `send` receives whole SSE events.
    func stream(_ p: PreparedChat, send: (String) async throws -> Void) async throws {
        let n = p.request.options.n
        let created = Int(Date().timeIntervalSince1970)
        func chunk(_ choices: [ChatChunkChoice], usage: Usage? = nil) -> String {
            SSE.event(JSONBody.data(ChatChunk(id: p.id, created: created, model: options.modelName, choices: choices, usage: usage)))
        }
        var states = (0..<n).map { _ in ChatChoiceState(parseToolCalls: p.request.parseToolCalls, display: display) }
        for c in 0..<n {
            try await send(chunk([ChatChunkChoice(index: c, delta: ChatDelta(role: "assistant", content: ""), logprobs: nil, finishReason: nil)]))
        }
        /// One chunk per delta; the token's log-probs ride on the first (or on an empty delta).
        func emit(_ u: ChatChoiceState.Update, choice c: Int) async throws {
            var logprobs = u.logprob.map { ChatLogprobs(content: [$0]) }
            for piece in u.pieces {
                var delta = ChatDelta()
                switch piece {
                case .content(let s): delta.content = s
                case .reasoning(let s): delta.reasoningContent = s
                case .toolCall(let call): delta.toolCalls = [call]
                }
                try await send(chunk([ChatChunkChoice(index: c, delta: delta, logprobs: logprobs, finishReason: nil)]))
                logprobs = nil
            }
            if logprobs != nil || u.finishReason != nil {
                try await send(chunk([ChatChunkChoice(index: c, delta: ChatDelta(), logprobs: logprobs, finishReason: u.finishReason)]))
            }
        }
        for await event in p.handle.events {
            switch event {
            case .token(let c, let t): try await emit(states[c].token(t), choice: c)
            case .finished(let c, let reason, let text): try await emit(states[c].finished(reason, text: text), choice: c)
            case .failed(let e):
                try await send(SSE.event(JSONBody.data(APIError.from(e, param: "messages").body)))
                return
            }
        }
        guard states.allSatisfy({ $0.finishReason != nil }) else { return }  // cancelled
        if p.request.options.includeUsage {
            try await send(chunk([], usage: Usage(promptTokens: p.promptTokens, completionTokens: states.reduce(0) { $0 + $1.generated })))
        }
        try await send(SSE.done)
    }

    // MARK: - Completions

    final class PreparedCompletion: Sendable {
        let request: CompletionRequest
        let promptTokens: Int
        /// One per prompt.
        let handles: [GenerationHandle]
        let id = "cmpl-" + randomHex(24)

        init(request: CompletionRequest, promptTokens: Int, handles: [GenerationHandle]) {
            self.request = request
            self.promptTokens = promptTokens
            self.handles = handles
        }

        func cancel() { for h in handles { h.cancel() } }
    }

    func prepareCompletion(_ body: Data) throws(APIError) -> PreparedCompletion {
        let r = try CompletionRequest(try FieldReader.body(body), maxN: engine.configuration.maxBatch, vocabularySize: engine.vocabularySize)
        try checkModel(r.model)
        let prompts = try r.prompts.map { (p) throws(APIError) -> [Int] in
            switch p {
            case .ids(let ids): return ids
            case .text(let s):
                guard let codec = engine.codec else {
                    throw .invalid("This model folder has no tokenizer.json, so text prompts cannot be tokenized; send the prompt as token ids.",
                                   param: "prompt", code: "no_tokenizer")
                }
                let ids = codec.encode(s)
                guard !ids.isEmpty else { throw .invalid("The prompt is empty.", param: "prompt") }
                return ids
            }
        }
        var handles: [GenerationHandle] = []
        do {
            for ids in prompts {
                let maxTokens = try budget(prompt: ids.count, requested: r.options.maxTokens, default: 16,
                                           param: r.options.maxTokens == nil ? "prompt" : r.options.maxTokensParam)
                handles.append(try submit(GenerationRequest(
                    prompt: ids, n: r.options.n, sampling: r.options.sampling(maxTokens: maxTokens, eos: eos),
                    stopStrings: r.options.stop, topLogprobs: r.logprobs, timeout: options.requestTimeout), param: "prompt"))
            }
        } catch {
            for h in handles { h.cancel() }  // all prompts of a batch run, or none
            throw error
        }
        return PreparedCompletion(request: r, promptTokens: prompts.reduce(0) { $0 + $1.count }, handles: handles)
    }

    func respond(_ p: PreparedCompletion) async throws(APIError) -> Data {
        let n = p.request.options.n
        var states = (0..<p.handles.count * n).map { _ in
            CompletionChoiceState(display: display, logprobs: p.request.logprobs != nil)
        }
        for await (k, event) in Self.merge(p.handles) {
            switch event {
            case .token(let c, let t): _ = states[k * n + c].token(t)
            case .finished(let c, let reason, let text): _ = states[k * n + c].finished(reason, text: text)
            case .failed(let e):
                p.cancel()
                throw .from(e, param: "prompt")
            }
        }
        let choices = states.enumerated().map { i, s in
            CompletionChoice(index: i, text: s.text, logprobs: p.request.logprobs != nil ? s.logprobs : nil,
                             finishReason: s.finishReason ?? "stop", tokenIds: returnIds(p) ? s.ids : nil)
        }
        return JSONBody.data(Completion(
            id: p.id, created: Int(Date().timeIntervalSince1970), model: options.modelName, choices: choices,
            usage: Usage(promptTokens: p.promptTokens, completionTokens: states.reduce(0) { $0 + $1.ids.count })))
    }

    func stream(_ p: PreparedCompletion, send: (String) async throws -> Void) async throws {
        let n = p.request.options.n
        let created = Int(Date().timeIntervalSince1970)
        let ids = returnIds(p)
        var states = (0..<p.handles.count * n).map { _ in
            CompletionChoiceState(display: display, logprobs: p.request.logprobs != nil)
        }
        for await (k, event) in Self.merge(p.handles) {
            let update: CompletionChoiceState.Update, index: Int, tokenIds: [Int]?
            switch event {
            case .token(let c, let t):
                index = k * n + c
                update = states[index].token(t)
                tokenIds = ids ? [t.id] : nil
                if update.text.isEmpty && update.logprobs == nil && !ids { continue }
            case .finished(let c, let reason, let text):
                index = k * n + c
                update = states[index].finished(reason, text: text)
                tokenIds = ids ? [] : nil
            case .failed(let e):
                p.cancel()
                try await send(SSE.event(JSONBody.data(APIError.from(e, param: "prompt").body)))
                return
            }
            let choice = CompletionChoice(index: index, text: update.text, logprobs: update.logprobs,
                                          finishReason: update.finishReason, tokenIds: tokenIds)
            try await send(SSE.event(JSONBody.data(Completion(id: p.id, created: created, model: options.modelName, choices: [choice], usage: nil))))
        }
        guard states.allSatisfy({ $0.finishReason != nil }) else { return }
        if p.request.options.includeUsage {
            let usage = Usage(promptTokens: p.promptTokens, completionTokens: states.reduce(0) { $0 + $1.ids.count })
            try await send(SSE.event(JSONBody.data(Completion(id: p.id, created: created, model: options.modelName, choices: [], usage: usage))))
        }
        try await send(SSE.done)
    }

    // MARK: - Shared

    private func returnIds(_ p: PreparedCompletion) -> Bool { engine.codec == nil || p.request.returnTokenIds }

    private func checkModel(_ name: String) throws(APIError) {
        guard name == options.modelName else { throw .modelNotFound(name, served: options.modelName) }
    }

    /// Tokens the completion may use: the request's max_tokens (checked against the context)
    /// or the endpoint default, never past the context.
    private func budget(prompt: Int, requested: Int?, default def: Int?, param: String) throws(APIError) -> Int {
        let room = engine.contextLength - prompt
        guard room >= 1 else { throw .contextLength(prompt: prompt, requested: requested, limit: engine.contextLength, param: param) }
        if let requested {
            guard requested <= room else { throw .contextLength(prompt: prompt, requested: requested, limit: engine.contextLength, param: param) }
            return requested
        }
        return min(def ?? room, room)
    }

    private func submit(_ r: GenerationRequest, param: String) throws(APIError) -> GenerationHandle {
        do { return try engine.submit(r) } catch { throw .from(error, param: param) }
    }

    /// The events of several requests as one stream, tagged with the request's position.
    static func merge(_ handles: [GenerationHandle]) -> AsyncStream<(Int, GenerationEvent)> {
        let (stream, continuation) = AsyncStream.makeStream(of: (Int, GenerationEvent).self)
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for (k, h) in handles.enumerated() {
                    group.addTask { for await e in h.events { continuation.yield((k, e)) } }
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in
            task.cancel()
            for h in handles { h.cancel() }
        }
        return stream
    }
}

/// Server-sent events as OpenAI streams them.
enum SSE {
    static func event(_ json: Data) -> String { "data: " + String(decoding: json, as: UTF8.self) + "\n\n" }
    static let done = "data: [DONE]\n\n"
}
