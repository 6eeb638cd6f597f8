import ArgumentParser

@main
struct Fulgur: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fulgur",
        abstract: "A hybrid lightning-attention MoE model (MiniMax-M1) and its RL system.",
        subcommands: [
            // Model (issue 2)
            // Init.self, Generate.self, Score.self,
            // Benchmarks
            // Bench.self,
            // Execution sandboxes (issue 6)
            SandboxCommand.self, SWECommand.self, BenchSandbox.self,
        ])
}
