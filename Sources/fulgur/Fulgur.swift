import ArgumentParser

@main
struct Fulgur: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fulgur",
        abstract: "A hybrid lightning-attention MoE model (MiniMax-M1) and its RL system.",
        subcommands: [
            // Model (issue 2)
            Demo.self, Init.self, Generate.self, Score.self,
            // Training (issue 4)
            Train.self, Eval.self, RL.self, PipelineCommand.self, Plot.self,
            // Tokenizers and chat format (issue 3)
            Tokenize.self, TokenizerCommand.self,
            // Server (issue 9)
            Serve.self, Chat.self,
            // Benchmarks
            Bench.self,
            // Environments (issue 5)
            Tasks.self, Verify.self,
            // Execution sandboxes (issue 6)
            SandboxCommand.self, SWECommand.self,
        ])
}
