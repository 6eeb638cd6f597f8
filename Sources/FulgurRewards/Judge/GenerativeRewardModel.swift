/// The generative reward model of report §4.2 over any `TextGenerator`: five-grade consistency
/// with a ground truth, swap-consistent pairwise comparison with a reference, and Swiss-round
/// selection of the best reference among candidates.
public struct GenerativeRewardModel: Sendable {
    public var judge: any TextGenerator
    public var maxTokens: Int
    public var temperature: Double

    public init(judge: any TextGenerator, maxTokens: Int = 1024, temperature: Double = 0) {
        self.judge = judge; self.maxTokens = maxTokens; self.temperature = temperature
    }

    private func ask(_ messages: [JudgeMessage]) async throws -> String {
        try await judge.complete(CompletionRequest(messages: messages, maxTokens: maxTokens, temperature: temperature))
    }

    /// Five-grade consistency of `response` with the ground-truth `reference`.
    public func gradeConsistency(question: String, reference: String, response: String) async throws -> ConsistencyJudgement {
        let out = try await ask(ConsistencyJudge.messages(question: question, reference: reference, response: response))
        return ConsistencyJudgement(grade: ConsistencyJudge.parseGrade(out), output: out)
    }

    /// −1/0/+1 for `candidate` against `reference`, judged in both orders (concurrently).
    public func compare(prompt: String, candidate: String, reference: String) async throws -> PairwiseScore {
        async let first = ask(PairwiseJudge.messages(prompt: prompt, responseA: candidate, responseB: reference))
        async let second = ask(PairwiseJudge.messages(prompt: prompt, responseA: reference, responseB: candidate))
        let (a, b) = try await (first, second)
        return PairwiseJudge.combine(candidateAsA: PairwiseJudge.parseVerdict(a), candidateAsB: PairwiseJudge.parseVerdict(b))
    }

    /// The best reference answer among `candidates` by Swiss rounds of swap-consistent comparisons.
    public func selectReference(prompt: String, candidates: [String], rounds: Int? = nil) async throws -> SwissTournament.Result {
        let model = self
        return try await SwissTournament(rounds: rounds).run(count: candidates.count) { a, b in
            try await model.compare(prompt: prompt, candidate: candidates[a], reference: candidates[b]).score
        }
    }
}
