import Foundation
import Testing
@testable import FulgurTokenizer

/// Golden cases from HF tokenizers for every supported component (scripts/make_tokenizer_golden.py):
/// each variant is a small trained tokenizer with its pre-tokenizer, normalizer, added tokens
/// or model flags replaced, encoding ~100 adversarial and ordinary texts.
@Suite struct VariantGoldenTests {
    struct Variant {
        let name: String
        let json: [UInt8]
        let ids: [[Int]]
        let decoded: [String?]
    }

    static func load() throws -> (texts: [String], variants: [Variant]) {
        let dir = Fixtures.path("generated")
        let lines = try String(contentsOfFile: dir + "/variants.jsonl", encoding: .utf8).split(separator: "\n")
        guard case .array(let textValues)? = try JSONTree.parse(String(lines[0]))["texts"] else {
            throw TokenizerError(.invalidValue, path: "texts", "missing")
        }
        let texts = textValues.map { v -> String in if case .string(let s) = v { return s } else { return "" } }
        var bases: [String: JSONTree] = [:]
        var variants: [Variant] = []
        for line in lines.dropFirst() {
            let v = try JSONTree.parse(String(line))
            guard case .string(let name)? = v["name"], case .string(let base)? = v["base"],
                  case .object(let set)? = v["set"], case .object(let model)? = v["model"],
                  case .array(let ids)? = v["ids"], case .array(let decoded)? = v["decoded"] else { continue }
            if bases[base] == nil {
                bases[base] = try JSONTree.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/\(base).json"))))
            }
            var tree = bases[base]!
            for (k, value) in set { tree = tree.setting(k, to: value) }
            var m = tree["model"]!
            for (k, value) in model { m = m.setting(k, to: value) }
            tree = tree.setting("model", to: m)
            variants.append(Variant(
                name: name, json: Array(tree.serialized().utf8),
                ids: ids.map { row in
                    guard case .array(let xs) = row else { return [] }
                    return xs.compactMap { if case .number(let n) = $0 { return Int(n) } else { return nil } }
                },
                decoded: decoded.map { if case .string(let s) = $0 { return s } else { return nil } }))
        }
        return (texts, variants)
    }

    @Test func everyVariantMatchesHF() throws {
        let (texts, variants) = try Self.load()
        #expect(variants.count >= 35)
        #expect(texts.count >= 90)
        for v in variants {
            let tok = try Tokenizer(json: v.json)
            var wrong = 0
            for (i, text) in texts.enumerated() {
                let ids = tok.encode(text)
                if ids != v.ids[i] {
                    wrong += 1
                    if wrong <= 3 {
                        Issue.record("\(v.name): \(text.debugDescription.prefix(100))\n ours \(ids.prefix(30))\n HF   \(v.ids[i].prefix(30))")
                    }
                }
                let expected = v.decoded[i] ?? text
                let got = tok.decode(v.ids[i])
                if got != expected {
                    Issue.record("\(v.name): decode \(expected.debugDescription.prefix(60)) got \(got.debugDescription.prefix(60))")
                }
            }
            #expect(wrong == 0, "\(v.name): \(wrong) of \(texts.count) texts differ")
        }
    }
}
