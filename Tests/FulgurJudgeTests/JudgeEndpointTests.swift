import Foundation
import Testing
@testable import FulgurRewards

/// The `judge` object of an rl.json GenRM environment: exactly the issue's shape, checked field by field.
@Suite struct JudgeEndpointTests {
    static func decode(_ json: String) throws -> JudgeEndpoint {
        try JSONDecoder().decode(JudgeEndpoint.self, from: Data(json.utf8))
    }

    @Test func theDocumentedShapeAndItsDefaults() throws {
        let full = try Self.decode("""
            {"base_url": "http://127.0.0.1:8000/v1", "model": "grader", "api_key_env": "JUDGE_KEY", "concurrency": 4, "timeout_s": 30, "retries": 1}
            """)
        #expect(full == JudgeEndpoint(baseURL: URL(string: "http://127.0.0.1:8000/v1")!, model: "grader", apiKeyEnv: "JUDGE_KEY",
                                      concurrency: 4, timeoutSeconds: 30, retries: 1))
        let minimal = try Self.decode(#"{"base_url": "https://judge.example/v1", "model": "m"}"#)
        #expect(minimal.apiKeyEnv == nil && minimal.concurrency == 8 && minimal.timeoutSeconds == 60 && minimal.retries == 2)
        // encodes back to the same object
        let again = try JSONDecoder().decode(JudgeEndpoint.self, from: try JSONEncoder().encode(full))
        #expect(again == full)
    }

    @Test(arguments: [
        (#"{"base_url": "http://h/v1", "model": "m", "temperature": 0}"#, "unknown field temperature"),
        (#"{"base_url": "ftp://h/v1", "model": "m"}"#, "not an http(s) URL"),
        (#"{"base_url": "localhost:8000", "model": "m"}"#, "not an http(s) URL"),
        (#"{"base_url": "http://h/v1", "model": ""}"#, "judge.model is empty"),
        (#"{"base_url": "http://h/v1", "model": "m", "concurrency": 0}"#, "judge.concurrency must be ≥ 1"),
        (#"{"base_url": "http://h/v1", "model": "m", "timeout_s": -1}"#, "judge.timeout_s must be > 0"),
        (#"{"base_url": "http://h/v1", "model": "m", "retries": -1}"#, "judge.retries must be ≥ 0"),
    ])
    func badFieldsAreNamed(json: String, reason: String) {
        #expect { try Self.decode(json) } throws: { "\($0)".contains(reason) }
    }

    /// The key comes from the named variable when the client is made; an unset one is an error naming it.
    @Test func theKeyIsReadFromTheNamedVariable() throws {
        let e = try Self.decode(#"{"base_url": "http://h:1/v1", "model": "m", "api_key_env": "FULGUR_TEST_JUDGE_KEY", "timeout_s": 5, "retries": 3}"#)
        let client = try e.client(environment: ["FULGUR_TEST_JUDGE_KEY": "sk-test"])
        #expect(client.apiKey == "sk-test" && client.model == "m" && client.timeout == 5 && client.maxRetries == 3)
        #expect { try e.client(environment: [:]) } throws: { "\($0)".contains("FULGUR_TEST_JUDGE_KEY") }
    }
}
