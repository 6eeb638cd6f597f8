import ArgumentParser
import Foundation
import FulgurSandbox

/// `fulgur sandbox run|judge|check`: run model-written programs in the execution sandbox.
struct SandboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run untrusted programs in an isolated sandbox (docs/sandbox.md).",
        subcommands: [SandboxRun.self, SandboxJudge.self, SandboxCheck.self])
}

/// Options shared by the sandbox commands.
struct SandboxOptions: ParsableArguments {
    @Option(help: "Language of the program: python or swift.")
    var lang: String = "python"
    @Option(help: "The program's source file.")
    var file: String
    @Option(help: "Wall-clock limit per run, seconds.")
    var timeout: Double = 10
    @Option(help: "Address-space limit per run, MiB.")
    var memory: Int = 512
    @Flag(help: "Run WITHOUT isolation (no namespaces, your own uid): only for trusted code.")
    var noIsolation = false

    func language() throws -> Language {
        guard let l = Language(rawValue: lang) else {
            throw ValidationError("--lang must be one of: \(Language.allCases.map(\.rawValue).joined(separator: ", ")) (got \(lang))")
        }
        return l
    }

    func limits() throws -> SandboxLimits {
        let l = SandboxLimits(timeout: timeout, memoryMB: memory)
        do { try l.validate() } catch { throw ValidationError("\(error)") }
        return l
    }

    func source() throws -> Data {
        guard let d = FileManager.default.contents(atPath: file) else { throw ValidationError("\(file): cannot read the program file") }
        return d
    }

    func sandbox() throws -> Sandbox {
        try exitTwoOnError { try Sandbox.make(isolation: !noIsolation) }
    }
}

struct SandboxRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a program once and print {status, exit_code, signal, stdout, stderr, time_s} as JSON.")

    @OptionGroup var options: SandboxOptions
    @Option(help: "File fed to the program's stdin (default: empty stdin).")
    var stdin: String?

    func run() throws {
        let language = try options.language()
        let limits = try options.limits()
        let source = try options.source()
        var input = Data()
        if let stdin {
            guard let d = FileManager.default.contents(atPath: stdin) else { throw ValidationError("\(stdin): cannot read the stdin file") }
            input = d
        }
        let sandbox = try options.sandbox()
        let result: RunResult = try exitTwoOnError {
            switch try ProgramBuilder.prepare(language, source: source, sandbox: sandbox) {
            case .ready(let program): return try sandbox.run(program.job(stdin: input, limits: limits))
            case .compileFailed(let r): return r
            }
        }
        print(result.json())
    }
}

struct SandboxJudge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "judge",
        abstract: "Run a program on {\"input\", \"output\"} test cases and print the reward and per-test statuses.")

    @OptionGroup var options: SandboxOptions
    @Option(help: "Test cases, JSONL: one {\"input\": \"...\", \"output\": \"...\"} per line.")
    var tests: String
    @Option(help: "Output comparison: exact, whitespace or float.")
    var compare: String = "whitespace"
    @Option(help: "Tolerance of --compare float: |a - b| <= tol * max(1, |b|).")
    var tolerance: Double = 1e-6
    @Option(help: "Reward: all-pass (1 only if every test passes) or fraction.")
    var reward: String = "all-pass"
    @Flag(help: "Skip the remaining tests after the first failure.")
    var stopAtFirstFailure = false

    func run() throws {
        let language = try options.language()
        let limits = try options.limits()
        let source = try options.source()
        guard let mode = ComparisonMode(rawValue: compare) else {
            throw ValidationError("--compare must be one of: exact, whitespace, float (got \(compare))")
        }
        guard let rewardMode = RewardMode(rawValue: reward) else {
            throw ValidationError("--reward must be all-pass or fraction (got \(reward))")
        }
        guard tolerance >= 0, tolerance.isFinite else { throw ValidationError("--tolerance must be ≥ 0") }
        let cases: [JudgeTest]
        do { cases = try JudgeTest.load(tests) } catch { throw ValidationError("\(error)") }
        let judge = Judge(sandbox: try options.sandbox(), limits: limits,
                          comparator: OutputComparator(mode: mode, tolerance: tolerance),
                          rewardMode: rewardMode, stopAtFirstFailure: stopAtFirstFailure)
        try exitTwoOnError {
            print(try judge.judge(language: language, source: source, tests: cases).json())
        }
    }
}

struct SandboxCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Report which isolation layers work on this machine (exit 2 when isolation is unavailable).")

    func run() throws {
        try exitTwoOnError {
            let sandbox = try Sandbox.isolated()
            guard case .isolated(let s) = sandbox.mode else { return }
            let obj: [String: Any] = [
                "isolation": "available",
                "bwrap": s.bwrap, "bwrap_version": s.bwrapVersion.map(String.init).joined(separator: "."),
                "perl": s.perl, "python": sandbox.python ?? NSNull(),
                "uid_pool": s.uidPool.map { "\($0.base)..<\(UInt64($0.base) + UInt64($0.count))" } ?? "off (not root)",
                "cgroup_pids": s.cgroup.map { "v\($0.version) at \($0.parent)" } ?? "off",
                "notes": s.notes,
            ]
            let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
