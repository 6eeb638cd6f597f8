import ArgumentParser

@main
struct Fulgur: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fulgur",
        abstract: "A hybrid lightning-attention MoE model (MiniMax-M1) and its RL system.",
        subcommands: [
            // Model (issue 2)
            Init.self, Generate.self, Score.self,
            // Rewards (issue 5)
            Verify.self,
            // Benchmarks
            // Bench.self,
            BenchVerify.self,
        ])
}
