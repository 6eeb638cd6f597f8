import ArgumentParser
import Foundation
import FulgurTensor

@main
struct Fulgur: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fulgur",
        abstract: "A hybrid lightning-attention MoE model (MiniMax-M1) and its RL system.",
        version: "fulgur 0.2 (`fulgur doctor` prints the CPU, kernel levels and BLAS this build runs with)",
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
            // The machine (issue 16)
            Doctor.self,
        ])

    /// A binary built for a higher x86-64 level than this CPU has would die of SIGILL somewhere
    /// mid-run: refuse to start instead, and say how to rebuild.
    static func main() async {
        if let problem = Machine.buildMismatch {
            FileHandle.standardError.write(Data("Error: \(problem)\n".utf8))
            Foundation.exit(2)
        }
        await Self.main(nil)
    }
}
