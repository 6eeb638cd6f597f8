import Foundation
import Testing
@testable import FulgurGeneration
@testable import FulgurServer
import FulgurSupport

/// The OpenAI request validation and response shapes, without HTTP.
@Suite(.serialized) struct OpenAIServiceTests {
    static let engine = InferenceEngine(model: try! TestSupport.model(context: 64), codec: nil,
                                        configuration: .init(maxBatch: 4, maxQueue: 4))
    let service = OpenAIService(engine: Self.engine, setup: ModelSetup(codec: nil, chatTemplate: nil, eos: []), options: ServerOptions(modelName: "m"))

    func body(_ json: String) -> Data { Data(json.utf8) }

    func refusal(_ json: String, chat: Bool = false) -> APIError? {
        do {
            if chat { _ = try service.prepareChat(body(json)) } else { _ = try service.prepareCompletion(body(json)).cancel() }
            return nil
        } catch { return error }
    }

    func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func invalidRequestsNameTheField() {
        let cases: [(String, Int, String?)] = [
            (#"{"model": "m", "prompt": [1,"#, 400, nil),
            (#"[1, 2]"#, 400, nil),
            (#"{"prompt": [1]}"#, 400, "model"),
            (#"{"model": "x", "prompt": [1]}"#, 404, "model"),
            (#"{"model": "m"}"#, 400, "prompt"),
            (#"{"model": "m", "prompt": [1], "temperature": -1}"#, 400, "temperature"),
            (#"{"model": "m", "prompt": [1], "temperature": "hot"}"#, 400, "temperature"),
            (#"{"model": "m", "prompt": [1], "top_p": 1.5}"#, 400, "top_p"),
            (#"{"model": "m", "prompt": [1], "max_tokens": 2.5}"#, 400, "max_tokens"),
            (#"{"model": "m", "prompt": [1], "n": 5}"#, 400, "n"),
            (#"{"model": "m", "prompt": [[1], [2], [3]], "n": 2}"#, 400, "n"),
            (#"{"model": "m", "prompt": [1], "stop": 3}"#, 400, "stop"),
            (#"{"model": "m", "prompt": [1], "stream_options": {"include_usage": true}}"#, 400, "stream_options"),
            (#"{"model": "m", "prompt": [1], "logit_bias": {"5": 1}}"#, 400, "logit_bias"),
            (#"{"model": "m", "prompt": [1], "echo": true}"#, 400, "echo"),
            (#"{"model": "m", "prompt": [-1]}"#, 400, "prompt"),
            (#"{"model": "m", "prompt": "text needs a tokenizer"}"#, 400, "prompt"),
            (#"{"model": "m", "prompt": [1], "max_tokens": 64}"#, 400, "max_tokens"),
        ]
        for (json, status, param) in cases {
            let e = refusal(json)
            #expect(e?.status == status, "\(json): \(String(describing: e))")
            #expect(e?.param == param, "\(json): \(String(describing: e))")
        }
        #expect(refusal(#"{"model": "m", "prompt": [1], "max_tokens": 63}"#) == nil)  // fills the 64-token context exactly
        #expect(refusal(#"{"model": "m", "prompt": [1], "presence_penalty": 0, "frequency_penalty": null, "user": "u"}"#) == nil)
        #expect(refusal(#"{"model": "m", "messages": [{"role": "user", "content": "hi"}]}"#, chat: true)?.code == "no_tokenizer")
        #expect(refusal(#"{"model": "m", "messages": [{"role": "user"}]}"#, chat: true)?.param == "messages[0].content")
        #expect(refusal(#"{"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]}"#, chat: true)?.param == "messages[0].content[0]")
        #expect(refusal(#"{"model": "m", "messages": [{"role": "user", "content": "x"}], "tool_choice": "required", "tools": [{"type": "function", "function": {"name": "f"}}]}"#, chat: true)?.param == "tool_choice")
    }

    @Test func errorBodyShape() throws {
        let e = try #require(refusal(#"{"model": "m", "prompt": [1], "top_p": 0}"#))
        let o = try object(JSONBody.data(e.body))
        let detail = try #require(o["error"] as? [String: Any])
        #expect(Set(detail.keys) == ["message", "type", "param", "code"])
        #expect(detail["type"] as? String == "invalid_request_error")
        #expect(detail["param"] as? String == "top_p")
        #expect(detail["code"] is NSNull)
    }

    @Test func completionResponseAndStream() async throws {
        let json = #"{"model": "m", "prompt": [[1, 2, 3], [4]], "n": 2, "max_tokens": 5, "seed": 9, "logprobs": 2}"#
        let whole = try object(try await service.respond(try service.prepareCompletion(body(json))))
        #expect(whole["object"] as? String == "text_completion")
        let choices = try #require(whole["choices"] as? [[String: Any]])
        #expect(choices.map { $0["index"] as? Int } == [0, 1, 2, 3])
        for c in choices {
            #expect(c["finish_reason"] as? String == "length")
            let ids = try #require(c["token_ids"] as? [Int])
            let lp = try #require(c["logprobs"] as? [String: Any])
            #expect((lp["tokens"] as? [String]) == ids.map { "token_id:\($0)" })
            #expect((lp["top_logprobs"] as? [[String: Double]])?.allSatisfy { $0.count <= 2 } == true)
        }
        let usage = try #require(whole["usage"] as? [String: Int])
        #expect(usage == ["prompt_tokens": 4, "completion_tokens": 20, "total_tokens": 24])

        // The stream carries the same tokens, then [DONE].
        let streamed = try service.prepareCompletion(body(json.replacingOccurrences(of: "}", with: #", "stream": true, "stream_options": {"include_usage": true}}"#)))
        var events: [String] = []
        try await service.stream(streamed) { events.append($0) }
        #expect(events.last == "data: [DONE]\n\n")
        #expect(events.allSatisfy { $0.hasPrefix("data: ") && $0.hasSuffix("\n\n") })
        var ids = [[Int]](repeating: [], count: 4)
        for e in events.dropLast(2) {
            let o = try object(Data(e.dropFirst(6).utf8))
            let c = try #require((o["choices"] as? [[String: Any]])?.first)
            ids[c["index"] as! Int] += c["token_ids"] as? [Int] ?? []
        }
        #expect(ids == choices.map { $0["token_ids"] as! [Int] })
        let last = try object(Data(events[events.count - 2].dropFirst(6).utf8))
        #expect((last["usage"] as? [String: Int])?["completion_tokens"] == 20)
    }

    @Test func queueFullIs429AndBatchPromptsAreAllOrNothing() async throws {
        let engine = InferenceEngine(model: Self.engine.model, codec: nil, configuration: .init(maxBatch: 2, maxQueue: 0))
        let s = OpenAIService(engine: engine, setup: ModelSetup(codec: nil, chatTemplate: nil, eos: []), options: ServerOptions(modelName: "m"))
        let running = try s.prepareCompletion(body(#"{"model": "m", "prompt": [1], "max_tokens": 60}"#))  // a free slot: no wait
        do {
            _ = try s.prepareCompletion(body(#"{"model": "m", "prompt": [[1], [2]], "max_tokens": 60}"#))
            Issue.record("expected 429")
        } catch {
            #expect(error.status == 429 && error.code == "queue_full")
        }
        running.cancel()
        await engine.shutdown()
    }
}
