import Foundation

/// The outcome of one test of an SWE task.
public struct SWETestResult: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case failToPass = "fail_to_pass", passToPass = "pass_to_pass" }
    public var id: String
    public var kind: Kind
    /// passed, failed, timeout, error, or not_run (the session ended before the test ran).
    public var status: String
    public var timeS: Double
    public var output: String
    public var passed: Bool { status == "passed" }
}

/// The verdict on a patch for an SWE task.
public struct SWEReport: Sendable {
    public var taskID: String
    /// 1 when every fail_to_pass test passes and no pass_to_pass test fails, else 0.
    public var reward: Double
    public var patchApplied: Bool
    public var patchError: String?
    /// Patched paths under protected_paths, reverted before the tests ran.
    public var revertedPaths: [String]
    /// Status of the sandboxed test session (ok unless it hit a limit or crashed).
    public var sessionStatus: RunStatus?
    public var tests: [SWETestResult]

    public var failToPassPassed: Int { tests.filter { $0.kind == .failToPass && $0.passed }.count }
    public var passToPassPassed: Int { tests.filter { $0.kind == .passToPass && $0.passed }.count }

    public func json() -> String {
        func count(_ k: SWETestResult.Kind) -> String {
            "{\"passed\": \(tests.filter { $0.kind == k && $0.passed }.count), \"total\": \(tests.filter { $0.kind == k }.count)}"
        }
        let t = tests.map {
            "{\"id\": \(JSONText.quote($0.id)), \"kind\": \"\($0.kind.rawValue)\", \"status\": \(JSONText.quote($0.status)), "
                + "\"time_s\": \(JSONText.number($0.timeS)), \"output\": \(JSONText.quote($0.output))}"
        }
        return "{\"task\": \(JSONText.quote(taskID)), \"reward\": \(JSONText.number(reward)), \"patch_applied\": \(patchApplied), "
            + "\"patch_error\": \(patchError.map(JSONText.quote) ?? "null"), "
            + "\"reverted_paths\": [\(revertedPaths.map(JSONText.quote).joined(separator: ", "))], "
            + "\"session_status\": \(sessionStatus.map { JSONText.quote($0.rawValue) } ?? "null"), "
            + "\"fail_to_pass\": \(count(.failToPass)), \"pass_to_pass\": \(count(.passToPass)), \"tests\": [\(t.joined(separator: ", "))]}"
    }
}

/// Applies a model's patch to a fresh copy of a task's repository and runs the task's tests
/// in the sandbox.
public struct SWERunner: Sendable {
    public var sandbox: Sandbox

    public init(sandbox: Sandbox) { self.sandbox = sandbox }

    /// `patch` nil runs the tests on the unpatched snapshot (to validate a task).
    public func run(_ task: SWETask, patch: Data?) throws -> SWEReport {
        var report = SWEReport(taskID: task.id, reward: 0, patchApplied: false, patchError: nil, revertedPaths: [],
                               sessionStatus: nil, tests: [])
        let stage = try Sandbox.makeTemporaryDirectory(prefix: "fulgur-swe-")
        defer { try? FileManager.default.removeItem(atPath: stage) }
        let pristine = try Snapshot.materialize(task.repo, scratch: stage + "/pristine")
        let repo = stage + "/repo"
        try Snapshot.copyTree(from: pristine, to: repo)

        if let patch {
            do {
                let diff = try UnifiedDiff.parse(patch)
                let touched = try PatchApplier.apply(diff, to: repo)
                report.revertedPaths = try Snapshot.revert(touched, protected: task.protectedPaths, repo: repo, pristine: pristine)
                report.patchApplied = true
            } catch {
                report.patchError = "\(error)"
                return report
            }
        }
        // The sandbox reads the repository as its own uid: make it world-readable.
        guard chmod(stage, 0o755) == 0 else { throw SandboxError.system("chmod \(stage): \(String(cString: strerror(errno)))") }

        let nonce = (0..<4).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16) }.joined()
        let ids = task.failToPass + task.passToPass
        // Isolated, the repository is mounted read-only at /src; unisolated, it is read in place.
        let spec: [String: Any] = ["tests": ids, "command": task.testCommand, "test_timeout": task.testTimeout, "nonce": nonce,
                                   "src": sandbox.isIsolated ? "/src" : repo]
        let specData = try JSONSerialization.data(withJSONObject: spec)
        var limits = SandboxLimits(timeout: task.timeout, memoryMB: task.memoryMB)
        limits.maxProcesses = 256
        limits.workdirMB = max(256, 4 * (Snapshot.size(repo) >> 20))
        guard let python = sandbox.python else { throw SandboxError.invalidArgument("python3 is not installed") }
        let job = SandboxJob(
            command: [python, SWEDriver.fileName],
            files: [SandboxFile(name: SWEDriver.fileName, text: SWEDriver.source), SandboxFile(name: SWEDriver.specName, contents: specData)],
            limits: limits, readOnlyMounts: [ReadOnlyMount(host: repo, target: "/src")])
        let r = try sandbox.run(job)
        report.sessionStatus = r.status

        let reported = Self.parseResults(r.stdoutText, nonce: nonce)
        for (i, id) in ids.enumerated() {
            let kind: SWETestResult.Kind = i < task.failToPass.count ? .failToPass : .passToPass
            if let t = reported[id] {
                report.tests.append(SWETestResult(id: id, kind: kind, status: t.status, timeS: t.timeS, output: t.output))
            } else {
                let why = "the test session ended (\(r.status.rawValue)) before this test reported: " + String(decoding: r.stderr.suffix(2000), as: UTF8.self)
                report.tests.append(SWETestResult(id: id, kind: kind, status: "not_run", timeS: 0, output: why))
            }
        }
        report.reward = report.tests.allSatisfy(\.passed) ? 1 : 0
        return report
    }

    /// The driver's tagged result line (the last one carrying the nonce).
    static func parseResults(_ stdout: String, nonce: String) -> [String: (status: String, timeS: Double, output: String)] {
        let tag = "\(SWEDriver.resultTag) \(nonce) "
        guard let line = stdout.split(separator: "\n").last(where: { $0.hasPrefix(tag) }),
              let obj = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(tag.count).utf8)) as? [String: Any],
              let results = obj["results"] as? [[String: Any]] else { return [:] }
        var out: [String: (String, Double, String)] = [:]
        for r in results {
            guard let id = r["id"] as? String, let status = r["status"] as? String else { continue }
            out[id] = (status, (r["time_s"] as? Double) ?? 0, (r["output"] as? String) ?? "")
        }
        return out
    }
}
