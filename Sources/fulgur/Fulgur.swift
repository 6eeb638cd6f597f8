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
            // Logic tasks (issue 5). VerifyTask is registered here only until `verify` (Verify.swift) exists:
            // it then becomes verify's default subcommand (`fulgur verify TASK …`).
            Tasks.self, VerifyTask.self, BenchTasks.self,
        ])
}
