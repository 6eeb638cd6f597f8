import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `TextGenerator` over an OpenAI-compatible `POST {baseURL}/chat/completions` endpoint
/// (vLLM, SGLang, llama.cpp server, OpenAI). Non-streaming; retries transient failures
/// (connection errors, HTTP 429 and 5xx) with exponential backoff; other HTTP errors fail at once.
public struct OpenAICompatibleClient: TextGenerator {
    /// Base URL including the version path, e.g. `http://127.0.0.1:8000/v1`.
    public var baseURL: URL
    public var model: String
    /// Sent as `Authorization: Bearer …` when set. The caller supplies it; nothing is read from disk.
    public var apiKey: String?
    public var timeout: TimeInterval
    public var maxRetries: Int
    /// First backoff delay; doubles on each retry.
    public var retryDelay: TimeInterval

    public init(baseURL: URL, model: String, apiKey: String? = nil, timeout: TimeInterval = 120,
                maxRetries: Int = 3, retryDelay: TimeInterval = 0.5) {
        self.baseURL = baseURL; self.model = model; self.apiKey = apiKey; self.timeout = timeout
        self.maxRetries = maxRetries; self.retryDelay = retryDelay
    }

    struct Body: Encodable {
        var model: String
        var messages: [JudgeMessage]
        var max_tokens: Int
        var temperature: Double
        var stop: [String]?
    }

    struct Reply: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable { var content: String? }
            var message: Message
        }
        var choices: [Choice]
    }

    public func complete(_ request: CompletionRequest) async throws -> String {
        var urlRequest = URLRequest(url: baseURL.appendingPathComponent("chat/completions"))
        urlRequest.httpMethod = "POST"
        urlRequest.timeoutInterval = timeout
        urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let apiKey { urlRequest.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        urlRequest.httpBody = try JSONEncoder().encode(Body(
            model: model, messages: request.messages, max_tokens: request.maxTokens,
            temperature: request.temperature, stop: request.stop.isEmpty ? nil : request.stop))

        var attempt = 0
        while true {
            do {
                let (data, response) = try await URLSession.shared.data(for: urlRequest)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                guard (200..<300).contains(status) else {
                    let body = String(decoding: data.prefix(500), as: UTF8.self)
                    if (status == 429 || status >= 500) && attempt < maxRetries {
                        attempt += 1
                        try await backoff(attempt)
                        continue
                    }
                    throw JudgeError.http(status: status, body: body)
                }
                guard let reply = try? JSONDecoder().decode(Reply.self, from: data), let first = reply.choices.first else {
                    throw JudgeError.badResponse(String(decoding: data.prefix(500), as: UTF8.self))
                }
                return first.message.content ?? ""
            } catch let error as JudgeError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                guard attempt < maxRetries else { throw JudgeError.transport("\(error.localizedDescription)") }
                attempt += 1
                try await backoff(attempt)
            }
        }
    }

    private func backoff(_ attempt: Int) async throws {
        let seconds = retryDelay * Double(1 << min(attempt - 1, 6))
        try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
    }
}
