/// The continuous-batching policy, free of model and threads so it can be tested alone.
///
/// Every step runs one forward pass over:
/// - one token for every decoding sequence (decodes are never delayed), plus
/// - up to `prefillBudget` prompt tokens, given to the prefilling requests in arrival order,
///   so a long prompt is prefilled in chunks between decode steps and the running streams
///   keep flowing.
/// Requests join between steps, first come first served: a request waits while the batch has
/// fewer free slots than its number of choices (no overtaking, so large `n` cannot starve).
struct Scheduler: Sendable {
    /// Sequences (choices) in the batch at once.
    let maxBatch: Int
    /// Prompt tokens per step.
    let prefillBudget: Int

    init(maxBatch: Int, prefillBudget: Int) {
        precondition(maxBatch >= 1 && prefillBudget >= 1)
        self.maxBatch = maxBatch
        self.prefillBudget = prefillBudget
    }

    /// How many of the waiting requests (their choice counts, oldest first) join a batch in
    /// which `occupied` slots are taken.
    func admissions(occupied: Int, waiting: some Sequence<Int>) -> Int {
        var used = occupied
        var admitted = 0
        for n in waiting {
            guard used + n <= maxBatch else { break }
            used += n
            admitted += 1
        }
        return admitted
    }

    /// Prompt tokens each prefilling request processes this step, given their remaining
    /// prompt lengths in arrival order.
    func prefillChunks(remaining: [Int]) -> [Int] {
        var budget = prefillBudget
        return remaining.map { r in
            let k = min(r, budget)
            budget -= k
            return k
        }
    }
}
