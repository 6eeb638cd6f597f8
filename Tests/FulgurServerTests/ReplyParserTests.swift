import Foundation
import Testing
import FulgurData
@testable import FulgurServer
import FulgurSupport
import FulgurTokenizer
import FulgurTraining

/// Reasoning / answer / tool-call splitting of M1 replies, whole and streamed in random pieces.
@Suite struct ReplyParserTests {
    struct Parsed: Equatable {
        var reasoning = ""
        var content = ""
        var calls: [ToolCall] = []
    }

    func parse(_ pieces: [String], tools: Bool) -> Parsed {
        var p = ReplyParser(parseToolCalls: tools)
        var out = Parsed()
        for d in pieces.flatMap({ p.push($0) }) + p.finish() {
            switch d {
            case .reasoning(let s): out.reasoning += s
            case .content(let s): out.content += s
            case .toolCall(let c): out.calls.append(c)
            }
        }
        return out
    }

    /// Every way of cutting the text into pieces (random cuts, including inside tags and
    /// inside multi-byte characters' neighbours) gives the whole-text result.
    func check(_ text: String, tools: Bool, _ expected: Parsed) {
        #expect(parse([text], tools: tools) == expected, "whole: \(text.debugDescription)")
        #expect(parse(text.map { String($0) }, tools: tools) == expected, "per character")
        var rng = RNG(seed: UInt64(text.utf8.count))
        for _ in 0..<20 {
            let chars = Array(text)
            var pieces: [String] = []
            var i = 0
            while i < chars.count {
                let k = 1 + Int(rng.next() % 6)
                pieces.append(String(chars[i..<min(i + k, chars.count)]))
                i += k
            }
            #expect(parse(pieces, tools: tools) == expected, "pieces \(pieces)")
        }
    }

    @Test func reasoningThenAnswer() {
        check("<think>\nLet me add 2 and 2.\nIt is 4.\n</think>\nThe answer is 4.", tools: false,
              Parsed(reasoning: "Let me add 2 and 2.\nIt is 4.", content: "The answer is 4."))
        check("<think>x</think>y", tools: false, Parsed(reasoning: "x", content: "y"))
        check("\n <think>x</think>y", tools: false, Parsed(reasoning: "x", content: "y"))
        check("<think>\n\n</think>\n\nHi", tools: false, Parsed(reasoning: "", content: "\nHi"))
    }

    @Test func noThinkBlockIsAllAnswer() {
        check("Hello <think> there </think>", tools: false, Parsed(content: "Hello <think> there </think>"))
        check("<thin", tools: false, Parsed(content: "<thin"))
        check("x<think>a</think>b", tools: false, Parsed(content: "x<think>a</think>b"))
        check(" \n", tools: false, Parsed(content: " \n"))
        check("", tools: false, Parsed())
    }

    @Test func unfinishedReasoningStaysReasoning() {
        check("<think>\nstill thinking\n</thi", tools: false, Parsed(reasoning: "still thinking\n</thi"))
        check("<think>", tools: false, Parsed())
    }

    @Test func toolCalls() {
        let text = """
            <think>
            I need the weather.
            </think>
            Checking.<tool_calls>
            {"name": "get_weather", "arguments": {"city": "Paris", "unit": "c"}}
            {"name": "get_time", "arguments": {}}
            </tool_calls>
            """
        check(text, tools: true, Parsed(
            reasoning: "I need the weather.", content: "Checking.",
            calls: [ToolCall(name: "get_weather", arguments: .object([("city", .string("Paris")), ("unit", .string("c"))])),
                    ToolCall(name: "get_time")]))
        // Without tools offered, the block is plain answer text.
        check("<tool_calls>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_calls>", tools: false,
              Parsed(content: "<tool_calls>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_calls>"))
    }

    @Test func malformedToolLinesAreAnswerText() {
        check("<tool_calls>\nnot json\n{\"name\": \"f\", \"arguments\": \"{\\\"a\\\": 1}\"}\n{\"arguments\": {}}\n</tool_calls>", tools: true,
              Parsed(content: "not json\n{\"arguments\": {}}\n", calls: [ToolCall(name: "f", arguments: .object([("a", .number("1"))]))]))
        // Cut off inside the block: a complete last line still counts.
        check("<tool_calls>\n{\"name\": \"f\", \"arguments\": {}}", tools: true,
              Parsed(calls: [ToolCall(name: "f")]))
    }

    @Test func nonASCIIAroundTags() {
        check("<think>\ne\u{301}t\u{E9} 🇫🇷\n</think>\n\u{301}Réponse 👍🏽", tools: false,
              Parsed(reasoning: "e\u{301}t\u{E9} 🇫🇷", content: "\u{301}Réponse 👍🏽"))
    }

    /// The streaming parser agrees with the tokenizer's whole-reply parser (`AssistantReply`) on
    /// the M1 layout: same reasoning and calls, same answer up to surrounding whitespace.
    @Test(arguments: [
        "<think>\nplan\n</think>\nAnswer.",
        "Just an answer.",
        "<think>\nunfinished",
        "\n<think>\na\nb\n</think>\n\nx<tool_calls>\n{\"name\": \"f\", \"arguments\": {\"q\": [1, 2]}}\n{\"name\": \"g\", \"arguments\": \"{\\\"k\\\": true}\"}\n</tool_calls>",
        "<tool_calls>\n{\"name\": \"only\"}\n</tool_calls>",
    ])
    func agreesWithAssistantReply(_ text: String) {
        let ours = parse(Array(text).map { String($0) }, tools: true)
        let theirs = AssistantReply(parsing: text)
        #expect(ours.reasoning == (theirs.reasoning ?? ""))
        #expect(ours.content.trimmingCharacters(in: .whitespacesAndNewlines) == theirs.content)
        #expect(ours.calls == theirs.toolCalls)
    }

    /// Every call turn of the tool-use SFT corpus (configs/sft-tool-use.json) is one the server
    /// returns as `tool_calls`: whole or streamed in pieces, it parses to the corpus's calls and
    /// no answer text.
    @Test func parsesTheToolUseCorpusCalls() throws {
        var spec = TrainConfig.BuiltinCorpus()
        spec.tasks = [ToolUseCorpus.name]
        spec.count = 40
        var calls = 0
        for c in try SyntheticCorpus(environments: .ruleChecked).conversations(spec) {
            for m in c.messages where !m.toolCalls.isEmpty {
                check(ChatFormat.assistantText(m), tools: true, Parsed(calls: m.toolCalls))
                calls += 1
            }
        }
        #expect(calls >= 40)
    }
}
