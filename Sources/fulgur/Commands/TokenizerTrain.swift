import ArgumentParser
import FulgurSupport
import FulgurTokenizer
import Foundation

/// `fulgur tokenizer …`: tokenizer tools (see docs/tokenizer.md).
struct TokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer", abstract: "Tokenizer tools.", subcommands: [Train.self])

    /// `fulgur tokenizer train`: a byte-level BPE trained on text files, written as tokenizer.json.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a byte-level BPE tokenizer and write it as an HF tokenizer.json.",
            discussion: """
                Each file is one training sequence. Ids 0… are the special tokens, then the 256 byte \
                characters, then one token per merge. Prints a JSON summary.
                """)

        @Option(parsing: .upToNextOption, help: "UTF-8 text files to train on.")
        var files: [String]

        @Option(help: "Vocabulary size, including special tokens and the 256 byte tokens.")
        var vocabSize: Int

        @Option(help: "Comma-separated special tokens, e.g. <pad>,<beginning_of_sentence>,<end_of_sentence>.")
        var specialTokens: String?

        @Option(help: "Output path of tokenizer.json (written atomically).")
        var out: String

        @Option(help: "Pre-tokenizer regex: o200k (GPT-4o style), llama3 or gpt2.")
        var pattern: String = "o200k"

        @Option(help: "Never merge a pair seen fewer times than this.")
        var minFrequency: Int = 0

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("--files needs at least one file") }
            guard BPETrainer.Pattern(rawValue: pattern) != nil else {
                throw ValidationError("--pattern must be one of \(BPETrainer.Pattern.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard minFrequency >= 0 else { throw ValidationError("--min-frequency must be ≥ 0") }
        }

        func run() throws {
            let specials = specialTokens.map { $0.split(separator: ",").map(String.init) } ?? []
            if let duplicate = Dictionary(grouping: specials, by: { Array($0.utf8) }).first(where: { $0.value.count > 1 }) {
                fail("--special-tokens: '\(duplicate.value[0])' is listed twice")
            }
            let trainer = BPETrainer(vocabularySize: vocabSize, specialTokens: specials,
                                     pattern: BPETrainer.Pattern(rawValue: pattern)!, minFrequency: minFrequency)
            let start = Date()
            do {
                let words = try trainer.countFiles(files)
                let result = try trainer.train(words)
                let json = trainer.tokenizerJSON(result)
                // Check the file loads before writing it.
                _ = try Tokenizer(json: Array(json.serialized().utf8))
                try Files.writeAtomically(json.serialized(), to: out)
                let summary: JSONTree = .object([
                    ("out", .string(out)), ("vocab_size", .number(String(result.vocab.count))),
                    ("merges", .number(String(result.merges.count))), ("unique_words", .number(String(words.uniqueWords))),
                    ("seconds", .number(String(format: "%.3f", Date().timeIntervalSince(start)))),
                ])
                print(summary.serialized(pythonStyle: true))
            } catch {
                fail("\(error)")
            }
        }
    }
}
