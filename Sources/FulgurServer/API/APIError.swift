/// An error answered as OpenAI does:
/// `{"error": {"message": …, "type": …, "param": … | null, "code": … | null}}`.
public struct APIError: Error, Sendable, Equatable {
    public let status: Int
    public let message: String
    public let type: String
    public let param: String?
    public let code: String?

    public init(status: Int, message: String, type: String, param: String? = nil, code: String? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
    }

    /// 400: a field is missing, has the wrong type or is out of range.
    static func invalid(_ message: String, param: String?, code: String? = nil) -> APIError {
        APIError(status: 400, message: message, type: "invalid_request_error", param: param, code: code)
    }

    static func invalidJSON(_ detail: String) -> APIError {
        APIError(status: 400, message: "We could not parse the JSON body of your request: \(detail)",
                 type: "invalid_request_error", code: "invalid_json")
    }

    static func contextLength(prompt: Int, requested: Int?, limit: Int, param: String) -> APIError {
        let asked = requested.map { ", and \($0) were requested for the completion (\(prompt + $0) in total)" } ?? ""
        return APIError(
            status: 400,
            message: "This model's maximum context length is \(limit) tokens. However, the prompt has \(prompt) tokens\(asked). Shorten the prompt or lower max_tokens.",
            type: "invalid_request_error", param: param, code: "context_length_exceeded")
    }

    static let missingKey = APIError(
        status: 401, message: "You didn't provide an API key. Send it in the Authorization header: `Authorization: Bearer KEY`.",
        type: "invalid_request_error", code: "invalid_api_key")

    static let wrongKey = APIError(
        status: 401, message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key")

    static func notFound(method: String, path: String) -> APIError {
        APIError(status: 404, message: "There is no route \(method) \(path). Routes: POST /v1/chat/completions, POST /v1/completions, GET /v1/models, GET /health, GET /metrics.",
                 type: "invalid_request_error", code: "not_found")
    }

    static func modelNotFound(_ name: String, served: String) -> APIError {
        APIError(status: 404, message: "The model `\(name)` does not exist. This server serves `\(served)`.",
                 type: "invalid_request_error", param: "model", code: "model_not_found")
    }

    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(status: 413, message: "The request body is larger than the server's limit of \(limit) bytes.",
                 type: "invalid_request_error", code: "request_too_large")
    }

    static func queueFull(_ limit: Int) -> APIError {
        APIError(status: 429, message: "The server is busy: \(limit) requests are already waiting for a slot. Retry later.",
                 type: "rate_limit_error", code: "queue_full")
    }

    static let shuttingDown = APIError(
        status: 503, message: "The server is shutting down and takes no new requests.", type: "server_error", code: "shutting_down")

    static func timeout(_ seconds: Double) -> APIError {
        APIError(status: 504, message: "The request did not finish within the server's time limit of \(seconds) s.",
                 type: "timeout_error", code: "timeout")
    }

    static func internalError(_ message: String) -> APIError {
        APIError(status: 500, message: message, type: "server_error", code: "internal_error")
    }

    /// The error an engine refusal becomes.
    static func from(_ e: EngineError, param: String) -> APIError {
        switch e {
        case .queueFull(let limit): .queueFull(limit)
        case .timeout(let s): .timeout(s)
        case .shuttingDown: .shuttingDown
        case .invalidRequest(let m): .invalid(m, param: param)
        case .internalError(let m): .internalError(m)
        }
    }

    /// The JSON body.
    var body: ErrorBody { ErrorBody(error: .init(message: message, type: type, param: param, code: code)) }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            let message: String
            let type: String
            let param: String?
            let code: String?

            func encode(to encoder: Encoder) throws {  // param and code are written as null when absent
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(message, forKey: .message)
                try c.encode(type, forKey: .type)
                try c.encode(param, forKey: .param)
                try c.encode(code, forKey: .code)
            }

            enum CodingKeys: String, CodingKey { case message, type, param, code }
        }
        let error: Detail
    }
}
