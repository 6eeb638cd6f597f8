import ArgumentParser
import FulgurSupport
import FulgurTokenizer
import Foundation

/// `fulgur tokenize`: text → ids or ids → text with a tokenizer.json (see docs/tokenizer.md).
struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode text to token ids (no special tokens added), or decode ids to text.",
        discussion: """
            Prints {"ids": [...]} for --text/--file and {"text": "..."} for --decode. Special-token \
            strings in the text become their ids; decoding keeps special tokens.
            """)

    @Option(help: "Path to an HF tokenizer.json.")
    var tokenizer: String

    @Option(help: "Text to encode.")
    var text: String?

    @Option(help: "A UTF-8 file whose whole content is encoded.")
    var file: String?

    @Option(help: "Comma-separated token ids to decode, e.g. 1,2,3.")
    var decode: String?

    func validate() throws {
        let given = [text != nil, file != nil, decode != nil].filter { $0 }.count
        guard given == 1 else { throw ValidationError("give exactly one of --text, --file or --decode") }
    }

    func run() throws {
        let tok: Tokenizer
        do { tok = try Tokenizer(contentsOfFile: tokenizer) } catch { fail("\(error)") }
        if let decode {
            var ids: [Int] = []
            for part in decode.split(separator: ",", omittingEmptySubsequences: false) {
                let s = part.trimmingCharacters(in: .whitespaces)
                guard let id = Int(s) else { fail("--decode: '\(s)' is not an integer id") }
                guard tok.token(forId: id) != nil else {
                    fail("--decode: id \(id) has no token (vocabulary size \(tok.vocabularySize))")
                }
                ids.append(id)
            }
            print(JSONTree.object([("text", .string(tok.decode(ids)))]).serialized(pythonStyle: true))
            return
        }
        let input: String
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { fail("\(file): cannot read file") }
            guard let s = String(validating: data, as: UTF8.self) else { fail("\(file): not valid UTF-8 text") }
            input = s
        } else {
            input = text!
        }
        let ids = tok.encode(input)
        print(JSONTree.object([("ids", .array(ids.map { .number(String($0)) }))]).serialized(pythonStyle: true))
    }
}

/// Prints an error to stderr and exits with status 1.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}
