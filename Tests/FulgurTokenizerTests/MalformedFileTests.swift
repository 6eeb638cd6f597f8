import Foundation
import Testing
@testable import FulgurTokenizer

/// Bad tokenizer.json files get an error naming the field and the reason, never a crash.
@Suite struct MalformedFileTests {
    static func base() throws -> JSONTree {
        try JSONTree.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("generated/base-bytelevel.json")))))
    }

    func error(_ json: String) -> TokenizerError? {
        do { _ = try Tokenizer(json: Array(json.utf8)); return nil } catch { return error }
    }

    func error(_ tree: JSONTree) -> TokenizerError? { error(tree.serialized()) }

    @Test func invalidJSON() {
        let e = error("{\"model\": {\"type\": \"BPE\",\n \"vocab\": {\"a\": 0,}}}")
        #expect(e?.kind == .invalidJSON)
        #expect(e?.description.contains("line 2") == true)
        #expect(error("")?.kind == .invalidJSON)
        #expect(error("[1, 2")?.kind == .invalidJSON)
        #expect(error("{\"a\": \"\\ud800\"}")?.description.contains("surrogate") == true)
        #expect(error(String(repeating: "[", count: 100_000))?.description.contains("nesting") == true)
    }

    @Test func missingMerges() throws {
        let m = try Self.base()["model"]!
        guard case .object(let members) = m else { return }
        let e = error(try Self.base().setting("model", to: .object(members.filter { $0.key != "merges" })))
        #expect(e?.kind == .missingField)
        #expect(e?.path == "model.merges")
    }

    @Test func mergeOfUnknownTokens() throws {
        let model = try Self.base()["model"]!.setting("merges", to: .array([.array([.string("Ġ"), .string("Ġ")]), .array([.string("qqq"), .string("z")])]))
        let e = error(try Self.base().setting("model", to: model))
        #expect(e?.kind == .invalidValue)
        #expect(e?.path == "model.merges[1]")
        #expect(e?.reason.contains("'qqq' is not in the vocabulary") == true)

        let bad = try Self.base()["model"]!.setting("merges", to: .array([.string("a b c")]))
        #expect(error(try Self.base().setting("model", to: bad))?.path == "model.merges[0]")
    }

    @Test func unsupportedComponents() throws {
        let meta: JSONTree = .object([("type", .string("Metaspace")), ("replacement", .string("▁"))])
        let pre = JSONTree.object([("type", .string("Sequence")), ("pretokenizers", .array([meta]))])
        let e = error(try Self.base().setting("pre_tokenizer", to: pre))
        #expect(e?.kind == .unsupported)
        #expect(e?.path == "pre_tokenizer.pretokenizers[0].type")
        #expect(e?.reason.contains("'Metaspace'") == true)

        let norm = error(try Self.base().setting("normalizer", to: .object([("type", .string("BertNormalizer"))])))
        #expect(norm?.kind == .unsupported && norm?.path == "normalizer.type")
        let dec = error(try Self.base().setting("decoder", to: .object([("type", .string("WordPiece"))])))
        #expect(dec?.kind == .unsupported && dec?.path == "decoder.type")
        let model = error(try Self.base().setting("model", to: .object([("type", .string("Unigram")), ("vocab", .array([]))])))
        #expect(model?.kind == .unsupported && model?.path == "model.type")
        let afterByteLevel = JSONTree.object([("type", .string("Sequence")), ("pretokenizers", .array([
            .object([("type", .string("ByteLevel")), ("add_prefix_space", .bool(false)), ("use_regex", .bool(true))]),
            .object([("type", .string("Digits")), ("individual_digits", .bool(true))])]))])
        #expect(error(try Self.base().setting("pre_tokenizer", to: afterByteLevel))?.path == "pre_tokenizer.pretokenizers[1]")
    }

    @Test func wrongTypesAndValues() throws {
        #expect(error(try Self.base().setting("added_tokens", to: .string("x")))?.path == "added_tokens")
        let vocab = try Self.base()["model"]!.setting("vocab", to: .object([("a", .string("zero"))]))
        #expect(error(try Self.base().setting("model", to: vocab))?.path == "model.vocab.a")
        let split = JSONTree.object([("type", .string("Split")), ("pattern", .object([("Regex", .string("(unclosed"))])),
                                     ("behavior", .string("Isolated")), ("invert", .bool(false))])
        let e = error(try Self.base().setting("pre_tokenizer", to: split))
        #expect(e?.path == "pre_tokenizer.pattern.Regex")
        let behavior = split.setting("pattern", to: .object([("String", .string(" "))])).setting("behavior", to: .string("Sideways"))
        #expect(error(try Self.base().setting("pre_tokenizer", to: behavior))?.path == "pre_tokenizer.behavior")
        #expect(error("[]")?.kind == .invalidValue)
        let huge = try Self.base()["model"]!.setting("vocab", to: .object([("a", .number("2000000000"))]))
        #expect(error(try Self.base().setting("model", to: huge))?.path == "model.vocab.a")
    }

    @Test func fileErrorsNameTheFile() {
        #expect(throws: TokenizerError.self) { try Tokenizer(contentsOfFile: "/nonexistent/tokenizer.json") }
        do { _ = try Tokenizer(contentsOfFile: "/nonexistent/tokenizer.json") } catch {
            #expect("\(error)".contains("/nonexistent/tokenizer.json"))
        }
    }
}
