import Foundation
import Testing
@testable import FulgurTokenizer

/// The trainer against HF's BpeTrainer run on the same sequences (Fixtures/generated/trained-*.json).
@Suite struct TrainerTests {
    static let specials = ["<pad>", "<beginning_of_sentence>", "<end_of_sentence>", "<end_of_document>", "<begin_of_document>"]

    func train(_ pattern: BPETrainer.Pattern) throws -> (BPETrainer, BPETrainer.Result) {
        let trainer = BPETrainer(vocabularySize: 700, specialTokens: Self.specials, pattern: pattern)
        var words = BPETrainer.WordCounts()
        for c in try Fixtures.cases("bpe-gpt2") { trainer.count(c.text, into: &words) }
        return (trainer, try trainer.train(words))
    }

    @Test(arguments: [BPETrainer.Pattern.o200k, .gpt2])
    func mergesEqualHFTrainer(pattern: BPETrainer.Pattern) throws {
        let (trainer, result) = try train(pattern)
        let golden = try JSONTree.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("generated/trained-\(pattern.rawValue).json")))))
        guard case .array(let merges)? = golden["model"]?["merges"], case .object(let vocab)? = golden["model"]?["vocab"] else {
            Issue.record("golden file has no model")
            return
        }
        let goldenMerges = merges.map { m -> (String, String) in
            guard case .array(let p) = m, case .string(let a) = p[0], case .string(let b) = p[1] else { return ("", "") }
            return (a, b)
        }
        #expect(result.merges.count == goldenMerges.count)
        let ours = result.merges.map { $0.0 + " " + $0.1 }
        let theirs = goldenMerges.map { $0.0 + " " + $0.1 }
        let firstDifference = zip(ours, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDifference == nil, "first differing merge at rank \(firstDifference ?? -1)")
        #expect(result.vocab == vocab.map(\.key))

        // The written file loads, keeps the special ids, and round-trips text.
        let tok = try Tokenizer(json: Array(trainer.tokenizerJSON(result).serialized().utf8))
        #expect(tok.vocabularySize == 700)
        #expect(tok.specialTokenId("<end_of_sentence>") == 2)
        let text = "def train(self, x):\n    return x * 2  # naïve <end_of_sentence>"
        #expect(tok.decode(tok.encode(text)) == text)
        #expect(tok.encode(text).contains(2))
    }

    /// A file is one sequence; only files over the chunk size are cut, after a line end.
    @Test func filesAreWholeSequences() throws {
        let dir = NSTemporaryDirectory() + "fulgur-train-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = "x\n  \ny = 1\nno newline at the end"
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/a.txt"))
        let trainer = BPETrainer(vocabularySize: 300, pattern: .gpt2)
        var expected = BPETrainer.WordCounts()
        trainer.count(text, into: &expected)
        let whole = try trainer.countFiles([dir + "/a.txt"])
        #expect(whole.counts == expected.counts)
        // Cut at line ends into pieces of about 8 bytes: every byte is counted exactly once.
        func bytesCounted(_ w: BPETrainer.WordCounts) -> Int {
            var total = 0
            w.table.forEach { key, entry in total += key.count * w.counts[Int(entry)] }
            return total
        }
        let cut = try trainer.countFiles([dir + "/a.txt"], chunkBytes: 8)
        #expect(bytesCounted(whole) == text.utf8.count)
        #expect(bytesCounted(cut) == text.utf8.count)
        #expect(cut.counts != whole.counts)  // the cuts did change the words
    }

    @Test func tooSmallAVocabularyIsAnError() {
        let trainer = BPETrainer(vocabularySize: 100, specialTokens: ["<pad>"])
        #expect(throws: TokenizerError.self) { try trainer.train(BPETrainer.WordCounts()) }
    }

    @Test func unreadableAndNonUTF8FilesAreErrors() throws {
        let trainer = BPETrainer(vocabularySize: 300)
        #expect(throws: (any Error).self) { try trainer.countFiles(["/nonexistent/corpus.txt"]) }
        let path = NSTemporaryDirectory() + "fulgur-bad-\(getpid()).txt"
        try Data([0x61, 0xFF, 0x62]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do { _ = try trainer.countFiles([path]); Issue.record("no error") } catch {
            #expect("\(error)".contains("UTF-8"))
        }
    }
}
