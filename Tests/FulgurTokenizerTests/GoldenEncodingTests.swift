import Foundation
import Testing
@testable import FulgurTokenizer

/// Every case recorded by HF tokenizers 0.23 (`encode(text, add_special_tokens=False)` and
/// `decode(ids, skip_special_tokens=False)`) must give identical ids and text.
@Suite struct GoldenEncodingTests {
    @Test(arguments: ["bpe-gpt2", "bpe-split"])
    func fixtureCases(name: String) throws {
        let tok = try Fixtures.tokenizer(name)
        let cases = try Fixtures.cases(name)
        #expect(cases.count >= 50)
        var mismatches = 0
        for c in cases {
            let ids = tok.encode(c.text)
            if ids != c.ids {
                mismatches += 1
                Issue.record("\(name): ids differ for \(c.text.debugDescription.prefix(120))\n ours \(ids.prefix(40))\n HF   \(c.ids.prefix(40))")
            }
            #expect(tok.decode(c.ids) == c.decoded, "\(name): decode differs for \(c.text.debugDescription.prefix(80))")
        }
        #expect(mismatches == 0)
    }

    @Test func vocabularyAndSpecials() throws {
        let tok = try Fixtures.tokenizer("bpe-gpt2")
        #expect(tok.vocabularySize == 2000)
        #expect(tok.specialTokenId("<end_of_sentence>") == 2)
        #expect(tok.id(forToken: "<pad>") == 0)
        #expect(tok.token(forId: 1) == "<beginning_of_sentence>")
        #expect(tok.specialTokenIds == [0, 1, 2, 3, 4])
        #expect(tok.token(forId: 2000) == nil)
        #expect(tok.id(forToken: "Ġ") != nil)
    }
}
