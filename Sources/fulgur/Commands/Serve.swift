import ArgumentParser
import Foundation
import FulgurModel
import FulgurServer

/// Options shared by `serve` and `chat`: the model folder and the engine's batch limits.
struct EngineOptions: ParsableArguments {
    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .customLong("max-batch"), help: "Sequences decoded together (continuous batching).") var maxBatch = 32
    @Option(name: .customLong("max-queue"), help: "Requests waiting for a slot; more get HTTP 429.") var maxQueue = 256
    @Option(name: .customLong("prefill-chunk"), help: "Prompt tokens prefilled per step, between decode steps.") var prefillChunk = 256

    func validate() throws {
        guard maxBatch >= 1 else { throw ValidationError("--max-batch must be ≥ 1, got \(maxBatch)") }
        guard maxQueue >= 0 else { throw ValidationError("--max-queue must be ≥ 0, got \(maxQueue)") }
        guard prefillChunk >= 1 else { throw ValidationError("--prefill-chunk must be ≥ 1, got \(prefillChunk)") }
    }

    /// Loads the model (and its tokenizer when the folder has one) and starts the engine.
    func start() throws -> (engine: InferenceEngine, setup: ModelSetup) {
        let model = try modelOptions.load()
        let setup = try ModelSetup(directory: modelOptions.model, model: model)
        let engine = InferenceEngine(
            model: model, codec: setup.codec,
            configuration: EngineConfiguration(maxBatch: maxBatch, maxQueue: maxQueue, prefillChunk: prefillChunk))
        return (engine, setup)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a model over an OpenAI-compatible HTTP API (chat, completions, streaming, metrics).")

    @OptionGroup var engineOptions: EngineOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 = any free port).") var port = 8000
    @Option(name: .customLong("api-key"), help: "Require `Authorization: Bearer KEY` on /v1/* routes.") var apiKey: String?
    @Option(name: .customLong("served-model-name"), help: "Model id clients send (default: the model folder's name).")
    var servedModelName: String?
    @Option(help: "Per-request time limit in seconds (0 = none).") var timeout: Double = 600
    @Option(name: .customLong("max-body-bytes"), help: "Larger request bodies get HTTP 413.") var maxBodyBytes = 8 << 20

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535, got \(port)") }
        guard timeout >= 0, timeout.isFinite else { throw ValidationError("--timeout must be ≥ 0 seconds, got \(timeout)") }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be ≥ 1024, got \(maxBodyBytes)") }
        if let apiKey, apiKey.isEmpty { throw ValidationError("--api-key must not be empty") }
    }

    func run() async throws {
        let (engine, setup) = try engineOptions.start()
        let dir = engineOptions.modelOptions.model
        let name = servedModelName ?? URL(fileURLWithPath: dir).standardizedFileURL.lastPathComponent
        let service = OpenAIService(
            engine: engine, setup: setup,
            options: ServerOptions(modelName: name, apiKey: apiKey, maxBodyBytes: maxBodyBytes,
                                   requestTimeout: timeout > 0 ? .milliseconds(Int64(timeout * 1000)) : nil))
        if setup.codec == nil {
            Console.err("note: \(dir) has no tokenizer.json: serving /v1/completions with token-id prompts only\n")
        } else if let why = setup.chatUnavailable {
            Console.err("note: chat is unavailable: \(why)\n")
        }
        try await HTTPServer.run(service, host: host, port: port) { host, port in
            Console.err("fulgur: serving \(name) on http://\(host):\(port) (max batch \(engine.configuration.maxBatch), max queue \(engine.configuration.maxQueue))\n")
        }
        Console.err("fulgur: stopped\n")
    }
}
