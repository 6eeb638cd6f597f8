import ArgumentParser
import Foundation
import FulgurSandbox

/// `fulgur bench sandbox`: per-run cost of the sandbox against running python3 directly.
struct BenchSandbox: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Measure the sandbox's per-run overhead against running python3 directly (JSON on stdout).")

    @Option(help: "Number of runs (each runs the program directly and in the sandbox).")
    var runs: Int = 100
    @Option(help: "Python program to run (default: a trivial one that reads stdin and prints).")
    var file: String?

    func run() throws {
        MachineReport.announce("sandbox")
        guard runs >= 1 else { throw ValidationError("--runs must be ≥ 1") }
        var source = "import sys\nprint(len(sys.stdin.read()))\n"
        if let file {
            guard let d = FileManager.default.contents(atPath: file) else { throw ValidationError("\(file): cannot read") }
            source = String(decoding: d, as: UTF8.self)
        }
        try exitTwoOnError {
            let report = try SandboxBenchmark.run(sandbox: try Sandbox.isolated(), runs: runs, source: source, stdin: Data("12 34\n".utf8))
            print(report.json())
        }
    }
}
