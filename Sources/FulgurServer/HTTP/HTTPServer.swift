import Foundation
import Hummingbird
import Logging

/// Runs the OpenAI-compatible HTTP server until SIGTERM or SIGINT, then shuts down
/// gracefully: the listening socket closes, in-flight requests (streams included) run to the
/// end, and only then does the engine stop.
public enum HTTPServer {
    public static func run(_ service: OpenAIService, host: String, port: Int,
                           onListening: @escaping @Sendable (_ host: String, _ port: Int) -> Void = { _, _ in }) async throws {
        var logger = Logger(label: "fulgur.server")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        let app = Application(
            responder: APIResponder(service: service),
            configuration: .init(address: .hostname(host, port: port), serverName: "fulgur"),
            onServerRunning: { channel in onListening(host, channel.localAddress?.port ?? port) },
            logger: logger)
        try await app.runService()  // graceful shutdown on SIGTERM and SIGINT
        await service.engine.shutdown()
    }
}
