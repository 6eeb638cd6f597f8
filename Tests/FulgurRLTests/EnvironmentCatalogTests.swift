import Foundation
import FulgurRewards
import Testing
@testable import FulgurRL

/// One catalog of environments for every command, built lazily (issue 20, Must 1).
@Suite struct EnvironmentCatalogTests {
    @Test func everyBuiltInAndTheSandboxedOnesHaveOneName() {
        let names = EnvironmentCatalog.names
        #expect(Set(names).count == names.count, "duplicate names: \(names)")
        for env in Environments.builtIn { #expect(names.contains(env.name)) }
        #expect(names.contains("code") && names.contains("swe"))
        #expect(EnvironmentCatalog.entries.filter(\.needsSandbox).map(\.name).sorted() == ["code", "swe"])
        for entry in EnvironmentCatalog.entries {
            #expect(!entry.summary.isEmpty, "\(entry.name) has no summary")
        }
    }

    /// Validating an rl.json that names `code` and `swe`, and listing the catalog, build nothing
    /// that needs the sandbox (building it probes the sandbox and makes the process a subreaper).
    @Test func validatingAConfigProbesNoSandbox() throws {
        let json = """
            {"init_from": "runs/sft", "environments": [
              {"name": "code", "weight": 1, "min_difficulty": 1, "max_difficulty": 2},
              {"name": "swe", "weight": 1, "min_difficulty": 1, "max_difficulty": 1},
              {"name": "addition", "weight": 1, "min_difficulty": 1, "max_difficulty": 4}]}
            """
        let config = try JSONDecoder().decode(RLConfig.self, from: Data(json.utf8))
        try config.validate()
        _ = EnvironmentCatalog.entries.map { ($0.name, $0.summary, $0.difficultyScale) }
        #expect(EnvironmentCatalog.builtNames.isDisjoint(with: ["code", "swe"]))
    }

    @Test func unknownNamesAreRejectedWithTheList() throws {
        let json = """
            {"init_from": "runs/sft", "environments": [{"name": "no-such-env", "weight": 1, "min_difficulty": 1, "max_difficulty": 1}]}
            """
        let config = try JSONDecoder().decode(RLConfig.self, from: Data(json.utf8))
        #expect {
            try config.validate()
        } throws: { error in
            let text = "\(error)"
            return text.contains("environments[0].name") && text.contains("no-such-env") && text.contains("code")
        }
        #expect(throws: RLError.self) { try EnvironmentCatalog.require("no-such-env") }
    }

    /// A built-in environment comes back as the same value on every lookup.
    @Test func builtInLookupNeedsNoSandbox() throws {
        let env = try EnvironmentCatalog.require("addition")
        #expect(env.name == "addition")
        #expect(EnvironmentCatalog.builtNames.contains("addition"))
    }
}
