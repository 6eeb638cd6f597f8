import Foundation
import Testing
import FulgurData
@testable import FulgurSupport
@testable import FulgurTokenizer
@testable import FulgurTraining

@Suite struct ToolUseCorpusTests {
    func spec(_ tasks: [String], count: Int, seed: UInt64 = 1) -> TrainConfig.BuiltinCorpus {
        var s = TrainConfig.BuiltinCorpus()
        s.tasks = tasks
        s.count = count
        s.seed = seed
        return s
    }

    func number(_ t: JSONTree?) -> String? {
        if case .number(let s)? = t { return s }
        return nil
    }

    /// Every exchange: question, one call with the right arguments, the tool's result, an
    /// answer quoting that result; both tools offered; 1 … maxExchanges exchanges.
    @Test func conversationsAreConsistent() throws {
        let convs = try SyntheticCorpus(environments: .ruleChecked).conversations(spec(["tool_use"], count: 200))
        #expect(convs.count == 200)
        var names: [String: Int] = [:], lengths: [Int: Int] = [:]
        for c in convs {
            #expect(c.tools == ToolUseCorpus.tools)
            #expect(c.messages.count % 4 == 0)
            lengths[c.messages.count / 4, default: 0] += 1
            for start in stride(from: 0, to: c.messages.count, by: 4) {
                let m = Array(c.messages[start..<start + 4])
                try checkExchange(m)
                names[m[1].toolCalls.first?.name ?? "", default: 0] += 1
            }
        }
        #expect(names["add", default: 0] > 120 && names["get_weather", default: 0] > 120)
        #expect(lengths.keys.sorted() == Array(1...ToolUseCorpus.maxExchanges))
        #expect(lengths.values.allSatisfy { $0 > 40 })
        // Deterministic per seed, different across seeds.
        let again = try SyntheticCorpus(environments: .ruleChecked).conversations(spec(["tool_use"], count: 200))
        #expect(again.map(\.messages) == convs.map(\.messages))
        let other = try SyntheticCorpus(environments: .ruleChecked).conversations(spec(["tool_use"], count: 200, seed: 2))
        #expect(other.map(\.messages) != convs.map(\.messages))
    }

    func checkExchange(_ m: [ChatMessage]) throws {
        #expect(m.map(\.role) == [.user, .assistant, .tool, .assistant])
        let call = try #require(m[1].toolCalls.first)
        #expect(m[1].content.isEmpty && m[1].toolCalls.count == 1)
        let result = m[2].toolResults[0]
        #expect(result.name == call.name)
        let answer = m[3].content
        switch call.name {
        case "add":
            let a = try #require(Int(number(call.arguments["a"]) ?? "")), b = try #require(Int(number(call.arguments["b"]) ?? ""))
            #expect(result.content == String(a + b))
            #expect(answer == "\(a) + \(b) = \(a + b).")
            #expect(m[0].content.contains(String(a)) && m[0].content.contains(String(b)))
        case "get_weather":
            guard case .string(let city)? = call.arguments["city"] else { Issue.record("no city"); return }
            #expect(ToolUseCorpus.cities.contains(city) && m[0].content.contains(city))
            let r = try JSONTree.parse(result.content)
            let t = try #require(number(r["temperature"])), cond = try #require(r["condition"])
            guard case .string(let condition) = cond else { Issue.record("no condition"); return }
            #expect(answer == "It is \(condition) and \(t) degrees in \(city).")
        default:
            Issue.record("unexpected tool \(call.name)")
        }
    }

    /// The tool-call turn is written in the M1 layout and parses back to the same call.
    @Test func callTurnRendersAndParsesBack() throws {
        let c = try SyntheticCorpus(environments: .ruleChecked).conversations(spec(["tool_use"], count: 1, seed: 7))[0]
        let text = ChatFormat.assistantText(c.messages[1])
        let call = c.messages[1].toolCalls[0]
        #expect(text == "<tool_calls>\n\(call.jsonLine)\n</tool_calls>")
        #expect(AssistantReply(parsing: text).toolCalls == [call])
        let rendered = ChatFormat().render(c.messages, tools: c.tools, addGenerationPrompt: false)
        #expect(rendered.contains("system tool_setting=tools\nYou are provided with these tools:\n<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\""))
    }

    /// Loss falls on the assistant turns only (calls, answers, their end tokens).
    @Test func lossMaskCoversTheAssistantTurns() throws {
        let convs = try SyntheticCorpus(environments: .ruleChecked).conversations(spec(["tool_use"], count: 300))
        let tokenizer = try Tokenizer(json: Array(CorpusTokenizer.train(on: convs, vocabularySize: 1024)))
        let encoder = CorpusEncoder(tokenizer: tokenizer)
        for c in convs.prefix(6) {
            let e = try encoder.example(messages: c.messages, tools: c.tools)
            let learned = tokenizer.decode(zip(e.ids, e.lossMask).filter(\.1).map(\.0))
            let expected = c.messages.filter { $0.role == .assistant }.map { ChatFormat.assistantText($0) + "<end_of_sentence>" }.joined()
            #expect(learned == expected)
        }
        // The tool definitions make the prompt long; a 512-token sequence (configs/sft-tool-use.json)
        // still holds the longest conversation.
        let longest = try convs.map { try encoder.example(messages: $0.messages, tools: $0.tools).ids.count }.max() ?? 0
        #expect(longest > 100 && longest <= 512)
    }

    /// Mixed with an environment's tasks: alternating, only tool conversations offer tools.
    @Test func mixesWithOtherTasks() throws {
        let convs = try SyntheticCorpus(environments: .ruleChecked).conversations(spec(["addition", "tool_use"], count: 10))
        #expect(convs.enumerated().allSatisfy { i, c in c.tools.isEmpty == (i % 2 == 0) })
        #expect(SyntheticCorpus(environments: .ruleChecked).names.contains("tool_use"))
    }
}
