import Foundation
import FulgurSupport

/// A software-engineering task: a repository snapshot, an issue, a test command, the tests a
/// fix must make pass and the tests it must keep passing. On disk it is a folder with
/// `task.json` (schema in docs/sandbox.md):
///
///     {"id": "...", "repo": "repo" | "repo.tar.gz", "issue_file": "issue.md",
///      "test_command": ["python3", "-m", "unittest", "{test}"],
///      "fail_to_pass": ["tests.test_x.T.test_a"], "pass_to_pass": ["tests.test_x.T.test_b"],
///      "protected_paths": ["tests"], "reference_patch": "fix.patch",
///      "timeout": 120, "test_timeout": 30, "memory": 1024}
public struct SWETask: Sendable, Equatable {
    public var id: String
    public var folder: String
    /// The snapshot: a folder, or a .tar / .tar.gz / .tgz archive (one top-level folder in
    /// the archive is taken as the repository root).
    public var repo: String
    public var issue: String
    /// argv run once per test inside the repository; `{test}` is replaced by the test id.
    public var testCommand: [String]
    public var failToPass: [String]
    public var passToPass: [String]
    /// Paths the model's patch may not change: restored from the snapshot after applying it.
    public var protectedPaths: [String]
    public var referencePatch: String?
    /// Wall limit of the whole sandboxed test session, seconds.
    public var timeout: Double
    /// Wall limit of one test, seconds.
    public var testTimeout: Double
    public var memoryMB: Int

    private struct Spec: Decodable {
        var id: String
        var repo: String
        var issue_file: String?
        var issue: String?
        var test_command: [String]
        var fail_to_pass: [String]
        var pass_to_pass: [String]?
        var protected_paths: [String]?
        var reference_patch: String?
        var timeout: Double?
        var test_timeout: Double?
        var memory: Int?
    }

    public static func load(_ folder: String) throws -> SWETask {
        let dir = (folder as NSString).standardizingPath
        let path = dir + "/task.json"
        guard let data = FileManager.default.contents(atPath: path) else { throw FileError(path, "cannot read (a task folder needs task.json)") }
        let spec: Spec
        do { spec = try JSONDecoder().decode(Spec.self, from: data) } catch { throw FileError(path, Files.describe(error)) }
        func inside(_ rel: String, field: String) throws -> String {
            guard !rel.isEmpty, !rel.hasPrefix("/"), !rel.split(separator: "/").contains("..") else {
                throw FileError(path, "field \(field): \(rel.debugDescription) must be a path inside the task folder")
            }
            let full = dir + "/" + rel
            guard FileManager.default.fileExists(atPath: full) else { throw FileError(path, "field \(field): \(full) does not exist") }
            return full
        }
        let repo = try inside(spec.repo, field: "repo")
        var issue = spec.issue ?? ""
        if let f = spec.issue_file {
            let full = try inside(f, field: "issue_file")
            guard let text = try? String(contentsOfFile: full, encoding: .utf8) else { throw FileError(full, "cannot read as UTF-8") }
            issue = text
        }
        guard !issue.isEmpty else { throw FileError(path, "missing field issue_file (or issue)") }
        guard !spec.test_command.isEmpty, spec.test_command.contains(where: { $0.contains("{test}") }) else {
            throw FileError(path, "field test_command: must be a non-empty argv with a {test} placeholder")
        }
        guard !spec.fail_to_pass.isEmpty else { throw FileError(path, "field fail_to_pass: at least one test is required") }
        let all = spec.fail_to_pass + (spec.pass_to_pass ?? [])
        guard Set(all).count == all.count else { throw FileError(path, "a test id appears twice in fail_to_pass/pass_to_pass") }
        guard all.allSatisfy({ !$0.isEmpty && !$0.contains("\0") }) else { throw FileError(path, "test ids must be non-empty strings") }
        for p in spec.protected_paths ?? [] {
            do { try PatchApplier.validate(p) } catch { throw FileError(path, "field protected_paths: \(error)") }
        }
        let timeout = spec.timeout ?? 120, testTimeout = spec.test_timeout ?? 30, memory = spec.memory ?? 1024
        guard timeout > 0, timeout <= 3600, testTimeout > 0, testTimeout <= timeout else {
            throw FileError(path, "timeout must be in (0, 3600] and test_timeout in (0, timeout]")
        }
        guard memory >= 64 else { throw FileError(path, "field memory: must be ≥ 64 MiB") }
        return SWETask(
            id: spec.id, folder: dir, repo: repo, issue: issue, testCommand: spec.test_command,
            failToPass: spec.fail_to_pass, passToPass: spec.pass_to_pass ?? [], protectedPaths: spec.protected_paths ?? [],
            referencePatch: try spec.reference_patch.map { try inside($0, field: "reference_patch") },
            timeout: timeout, testTimeout: testTimeout, memoryMB: memory)
    }

    /// The prompt a policy sees: the issue and how to answer.
    public var prompt: String {
        """
        You are working in a Python repository. Fix the following issue.

        \(issue.trimmingCharacters(in: .whitespacesAndNewlines))

        Answer with a unified diff (paths relative to the repository root, `--- a/…` / `+++ b/…`) \
        inside a ```diff code block.
        """
    }
}
