import Foundation
import FulgurTokenizer

/// Splits an assistant reply, as it streams in, into reasoning, answer and tool calls
/// (the MiniMax-M1 output layout, architecture.md §7):
///
///     <think>\n REASONING \n</think>\n ANSWER <tool_calls>\n{"name": …, "arguments": {…}}\n…</tool_calls>
///
/// - Reasoning is recognised only when the reply starts with `<think>` (after optional spaces
///   and newlines); the newline after
///   `<think>`, the one before `</think>` and the one after it are layout, not text. A reply
///   cut off inside the think block is all reasoning.
/// - Tool calls are parsed only when the request offered tools. A line in the block that is
///   not a `{"name": …, "arguments": …}` object is passed through as answer text.
///
/// Streaming and whole-reply parsing give the same result: feeding the reply in any pieces
/// and concatenating the deltas equals parsing it at once.
struct ReplyParser {
    enum Delta: Equatable {
        case reasoning(String)
        case content(String)
        case toolCall(ToolCall)
    }

    private enum Mode { case start, reasoning, content, toolCalls }

    private static let thinkOpen = Array("<think>".utf8), thinkClose = Array("</think>".utf8)
    private static let thinkCloseLine = Array("\n</think>".utf8)
    private static let callsOpen = Array("<tool_calls>".utf8), callsClose = Array("</tool_calls>".utf8)
    private static let newline = UInt8(ascii: "\n")

    private let parseToolCalls: Bool
    private var mode = Mode.start
    /// UTF-8 not handled yet. Cuts fall only at ASCII markers, so every piece decodes on its own.
    private var pending: [UInt8] = []
    /// Drop one "\n" if it is the next byte (layout after a tag).
    private var skipNewline = false
    init(parseToolCalls: Bool) {
        self.parseToolCalls = parseToolCalls
    }

    mutating func push(_ text: String) -> [Delta] {
        pending += text.utf8
        return drain(final: false)
    }

    /// Flushes what was held back at the end of the reply.
    mutating func finish() -> [Delta] { drain(final: true) }

    private mutating func drain(final: Bool) -> [Delta] {
        var out: [Delta] = []
        func emit(_ bytes: ArraySlice<UInt8>, reasoning: Bool) {
            guard !bytes.isEmpty else { return }
            let text = String(decoding: bytes, as: UTF8.self)
            switch (out.last, reasoning) {
            case (.reasoning(let a)?, true): out[out.count - 1] = .reasoning(a + text)
            case (.content(let a)?, false): out[out.count - 1] = .content(a + text)
            default: out.append(reasoning ? .reasoning(text) : .content(text))
            }
        }
        /// Emits all of `pending` but a tail that may still become one of `markers`.
        func emitHoldingBack(_ markers: [[UInt8]], reasoning: Bool) {
            let keep = final ? 0 : markers.map { Self.heldBack(pending, before: $0) }.max() ?? 0
            emit(pending[..<(pending.count - keep)], reasoning: reasoning)
            pending.removeFirst(pending.count - keep)
        }
        while true {
            if skipNewline, let first = pending.first {
                if first == Self.newline { pending.removeFirst() }
                skipNewline = false
            }
            switch mode {
            case .start:
                // Spaces and newlines before the tag are layout too.
                let lead = pending.prefix { $0 == UInt8(ascii: " ") || $0 == Self.newline }.count
                let rest = pending[lead...]
                if rest.starts(with: Self.thinkOpen) {
                    pending.removeFirst(lead + Self.thinkOpen.count)
                    mode = .reasoning
                    skipNewline = true
                    continue
                }
                if !final && Self.thinkOpen.starts(with: rest) { return out }  // maybe a partial tag
                mode = .content
            case .reasoning:
                guard let r = Self.find(Self.thinkClose, in: pending) else {
                    emitHoldingBack([Self.thinkClose, Self.thinkCloseLine], reasoning: true)
                    return out
                }
                let end = r.lowerBound > 0 && pending[r.lowerBound - 1] == Self.newline ? r.lowerBound - 1 : r.lowerBound
                emit(pending[..<end], reasoning: true)
                pending.removeFirst(r.upperBound)
                mode = .content
                skipNewline = true
            case .content:
                guard parseToolCalls, let r = Self.find(Self.callsOpen, in: pending) else {
                    emitHoldingBack(parseToolCalls ? [Self.callsOpen] : [], reasoning: false)
                    return out
                }
                emit(pending[..<r.lowerBound], reasoning: false)
                pending.removeFirst(r.upperBound)
                mode = .toolCalls
            case .toolCalls:
                let close = Self.find(Self.callsClose, in: pending)
                if let lineEnd = pending.firstIndex(of: Self.newline), lineEnd < (close?.lowerBound ?? Int.max) {
                    toolLine(pending[...lineEnd], &out)
                    pending.removeFirst(lineEnd + 1)
                } else if let close {
                    toolLine(pending[..<close.lowerBound], &out)
                    pending.removeFirst(close.upperBound)
                    mode = .content
                } else {
                    if final {
                        toolLine(pending[...], &out)
                        pending.removeAll()
                    }
                    return out
                }
            }
        }
    }

    /// One line of the tool-call block: a call, or (when it is not one) answer text.
    private mutating func toolLine(_ line: ArraySlice<UInt8>, _ out: inout [Delta]) {
        let text = String(decoding: line, as: UTF8.self)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return }
        if let call = Self.parseCall(trimmed) {
            out.append(.toolCall(call))
        } else if case .content(let a)? = out.last {
            out[out.count - 1] = .content(a + text)
        } else {
            out.append(.content(text))
        }
    }

    /// A `{"name": …, "arguments": {…}}` line, as `AssistantReply` reads it: arguments written
    /// as a JSON string are parsed, missing ones are `{}`, anything but an object is not a call.
    static func parseCall(_ text: String) -> ToolCall? {
        guard let tree = try? JSONTree.parse(text), case .string(let name)? = tree["name"], !name.isEmpty else { return nil }
        var arguments = tree["arguments"] ?? .object([])
        if arguments == .null { arguments = .object([]) }
        if case .string(let inner) = arguments, let parsed = try? JSONTree.parse(inner) { arguments = parsed }
        guard case .object = arguments else { return nil }
        return ToolCall(name: name, arguments: arguments)
    }

    /// First occurrence of `needle` in `hay`.
    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Range<Int>? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] {
            if hay[i..<i + needle.count].elementsEqual(needle) { return i..<i + needle.count }
        }
        return nil
    }

    /// Length of the longest suffix of `bytes` that is a proper prefix of `marker`
    /// (text that may turn out to be the marker once more arrives).
    static func heldBack(_ bytes: [UInt8], before marker: [UInt8]) -> Int {
        var k = min(marker.count - 1, bytes.count)
        while k > 0 {
            if bytes[(bytes.count - k)...].elementsEqual(marker[..<k]) { return k }
            k -= 1
        }
        return 0
    }
}

/// Random lowercase hex, for response and tool-call ids.
func randomHex(_ count: Int) -> String {
    var g = SystemRandomNumberGenerator()
    return String((0..<count).map { _ in "0123456789abcdef".randomElement(using: &g)! })
}
