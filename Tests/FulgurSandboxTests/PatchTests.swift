import Foundation
import Testing
import FulgurSupport
@testable import FulgurSandbox

/// The unified-diff parser and applier, checked against GNU diff and GNU patch (independent
/// implementations), and against hostile patches.
struct PatchTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/swe").path

    func tempDir() throws -> String { try Sandbox.makeTemporaryDirectory(prefix: "fulgur-patchtest-") }

    func write(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    func read(_ path: String) -> String? { FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } }

    /// Runs a host tool, returning stdout.
    @discardableResult
    func tool(_ argv: [String], cwd: String? = nil, stdin: Data? = nil) throws -> (Int32, Data) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = inp
        try p.run()
        if let stdin { inp.fileHandleForWriting.write(stdin) }
        try inp.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, data)
    }

    /// Random edits of random files: `diff -u` makes the patch, our applier must reproduce the
    /// new file byte for byte (trailing-newline changes included).
    @Test func appliesWhatGNUDiffProduces() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var rng = SplitMix64(seed: 42)
        let words = ["alpha", "beta", "gamma", "", "  indented", "x = 1", "return y", "}", "\t tab"]
        for case_ in 0..<40 {
            var old = (0..<Int.random(in: 0...60, using: &rng)).map { _ in words[Int(rng.next() % UInt64(words.count))] }
            var new = old
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let at = new.isEmpty ? 0 : Int(rng.next() % UInt64(new.count + 1))
                switch rng.next() % 3 {
                case 0: new.insert("inserted \(rng.next() % 1000)", at: at)
                case 1: if !new.isEmpty { new.remove(at: min(at, new.count - 1)) }
                default: if !new.isEmpty { new[min(at, new.count - 1)] = "changed \(rng.next() % 1000)" }
                }
            }
            if old.isEmpty { old = ["seed"] }
            let oldText = old.joined(separator: "\n") + (rng.next() % 4 == 0 ? "" : "\n")
            let newText = new.joined(separator: "\n") + (rng.next() % 4 == 0 ? "" : "\n")
            try write(oldText, dir + "/a.txt")
            try write(newText, dir + "/new.txt")
            let (_, patch) = try tool(["/usr/bin/diff", "-u", "--label", "a/f.txt", "--label", "b/f.txt", dir + "/a.txt", dir + "/new.txt"])
            let repo = dir + "/repo\(case_)"
            try write(oldText, repo + "/f.txt")
            if patch.isEmpty { continue }
            try PatchApplier.apply(try UnifiedDiff.parse(patch), to: repo)
            #expect(read(repo + "/f.txt") == newText, "case \(case_)")
        }
    }

    /// The sample tasks' reference patches give the same files as GNU patch.
    @Test func matchesGNUPatchOnTheSampleTasks() throws {
        let patchTool = ["/usr/bin/patch", "/bin/patch"].first { FileManager.default.isExecutableFile(atPath: $0) }
        try #require(patchTool != nil, "GNU patch is needed for this test (apt-get install patch)")
        for name in ["calc-divide", "slugify-runs", "lru-refresh"] {
            let dir = try tempDir()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try Snapshot.copyTree(from: "\(Self.examples)/\(name)/repo", to: dir + "/ours")
            try Snapshot.copyTree(from: "\(Self.examples)/\(name)/repo", to: dir + "/gnu")
            let patch = try Data(contentsOf: URL(fileURLWithPath: "\(Self.examples)/\(name)/fix.patch"))
            let touched = try PatchApplier.apply(try UnifiedDiff.parse(patch), to: dir + "/ours")
            let (status, _) = try tool([patchTool!, "-p1", "-s", "-d", dir + "/gnu"], stdin: patch)
            #expect(status == 0)
            for path in touched { #expect(read(dir + "/ours/" + path) == read(dir + "/gnu/" + path), "\(name): \(path)") }
        }
    }

    @Test func hunksMayBeOffsetButMustMatchExactly() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("a\nb\nc\nd\ne\nf\n", dir + "/x")
        // Header says line 1, the context is at line 3: applied at the nearest exact match.
        let shifted = "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n c\n-d\n+D\n"
        try PatchApplier.apply(try UnifiedDiff.parse(Data(shifted.utf8)), to: dir)
        #expect(read(dir + "/x") == "a\nb\nc\nD\ne\nf\n")
        // Context that matches nowhere: refused, file untouched.
        let wrong = "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n zz\n-D\n+Q\n"
        #expect(throws: PatchApplier.ApplyError.self) { try PatchApplier.apply(try UnifiedDiff.parse(Data(wrong.utf8)), to: dir) }
        #expect(read(dir + "/x") == "a\nb\nc\nD\ne\nf\n")
    }

    @Test func createsAndDeletesFiles() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("gone\n", dir + "/old.txt")
        let patch = """
            diff --git a/pkg/new.py b/pkg/new.py
            new file mode 100644
            --- /dev/null
            +++ b/pkg/new.py
            @@ -0,0 +1,2 @@
            +def f():
            +    return 1
            diff --git a/old.txt b/old.txt
            deleted file mode 100644
            --- a/old.txt
            +++ /dev/null
            @@ -1 +0,0 @@
            -gone

            """
        let touched = try PatchApplier.apply(try UnifiedDiff.parse(Data(patch.utf8)), to: dir)
        #expect(touched == ["pkg/new.py", "old.txt"])
        #expect(read(dir + "/pkg/new.py") == "def f():\n    return 1\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/old.txt"))
    }

    @Test func quotedPathsAreUnescaped() throws {
        let p = try UnifiedDiff.parse(Data("--- \"a/sp ace\\t.py\"\n+++ \"b/sp ace\\t.py\"\n@@ -1 +1 @@\n-x\n+y\n".utf8))
        #expect(p.files.first?.path == "sp ace\t.py")
    }

    @Test(arguments: [
        ("empty", ""),
        ("no hunks", "--- a/x\n+++ b/x\n"),
        ("missing +++", "--- a/x\n@@ -1 +1 @@\n-a\n+b\n"),
        ("bad header", "--- a/x\n+++ b/x\n@@ -1,x +1 @@\n-a\n+b\n"),
        ("short hunk", "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n"),
        ("long hunk", "--- a/x\n+++ b/x\n@@ -1,1 +1,1 @@\n-a\n+b\n+c\n"),
        ("garbage line", "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n?b\n"),
        ("binary", "diff --git a/x b/x\nGIT binary patch\nliteral 3\n"),
        ("rename", "diff --git a/x b/y\nrename from x\nrename to y\n"),
        ("symlink", "diff --git a/l b/l\nnew file mode 120000\n--- /dev/null\n+++ b/l\n@@ -0,0 +1 @@\n+/etc/passwd\n"),
        ("twice", "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-b\n+c\n"),
        ("nul", "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\0\n+b\n"),
    ])
    func malformedPatchesAreRejected(_ name: String, _ text: String) {
        #expect(throws: UnifiedDiff.ParseError.self, "\(name)") { try UnifiedDiff.parse(Data(text.utf8)) }
    }

    @Test(arguments: ["../escape.txt", "a/../../escape.txt", "/etc/passwd", "./x", "a//b", ".git/config", "sub/.git/hooks/pre-commit"])
    func pathsThatLeaveTheRepositoryAreRejected(_ path: String) throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/repo", withIntermediateDirectories: true)
        let patch = "--- /dev/null\n+++ \(path)\n@@ -0,0 +1 @@\n+pwned\n"
        #expect(throws: PatchApplier.ApplyError.self) { try PatchApplier.apply(try UnifiedDiff.parse(Data(patch.utf8)), to: dir + "/repo") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["repo"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/repo").isEmpty)
    }

    @Test func symlinksInTheRepositoryCannotRedirectWrites() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let outside = dir + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try write("secret\n", outside + "/victim.txt")
        try FileManager.default.createDirectory(atPath: dir + "/repo", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/repo/link", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: dir + "/repo/file", withDestinationPath: outside + "/victim.txt")
        for patch in [
            "--- /dev/null\n+++ b/link/new.txt\n@@ -0,0 +1 @@\n+pwned\n",          // create through a symlinked folder
            "--- a/link/victim.txt\n+++ b/link/victim.txt\n@@ -1 +1 @@\n-secret\n+pwned\n",  // modify through it
            "--- a/file\n+++ b/file\n@@ -1 +1 @@\n-secret\n+pwned\n",                        // modify a symlinked file
        ] {
            #expect(throws: PatchApplier.ApplyError.self) { try PatchApplier.apply(try UnifiedDiff.parse(Data(patch.utf8)), to: dir + "/repo") }
        }
        #expect(read(outside + "/victim.txt") == "secret\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == ["victim.txt"])
    }

    @Test func allOrNothing() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("one\n", dir + "/a")
        try write("two\n", dir + "/b")
        // The first file's hunk applies, the second's does not: nothing is written.
        let patch = "--- a/a\n+++ b/a\n@@ -1 +1 @@\n-one\n+ONE\n--- a/b\n+++ b/b\n@@ -1 +1 @@\n-zzz\n+TWO\n"
        #expect(throws: PatchApplier.ApplyError.self) { try PatchApplier.apply(try UnifiedDiff.parse(Data(patch.utf8)), to: dir) }
        #expect(read(dir + "/a") == "one\n")
    }
}
