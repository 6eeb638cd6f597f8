import Foundation
import Testing
@testable import FulgurGeneration
@testable import FulgurModel
@testable import FulgurServer

/// The continuous-batching engine against the plain `Generator` (the reference: one request
/// at a time, whole-prompt prefill): however requests are batched, chunked and interleaved,
/// each one must produce the tokens it produces alone.
@Suite(.serialized) struct EngineTests {
    static let model = try! TestSupport.model()

    func params(seed: UInt64, temperature: Float = 1, topP: Float = 1, maxTokens: Int) -> SamplingParameters {
        SamplingParameters(temperature: temperature, topP: topP, seed: seed, maxTokens: maxTokens, repetitionWindow: 0)
    }

    func scoresOf(_ row: UnsafeMutablePointer<Float>, _ id: Int) -> Float {
        let m = (0..<TestSupport.vocab).map { row[$0] }.max()!
        let lse = m + log((0..<TestSupport.vocab).map { exp(row[$0] - m) }.reduce(0, +))
        return row[id] - lse
    }

    @Test func staggeredChunkedRequestsMatchGenerator() async throws {
        // Prompts longer than the prefill chunk (7) are prefilled over several steps while
        // earlier requests decode; requests arrive while others run.
        let engine = InferenceEngine(model: Self.model, codec: nil, configuration: .init(maxBatch: 4, maxQueue: 16, prefillChunk: 7))
        let cases: [(prompt: [Int], params: SamplingParameters)] = [
            (TestSupport.tokens(3, seed: 1), params(seed: 11, maxTokens: 24)),
            (TestSupport.tokens(30, seed: 2), params(seed: 12, temperature: 0.7, topP: 0.9, maxTokens: 17)),
            (TestSupport.tokens(12, seed: 3), params(seed: 13, temperature: 0, maxTokens: 20)),
            (TestSupport.tokens(1, seed: 4), params(seed: 14, maxTokens: 9)),
            (TestSupport.tokens(45, seed: 5), params(seed: 15, temperature: 1.3, maxTokens: 15)),
            (TestSupport.tokens(8, seed: 6), params(seed: 16, temperature: 0, maxTokens: 12)),
        ]
        var tasks: [Task<Collected, Never>] = []
        for (i, c) in cases.enumerated() {
            let handle = try engine.submit(GenerationRequest(prompt: c.prompt, sampling: c.params, topLogprobs: 0))
            tasks.append(Task { await Collected.from(handle) })
            if i % 2 == 1 { try await Task.sleep(for: .milliseconds(15)) }
        }
        let generator = Generator(model: Self.model)
        for (i, c) in cases.enumerated() {
            let got = await tasks[i].value
            let want = try generator.generate(prompts: [c.prompt], c.params)[0]
            #expect(got.ids[0] == want.ids, "request \(i)")
            #expect(got.finish[0] == .length)
            if c.params.isGreedy {  // greedy: Generator reports the temperature-1 log-prob too
                for (a, b) in zip(got.logprobs[0], want.logprobs) { #expect(abs(a - b) <= 1e-4, "request \(i)") }
            }
        }
        await engine.shutdown()
    }

    @Test func choicesForkThePromptLikeGeneratorSample() async throws {
        let engine = InferenceEngine(model: Self.model, codec: nil, configuration: .init(maxBatch: 8, prefillChunk: 5))
        let prompt = TestSupport.tokens(13, seed: 9)
        let p = params(seed: 77, temperature: 0.9, maxTokens: 10)
        let got = await Collected.from(try engine.submit(GenerationRequest(prompt: prompt, n: 3, sampling: p)), n: 3)
        let want = try Generator(model: Self.model).sample(prompt: prompt, count: 3, p)
        #expect(got.ids == want.map(\.ids))
        #expect(Set(got.ids.map { $0 }).count == 3, "different streams per choice")
        await engine.shutdown()
    }

    @Test func logprobsAreTheModelDistribution() async throws {
        let engine = InferenceEngine(model: Self.model, codec: nil)
        let prompt = TestSupport.tokens(6, seed: 21)
        let handle = try engine.submit(GenerationRequest(prompt: prompt, sampling: params(seed: 3, temperature: 0.8, maxTokens: 5), topLogprobs: 4))
        var outputs: [TokenOutput] = []
        for await e in handle.events { if case .token(_, let t) = e { outputs.append(t) } }
        // Reference: log-softmax of a fresh full forward over prompt + generated prefix.
        let ids = prompt + outputs.map(\.id)
        let scores = try Self.model.nextTokenLogProbs(ids)
        let logits = try Self.model.logits(ids)
        for (k, t) in outputs.enumerated() {
            #expect(abs(t.logprob! - scores[prompt.count - 1 + k]) <= 1e-4)
            #expect(t.top.count == 4)
            #expect(t.top.map(\.logprob) == t.top.map(\.logprob).sorted(by: >))
            let row = logits.row(prompt.count - 1 + k)
            let best = (0..<TestSupport.vocab).max { row[$0] < row[$1] }!
            #expect(t.top[0].id == best)
            for alt in t.top { #expect(abs(alt.logprob - scoresOf(row, alt.id)) <= 1e-4) }
        }
        await engine.shutdown()
    }

    @Test func decodeStreamsKeepFlowingWhileALongPromptPrefills() async throws {
        let engine = InferenceEngine(model: Self.model, codec: nil, configuration: .init(maxBatch: 4, prefillChunk: 4))
        let a = try engine.submit(GenerationRequest(prompt: [1, 2, 3], sampling: params(seed: 1, maxTokens: 100_000)))
        let aSteps = Task { () -> [Int] in
            var steps: [Int] = []
            for await e in a.events { if case .token(_, let t) = e { steps.append(t.step) } }
            return steps
        }
        try await Task.sleep(for: .milliseconds(20))
        let b = try engine.submit(GenerationRequest(prompt: TestSupport.tokens(60, seed: 8), sampling: params(seed: 2, maxTokens: 3)))
        var bSteps: [Int] = []
        for await e in b.events { if case .token(_, let t) = e { bSteps.append(t.step) } }
        a.cancel()
        let steps = await aSteps.value
        // B's 60-token prompt took 15 steps of 4 tokens; A got a token in every step meanwhile.
        #expect(bSteps.count == 3 && bSteps.first! - steps.first! >= 15)
        #expect(steps.last! >= bSteps.last!)
        #expect(steps == Array(steps.first!...steps.last!), "A skipped a step")
        await engine.shutdown()
    }

    @Test func stopStringsAcrossTokensAndStopTokens() async throws {
        let engine = InferenceEngine(model: Self.model, codec: TestCodec())
        let prompt = TestSupport.tokens(5, seed: 31)
        let p = params(seed: 5, maxTokens: 12)
        let free = await Collected.from(try engine.submit(GenerationRequest(prompt: prompt, sampling: p)))
        func text(_ ids: some Sequence<Int>) -> String { ids.filter { $0 != TestSupport.eos }.map { "<\($0)>" }.joined() }
        #expect(free.text[0] == text(free.ids[0]))
        // A stop string spanning the boundary between generated tokens 4 and 5.
        let ids = free.ids[0]
        let k = try #require((3..<ids.count).first { ids[$0] != TestSupport.eos && ids[$0 - 1] != TestSupport.eos })
        let stop = ">" + "<\(ids[k])>".prefix(2)
        let cut = free.text[0].range(of: stop)!.lowerBound
        let stopped = await Collected.from(try engine.submit(GenerationRequest(prompt: prompt, sampling: p, stopStrings: ["zzz", stop])))
        #expect(stopped.text[0] == String(free.text[0][..<cut]))
        #expect(stopped.finish[0] == .stop)
        #expect(stopped.ids[0] == Array(free.ids[0].prefix(stopped.ids[0].count)))
        #expect(stopped.ids[0].count <= k + 1)
        // A stop token ends the choice; its text is not shown.
        var q = p
        q.stopTokenIds = [free.ids[0][2]]
        let byToken = await Collected.from(try engine.submit(GenerationRequest(prompt: prompt, sampling: q)))
        #expect(byToken.ids[0] == Array(free.ids[0].prefix(3)))
        #expect(byToken.finish[0] == .stop)
        #expect(byToken.text[0] == text(free.ids[0].prefix(2)))
        await engine.shutdown()
    }

    @Test func queueLimitCancellationAndTimeout() async throws {
        let engine = InferenceEngine(model: Self.model, codec: nil, configuration: .init(maxBatch: 1, maxQueue: 1))
        let long = params(seed: 1, maxTokens: 100_000)
        let running = try engine.submit(GenerationRequest(prompt: [1], sampling: long))
        var it = running.events.makeAsyncIterator()
        _ = await it.next()  // admitted and decoding
        let queued = try engine.submit(GenerationRequest(prompt: [2], sampling: params(seed: 2, maxTokens: 3)))
        #expect(throws: EngineError.queueFull(limit: 1)) {
            try engine.submit(GenerationRequest(prompt: [3], sampling: params(seed: 3, maxTokens: 3)))
        }
        running.cancel()  // frees the only slot: the queued request runs
        let done = await Collected.from(queued)
        #expect(done.ids[0].count == 3 && done.finish[0] == .length)

        let slow = try engine.submit(GenerationRequest(prompt: [4], sampling: long, timeout: .milliseconds(200)))
        let timedOut = await Collected.from(slow)
        guard case .timeout? = timedOut.failure else { Issue.record("expected a timeout, got \(String(describing: timedOut.failure))"); return }
        await engine.shutdown()
        #expect(throws: EngineError.shuttingDown) { try engine.submit(GenerationRequest(prompt: [1], sampling: long)) }
    }

    @Test func contextLimitAndInvalidPrompts() async throws {
        let small = try TestSupport.model(context: 16)
        let engine = InferenceEngine(model: small, codec: nil)
        let got = await Collected.from(try engine.submit(GenerationRequest(prompt: TestSupport.tokens(12, seed: 1), sampling: params(seed: 1, maxTokens: 100))))
        #expect(got.ids[0].count == 4 && got.finish[0] == .length)  // 12 + 4 = the 16-token context
        #expect(throws: EngineError.self) { try engine.submit(GenerationRequest(prompt: TestSupport.tokens(16, seed: 1), sampling: params(seed: 1, maxTokens: 1))) }
        #expect(throws: EngineError.self) { try engine.submit(GenerationRequest(prompt: [], sampling: params(seed: 1, maxTokens: 1))) }
        #expect(throws: EngineError.self) { try engine.submit(GenerationRequest(prompt: [TestSupport.vocab], sampling: params(seed: 1, maxTokens: 1))) }
        await engine.shutdown()
    }

    @Test func shutdownFinishesInFlightRequests() async throws {
        let engine = InferenceEngine(model: Self.model, codec: nil, configuration: .init(maxBatch: 2, maxQueue: 8))
        let handles = try (0..<4).map { i in try engine.submit(GenerationRequest(prompt: [i + 1], sampling: params(seed: UInt64(i), maxTokens: 20))) }
        let results = handles.map { h in Task { await Collected.from(h) } }
        await engine.shutdown()
        for r in results {
            let c = await r.value
            #expect(c.ids[0].count == 20 && c.finish[0] == .length)
        }
    }
}
