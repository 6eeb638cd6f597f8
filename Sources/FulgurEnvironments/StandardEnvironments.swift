import Foundation
@_exported import FulgurRewards
import FulgurCodeEnvironments
import FulgurSandbox

/// The one registry every command uses: the rule-checked environments of FulgurRewards (math,
/// arithmetic, logic tasks) and the execution-based ones that run code in the sandbox (`code`,
/// `swe`). The sandboxed ones are built — and the sandbox probed, which also makes this process
/// a subreaper — only when a run first uses one, never to list names or validate a config.
extension EnvironmentRegistry {
    public static let standard = EnvironmentRegistry(
        Environments.builtIn.map { Entry($0) } + [
            Entry(name: "code",
                  summary: "Competitive programming: a program in a ```python block, run in the sandbox on the task's tests",
                  difficultyScale: "1-10: problem family and input size", needs: "the sandbox: see `fulgur sandbox check`", demonstrates: true,
                  make: { CodeEnvironment(sandbox: try Sandbox.isolated()) }),
            Entry(name: "swe",
                  summary: "SWE-style repository tasks: a unified diff, applied and tested in the sandbox (fail_to_pass and pass_to_pass)",
                  difficultyScale: "recorded, not used to filter", needs: "the sandbox: see `fulgur sandbox check`", demonstrates: true,
                  make: { try SWEEnvironment(sandbox: try Sandbox.isolated(), root: sweTasksFolder) }),
        ])

    /// The folder of SWE repository tasks: `FULGUR_SWE_TASKS` when set (relative paths against the
    /// working directory, as for every other path), else the repository's built-in `examples/swe`,
    /// found from the working directory or from the executable (`.build/…/fulgur` in a checkout),
    /// so `swe` works from any directory.
    public static var sweTasksFolder: String {
        if let set = ProcessInfo.processInfo.environment["FULGUR_SWE_TASKS"] { return set }
        let builtIn = "examples/swe"
        if FileManager.default.fileExists(atPath: builtIn) { return builtIn }
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = dir.appendingPathComponent(builtIn).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        return builtIn  // the error then names the folder it looked for
    }
}
