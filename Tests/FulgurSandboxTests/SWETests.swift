import Foundation
import Testing
import FulgurRewards
@testable import FulgurSandbox
@testable import FulgurCodeEnvironments

extension SandboxProcessTests {
    /// SWE tasks end to end: real repositories, real patches, tests run in the sandbox.
    @Suite struct SWETests {
        static let root = PatchTests.examples
        static let names = ["calc-divide", "slugify-runs", "lru-refresh", "intervals-merge"]

        func runner() throws -> SWERunner { SWERunner(sandbox: try Support.sandbox()) }

        @Test(arguments: names)
        func sampleTaskIsValid(_ name: String) throws {
            let task = try SWETask.load("\(Self.root)/\(name)")
            let v = try SWEValidation.validate(task, runner: try runner())
            #expect(v.problems.isEmpty, "\(v.problems)")
            #expect(v.unpatched.reward == 0)
            #expect(v.reference?.reward == 1)
            #expect(v.reference?.tests.count == task.failToPass.count + task.passToPass.count)
        }

        @Test func breakingAPassingTestEarnsNothing() throws {
            let task = try SWETask.load("\(Self.root)/calc-divide")
            // Fixes the issue but breaks ordinary division.
            let patch = """
                --- a/calc/ops.py
                +++ b/calc/ops.py
                @@ -8,3 +8,3 @@
                 def divide(a, b):
                     \"\"\"Divides a by b.\"\"\"
                -    return a / b
                +    raise ValueError("division by zero")

                """
            let r = try runner().run(task, patch: Data(patch.utf8))
            #expect(r.patchApplied)
            #expect(r.failToPassPassed == 1 && r.passToPassPassed == 1)
            #expect(r.reward == 0)
        }

        @Test func editingTheTestsIsReverted() throws {
            let task = try SWETask.load("\(Self.root)/slugify-runs")
            let patch = """
                --- a/tests/test_slug.py
                +++ b/tests/test_slug.py
                @@ -12,7 +12,7 @@
                         self.assertEqual(slugify("  hi  "), "hi")
                 
                     def test_collapses_runs(self):
                -        self.assertEqual(slugify("Hello,  World!  Again"), "hello-world-again")
                +        self.assertTrue(True)
                 
                 
                 if __name__ == "__main__":

                """
            let r = try runner().run(task, patch: Data(patch.utf8))
            #expect(r.patchApplied)
            #expect(r.revertedPaths == ["tests/test_slug.py"])
            #expect(r.reward == 0)
            #expect(r.tests.first { $0.kind == .failToPass }?.status == "failed")
        }

        @Test func escapingOrMalformedPatchesAreRejectedBeforeRunning() throws {
            let task = try SWETask.load("\(Self.root)/lru-refresh")
            let marker = "/tmp/fulgur-swe-escape-\(UUID().uuidString)"
            for patch in ["--- /dev/null\n+++ b/../../../..\(marker)\n@@ -0,0 +1 @@\n+x\n",
                          "--- /dev/null\n+++ \(marker)\n@@ -0,0 +1 @@\n+x\n",
                          "this is not a patch\n",
                          "--- a/lru/cache.py\n+++ b/lru/cache.py\n@@ -1,2 +1,2 @@\n-nothing like this\n+x\n"] {
                let r = try runner().run(task, patch: Data(patch.utf8))
                #expect(!r.patchApplied && r.patchError != nil && r.reward == 0)
                #expect(r.tests.isEmpty)
            }
            #expect(!FileManager.default.fileExists(atPath: marker))
        }

        @Test func hangingCodeTimesOutPerTest() throws {
            var task = try SWETask.load("\(Self.root)/lru-refresh")
            task.testTimeout = 1
            let patch = """
                --- a/lru/cache.py
                +++ b/lru/cache.py
                @@ -13,6 +13,8 @@
                     def get(self, key, default=None):
                         if key not in self._data:
                             return default
                +        while True:
                +            pass
                         return self._data[key]
                 
                     def put(self, key, value):

                """
            let r = try runner().run(task, patch: Data(patch.utf8))
            #expect(r.reward == 0)
            #expect(r.tests.contains { $0.status == "timeout" })
            #expect(try Support.poolProcesses().isEmpty)
        }

        @Test func symlinkInTheSnapshotCannotBeWrittenThrough() throws {
            let dir = try Sandbox.makeTemporaryDirectory(prefix: "fulgur-swetask-")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try Snapshot.copyTree(from: "\(Self.root)/calc-divide", to: dir + "/task")
            let outside = dir + "/outside"
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: dir + "/task/repo/calc/plugins", withDestinationPath: outside)
            let task = try SWETask.load(dir + "/task")
            let r = try runner().run(task, patch: Data("--- /dev/null\n+++ b/calc/plugins/evil.py\n@@ -0,0 +1 @@\n+x\n".utf8))
            #expect(r.patchError?.contains("symlink") == true)
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        }

        @Test func taskFolderErrorsNameTheField() throws {
            let dir = try Sandbox.makeTemporaryDirectory(prefix: "fulgur-swetask-")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try Data("{\"id\": \"x\", \"repo\": \"../etc\", \"issue\": \"i\", \"test_command\": [\"t\", \"{test}\"], \"fail_to_pass\": [\"a\"]}".utf8)
                .write(to: URL(fileURLWithPath: dir + "/task.json"))
            #expect { try SWETask.load(dir) } throws: { "\($0)".contains("field repo") }
            try Data("{\"id\": \"x\", \"repo\": \".\", \"issue\": \"i\", \"test_command\": [\"t\"], \"fail_to_pass\": [\"a\"]}".utf8)
                .write(to: URL(fileURLWithPath: dir + "/task.json"))
            #expect { try SWETask.load(dir) } throws: { "\($0)".contains("{test}") }
        }
    }

    /// Both runners through the environment protocol, as RL uses them.
    @Suite struct EnvironmentTests {
        @Test func codeEnvironmentReferenceSolutionsScoreOne() throws {
            let env = CodeEnvironment(sandbox: try Support.sandbox())
            var families = Set<String>()
            for d in [1, 3, 5, 7, 9] {
                let tasks = try env.generate(count: 3, difficulty: d, seed: UInt64(d))
                #expect(try env.generate(count: 3, difficulty: d, seed: UInt64(d)) == tasks)  // deterministic
                for t in tasks {
                    families.insert(t.metadata["family"]?.string ?? "")
                    // The Python reference agrees with the Swift solver on every generated test.
                    let s = env.score(t, response: "Here is my solution:\n```python\n\(t.answer)```\n")
                    #expect(s.reward == 1 && s.correct, "\(t.id): \(s.reason)")
                }
            }
            #expect(families.count >= 5)
        }

        @Test func codeEnvironmentScoresWrongAndMissingCode() throws {
            let env = CodeEnvironment(sandbox: try Support.sandbox())
            let t = try env.generate(count: 1, difficulty: 1, seed: 7)[0]
            let none = env.score(t, response: "The answer is 42.")
            #expect(none.reward == 0 && none.formatReward == 0)
            let wrong = env.score(t, response: "```python\nprint(42)\n```")
            #expect(wrong.reward == 0 && wrong.formatReward == 1 && wrong.reason.contains("wrong_answer"))
        }

        @Test func sweEnvironmentScoresPatches() throws {
            let env = try SWEEnvironment(sandbox: try Support.sandbox(), root: SWETests.root)
            #expect(env.tasks.count == 4)
            let tasks = try env.generate(count: 2, difficulty: 3, seed: 1)
            for t in tasks {
                let s = env.score(t, response: "I fixed it.\n```diff\n\(t.answer)```\n")
                #expect(s.reward == 1, "\(t.id): \(s.reason)")
            }
            let bad = env.score(tasks[0], response: "no diff here")
            #expect(bad.reward == 0 && bad.formatReward == 0)
        }
    }
}
