import ArgumentParser
import Foundation
import FulgurCluster
import FulgurEnvironments
import FulgurRL
import FulgurSupport

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Average pass rate over N samples per task (temperature 1.0, top-p 0.95), per task and difficulty.",
        discussion: "SUITE is a built-in suite (\(EvalSuite.builtinNames.joined(separator: ", "))) or a suite file (docs/rl.md).")

    @Option(help: "Model folder (with tokenizer.json).") var model: String
    @Option(help: "Built-in suite name or suite file.") var suite: String
    @Option(help: "Samples per task.") var samples = 4
    @Option(help: "Override the suite's temperature (0 = greedy).") var temperature: Float?
    @Option(name: .customLong("top-p"), help: "Override the suite's top-p.") var topP: Float?
    @Option(name: .customLong("max-tokens"), help: "Override the suite's max tokens.") var maxTokens: Int?
    @Option(help: "Sampling seed.") var seed: UInt64 = 0
    @Flag(help: "Print the report as JSON instead of a Markdown table.") var json = false

    func run() throws {
        var s = try EvalSuite.load(suite)
        if let temperature { s.temperature = temperature }
        if let topP { s.topP = topP }
        if let maxTokens { s.maxTokens = maxTokens }
        let policy = try Policy(directory: model)
        let base = FileManager.default.fileExists(atPath: suite) ? (suite as NSString).deletingLastPathComponent : nil
        let job = DataParallelJob.start()
        let report = try Evaluator.run(policy: policy, suite: s, samples: samples, seed: seed, modelName: model, environments: .standard,
                                       base: base, cluster: job) { done, total in
            if job.isRoot { Console.err("\reval: \(done)/\(total) tasks") }
        }
        guard job.isRoot else { return }
        Console.err("\n")
        if json { printJSON(report) } else { Console.out(report.markdown) }
    }
}
