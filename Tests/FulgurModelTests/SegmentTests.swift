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

    /// The response rows of prompt + response segments: row r scores token r + 1, so a response
    /// of length L after a P-token prompt in a segment starting at b is rows b+P−1 ..< b+P−1+L.
    @Test func responseRowsGatherAndScatter() {
        let layout = SequenceLayout([[1, 2, 3, 4, 5], [6, 7, 8], [9, 10, 11, 12]])  // rows 0..<5, 5..<8, 8..<12
        let prompts = [2, 1, 3]
        #expect(layout.responseRows(0, promptLength: 2) == 1..<4)
        #expect(layout.responseRows(1, promptLength: 1) == 5..<7)
        #expect(layout.responseRows(2, promptLength: 3) == 10..<11)
        let values = (0..<12).map(Float.init)
        #expect(layout.gatherResponses(values, promptLengths: prompts) == [[1, 2, 3], [5, 6], [10]])
        #expect(layout.scatterResponses([[1, 2, 3], [5, 6], [10]], promptLengths: prompts)
                == [0, 1, 2, 3, 0, 5, 6, 0, 0, 0, 10, 0])
    }
}
