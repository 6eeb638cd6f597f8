import Foundation
import FulgurSupport

/// One test of a competitive-programming task: a line of TESTS.jsonl.
public struct JudgeTest: Codable, Sendable, Equatable {
    public var input: String
    public var output: String
    public init(input: String, output: String) { self.input = input; self.output = output }

    /// Reads TESTS.jsonl (`{"input": "...", "output": "..."}` per line); errors name the line.
    public static func load(_ path: String) throws -> [JudgeTest] {
        let tests = try Files.readJSONL(path, as: JudgeTest.self)
        guard !tests.isEmpty else { throw FileError(path, "no test cases") }
        return tests
    }
}

/// How per-test results become one reward.
public enum RewardMode: String, CaseIterable, Sendable, Codable {
    /// 1 when every test passes, else 0 (the report's setting for competitive programming).
    case allPass = "all-pass"
    /// The fraction of tests passed.
    case fraction
}

/// The verdict on one test.
public struct TestVerdict: Sendable, Equatable {
    public var index: Int
    /// The run status, or nil when the test was skipped (after a failure, in stop-early mode).
    public var status: RunStatus?
    public var passed: Bool
    public var timeS: Double
    public var stderrTail: String

    /// accepted, wrong_answer, skipped, or the failing run status (timeout, memory, …).
    public var verdict: String {
        guard let status else { return "skipped" }
        if passed { return "accepted" }
        return status == .ok ? "wrong_answer" : status.rawValue
    }
}

/// The verdict on a program over all tests.
public struct JudgeReport: Sendable {
    public var reward: Double
    public var passed: Int
    public var total: Int
    public var rewardMode: RewardMode
    public var comparison: ComparisonMode
    /// The compiler's message when the program did not compile (then every test fails).
    public var compileError: String?
    public var tests: [TestVerdict]

    public func json() -> String {
        let tests = self.tests.map { t in
            "{\"index\": \(t.index), \"verdict\": \(JSONText.quote(t.verdict)), \"status\": \(t.status.map { JSONText.quote($0.rawValue) } ?? "null"), "
                + "\"passed\": \(t.passed), \"time_s\": \(JSONText.number(t.timeS)), \"stderr\": \(JSONText.quote(t.stderrTail))}"
        }
        return "{\"reward\": \(JSONText.number(reward)), \"passed\": \(passed), \"total\": \(total), "
            + "\"reward_mode\": \(JSONText.quote(rewardMode.rawValue)), \"compare\": \(JSONText.quote(comparison.rawValue)), "
            + "\"compile_error\": \(compileError.map(JSONText.quote) ?? "null"), "
            + "\"tests\": [\(tests.joined(separator: ", "))]}"
    }
}

/// Runs a program on test cases in the sandbox and scores it.
public struct Judge: Sendable {
    public var sandbox: Sandbox
    public var limits: SandboxLimits
    public var comparator: OutputComparator
    public var rewardMode: RewardMode
    /// Skip the remaining tests after the first failure (the reward is 0 in all-pass mode
    /// anyway; saves time in RL).
    public var stopAtFirstFailure: Bool

    public init(sandbox: Sandbox, limits: SandboxLimits = SandboxLimits(), comparator: OutputComparator = OutputComparator(),
                rewardMode: RewardMode = .allPass, stopAtFirstFailure: Bool = false) {
        self.sandbox = sandbox; self.limits = limits; self.comparator = comparator
        self.rewardMode = rewardMode; self.stopAtFirstFailure = stopAtFirstFailure
    }

    /// Stderr kept per test in the report.
    static let stderrTailBytes = 2048

    public func judge(language: Language, source: Data, tests: [JudgeTest]) throws -> JudgeReport {
        var report = JudgeReport(reward: 0, passed: 0, total: tests.count, rewardMode: rewardMode,
                                 comparison: comparator.mode, compileError: nil, tests: [])
        let program: PreparedProgram
        switch try ProgramBuilder.prepare(language, source: source, sandbox: sandbox) {
        case .ready(let p): program = p
        case .compileFailed(let r):
            report.compileError = Self.tail(r.stderr, 8192)
            report.tests = tests.indices.map { TestVerdict(index: $0, status: nil, passed: false, timeS: 0, stderrTail: "") }
            return report
        }
        var failed = false
        for (i, test) in tests.enumerated() {
            if failed && stopAtFirstFailure {
                report.tests.append(TestVerdict(index: i, status: nil, passed: false, timeS: 0, stderrTail: ""))
                continue
            }
            let r = try sandbox.run(program.job(stdin: Data(test.input.utf8), limits: limits))
            let ok = r.status == .ok && comparator.matches(actual: r.stdout, expected: test.output)
            if ok { report.passed += 1 } else { failed = true }
            report.tests.append(TestVerdict(index: i, status: r.status, passed: ok, timeS: r.timeS,
                                            stderrTail: Self.tail(r.stderr, Self.stderrTailBytes)))
        }
        let all = report.passed == tests.count && !tests.isEmpty
        report.reward = rewardMode == .allPass ? (all ? 1 : 0) : (tests.isEmpty ? 0 : Double(report.passed) / Double(tests.count))
        return report
    }

    static func tail(_ d: Data, _ n: Int) -> String { String(decoding: d.suffix(n), as: UTF8.self) }
}
