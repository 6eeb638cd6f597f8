import ArgumentParser
import Dispatch
import Foundation
import FulgurRewards
import FulgurSupport

/// `fulgur bench verify`: math-checker throughput on one core, against baselines measured in the
/// same run (answer extraction alone, and extraction plus exact string comparison).
struct BenchVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Benchmark the math checker (checks/s on one core) and print one JSON line.",
        discussion: """
            The workload is every {"gold","response"} line of --jsonl (default: \
            Tests/Fixtures/math/public.jsonl when present) plus seeded generated tasks with \
            boxed responses, cycled for --seconds per measurement.
            """)

    @Option(help: "JSONL file of {\"gold\", \"response\"} cases to include.") var jsonl: String?
    @Option(help: "Seconds per measurement.") var seconds: Double = 2
    @Option(name: .customLong("generated"), help: "Generated cases to add.") var generated = 300

    struct Case: Decodable { var gold: String; var response: String }

    func run() throws {
        MachineReport.announce("verify")
        var cases: [Case] = []
        let path = jsonl ?? "Tests/Fixtures/math/public.jsonl"
        if FileManager.default.fileExists(atPath: path) {
            do { cases = try Files.readJSONL(path, as: Case.self) } catch {
                Console.err("error: \(error)\n"); throw ExitCode(1)
            }
        } else if jsonl != nil {
            Console.err("error: \(path): no such file\n"); throw ExitCode(1)
        }
        for (k, t) in MathTaskGenerator().generate(count: generated, difficulty: 5, seed: 7).enumerated() {
            let answer = k % 4 == 0 ? "\(t.answer)+1" : t.answer
            cases.append(Case(gold: t.answer, response: "Working through it step by step we find the value. The answer is $\\boxed{\(answer)}$."))
        }
        guard !cases.isEmpty else { Console.err("error: no cases\n"); throw ExitCode(1) }

        let full = measure(cases) { MathChecker.check(gold: $0.gold, response: $0.response).correct }
        let extraction = measure(cases) { AnswerExtractor.extract($0.response) != nil }
        let stringMatch = measure(cases) { AnswerExtractor.extract($0.response)?.text == $0.gold }
        let result: JSONValue = [
            "cases": .number(Double(cases.count)),
            "checks_per_second": .number(full.rounded()),
            "extraction_only_per_second": .number(extraction.rounded()),
            "extract_and_string_match_per_second": .number(stringMatch.rounded()),
            "full_check_cost_vs_string_match": .number((stringMatch / full * 100).rounded() / 100),
        ]
        Console.out(result.jsonString() + "\n")
    }

    /// Operations per second of `body` over the cases, cycled for `seconds` (single thread).
    func measure(_ cases: [Case], _ body: (Case) -> Bool) -> Double {
        var sink = 0
        for c in cases.prefix(50) where body(c) { sink += 1 } // warm-up
        let start = DispatchTime.now().uptimeNanoseconds
        var n = 0
        var elapsed = 0.0
        repeat {
            for c in cases where body(c) { sink += 1 }
            n += cases.count
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        if sink < 0 { print(sink) }
        return Double(n) / elapsed
    }
}
