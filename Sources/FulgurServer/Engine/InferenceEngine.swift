import Foundation
import FulgurGeneration
import FulgurModel
import FulgurSupport
import FulgurTensor

public struct EngineConfiguration: Sendable {
    /// Sequences (choices of all running requests) decoded together.
    public var maxBatch: Int
    /// Requests waiting for a batch slot; a submission beyond this is refused (HTTP 429).
    public var maxQueue: Int
    /// Prompt tokens prefilled per step, interleaved with the decode tokens.
    public var prefillChunk: Int

    public init(maxBatch: Int = 32, maxQueue: Int = 256, prefillChunk: Int = 256) {
        self.maxBatch = maxBatch
        self.maxQueue = maxQueue
        self.prefillChunk = prefillChunk
    }
}

/// The caller's side of a submitted request: its events, and a way to stop it.
public final class GenerationHandle: Sendable {
    public let events: AsyncStream<GenerationEvent>
    let id: Int
    private let engine: InferenceEngine

    init(events: AsyncStream<GenerationEvent>, id: Int, engine: InferenceEngine) {
        self.events = events
        self.id = id
        self.engine = engine
    }

    /// Stops the request and frees its batch slot before the next step. Idempotent.
    public func cancel() { engine.cancel(id) }
}

/// Owns the model and runs continuous batching on a dedicated thread (forward passes are
/// long, blocking CPU work that must not sit on Swift's cooperative pool).
///
/// Requests are submitted from any thread and join the batch between steps; each step is one
/// `MiniMaxModel.forward` over a `ForwardBatch` mixing one-token decode segments of every
/// running sequence with prompt chunks of new requests (see `Scheduler`). Every sequence has
/// its own cache (lightning states and KV cache), sampling parameters, RNG and stop rules.
/// A cancelled request (client gone) or one past its deadline leaves the batch at the next
/// step boundary.
public final class InferenceEngine: @unchecked Sendable {
    public let model: MiniMaxModel
    public let codec: TextCodec?
    public let configuration: EngineConfiguration
    public let metrics: ServerMetrics
    public var contextLength: Int { model.config.maxPositionEmbeddings }
    public var vocabularySize: Int { model.config.vocabSize }

    private let scheduler: Scheduler
    private let clock = ContinuousClock()

    // Shared with submitters; guarded by `condition`.
    private let condition = NSCondition()
    private var waiting: [Job] = []
    /// Batch slots taken by admitted requests (a request takes one per choice).
    private var occupiedSlots = 0
    private var cancelled = Set<Int>()
    private var phase = Phase.running
    private var nextId = 0
    private var stopped: [CheckedContinuation<Void, Never>] = []

    private enum Phase { case running, draining, stopped }

    // Owned by the engine thread.
    private var active: [Job] = []
    private var steps = 0
    private let sampler: Sampler
    private let scratch: UnsafeMutablePointer<Float>
    private let topIds: UnsafeMutablePointer<Int>

    public init(model: MiniMaxModel, codec: TextCodec?, configuration: EngineConfiguration = .init(),
                metrics: ServerMetrics = ServerMetrics()) {
        precondition(configuration.maxBatch >= 1 && configuration.maxQueue >= 0 && configuration.prefillChunk >= 1)
        self.model = model
        self.codec = codec
        self.configuration = configuration
        self.metrics = metrics
        scheduler = Scheduler(maxBatch: configuration.maxBatch, prefillBudget: configuration.prefillChunk)
        sampler = Sampler(vocab: model.config.vocabSize)
        scratch = .allocate(capacity: model.config.vocabSize)
        topIds = .allocate(capacity: model.config.vocabSize)
        let thread = Thread { [self] in loop() }
        thread.name = "fulgur-engine"
        thread.stackSize = 16 << 20
        thread.start()
    }

    // MARK: - Submitting

    /// Queues a request. Throws `.queueFull` when it would have to wait for a slot behind
    /// `maxQueue` other waiting requests, `.shuttingDown` after `shutdown()`, `.invalidRequest`
    /// for a prompt the model cannot take.
    public func submit(_ request: GenerationRequest) throws(EngineError) -> GenerationHandle {
        try validate(request)
        let (stream, continuation) = AsyncStream.makeStream(of: GenerationEvent.self)
        condition.lock()
        defer { condition.unlock() }
        guard phase == .running else { throw .shuttingDown }
        let admissible = scheduler.admissions(occupied: occupiedSlots, waiting: waiting.map(\.request.n) + [request.n])
        guard waiting.count + 1 - admissible <= configuration.maxQueue else { throw .queueFull(limit: configuration.maxQueue) }
        let id = nextId
        nextId += 1
        let now = clock.now
        waiting.append(Job(id: id, request: request, events: continuation, submitted: now,
                           deadline: request.timeout.map { now + $0 }))
        // A consumer that stops listening (task cancelled, client gone) frees the slot.
        continuation.onTermination = { [weak self] _ in self?.cancel(id) }
        condition.signal()
        return GenerationHandle(events: stream, id: id, engine: self)
    }

    func validate(_ r: GenerationRequest) throws(EngineError) {
        func fail(_ m: String) -> EngineError { .invalidRequest(m) }
        guard !r.prompt.isEmpty else { throw fail("the prompt is empty") }
        if let bad = r.prompt.first(where: { $0 < 0 || $0 >= vocabularySize }) {
            throw fail("prompt token id \(bad) is outside the vocabulary (0..<\(vocabularySize))")
        }
        guard r.prompt.count < contextLength else {
            throw fail("the prompt has \(r.prompt.count) tokens; the model's context is \(contextLength) tokens")
        }
        guard r.n >= 1 && r.n <= configuration.maxBatch else {
            throw fail("n must be between 1 and the server's --max-batch (\(configuration.maxBatch)), got \(r.n)")
        }
        guard r.sampling.maxTokens >= 1 else { throw fail("max_tokens must be ≥ 1, got \(r.sampling.maxTokens)") }
        if let k = r.topLogprobs, k < 0 || k > vocabularySize { throw fail("top_logprobs must be in 0...\(vocabularySize), got \(k)") }
        do { try r.sampling.validate() } catch { throw fail("\(error)") }
    }

    func cancel(_ id: Int) {
        condition.lock()
        cancelled.insert(id)
        condition.signal()
        condition.unlock()
    }

    /// Stops taking requests, lets the queued and running ones finish, then stops the engine
    /// thread. Returns when it has stopped.
    public func shutdown() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            condition.lock()
            if phase == .stopped {
                condition.unlock()
                c.resume()
                return
            }
            phase = .draining
            stopped.append(c)
            condition.signal()
            condition.unlock()
        }
    }

    // MARK: - The loop

    private func loop() {
        while true {
            // Take cancellations and admissions under the lock; end jobs outside it.
            condition.lock()
            var ended: [(Job, String)] = []
            let cancels = cancelled
            cancelled.removeAll()
            let now = clock.now
            waiting.removeAll { job in
                if cancels.contains(job.id) { ended.append((job, "cancelled")); return true }
                if let d = job.deadline, d <= now { ended.append((job, "timeout")); return true }
                return false
            }
            let occupied = active.reduce(0) { $0 + $1.request.n }
            let admitted = scheduler.admissions(occupied: occupied, waiting: waiting.lazy.map(\.request.n))
            let joining = waiting.prefix(admitted)
            waiting.removeFirst(admitted)
            occupiedSlots = occupied + joining.reduce(0) { $0 + $1.request.n }
            let queueDepth = waiting.count
            if active.isEmpty && joining.isEmpty && ended.isEmpty && cancels.isEmpty {
                if phase == .draining && waiting.isEmpty {
                    phase = .stopped
                    let waiters = stopped
                    stopped.removeAll()
                    condition.unlock()
                    metrics.occupancy(queueDepth: 0, runningSequences: 0, cacheBytes: 0)
                    for w in waiters { w.resume() }
                    return
                }
                _ = condition.wait(until: Date(timeIntervalSinceNow: secondsToNextDeadline() ?? 1))
                condition.unlock()
                continue
            }
            condition.unlock()

            for (job, reason) in ended { end(job, reason) }
            for job in active where cancels.contains(job.id) { end(job, "cancelled") }
            for job in active where job.deadline.map({ $0 <= now }) ?? false { end(job, "timeout") }
            for job in joining {
                job.promptCache = model.newCache()
                metrics.admitted(promptTokens: job.request.prompt.count, queueSeconds: seconds(now - job.submitted))
                active.append(job)
            }
            active.removeAll(where: \.isFinished)
            step()
            active.removeAll(where: \.isFinished)
            let running = active.reduce(0) { $0 + $1.request.n }
            condition.lock()
            occupiedSlots = running
            condition.unlock()
            metrics.occupancy(queueDepth: queueDepth, runningSequences: running, cacheBytes: active.reduce(0) { $0 + $1.cacheBytes })
        }
    }

    /// Called with the lock held: seconds until the earliest deadline among waiting jobs.
    private func secondsToNextDeadline() -> Double? {
        let now = clock.now
        return waiting.compactMap(\.deadline).min().map { max(0.001, seconds($0 - now)) }
    }

    private enum Row {
        case decode(Job, choice: Int)
        case prefill(Job, tokens: Int)
    }

    /// One forward pass: a token for every decoding choice, then prompt chunks.
    private func step() {
        let start = clock.now
        var items: [(tokens: [Int], cache: SequenceCache)] = []
        var rows: [Row] = []
        var interToken: [Double] = []
        for job in active where !job.isPrefilling {
            for (c, ch) in job.choices.enumerated() where !ch.done {
                items.append(([ch.lastToken], ch.cache))
                rows.append(.decode(job, choice: c))
                interToken.append(seconds(start - ch.lastTokenAt))
            }
        }
        let prefilling = active.filter(\.isPrefilling)
        let chunks = scheduler.prefillChunks(remaining: prefilling.map { $0.request.prompt.count - $0.prefilled })
        for (job, k) in zip(prefilling, chunks) where k > 0 {
            items.append((Array(job.request.prompt[job.prefilled..<job.prefilled + k]), job.promptCache!))
            rows.append(.prefill(job, tokens: k))
        }
        guard !items.isEmpty else { return }

        let logits: Tensor
        do {
            logits = try model.forward(ForwardBatch(items), logits: .lastOfEachSegment)
        } catch {
            for job in active { fail(job, .internalError("forward pass failed: \(error)"), reason: "error") }
            return
        }
        var generated = 0
        for (r, row) in rows.enumerated() {
            switch row {
            case .decode(let job, let c):
                sample(job, choice: c, from: logits.row(r))
                generated += 1
            case .prefill(let job, let k):
                job.prefilled += k
                guard job.prefilled == job.request.prompt.count else { continue }
                // Prompt done: fork its cache per choice; the last choice keeps the original.
                let root = job.promptCache!
                job.promptCache = nil
                let n = job.request.n
                job.choices = (0..<n).map { i in
                    Choice(cache: i == n - 1 ? root : root.fork(),
                           rng: Generator.rng(seed: job.request.sampling.seed, sequence: i),
                           text: codec?.makeDecoder(stopStrings: job.request.stopStrings), lastTokenAt: start)
                }
                for c in 0..<n { sample(job, choice: c, from: logits.row(r)) }
                generated += n
            }
        }
        steps += 1
        metrics.step(seconds: seconds(clock.now - start), rows: items.reduce(0) { $0 + $1.tokens.count },
                     generated: generated, interTokenSeconds: interToken)
    }

    /// Samples the next token of one choice, reports it, and applies the stop rules.
    private func sample(_ job: Job, choice c: Int, from logits: UnsafeMutablePointer<Float>) {
        let params = job.request.sampling
        let pick = sampler.sample(logits, params, rng: &job.choices[c].rng)
        let t = pick.token
        var logprob: Float?
        var top: [(id: Int, logprob: Float)] = []
        if let k = job.request.topLogprobs {
            let lse = Softmax.logSumExp(logits, vocabularySize, scratch: scratch)
            logprob = logits[t] - lse
            if k > 0 {
                TopK.indices(logits, vocabularySize, k: k, into: topIds)
                top = (0..<k).map { (topIds[$0], logits[topIds[$0]] - lse) }
            }
        }
        let now = clock.now
        if !job.sentFirstToken {
            job.sentFirstToken = true
            metrics.firstToken(afterSeconds: seconds(now - job.submitted))
        }
        job.choices[c].generated += 1
        job.choices[c].lastToken = t
        job.choices[c].lastTokenAt = now
        let isStopToken = params.stopTokenIds.contains(t)
        let text = isStopToken ? "" : job.choices[c].text?.append(t) ?? ""
        job.events.yield(.token(choice: c, TokenOutput(id: t, text: text, logprob: logprob, top: top, step: steps)))

        let ch = job.choices[c]
        if isStopToken || ch.text?.isStopped == true {
            finish(job, choice: c, .stop)
        } else if ch.generated >= params.maxTokens || ch.cache.length + 1 >= contextLength {
            finish(job, choice: c, .length)
        }
    }

    private func finish(_ job: Job, choice c: Int, _ reason: FinishReason) {
        job.choices[c].done = true
        let rest = job.choices[c].text?.finish() ?? ""
        job.events.yield(.finished(choice: c, reason: reason, text: rest))
        metrics.finished(reason.rawValue, generatedTokens: job.choices[c].generated)
        if job.isFinished { job.events.finish() }
    }

    /// Ends a job early: cancelled (nobody listens) or timed out.
    private func end(_ job: Job, _ reason: String) {
        guard !job.isFinished else { return }
        if reason == "timeout" {
            fail(job, .timeout(seconds: job.request.timeout.map(seconds) ?? 0), reason: reason)
        } else {
            job.abandon()
            metrics.finished(reason, generatedTokens: nil)
        }
    }

    private func fail(_ job: Job, _ error: EngineError, reason: String) {
        guard !job.isFinished else { return }
        job.events.yield(.failed(error))
        job.abandon()
        metrics.finished(reason, generatedTokens: nil)
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}

/// A request inside the engine. Touched only by the engine thread once submitted.
private final class Job {
    let id: Int
    let request: GenerationRequest
    let events: AsyncStream<GenerationEvent>.Continuation
    let submitted: ContinuousClock.Instant
    let deadline: ContinuousClock.Instant?
    /// The prompt's cache while it is being prefilled.
    var promptCache: SequenceCache?
    var prefilled = 0
    /// Created when the prompt is done; one per requested completion.
    var choices: [Choice] = []
    var sentFirstToken = false
    private var abandoned = false

    init(id: Int, request: GenerationRequest, events: AsyncStream<GenerationEvent>.Continuation,
         submitted: ContinuousClock.Instant, deadline: ContinuousClock.Instant?) {
        self.id = id
        self.request = request
        self.events = events
        self.submitted = submitted
        self.deadline = deadline
    }

    var isPrefilling: Bool { choices.isEmpty && !abandoned }
    var isFinished: Bool { abandoned || (!choices.isEmpty && choices.allSatisfy(\.done)) }
    var cacheBytes: Int { (promptCache?.bytes ?? 0) + choices.reduce(0) { $0 + ($1.done ? 0 : $1.cache.bytes) } }

    /// Stops every choice and closes the event stream; the caches are released with the job.
    func abandon() {
        abandoned = true
        promptCache = nil
        choices.removeAll()
        events.finish()
    }
}

/// One sequence being decoded.
private struct Choice {
    let cache: SequenceCache
    var rng: RNG
    /// nil without a tokenizer (token ids only).
    var text: (any TextDecoding)?
    var lastToken = 0
    var generated = 0
    var lastTokenAt: ContinuousClock.Instant
    var done = false

    init(cache: SequenceCache, rng: RNG, text: (any TextDecoding)?, lastTokenAt: ContinuousClock.Instant) {
        self.cache = cache
        self.rng = rng
        self.text = text
        self.lastTokenAt = lastTokenAt
    }
}
