import Foundation
import FulgurData
import FulgurEnvironments
import FulgurTraining
import Testing
@testable import FulgurRL

/// One registry of environments for every command, built lazily (issue 20, Must 1). The
/// executable passes `EnvironmentRegistry.standard` to `rl`, `eval`, `pipeline`, `tasks`, `verify`
/// and (through `SyntheticCorpus`) `train`; these tests hold that registry to its promises.
@Suite struct EnvironmentRegistryTests {
    let registry = EnvironmentRegistry.standard

    @Test func everyBuiltInAndTheSandboxedOnesHaveOneName() {
        let names = registry.names
        #expect(Set(names).count == names.count, "duplicate names: \(names)")
        for env in Environments.builtIn { #expect(names.contains(env.name)) }
        #expect(registry.entries.filter { $0.needs != nil }.map(\.name).sorted() == ["code", "swe"])
        for entry in registry.entries {
            #expect(!entry.summary.isEmpty, "\(entry.name) has no summary")
        }
        // the rule-checked registry is the standard one without the sandboxed entries
        #expect(EnvironmentRegistry.ruleChecked.names == names.filter { $0 != "code" && $0 != "swe" })
    }

    /// `train`'s built-in data offers exactly the registry's demonstrating environments (plus
    /// tool use), so a name means the same task in `train` as in `rl` and `eval`.
    @Test func theBuiltInCorpusUsesTheRegistrysNames() throws {
        let corpus = SyntheticCorpus(environments: registry)
        let demonstrating = registry.entries.filter(\.demonstrates).map(\.name)
        #expect(Set(demonstrating) == ["addition", "subtraction", "multiplication", "arithmetic", "code", "swe"])
        #expect(Set(corpus.names) == Set(demonstrating + [ToolUseCorpus.name]))
        var spec = TrainConfig.BuiltinCorpus()
        spec.tasks = ["multiplication"]
        spec.count = 3
        let convs = try corpus.conversations(spec)
        #expect(convs.count == 3 && convs.allSatisfy { $0.messages.first?.content.contains("*") == true })
        spec.tasks = ["sudoku"]  // a registry name without worked solutions
        #expect { try corpus.conversations(spec) } throws: { "\($0)".contains("without worked solutions") && "\($0)".contains("sudoku") }
        spec.tasks = ["no-such-task"]
        #expect { try corpus.conversations(spec) } throws: { "\($0)".contains("unknown task") && "\($0)".contains("addition") }
    }

    /// Every task of every built-in eval suite resolves in the registry.
    @Test func builtInEvalSuitesResolve() throws {
        for name in ["addition", "arithmetic", "logic", "math"] {
            let suite = try EvalSuite.load(name)
            #expect(try !suite.tasks(environments: registry).isEmpty)
        }
    }

    /// Validating an rl.json that names `code` and `swe`, listing the registry and describing the
    /// corpus build nothing that needs the sandbox (building it probes the sandbox and makes the
    /// process a subreaper).
    @Test func validatingAConfigProbesNoSandbox() throws {
        let json = """
            {"init_from": "runs/sft", "environments": [
              {"name": "code", "weight": 1, "min_difficulty": 1, "max_difficulty": 2},
              {"name": "swe", "weight": 1, "min_difficulty": 1, "max_difficulty": 1},
              {"name": "addition", "weight": 1, "min_difficulty": 1, "max_difficulty": 4}]}
            """
        let config = try JSONDecoder().decode(RLConfig.self, from: Data(json.utf8))
        try config.validate(environments: registry)
        _ = registry.entries.map { ($0.name, $0.summary, $0.difficultyScale) }
        _ = SyntheticCorpus(environments: registry).names
        #expect(registry.builtNames.isDisjoint(with: ["code", "swe"]))
        // the same config against a registry without the sandboxed entries names what is missing
        #expect { try config.validate(environments: .ruleChecked) } throws: { "\($0)".contains("environments[0].name") && "\($0)".contains("\"code\"") }
    }

    @Test func unknownNamesAreRejectedWithTheList() throws {
        let json = """
            {"init_from": "runs/sft", "environments": [{"name": "no-such-env", "weight": 1, "min_difficulty": 1, "max_difficulty": 1}]}
            """
        let config = try JSONDecoder().decode(RLConfig.self, from: Data(json.utf8))
        #expect {
            try config.validate(environments: registry)
        } throws: { error in
            let text = "\(error)"
            return text.contains("environments[0].name") && text.contains("no-such-env") && text.contains("code")
        }
        #expect(throws: EnvironmentError.self) { try registry.require("no-such-env") }
    }

    /// A built-in environment is built on first lookup and comes back on every later one; a failing
    /// build names the environment and what it needs, and is retried on the next lookup.
    @Test func lookupsBuildOnceAndFailuresNameTheNeed() throws {
        let env = try registry.require("addition")
        #expect(env.name == "addition")
        #expect(registry.builtNames.contains("addition"))
        struct Down: Error, CustomStringConvertible { var description: String { "probe failed" } }
        let failing = EnvironmentRegistry([
            .init(name: "remote", summary: "s", difficultyScale: "", needs: "a judge server", make: { throw Down() }),
        ])
        #expect { try failing.require("remote") } throws: { "\($0)" == "environment \"remote\": probe failed (it needs a judge server)" }
        #expect(failing.builtNames.isEmpty)
    }
}

/// `task` and `judge` on an rl.json environment entry belong to GenRM (judge-*) environments.
@Suite struct GenRMConfigTests {
    @Test func taskAndJudgeOnlyOnJudgeEnvironments() throws {
        let json = """
            {"init_from": "runs/sft", "environments": [{"name": "addition", "task": "addition",
              "judge": {"base_url": "http://127.0.0.1:9/v1", "model": "m"}}]}
            """
        let config = try JSONDecoder().decode(RLConfig.self, from: Data(json.utf8))
        #expect(config.environments[0].judge?.model == "m" && config.environments[0].task == "addition")
        #expect { try config.validate(environments: .ruleChecked) } throws: { "\($0)".contains("belong to GenRM environments") }
        let badJudge = """
            {"init_from": "runs/sft", "environments": [{"name": "judge-reference", "task": "addition", "judge": {"base_url": "x", "model": "m"}}]}
            """
        #expect { try JSONDecoder().decode(RLConfig.self, from: Data(badJudge.utf8)) } throws: { "\($0)".contains("judge.base_url") }
    }
}
