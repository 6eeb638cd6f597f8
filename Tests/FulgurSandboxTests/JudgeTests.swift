import Foundation
import Testing
@testable import FulgurSandbox

struct ComparatorTests {
    @Test func modes() {
        let exact = OutputComparator(mode: .exact)
        #expect(exact.matches(actual: Data("1 2\n".utf8), expected: "1 2"))
        #expect(!exact.matches(actual: Data("1  2\n".utf8), expected: "1 2\n"))
        #expect(!exact.matches(actual: Data("1 2\n\n".utf8), expected: "1 2\n"))
        let ws = OutputComparator(mode: .whitespace)
        #expect(ws.matches(actual: Data(" 1\t2 \r\n\n".utf8), expected: "1 2\n"))
        #expect(!ws.matches(actual: Data("1 2 3".utf8), expected: "1 2"))
        #expect(!ws.matches(actual: Data("12".utf8), expected: "1 2"))
        let fl = OutputComparator(mode: .float, tolerance: 1e-6)
        #expect(fl.matches(actual: Data("0.3333333 x\n".utf8), expected: "0.333333333 x"))
        #expect(fl.matches(actual: Data("1000000.5".utf8), expected: "1000000.9"))  // relative for large values
        #expect(!fl.matches(actual: Data("0.33".utf8), expected: "0.333333333"))
        #expect(!fl.matches(actual: Data("0.3333333 y".utf8), expected: "0.333333333 x"))
        #expect(!fl.matches(actual: Data("nan".utf8), expected: "1.0"))
    }
}

struct ClassifierTests {
    let limits = SandboxLimits(timeout: 2, memoryMB: 256)

    func classify(kill: KillReason? = nil, exit: Int? = nil, signal: Int? = nil, stderr: String = "", cpu: Double = 0, rss: Int = 0) -> RunStatus {
        StatusClassifier.classify(killReason: kill, exitCode: exit, signal: signal, stderr: Data(stderr.utf8),
                                  cpuSeconds: cpu, maxRSSKB: rss, limits: limits)
    }

    @Test func statuses() {
        #expect(classify(exit: 0) == .ok)
        #expect(classify(exit: 1, stderr: "Traceback...\nValueError: x\n") == .runtimeError)
        #expect(classify(exit: 1, stderr: "Traceback...\n    x = [0] * n\nMemoryError\n") == .memory)
        #expect(classify(exit: 1, stderr: "MemoryError\nlater\nand later\nKeyError: 3\n") == .runtimeError)
        #expect(classify(kill: .timeout, signal: 9) == .timeout)
        #expect(classify(kill: .outputLimit, signal: 9) == .outputLimit)
        #expect(classify(signal: Int(SIGXCPU)) == .timeout)
        #expect(classify(signal: 9, cpu: 3.5) == .timeout)                 // hard CPU limit
        #expect(classify(signal: 9, rss: 250 << 10) == .memory)           // OOM killer near the limit
        #expect(classify(signal: 9, rss: 10 << 10) == .killed)
        #expect(classify(signal: 11) == .killed)
        #expect(classify(signal: 6, stderr: "terminate called after throwing an instance of 'std::bad_alloc'\n") == .memory)
        #expect(classify(signal: Int(SIGXFSZ)) == .outputLimit)
    }

    @Test func jsonShape() throws {
        let r = RunResult(status: .runtimeError, exitCode: nil, signal: 9, stdout: Data("a\"\n\u{1}é".utf8), stderr: Data(),
                          timeS: 0.5, totalS: 0.6, cpuS: 0, maxRSSKB: 0, strayProcesses: 0)
        let text = r.json()
        #expect(text.hasPrefix("{\"status\": \"runtime_error\", \"exit_code\": null, \"signal\": 9, \"stdout\": "))
        let obj = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(obj?["stdout"] as? String == "a\"\n\u{1}é")
        #expect(obj?.keys.sorted() == ["exit_code", "signal", "status", "stderr", "stdout", "time_s"])
    }
}

extension SandboxProcessTests {
    @Suite struct JudgeTests {
        let tests = [JudgeTest(input: "1 2\n", output: "3\n"), JudgeTest(input: "5 7\n", output: "12\n"),
                     JudgeTest(input: "-4 4\n", output: "0\n")]

        func judge(_ src: String, mode: RewardMode = .allPass, stop: Bool = false) throws -> JudgeReport {
            try Judge(sandbox: Support.sandbox(), limits: SandboxLimits(timeout: 2), rewardMode: mode, stopAtFirstFailure: stop)
                .judge(language: .python, source: Data(src.utf8), tests: tests)
        }

        @Test func correctProgramGetsFullReward() throws {
            let r = try judge("a, b = map(int, input().split())\nprint(a + b)\n")
            #expect(r.reward == 1 && r.passed == 3)
            #expect(r.tests.map(\.verdict) == ["accepted", "accepted", "accepted"])
        }

        @Test func partialCredit() throws {
            let src = "a, b = map(int, input().split())\nprint(a + b if a > 0 else 'x')\n"
            #expect(try judge(src).reward == 0)
            let r = try judge(src, mode: .fraction)
            #expect(abs(r.reward - 2.0 / 3.0) < 1e-12)
            #expect(r.tests.map(\.verdict) == ["accepted", "accepted", "wrong_answer"])
        }

        @Test func perTestStatusesAndEarlyStop() throws {
            let src = "import sys\na, b = map(int, input().split())\nif a == 5:\n    while True: pass\nif a < 0:\n    raise SystemExit(3)\nprint(a + b)\n"
            let r = try judge(src, mode: .fraction)
            #expect(r.tests.map(\.verdict) == ["accepted", "timeout", "runtime_error"])
            let stopped = try judge("print(0)\n", stop: true)
            #expect(stopped.tests.map(\.verdict) == ["wrong_answer", "skipped", "skipped"])
            #expect(stopped.reward == 0)
        }

        @Test func swiftProgramsCompileInTheSandbox() throws {
            try #require(Interpreters.swiftc() != nil, "no Swift toolchain")
            let src = "let p = readLine()!.split(separator: \" \").map { Int($0)! }\nprint(p[0] + p[1])\n"
            let r = try Judge(sandbox: Support.sandbox()).judge(language: .swift, source: Data(src.utf8), tests: tests)
            #expect(r.reward == 1, "\(r.compileError ?? "")")
            let bad = try Judge(sandbox: Support.sandbox()).judge(language: .swift, source: Data("let x: Int = \"a\"\n".utf8), tests: tests)
            #expect(bad.reward == 0 && bad.compileError?.contains("error") == true)
        }
    }
}

struct IsolationProbeTests {
    @Test func missingBubblewrapFailsClosed() {
        #expect {
            _ = try IsolationSetup.probe(python: "/usr/bin/python3", bwrap: "/nonexistent/bwrap")
        } throws: { error in
            guard case SandboxError.isolationUnavailable(let missing) = error else { return false }
            return missing.contains { $0.contains("bubblewrap") } && "\(error)".contains("--no-isolation")
        }
    }
}
