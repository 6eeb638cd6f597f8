import Foundation
import Testing
@testable import FulgurRL
@testable import FulgurSupport
@testable import FulgurTraining

/// The curriculum (report §4.3) and staged output-length windows (§5).
@Suite(.serialized) struct RolloutScheduleTests {
    func trainer(_ extra: [String: JSONValue]) throws -> RLTrainer {
        var json: [String: JSONValue] = [
            "init_from": .string(try RLRunTests.sftModel()),
            "environments": [["name": "addition", "min_difficulty": 1], ["name": "subtraction", "min_difficulty": 1]],
            "steps": 4, "prompts_per_step": 2, "group_size": 2, "max_tokens": 40, "out": .string(RLRunTests.tempDir("sched")),
        ]
        for (k, v) in extra { json[k] = v }
        let cfg = try JSONDecoder().decode(RLConfig.self, from: Data(JSONValue.object(json).jsonString().utf8))
        return try RLTrainer(config: cfg, environments: .ruleChecked, resume: false, runRecord: [:])
    }

    @Test func curriculumSwitchesEnvironmentWeightsAtItsSteps() throws {
        let t = try trainer(["curriculum": [["start_step": 0, "weights": ["addition": 1]],
                                            ["start_step": 3, "weights": ["addition": 1, "subtraction": 3]],
                                            ["start_step": 5, "weights": ["subtraction": 1]]]])
        #expect(t.weights(at: 0) == [1, 0] && t.weights(at: 2) == [1, 0])
        #expect(t.weights(at: 3) == [1, 3] && t.weights(at: 4) == [1, 3])
        #expect(t.weights(at: 5) == [0, 1] && t.weights(at: 99) == [0, 1])
        #expect(try t.sampleTasks(40, step: 1, round: 0).allSatisfy { $0.0 == 0 })
        #expect(try t.sampleTasks(40, step: 6, round: 0).allSatisfy { $0.0 == 1 })
        let mixed = try t.sampleTasks(400, step: 3, round: 0).filter { $0.0 == 1 }.count
        #expect(mixed > 250 && mixed < 350, "subtraction share at weights 1:3 = \(mixed)/400")
        // without a curriculum the configured weights apply
        #expect(try trainer([:]).weights(at: 7) == [1, 1])
    }

    @Test func curriculumNamingAnUnknownEnvironmentIsAnError() throws {
        #expect(throws: FileError.self) { try trainer(["curriculum": [["start_step": 0, "weights": ["multiplication": 1]]]]) }
    }

    @Test func lengthWindowGrowsWhenP99NearsItAndPerplexitySettles() throws {
        let t = try trainer(["length_stages": ["windows": [16, 32, 48], "trigger": 0.9, "patience": 2, "perplexity_tolerance": 0.05]])
        #expect(t.window == 16 && t.samplingParameters.maxTokens == 16)
        var rec = RLStepMetrics(step: 0)
        t.updateWindow(p99: 15, perplexity: 1.50, into: &rec)  // near, but only one perplexity so far
        #expect(t.window == 16 && rec.perplexitySettled == false && rec.windowChangedTo == nil)
        #expect(abs((rec.windowP99Ratio ?? 0) - 15.0 / 16) < 1e-12)
        rec = RLStepMetrics(step: 0)
        t.updateWindow(p99: 15, perplexity: 1.52, into: &rec)  // settled (1.3 % < 5 %) and 15 ≥ 0.9·16
        #expect(t.window == 32 && rec.windowChangedTo == 32 && rec.perplexitySettled == true)
        rec = RLStepMetrics(step: 0)
        t.updateWindow(p99: 20, perplexity: 1.50, into: &rec)
        t.updateWindow(p99: 20, perplexity: 1.50, into: &rec)  // settled but 20 < 28.8
        #expect(t.window == 32 && rec.windowChangedTo == nil)
        t.updateWindow(p99: 31, perplexity: 1.80, into: &rec)  // near but perplexity moved 20 %
        #expect(t.window == 32 && rec.perplexitySettled == false)
        t.updateWindow(p99: 31, perplexity: 1.81, into: &rec)
        #expect(t.window == 48)
        for _ in 0..<3 { t.updateWindow(p99: 48, perplexity: 1.81, into: &rec) }
        #expect(t.window == 48)  // the last window stays
        #expect(t.state.extra["window"]?.int == 48)
    }
}
