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
                  difficultyScale: "1-10: problem family and input size", needs: "the sandbox: see `fulgur sandbox check`",
                  make: { CodeEnvironment(sandbox: try Sandbox.isolated()) }),
            Entry(name: "swe",
                  summary: "SWE-style repository tasks: a unified diff, applied and tested in the sandbox (fail_to_pass and pass_to_pass)",
                  difficultyScale: "recorded, not used to filter", needs: "the sandbox: see `fulgur sandbox check`",
                  make: { try SWEEnvironment(sandbox: try Sandbox.isolated(), root: sweTasksFolder) }),
        ])

    /// The folder of built-in SWE repository tasks (`FULGUR_SWE_TASKS` overrides; relative paths
    /// are resolved against the working directory, as for every other path).
    public static var sweTasksFolder: String {
        ProcessInfo.processInfo.environment["FULGUR_SWE_TASKS"] ?? "examples/swe"
    }
}
