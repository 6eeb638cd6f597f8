import Foundation

/// The judge of a GenRM environment, as an `rl.json` environment entry names it (issue 20):
/// `"judge": {"base_url": "http://…/v1", "model": "NAME", "api_key_env": "VAR", "concurrency": 8,
/// "timeout_s": 60, "retries": 2}` — any OpenAI-compatible chat endpoint. `api_key_env` names an
/// environment variable holding the key (the key itself never sits in a config file).
public struct JudgeEndpoint: Codable, Sendable, Equatable {
    public var baseURL: URL
    public var model: String
    public var apiKeyEnv: String?
    /// Judge calls in flight at once.
    public var concurrency = 8
    public var timeoutSeconds = 60.0
    /// Retries of a failed call (connection errors, HTTP 429 and 5xx) before the sample counts as failed.
    public var retries = 2

    enum CodingKeys: String, CodingKey, CaseIterable {
        case baseURL = "base_url", model, apiKeyEnv = "api_key_env", concurrency, timeoutSeconds = "timeout_s", retries
    }

    public init(baseURL: URL, model: String, apiKeyEnv: String? = nil, concurrency: Int = 8, timeoutSeconds: Double = 60, retries: Int = 2) {
        self.baseURL = baseURL; self.model = model; self.apiKeyEnv = apiKeyEnv
        self.concurrency = concurrency; self.timeoutSeconds = timeoutSeconds; self.retries = retries
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        func fail(_ why: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: why))
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        for key in try decoder.container(keyedBy: AnyKey.self).allKeys where !known.contains(key.stringValue) {
            throw fail("judge: unknown field \(key.stringValue) (fields: \(CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let url = try c.decode(String.self, forKey: .baseURL)
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              parsed.host != nil else {
            throw fail("judge.base_url: \"\(url)\" is not an http(s) URL such as http://127.0.0.1:8000/v1")
        }
        baseURL = parsed
        model = try c.decode(String.self, forKey: .model)
        guard !model.isEmpty else { throw fail("judge.model is empty") }
        apiKeyEnv = try c.decodeIfPresent(String.self, forKey: .apiKeyEnv)
        concurrency = try c.decodeIfPresent(Int.self, forKey: .concurrency) ?? 8
        timeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? 60
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? 2
        guard concurrency >= 1 else { throw fail("judge.concurrency must be ≥ 1, got \(concurrency)") }
        guard timeoutSeconds > 0, timeoutSeconds.isFinite else { throw fail("judge.timeout_s must be > 0, got \(timeoutSeconds)") }
        guard retries >= 0 else { throw fail("judge.retries must be ≥ 0, got \(retries)") }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(baseURL.absoluteString, forKey: .baseURL)
        try c.encode(model, forKey: .model)
        try c.encodeIfPresent(apiKeyEnv, forKey: .apiKeyEnv)
        try c.encode(concurrency, forKey: .concurrency)
        try c.encode(timeoutSeconds, forKey: .timeoutSeconds)
        try c.encode(retries, forKey: .retries)
    }

    /// The client for this endpoint; the key is read from `api_key_env` now (an unset or empty
    /// variable is an error naming it).
    public func client(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> OpenAICompatibleClient {
        var key: String?
        if let name = apiKeyEnv {
            guard let value = environment[name], !value.isEmpty else {
                throw JudgeError.transport("judge.api_key_env names \(name), which is not set in the environment")
            }
            key = value
        }
        return OpenAICompatibleClient(baseURL: baseURL, model: model, apiKey: key, timeout: timeoutSeconds, maxRetries: retries)
    }
}
