import ArgumentParser
import Foundation
import FulgurRewards
import FulgurSupport

/// `fulgur bench tasks`: logic-task generation and verification throughput on one core.
struct BenchTasks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "Measure instances/s generated and responses/s verified per logic task and difficulty.",
        discussion: """
            Prints one JSON object per (task, difficulty): generate_per_s (instances generated), verify_per_s \
            (correct answers scored), encode_per_s (the baseline: the same instances JSON-encoded, what writing \
            them costs) and generate_vs_encode (how many times slower generation is than encoding).
            """)

    @Option(help: "Comma-separated task names (default: all).")
    var tasks: String?
    @Option(help: "Comma-separated difficulties.")
    var difficulties: String = "1,5,10"
    @Option(help: "Approximate seconds spent generating per (task, difficulty).")
    var seconds: Double = 0.5
    @Option(help: "Seed.")
    var seed: UInt64 = 0

    func run() throws {
        MachineReport.announce("tasks")
        let envs = try tasks.map { try $0.split(separator: ",").map { try environment(named: String($0)) } } ?? Environments.builtIn  // the generators; code/swe are benchmarked by `bench sandbox`
        let levels = try difficulties.split(separator: ",").map { s -> Int in
            guard let d = Int(s), (1...10).contains(d) else { throw ValidationError("bad difficulty '\(s)'") }
            return d
        }
        for env in envs {
            for d in levels { print(try measure(env, difficulty: d).jsonString()) }
        }
    }

    private func measure(_ env: any Environment, difficulty: Int) throws -> JSONValue {
        // Generate in growing batches until the time budget is spent.
        var instances: [TaskInstance] = []
        var batch = 1
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            instances += try env.generate(count: batch, difficulty: difficulty, seed: seed &+ UInt64(instances.count))
            batch = min(batch * 2, 256)
        }
        let genTime = Date().timeIntervalSince(start)

        let t1 = Date()
        var correct = 0
        for t in instances where env.score(t, response: "<answer>\(t.answer)</answer>").correct { correct += 1 }
        let verifyTime = Date().timeIntervalSince(t1)

        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let t2 = Date()
        var bytes = 0
        for t in instances { bytes += try enc.encode(t).count }
        let encodeTime = Date().timeIntervalSince(t2)

        let n = Double(instances.count)
        func rate(_ t: Double) -> JSONValue { .number((n / max(t, 1e-9)).rounded()) }
        return [
            "task": .string(env.name), "difficulty": .number(Double(difficulty)), "instances": .number(n),
            "generate_per_s": rate(genTime), "verify_per_s": rate(verifyTime), "encode_per_s": rate(encodeTime),
            "generate_vs_encode": .number(((genTime / max(encodeTime, 1e-9)) * 10).rounded() / 10),
            "verified_correct": .number(Double(correct)), "mean_bytes": .number((Double(bytes) / max(n, 1)).rounded()),
        ]
    }
}
