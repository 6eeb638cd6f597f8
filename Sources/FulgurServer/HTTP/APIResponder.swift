import Foundation
import Hummingbird

/// Routes requests to the OpenAI service and turns every failure into an OpenAI error body.
/// Counts each response in the metrics (streams when they end).
struct APIResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let service: OpenAIService
    var metrics: ServerMetrics { service.engine.metrics }

    static let routes = ["/v1/chat/completions", "/v1/completions", "/v1/models", "/health", "/metrics"]

    func respond(to request: Request, context: Context) async throws -> Response {
        let start = ContinuousClock.now
        let path = request.uri.path
        let route = Self.routes.contains(path) ? path : "other"
        let response: Response
        do {
            response = try await handle(request, path: path, route: route, start: start)
        } catch {
            response = Self.errorResponse(error)
        }
        if response.headers[.contentType] != "text/event-stream" {  // streams count themselves when done
            metrics.httpRequest(route: route, status: response.status.code, seconds: Self.seconds(since: start))
        }
        return response
    }

    private func handle(_ request: Request, path: String, route: String, start: ContinuousClock.Instant) async throws -> Response {
        if path.hasPrefix("/v1/") { try authorize(request) }
        switch (request.method, path) {
        case (.get, "/health"):
            return Self.json(Data(#"{"status":"ok"}"#.utf8))
        case (.get, "/metrics"):
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        case (.get, "/v1/models"):
            return Self.json(service.models())
        case (.post, "/v1/chat/completions"):
            var request = request
            let prepared = try service.prepareChat(try await body(&request))
            if prepared.request.options.stream {
                return stream(request, route: route, start: start, cancel: prepared.handle.cancel) { send in
                    try await service.stream(prepared, send: send)
                }
            }
            return await untilClientLeaves(request, cancel: prepared.handle.cancel) {
                Self.json(try await service.respond(prepared))
            }
        case (.post, "/v1/completions"):
            var request = request
            let prepared = try service.prepareCompletion(try await body(&request))
            if prepared.request.options.stream {
                return stream(request, route: route, start: start, cancel: prepared.cancel) { send in
                    try await service.stream(prepared, send: send)
                }
            }
            return await untilClientLeaves(request, cancel: prepared.cancel) {
                Self.json(try await service.respond(prepared))
            }
        default:
            throw APIError.notFound(method: request.method.rawValue, path: path)
        }
    }

    private func authorize(_ request: Request) throws(APIError) {
        guard let key = service.options.apiKey else { return }
        guard let header = request.headers[.authorization] else { throw .missingKey }
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), Self.constantTimeEqual(Array(header.utf8.dropFirst(prefix.utf8.count)), Array(key.utf8)) else {
            throw .wrongKey
        }
    }

    /// The whole body, refused with 413 past the limit.
    private func body(_ request: inout Request) async throws -> Data {
        let limit = service.options.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw APIError.bodyTooLarge(limit: limit) }
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch let e as HTTPResponseError where e.status == .contentTooLarge {
            throw APIError.bodyTooLarge(limit: limit)
        }
    }

    /// Runs `operation`, cancelling the engine request if the client closes the connection.
    private func untilClientLeaves(_ request: Request, cancel: @escaping @Sendable () -> Void,
                                   _ operation: () async throws -> Response) async -> Response {
        var response: Response
        do {
            response = try await request.body.consumeWithInboundCloseHandler({ _ in try await operation() }, onInboundClosed: cancel)
        } catch {
            response = Self.errorResponse(error)
        }
        // Watching for the close consumed the connection's request stream: it cannot carry another
        // request, so every answer says so — errors too (a 504 without it let the client reuse a
        // connection the server was about to close).
        response.headers[.connection] = "close"
        return response
    }

    /// A `text/event-stream` response; the engine request is cancelled when the client leaves
    /// (inbound closed or a write fails).
    private func stream(_ request: Request, route: String, start: ContinuousClock.Instant, cancel: @escaping @Sendable () -> Void,
                        _ produce: @escaping @Sendable (_ send: (String) async throws -> Void) async throws -> Void) -> Response {
        let metrics = self.metrics
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .connection: "close"],
            body: ResponseBody { writer in
                defer {
                    cancel()
                    metrics.httpRequest(route: route, status: 200, seconds: Self.seconds(since: start))
                }
                try await request.body.consumeWithInboundCloseHandler({ _ in
                    try await produce { event in try await writer.write(ByteBuffer(string: event)) }
                }, onInboundClosed: cancel)
                try await writer.finish(nil)
            })
    }

    static func json(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// An OpenAI error body for any failure (unexpected ones as 500).
    static func errorResponse(_ error: any Error) -> Response {
        errorResponse(error as? APIError ?? .internalError("\(error)"))
    }

    static func errorResponse(_ e: APIError) -> Response {
        var r = json(JSONBody.data(e.body), status: HTTPResponse.Status(code: e.status))
        if e.status == 401 { r.headers[.wwwAuthenticate] = "Bearer" }
        return r
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) { diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0) }
        return diff == 0
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
