import ArgumentParser

@main
struct Fulgur: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fulgur",
        abstract: "A hybrid lightning-attention MoE model (MiniMax-M1) and its RL system.",
        subcommands: [
            // Model (issue 2)
            Demo.self, Init.self, Generate.self, Score.self,
            // Server (issue 9)
            Serve.self, Chat.self,
            // Benchmarks
            Bench.self,
        ])
}
