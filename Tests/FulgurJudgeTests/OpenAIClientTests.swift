import Foundation
import FulgurRewards
import Testing

/// The judge protocol end to end over real HTTP: `OpenAICompatibleClient` against a local stub
/// server that returns canned judgements.
@Suite(.serialized) struct OpenAIClientTests {
    @Test func sendsAnOpenAIChatRequestAndReadsTheReply() async throws {
        let server = try StubHTTPServer { _, _ in (200, StubHTTPServer.completion("Consistent.\nGrade: 5")) }
        defer { server.stop() }
        let client = OpenAICompatibleClient(baseURL: server.baseURL, model: "judge-7b", apiKey: "test-key")
        let out = try await client.complete(CompletionRequest(messages: [.system("s"), .user("u")], maxTokens: 64, temperature: 0.2, stop: ["###"]))
        #expect(out == "Consistent.\nGrade: 5")
        let r = try #require(server.requests.first)
        #expect(r.method == "POST" && r.path == "/v1/chat/completions")
        #expect(r.headers["authorization"] == "Bearer test-key")
        #expect(r.headers["content-type"] == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: r.body) as? [String: Any])
        #expect(body["model"] as? String == "judge-7b")
        #expect(body["max_tokens"] as? Int == 64)
        #expect(body["temperature"] as? Double == 0.2)
        #expect(body["stop"] as? [String] == ["###"])
        let messages = try #require(body["messages"] as? [[String: String]])
        #expect(messages == [["role": "system", "content": "s"], ["role": "user", "content": "u"]])
    }

    /// Five-grade consistency through the client: the stub grades 5 when the response states the
    /// reference answer and 1 otherwise.
    @Test func consistencyGrading() async throws {
        let server = try StubHTTPServer { r, _ in
            let user = StubHTTPServer.userMessage(r)
            let response = user.components(separatedBy: "[Response]").last ?? ""
            return (200, StubHTTPServer.completion(response.contains("Paris") ? "They agree. Grade: 5" : "They differ. **Grade:** 1"))
        }
        defer { server.stop() }
        let grm = GenerativeRewardModel(judge: OpenAICompatibleClient(baseURL: server.baseURL, model: "judge"))
        let good = try await grm.gradeConsistency(question: "Capital of France?", reference: "Paris", response: "It is Paris.")
        let bad = try await grm.gradeConsistency(question: "Capital of France?", reference: "Paris", response: "It is Lyon.")
        #expect(good.grade == .equivalent && good.reward == 1)
        #expect(bad.grade == .contradicts && bad.reward == 0, "\(bad.output)")
    }

    /// Pairwise comparison judged twice with positions swapped: an unbiased judge gives ±1;
    /// a judge that always prefers position A is inconsistent and scores 0.
    @Test func pairwiseWithSwappedPositions() async throws {
        let fair = try StubHTTPServer { r, _ in
            let user = StubHTTPServer.userMessage(r)
            let a = user.components(separatedBy: "[Response A]").last!.components(separatedBy: "[Response B]")[0]
            return (200, StubHTTPServer.completion(a.contains("thorough") ? "A covers more. [[A]]" : "B covers more. [[B]]"))
        }
        defer { fair.stop() }
        let grm = GenerativeRewardModel(judge: OpenAICompatibleClient(baseURL: fair.baseURL, model: "judge"))
        let better = try await grm.compare(prompt: "Explain tides.", candidate: "A thorough answer.", reference: "Short.")
        #expect(better.score == 1 && better.consistent)
        let worse = try await grm.compare(prompt: "Explain tides.", candidate: "Short.", reference: "A thorough answer.")
        #expect(worse.score == -1 && worse.consistent)
        #expect(fair.requests.count == 4)

        let biased = try StubHTTPServer { _, _ in (200, StubHTTPServer.completion("[[A]]")) }
        defer { biased.stop() }
        let judge = GenerativeRewardModel(judge: OpenAICompatibleClient(baseURL: biased.baseURL, model: "judge"))
        let s = try await judge.compare(prompt: "p", candidate: "x", reference: "y")
        #expect(s.score == 0 && !s.consistent)
    }

    /// Swiss rounds over HTTP pick the best of several reference candidates.
    @Test func swissSelectionOfAReference() async throws {
        let server = try StubHTTPServer { r, _ in
            let user = StubHTTPServer.userMessage(r)
            func quality(_ s: Substring) -> Int { Int(s.split(separator: "=").last!.prefix { $0.isNumber })! }
            let parts = user.components(separatedBy: "quality=")
            let qa = quality(Substring("=" + parts[1])), qb = quality(Substring("=" + parts[2]))
            return (200, StubHTTPServer.completion(qa == qb ? "[[TIE]]" : (qa > qb ? "[[A]]" : "[[B]]")))
        }
        defer { server.stop() }
        let grm = GenerativeRewardModel(judge: OpenAICompatibleClient(baseURL: server.baseURL, model: "judge"))
        let candidates = [3, 9, 1, 7, 5, 8].map { "answer with quality=\($0)" }
        let result = try await grm.selectReference(prompt: "p", candidates: candidates)
        #expect(result.best == 1)
        #expect(server.requests.count == 2 * result.matches.count) // every match judged in both orders
    }

    @Test func retriesServerErrorsThenSucceeds() async throws {
        let server = try StubHTTPServer { _, k in k < 2 ? (503, "{\"error\": \"busy\"}") : (200, StubHTTPServer.completion("Grade: 4")) }
        defer { server.stop() }
        let client = OpenAICompatibleClient(baseURL: server.baseURL, model: "m", maxRetries: 3, retryDelay: 0.01)
        #expect(try await client.complete(CompletionRequest(messages: [.user("u")])) == "Grade: 4")
        #expect(server.requests.count == 3)
    }

    @Test func clientErrorsFailWithoutRetry() async throws {
        let server = try StubHTTPServer { _, _ in (400, "{\"error\": \"bad model\"}") }
        defer { server.stop() }
        let client = OpenAICompatibleClient(baseURL: server.baseURL, model: "m", maxRetries: 3, retryDelay: 0.01)
        await #expect(throws: JudgeError.http(status: 400, body: "{\"error\": \"bad model\"}")) {
            try await client.complete(CompletionRequest(messages: [.user("u")]))
        }
        #expect(server.requests.count == 1)
    }

    @Test func malformedBodyIsAnError() async throws {
        let server = try StubHTTPServer { _, _ in (200, "{\"not\": \"a completion\"}") }
        defer { server.stop() }
        let client = OpenAICompatibleClient(baseURL: server.baseURL, model: "m", maxRetries: 0)
        await #expect(throws: JudgeError.badResponse("{\"not\": \"a completion\"}")) {
            try await client.complete(CompletionRequest(messages: [.user("u")]))
        }
    }

    @Test func unreachableEndpointIsATransportError() async throws {
        let server = try StubHTTPServer { _, _ in (200, "") }
        let url = server.baseURL
        server.stop() // nothing listens on the port any more
        let client = OpenAICompatibleClient(baseURL: url, model: "m", timeout: 5, maxRetries: 1, retryDelay: 0.01)
        await #expect {
            try await client.complete(CompletionRequest(messages: [.user("u")]))
        } throws: { error in
            if case JudgeError.transport = error { return true }
            return false
        }
    }
}
