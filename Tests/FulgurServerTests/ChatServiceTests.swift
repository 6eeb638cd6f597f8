import Foundation
import Testing
@testable import FulgurServer
import FulgurTokenizer

/// Chat and text completions with a real (trained) tokenizer and the M1 chat format.
@Suite(.serialized) struct ChatServiceTests {
    static let engine = InferenceEngine(model: try! TestSupport.model(), codec: TokenizerCodec(TestSupport.tokenizer),
                                        configuration: .init(maxBatch: 8, maxQueue: 8, prefillChunk: 16))
    let service = OpenAIService(engine: Self.engine, setup: try! TestSupport.chatSetup(), options: ServerOptions(modelName: "m"))

    func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func events(_ json: String) async throws -> [[String: Any]] {
        var out: [String] = []
        try await service.stream(try service.prepareChat(Data(json.utf8))) { out.append($0) }
        #expect(out.last == "data: [DONE]\n\n")
        return try out.dropLast().map { try object(Data($0.dropFirst(6).utf8)) }
    }

    @Test func promptIsTheChatFormat() throws {
        let json = #"{"model": "m", "messages": [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}]}]}"#
        let p = try service.prepareChat(Data(json.utf8))
        p.handle.cancel()
        let template = try ChatTemplate(tokenizer: TestSupport.tokenizer)
        #expect(p.promptTokens == template.encodePrompt([.system("Be brief."), .user("Hi there")]).count)
    }

    @Test func toolTurnsAndSchemasKeepTheirOrder() throws {
        // Tool results answering two calls form one tool turn; names come from the calls;
        // schemas and arguments are rendered with their keys in request order.
        let json = """
            {"model": "m", "messages": [
              {"role": "user", "content": "weather?"},
              {"role": "assistant", "content": null, "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{\\"zeta\\": 1, \\"alpha\\": 2}"}},
                {"id": "c2", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}]},
              {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
              {"role": "tool", "tool_call_id": "c2", "content": "noon"}],
             "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"z": 1, "a": 2}}}]}
            """
        let tree = try JSONTree.parse(json)
        let r = try ChatRequest(try FieldReader.body(Data(json.utf8)), tree: tree, maxN: 4, vocabularySize: 300)
        #expect(r.messages.count == 3)
        #expect(r.messages[1].toolCalls.map(\.jsonLine) == [#"{"name": "get_weather", "arguments": {"zeta": 1, "alpha": 2}}"#, #"{"name": "get_time", "arguments": {}}"#])
        #expect(r.messages[2].toolResults == [ToolResult(name: "get_weather", content: "sunny"), ToolResult(name: "get_time", content: "noon")])
        #expect(r.tools.map { $0.serialized(pythonStyle: true) } == [#"{"type": "function", "function": {"name": "get_weather", "parameters": {"z": 1, "a": 2}}}"#])
        #expect(r.parseToolCalls)
    }

    @Test func streamEqualsWholeResponse() async throws {
        let json = #"{"model": "m", "messages": [{"role": "user", "content": "Réponse 🙂?"}], "max_tokens": 30, "seed": 5, "n": 2, "logprobs": true, "top_logprobs": 2}"#
        let whole = try object(try await service.respond(try service.prepareChat(Data(json.utf8))))
        #expect(whole["object"] as? String == "chat.completion")
        let choices = try #require(whole["choices"] as? [[String: Any]])
        let streamed = try await events(json.replacingOccurrences(of: #""n": 2"#, with: #""n": 2, "stream": true"#))
        for c in choices {
            let i = c["index"] as! Int
            let message = try #require(c["message"] as? [String: Any])
            var content = "", reasoning = "", finish: String?, tokens = 0
            for e in streamed {
                for ch in e["choices"] as! [[String: Any]] where ch["index"] as? Int == i {
                    let delta = ch["delta"] as! [String: Any]
                    content += delta["content"] as? String ?? ""
                    reasoning += delta["reasoning_content"] as? String ?? ""
                    finish = ch["finish_reason"] as? String ?? finish
                    tokens += ((ch["logprobs"] as? [String: Any])?["content"] as? [Any])?.count ?? 0
                }
            }
            #expect(content == (message["content"] as? String ?? ""))
            #expect(reasoning == (message["reasoning_content"] as? String ?? ""))
            #expect(finish == c["finish_reason"] as? String)
            let logprobs = try #require((c["logprobs"] as? [String: Any])?["content"] as? [[String: Any]])
            #expect(tokens == logprobs.count)
            for t in logprobs {
                #expect((t["top_logprobs"] as? [Any])?.count == 2)
                #expect(t["bytes"] is [Int])
            }
        }
        let usage = try #require(whole["usage"] as? [String: Int])
        #expect(usage["completion_tokens"]! <= 60)
    }

    @Test func textPromptsAndStopStrings() async throws {
        let base = #"{"model": "m", "prompt": "The weather in", "max_tokens": 40, "seed": 3"#
        let free = try object(try await service.respond(try service.prepareCompletion(Data((base + "}").utf8))))
        let text = try #require((free["choices"] as? [[String: Any]])?.first?["text"] as? String)
        #expect(!text.isEmpty)
        // Two characters that are not U+FFFD (the random model writes invalid UTF-8, which no
        // stop string matches: matching is on the generated bytes).
        let scalars = Array(text.unicodeScalars)
        let at = try #require((1..<scalars.count - 1).first { !scalars[$0..<$0 + 2].contains("\u{FFFD}") })
        let stop = String(String.UnicodeScalarView(scalars[at..<at + 2]))
        let cut = try #require(text.range(of: stop))
        let stopped = try object(try await service.respond(try service.prepareCompletion(Data((base + #", "stop": ["\#(stop)"]}"#).utf8))))
        let choice = try #require((stopped["choices"] as? [[String: Any]])?.first)
        #expect(choice["text"] as? String == String(text[..<cut.lowerBound]))
        #expect(choice["finish_reason"] as? String == "stop")
    }
}
