import FulgurSupport
import Testing
@testable import FulgurTokenizer

@Suite struct StreamingDecoderTests {
    @Test func streamEqualsDecodeAndNeverSplitsACharacter() throws {
        let tok = try Fixtures.tokenizer("bpe-gpt2")
        var rng = SplitMix64(seed: 5)
        for _ in 0..<300 {
            let text = RandomText.string(&rng)
            let ids = tok.encode(text)
            var stream = StreamingDecoder(tokenizer: tok)
            var out = ""
            for id in ids {
                let piece = stream.append(id)
                // Valid text never yields a replacement character mid-stream.
                #expect(!piece.unicodeScalars.contains("\u{FFFD}") || text.unicodeScalars.contains("\u{FFFD}"))
                out += piece
            }
            out += stream.finish()
            #expect(out == text)
        }
    }

    @Test func arbitraryIdsStreamLikeDecode() throws {
        let tok = try Fixtures.tokenizer("bpe-split")
        var rng = SplitMix64(seed: 9)
        for _ in 0..<300 {
            let ids = (0..<Int.random(in: 0...40, using: &rng)).map { _ in Int.random(in: 0..<tok.vocabularySize + 3, using: &rng) }
            var stream = StreamingDecoder(tokenizer: tok)
            var out = stream.append(ids)
            out += stream.finish()
            #expect(out.unicodeScalars.elementsEqual(tok.decode(ids).unicodeScalars))
        }
    }

    @Test func multibyteCharacterWaitsForItsLastByte() throws {
        let tok = try Fixtures.tokenizer("bpe-gpt2")
        // Byte tokens of "é" (C3 A9) and "🙂" (F0 9F 99 82), one id per byte.
        let bytes: [UInt8] = [0xC3, 0xA9, 0xF0, 0x9F, 0x99, 0x82]
        let ids = bytes.map { tok.id(forToken: ByteLevel.string(of: [$0]))! }
        var stream = StreamingDecoder(tokenizer: tok)
        #expect(stream.append(ids[0]) == "")
        #expect(stream.append(ids[1]) == "é")
        #expect(stream.append(ids[2]) == "")
        #expect(stream.append(ids[3]) == "")
        #expect(stream.append(ids[4]) == "")
        #expect(stream.append(ids[5]) == "🙂")
        // An incomplete character at the end is flushed as U+FFFD, as decode does.
        var cut = StreamingDecoder(tokenizer: tok)
        #expect(cut.append(ids[2]) == "")
        #expect(cut.finish() == "\u{FFFD}")
    }

    @Test func stopStringsAreHeldBackAndCut() throws {
        let tok = try Fixtures.tokenizer("bpe-split")
        let text = "The answer is 42.</answer> and more"
        var stream = StreamingDecoder(tokenizer: tok, stopStrings: ["</answer>", "<end_of_sentence>"])
        var out = ""
        for id in tok.encode(text) {
            let piece = stream.append(id)
            #expect(!piece.contains("<"), "a prefix of the stop string was shown: \(piece)")
            out += piece
            if stream.isStopped { break }
        }
        out += stream.finish()
        #expect(out == "The answer is 42.")
        #expect(stream.matchedStop == "</answer>")

        // A partial match that turns out not to be a stop string is released.
        var s2 = StreamingDecoder(tokenizer: tok, stopStrings: ["</answer>"])
        var o2 = s2.append(tok.encode("a </ans"))
        #expect(o2 == "a ")
        o2 += s2.append(tok.encode("wer!"))
        o2 += s2.finish()
        #expect(o2 == "a </answer!")
        #expect(!s2.isStopped)

        // A special-token string spelled out by ordinary tokens is caught too.
        var s3 = StreamingDecoder(tokenizer: tok, stopStrings: ["<end_of_sentence>"])
        let spelled = ["<", "end", "_", "of", "_", "sentence", ">"].flatMap { tok.encode($0) }
        let o3 = s3.append(tok.encode("hi ") + spelled + tok.encode("x")) + s3.finish()
        #expect(o3 == "hi ")
        #expect(s3.isStopped)
    }

    @Test func skipsSpecialTokensWhenAsked() throws {
        let tok = try Fixtures.tokenizer("bpe-gpt2")
        var s = StreamingDecoder(tokenizer: tok, skipSpecialTokens: true)
        let out = s.append(tok.encode("<beginning_of_sentence>hi<end_of_sentence>")) + s.finish()
        #expect(out == "hi")
    }
}
