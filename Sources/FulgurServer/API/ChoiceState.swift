/// How a token is shown in log-prob listings: its text and bytes, or `token_id:N` when the
/// model has no tokenizer (vLLM's `return_tokens_as_token_ids` spelling).
struct TokenDisplay {
    let codec: TextCodec?

    func text(_ id: Int) -> String { codec?.displayText(of: id) ?? "token_id:\(id)" }
    func bytes(_ id: Int) -> [UInt8]? { codec?.bytes(of: id) }

    /// JSON cannot carry -inf; like vLLM, report an impossible token as -9999.
    static func finite(_ x: Float) -> Float { x.isFinite ? x : -9999 }
}

/// One chat choice while it is generated: the reply split into reasoning, answer and tool
/// calls, its log-probs and its finish reason.
struct ChatChoiceState {
    enum Piece {
        case reasoning(String)
        case content(String)
        /// A complete call, numbered from 0 within the choice.
        case toolCall(ToolCallOut)
    }

    /// What one event adds, in order: the stream sends it, the whole-response path appends it.
    struct Update {
        var pieces: [Piece] = []
        var logprob: ChatTokenLogprob?
        var finishReason: String?
    }

    private var parser: ReplyParser
    private let display: TokenDisplay
    private(set) var generated = 0
    private(set) var content = ""
    private(set) var reasoning = ""
    private(set) var toolCalls: [ToolCallOut] = []
    private(set) var logprobs: [ChatTokenLogprob] = []
    private(set) var finishReason: String?

    init(parseToolCalls: Bool, display: TokenDisplay) {
        parser = ReplyParser(parseToolCalls: parseToolCalls)
        self.display = display
    }

    mutating func token(_ t: TokenOutput) -> Update {
        generated += 1
        var u = Update(pieces: pieces(parser.push(t.text)))
        if let lp = t.logprob {
            u.logprob = ChatTokenLogprob(
                token: display.text(t.id), logprob: TokenDisplay.finite(lp), bytes: display.bytes(t.id),
                topLogprobs: t.top.map { .init(token: display.text($0.id), logprob: TokenDisplay.finite($0.logprob), bytes: display.bytes($0.id)) })
        }
        record(u)
        return u
    }

    mutating func finished(_ reason: FinishReason, text: String) -> Update {
        var u = Update(pieces: pieces(parser.push(text) + parser.finish()))
        record(u)
        // A reply that made tool calls and ended by itself finishes with `tool_calls`.
        u.finishReason = reason == .stop && !toolCalls.isEmpty ? "tool_calls" : reason.rawValue
        finishReason = u.finishReason
        return u
    }

    /// Parser output with call ids and indices assigned.
    private func pieces(_ deltas: [ReplyParser.Delta]) -> [Piece] {
        var index = toolCalls.count
        return deltas.map { d in
            switch d {
            case .content(let s): return .content(s)
            case .reasoning(let s): return .reasoning(s)
            case .toolCall(let call):
                defer { index += 1 }
                return .toolCall(ToolCallOut(call, id: "call_" + randomHex(24), index: index))
            }
        }
    }

    private mutating func record(_ u: Update) {
        for p in u.pieces {
            switch p {
            case .content(let s): content += s
            case .reasoning(let s): reasoning += s
            case .toolCall(let c): toolCalls.append(c)
            }
        }
        if let lp = u.logprob { logprobs.append(lp) }
    }
}

/// One completions choice while it is generated: text, log-probs, ids, finish reason.
struct CompletionChoiceState {
    struct Update {
        var text: String
        var logprobs: CompletionLogprobs?
        var finishReason: String?
    }

    private let display: TokenDisplay
    private let wantLogprobs: Bool
    private(set) var text = ""
    /// Characters (Unicode scalars) of `text`, for `text_offset`.
    private var offset = 0
    private(set) var ids: [Int] = []
    private(set) var logprobs = CompletionLogprobs()
    private(set) var finishReason: String?

    init(display: TokenDisplay, logprobs: Bool) {
        self.display = display
        wantLogprobs = logprobs
    }

    mutating func token(_ t: TokenOutput) -> Update {
        ids.append(t.id)
        var u = Update(text: t.text)
        if wantLogprobs, let lp = t.logprob {
            var top: [String: Float] = [:]
            for alt in t.top { top[display.text(alt.id)] = TokenDisplay.finite(alt.logprob) }
            let entry = CompletionLogprobs(tokens: [display.text(t.id)], tokenLogprobs: [TokenDisplay.finite(lp)],
                                           topLogprobs: [top], textOffset: [offset])
            logprobs.tokens += entry.tokens
            logprobs.tokenLogprobs += entry.tokenLogprobs
            logprobs.topLogprobs += entry.topLogprobs
            logprobs.textOffset += entry.textOffset
            u.logprobs = entry
        }
        append(t.text)
        return u
    }

    mutating func finished(_ reason: FinishReason, text rest: String) -> Update {
        append(rest)
        finishReason = reason.rawValue
        return Update(text: rest, logprobs: nil, finishReason: reason.rawValue)
    }

    private mutating func append(_ s: String) {
        text += s
        offset += s.unicodeScalars.count
    }
}
