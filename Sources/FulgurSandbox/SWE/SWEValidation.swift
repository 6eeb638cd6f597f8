import Foundation

/// Checks that a task means what it says: on the unpatched snapshot every fail_to_pass test
/// fails and every pass_to_pass test passes; with the reference patch the reward is 1.
public struct SWEValidation: Sendable {
    public var taskID: String
    public var unpatched: SWEReport
    public var reference: SWEReport?
    public var problems: [String]

    public static func validate(_ task: SWETask, runner: SWERunner) throws -> SWEValidation {
        let before = try runner.run(task, patch: nil)
        var problems: [String] = []
        for t in before.tests {
            if t.kind == .failToPass && t.passed { problems.append("\(t.id) passes without a fix (fail_to_pass tests must fail)") }
            if t.kind == .passToPass && !t.passed { problems.append("\(t.id) does not pass on the snapshot (\(t.status))") }
        }
        var after: SWEReport?
        if let ref = task.referencePatch {
            guard let data = FileManager.default.contents(atPath: ref) else { throw SandboxError.invalidArgument("\(ref): cannot read") }
            let r = try runner.run(task, patch: data)
            after = r
            if let e = r.patchError { problems.append("the reference patch does not apply: \(e)") }
            for t in r.tests where !t.passed { problems.append("with the reference patch, \(t.id) \(t.status)") }
        } else {
            problems.append("no reference_patch: cannot check that the task is solvable")
        }
        return SWEValidation(taskID: task.id, unpatched: before, reference: after, problems: problems)
    }

    public func json() -> String {
        "{\"task\": \(JSONText.quote(taskID)), \"valid\": \(problems.isEmpty), "
            + "\"problems\": [\(problems.map(JSONText.quote).joined(separator: ", "))], "
            + "\"unpatched\": \(unpatched.json()), \"reference\": \(reference?.json() ?? "null")}"
    }
}
