import ArgumentParser
import Dispatch
import Foundation
import FulgurServer

struct Chat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Chat with a model in the terminal (streams tokens; reasoning shown dimmed).",
        discussion: """
            Commands: /reset forgets the conversation; /system TEXT sets the system prompt (and resets; \
            /system alone removes it); /exit (or end of input) quits. Ctrl-C stops the reply being \
            written; Ctrl-C at the prompt quits.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Sampling temperature (0 = greedy).") var temperature: Float = 1.0
    @Option(name: .customLong("top-p"), help: "Nucleus sampling mass.") var topP: Float = 0.95
    @Option(name: .customLong("max-tokens"), help: "Maximum tokens per reply.") var maxTokens = 2048
    @Option(help: "Random seed (default: random).") var seed: UInt64?
    @Option(help: "System prompt.") var system: String?

    func run() async throws {
        let model = try modelOptions.load()
        let setup = try ModelSetup(directory: modelOptions.model, model: model)
        guard let template = setup.chatTemplate, let codec = setup.codec else {
            throw ValidationError("\(modelOptions.model): chat is unavailable: \(setup.chatUnavailable ?? "no chat template")")
        }
        let engine = InferenceEngine(model: model, codec: codec, configuration: EngineConfiguration(maxBatch: 1, maxQueue: 1))
        let session = ChatSession(engine: engine, template: template, eos: setup.eos)
        session.parameters.temperature = temperature
        session.parameters.topP = topP
        session.parameters.maxTokens = maxTokens
        session.parameters.seed = seed ?? UInt64.random(in: 0...UInt64.max)
        try session.parameters.validate()
        session.systemPrompt = system

        let tty = isatty(STDOUT_FILENO) != 0
        let dim = tty ? "\u{1B}[2m" : "", plain = tty ? "\u{1B}[0m" : ""
        // Ctrl-C: stop the reply being written, or quit at the prompt.
        signal(SIGINT, SIG_IGN)
        let sigint = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        sigint.setEventHandler {
            if !session.interrupt() {
                Console.out("\n")
                Foundation.exit(0)
            }
        }
        sigint.resume()
        Console.err("fulgur chat: \(modelOptions.model). /reset, /system TEXT, /exit.\n")
        repl: while true {
            Console.out("> ")
            guard let line = readLine(strippingNewline: true) else { break }
            switch ChatSession.parse(line) {
            case .empty: continue
            case .exit: break repl
            case .help: Console.err("/reset, /system TEXT, /exit\n")
            case .reset: session.reset(); Console.err("(conversation reset)\n")
            case .system(let s):
                session.systemPrompt = s
                Console.err(s == nil ? "(system prompt removed)\n" : "(system prompt set; conversation reset)\n")
            case .unknownCommand(let c): Console.err("unknown command \(c); try /help\n")
            case .message(let text):
                var inReasoning = false
                do {
                    let reply = try await session.send(text) { piece in
                        switch piece {
                        case .reasoning(let s):
                            if !inReasoning { Console.out(dim); inReasoning = true }
                            Console.out(s)
                        case .content(let s):
                            if inReasoning { Console.out(plain + "\n"); inReasoning = false }
                            Console.out(s)
                        }
                    }
                    if inReasoning { Console.out(plain) }
                    Console.out("\n")
                    if reply.finishReason == nil { Console.err("(interrupted)\n") } else if reply.finishReason == .length { Console.err("(reply cut at --max-tokens)\n") }
                } catch {
                    if inReasoning { Console.out(plain) }
                    Console.err("\nError: \(error)\n")
                }
            }
        }
        sigint.cancel()
        await engine.shutdown()
    }
}
