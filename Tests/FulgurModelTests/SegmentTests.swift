import Foundation
import Testing
@testable import FulgurModel
import FulgurSupport
@testable import FulgurTensor

/// Training batches hold several sequences as independent segments: no attention, lightning
/// state or position crosses a segment boundary. Each segment's log-probs must equal those
/// of the sequence alone, and those of the inference forward.
@Suite struct SegmentTests {
    @Test func segmentsAreIndependentAndMatchInference() throws {
        let model = try TestModels.hybrid(blockSize: 4)
        var rng = RNG(seed: 21)
        let seqs = [13, 7, 22, 9].map { n in (0..<n).map { _ in rng.int(in: 0...(model.config.vocabSize - 1)) } }
        let packed = try model.trainingForward(seqs)
        for (i, s) in seqs.enumerated() {
            let alone = try model.trainingForward([s])
            let inference = try model.nextTokenLogProbs(s)
            let seg = packed.layout.segments[i]
            for t in 0..<(s.count - 1) {
                let p = packed.logProbs[seg.lowerBound + t]
                #expect(abs(p - alone.logProbs[t]) <= 1e-5, "segment \(i) token \(t): packed \(p) vs alone \(alone.logProbs[t])")
                #expect(abs(p - inference[t]) <= 1e-4, "segment \(i) token \(t): packed \(p) vs inference \(inference[t])")
            }
        }
    }

    /// The response rows of prompt + response samples: row r scores token r + 1, so a response
    /// of length L after a P-token prompt in a segment starting at b is rows b+P−1 ..< b+P−1+L.
    @Test func responseRowsGatherAndScatter() {
        let layout = SequenceLayout(prompts: [[1, 2], [6], [9, 10, 11]], responses: [[3, 4, 5], [7, 8], [12]])
        #expect(layout.segments == [0..<5, 5..<8, 8..<12])
        #expect(layout.responseRows == [1..<4, 5..<7, 10..<11])
        let values = (0..<12).map(Float.init)
        #expect(layout.gatherResponses(values) == [[1, 2, 3], [5, 6], [10]])
        #expect(layout.scatterResponses([[1, 2, 3], [5, 6], [10]]) == [0, 1, 2, 3, 0, 5, 6, 0, 0, 0, 10, 0])
    }

    /// Consecutive samples with the same prompt share one copy of it but its last token; each
    /// continuation repeats that token (its row scores the first response token).
    @Test func sharedPromptLayout() {
        let layout = SequenceLayout(prompts: [[1, 2, 3], [1, 2, 3], [4, 5], [6]], responses: [[7, 8], [9], [10], [11, 12]])
        #expect(layout.tokens == [1, 2, /* */ 3, 7, 8, /* */ 3, 9, /* */ 4, 5, 10, /* */ 6, 11, 12])
        #expect(layout.segments == [0..<2, 2..<5, 5..<7, 7..<10, 10..<13])
        #expect(layout.parents == [nil, 0, 0, nil, nil])
        #expect(layout.positions == [0, 2, 2, 0, 0])
        #expect(layout.responseRows == [2..<4, 5..<6, 8..<9, 10..<12])
        #expect(layout.phases == [[0, 3, 4], [1, 2]])
        let unshared = SequenceLayout(prompts: [[1, 2, 3], [1, 2, 3]], responses: [[7, 8], [9]], sharePrompts: false)
        #expect(unshared.parents == [nil, nil] && unshared.responseRows == [2..<4, 7..<8])
    }

    /// A shared prompt computes exactly what G separate copies compute: the response log-probs
    /// and every parameter gradient of a loss on them (block size 4 with prompts and responses
    /// crossing block boundaries, softmax layers with partial RoPE, a one-token parent and an
    /// empty response).
    @Test(arguments: [2, 3, 9])
    func sharedPromptsMatchSeparateCopies(promptLength: Int) throws {
        let model = try TestModels.hybrid(blockSize: 4)
        var rng = RNG(seed: UInt64(promptLength))
        let vocab = model.config.vocabSize
        let p1 = (0..<promptLength).map { _ in rng.int(in: 0...(vocab - 1)) }
        let p2 = (0..<5).map { _ in rng.int(in: 0...(vocab - 1)) }
        let prompts = [p1, p1, p1, p2, p2]
        let responses = [6, 0, 11, 7, 3].map { n in (0..<n).map { _ in rng.int(in: 0...(vocab - 1)) } }
        var results: [([[Float]], Gradients)] = []
        for share in [false, true] {
            let pass = try model.trainingForward(prompts: prompts, responses: responses, sharePrompts: share)
            #expect(pass.layout.hasParents == share)
            let lp = pass.layout.gatherResponses(pass.logProbs)
            // an arbitrary loss with per-token weights, so every row's gradient differs
            let weights = lp.enumerated().map { i, r in r.indices.map { t in Float(1 + i) * 0.1 - Float(t) * 0.03 } }
            let g = model.makeGradients()
            pass.backward(dLogProbs: pass.layout.scatterResponses(weights), into: g)
            results.append((lp, g))
        }
        let (separate, gs) = results[0], (shared, gh) = results[1]
        for (a, b) in zip(separate, shared) {
            #expect(a.count == b.count)
            for (x, y) in zip(a, b) { #expect(abs(x - y) <= 2e-5, "log-prob \(x) vs \(y)") }
        }
        for (i, name) in gs.names.enumerated() {
            let a = gs.tensors[i], b = gh.tensors[i]
            var num = 0.0, den = 0.0
            for i in 0..<a.count { let d = Double(a.pointer[i] - b.pointer[i]); num += d * d; den += Double(a.pointer[i]) * Double(a.pointer[i]) }
            #expect(den > 0, "\(name): zero gradient, the check would be empty")
            #expect((num / max(den, 1e-30)).squareRoot() <= 1e-4, "\(name): relative difference \((num / max(den, 1e-30)).squareRoot())")
        }
    }
}
