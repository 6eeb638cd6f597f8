import ArgumentParser
import Foundation
import FulgurCluster
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
            // Sizes and memory plans (issue 19)
            Inspect.self,
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
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Cluster.finish()
        } catch {
            // Under mpirun, an error on one rank ends every rank: none may wait in a collective.
            let code = exitCode(for: error)
            if Cluster.isActive && code != .success {
                let rank = Cluster.world.rank
                let message = fullMessage(for: error).split(separator: "\n").map { "[rank \(rank)] \($0)" }.joined(separator: "\n")
                FileHandle.standardError.write(Data((message + "\n").utf8))
                Cluster.abortJob(code: code.rawValue)
            }
            exit(withError: error)
        }
    }
}
