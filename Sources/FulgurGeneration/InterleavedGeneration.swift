import Dispatch
import Foundation
import FulgurModel

/// Times several models generating from the same prompt, taking turns: each model runs its
/// own `Generator` until its next checkpoint, then hands over to the next model. Only the
/// time a model holds the turn is counted, so on a shared machine a load spike lands on
/// both models of a comparison instead of on whichever happened to run at that moment.
public enum InterleavedGeneration {
    public struct Checkpoint: Sendable, Equatable {
        public let model: Int
        /// Tokens generated so far (prompt excluded).
        public let tokens: Int
        /// Seconds this model has run so far: the prompt prefill and every sampled token.
        public let seconds: Double
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Generates `checkpoints.last!` tokens with every model (batch of 1) and calls
    /// `onCheckpoint` when a model reaches each checkpoint, outside the timed region and on
    /// that model's thread (one at a time). Models run in order 0, 1, … within a round.
    /// Stop tokens and the repetition stop must be off and each model's context must fit
    /// the prompt plus the tokens, so that every model generates exactly that many.
    public static func run(models: [MiniMaxModel], prompt: [Int], _ params: SamplingParameters, checkpoints: [Int],
                           onCheckpoint: @escaping @Sendable (Checkpoint) -> Void) throws -> [GenerationOutput] {
        guard let total = checkpoints.last, total > 0, zip(checkpoints, checkpoints.dropFirst()).allSatisfy({ $0 < $1 }),
              checkpoints[0] > 0 else {
            throw Failure(description: "checkpoints must be increasing positive token counts, got \(checkpoints)")
        }
        guard params.maxTokens == total else { throw Failure(description: "max_tokens (\(params.maxTokens)) must equal the last checkpoint (\(total))") }
        guard params.stopTokenIds.isEmpty, params.repetitionWindow == 0 else {
            throw Failure(description: "stop tokens and the repetition stop must be off (every model must generate \(total) tokens)")
        }
        for m in models where m.config.maxPositionEmbeddings < prompt.count + total {
            throw Failure(description: "max_position_embeddings \(m.config.maxPositionEmbeddings) < prompt \(prompt.count) + \(total) tokens")
        }
        let turns = Turns(count: models.count)
        let results = Results(count: models.count)
        let group = DispatchGroup()
        for (i, model) in models.enumerated() {
            group.enter()
            // A dedicated thread: it blocks while others hold the turn, which must not starve
            // the dispatch pool the model's kernels use.
            let thread = Thread {
                defer { turns.finish(i); group.leave() }
                turns.wait(for: i)
                var next = 0, count = 0
                var elapsed = 0.0, start = DispatchTime.now().uptimeNanoseconds
                do {
                    let out = try Generator(model: model).generate(prompts: [prompt], params) { _, _, _ in
                        count += 1
                        guard count == checkpoints[next] else { return true }
                        elapsed += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                        onCheckpoint(Checkpoint(model: i, tokens: count, seconds: elapsed))
                        next += 1
                        if next < checkpoints.count {
                            turns.pass(from: i)
                            turns.wait(for: i)
                            start = DispatchTime.now().uptimeNanoseconds
                        }
                        return true
                    }
                    results.set(i, .success(out[0]))
                } catch {
                    results.set(i, .failure(error))
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        return try results.all.enumerated().map { i, r in
            let out = try r!.get()
            guard out.ids.count == total else {
                throw Failure(description: "model \(i) stopped after \(out.ids.count) of \(total) tokens (\(out.stopReason.rawValue))")
            }
            return out
        }
    }

    /// Whose turn it is; finished models are skipped.
    final class Turns: @unchecked Sendable {
        private let cond = NSCondition()
        private var turn = 0
        private var finished: [Bool]

        init(count: Int) { finished = Array(repeating: false, count: count) }

        func wait(for i: Int) {
            cond.lock(); defer { cond.unlock() }
            while turn != i { cond.wait() }
        }

        func pass(from i: Int) {
            cond.lock(); defer { cond.unlock() }
            advance(from: i)
        }

        func finish(_ i: Int) {
            cond.lock(); defer { cond.unlock() }
            finished[i] = true
            if turn == i { advance(from: i) }
        }

        private func advance(from i: Int) {
            let n = finished.count
            for k in 1...n where !finished[(i + k) % n] {
                turn = (i + k) % n
                cond.broadcast()
                return
            }
            turn = -1
        }
    }

    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Result<GenerationOutput, any Error>?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ r: Result<GenerationOutput, any Error>) { lock.withLock { values[i] = r } }
        var all: [Result<GenerationOutput, any Error>?] { lock.withLock { values } }
    }
}
