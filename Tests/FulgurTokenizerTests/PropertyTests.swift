import Foundation
import FulgurSupport
import Testing
@testable import FulgurTokenizer

/// Properties that must hold for any input, checked on a few thousand seeded random strings.
@Suite struct PropertyTests {
    @Test(arguments: ["bpe-gpt2", "bpe-split"])
    func decodeInvertsEncode(name: String) throws {
        let tok = try Fixtures.tokenizer(name)
        var rng = SplitMix64(seed: 42)
        for _ in 0..<1500 {
            let s = RandomText.string(&rng)
            let ids = tok.encode(s)
            let back = tok.decode(ids)
            #expect(back.utf8.elementsEqual(s.utf8), "\(name): round trip of \(s.debugDescription) gave \(back.debugDescription)")
            if !back.utf8.elementsEqual(s.utf8) { break }
        }
    }

    @Test func specialTokenStringsBecomeTheirIds() throws {
        let tok = try Fixtures.tokenizer("bpe-split")
        let ids = tok.encode("x<end_of_sentence>y<pad><pad>")
        #expect(ids.filter { $0 == 2 }.count == 1)
        #expect(ids.filter { $0 == 0 }.count == 2)
        #expect(ids.last == 0)
        #expect(tok.encode("<end_of_sentence").allSatisfy { !tok.specialTokenIds.contains($0) })
    }

    /// The hand-written scanners against ICU running the same regex (an independent engine).
    @Test func scannersAgreeWithICU() throws {
        let patterns: [(KnownPattern, String)] = [
            (.gpt2, KnownPattern.gpt2Regex), (.cl100k(maxDigits: 3), KnownPattern.cl100kRegex),
            (.cl100k(maxDigits: 1), KnownPattern.qwen2Regex), (.o200k, KnownPattern.o200kRegex),
        ]
        var rng = SplitMix64(seed: 7)
        let texts = (0..<400).map { _ in RandomText.string(&rng, maxFragments: 30) }
        for (known, regex) in patterns {
            let icu = try FallbackRegex(regex)
            for text in texts {
                let bytes = Array(text.utf8)
                var ours: [Int] = [], theirs: [Int] = []
                bytes.withUnsafeBufferPointer { b in
                    guard let p = b.baseAddress else { return }
                    SplitMatcher.known(known).matches(p, 0, b.count, into: &ours)
                    icu.matches(p, 0, b.count, into: &theirs)
                }
                #expect(ours == theirs, "\(known) on \(text.debugDescription)")
                if ours != theirs { break }
            }
        }
    }

    /// The linear and heap merge loops give the same symbols (the heap runs on long words).
    @Test func heapAndLinearMergesAgree() throws {
        let tok = try Fixtures.tokenizer("bpe-gpt2")
        var rng = SplitMix64(seed: 3)
        for _ in 0..<300 {
            let word = Array(RandomText.string(&rng, maxFragments: 40).utf8)
            guard !word.isEmpty else { continue }
            var a = BPEScratch(cache: false), b = BPEScratch(cache: false)
            word.withUnsafeBufferPointer { w in
                tok.model.initialSymbols(w.baseAddress!, 0, w.count, &a.symbols)
                tok.model.initialSymbols(w.baseAddress!, 0, w.count, &b.symbols)
            }
            tok.model.merges.withPointer { table in
                tok.model.mergeLinear(&a.symbols, &a.pairs, table)
                tok.model.mergeWithHeap(&b, table)
            }
            #expect(a.symbols == b.symbols)
        }
    }

    @Test func wordCacheDoesNotChangeIds() throws {
        let tok = try Fixtures.tokenizer("bpe-split")
        var rng = SplitMix64(seed: 11)
        var text = (0..<300).map { _ in RandomText.string(&rng) }.joined()
        let (cached, uncached) = text.withUTF8 { (tok.encode(utf8: $0, wordCache: true), tok.encode(utf8: $0, wordCache: false)) }
        #expect(cached == uncached)
        #expect(tok.decode(cached) == text)
    }
}
