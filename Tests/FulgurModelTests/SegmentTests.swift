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
}
