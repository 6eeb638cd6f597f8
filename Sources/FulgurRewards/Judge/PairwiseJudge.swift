/// One judgement of two responses shown as A and B.
public enum PairwiseVerdict: String, Sendable, Codable {
    case aBetter = "A", tie = "TIE", bBetter = "B"
}

/// A candidate compared with a reference, judged twice with the positions swapped
/// (report §4.2: "position-switched consistent judgment"). `score` is +1 (better than the
/// reference), 0 (similar, or the two judgements disagree), −1 (worse).
public struct PairwiseScore: Sendable, Equatable {
    public var score: Int
    /// Both judgements agreed (after undoing the swap) and both were readable.
    public var consistent: Bool
    /// Verdict with the candidate as A, and with the candidate as B.
    public var candidateFirst: PairwiseVerdict?
    public var candidateSecond: PairwiseVerdict?
}

public enum PairwiseJudge {
    static let system = """
        You are an impartial judge. Compare two responses to the same prompt on helpfulness, \
        correctness, instruction following and depth. Position and length must not influence you: \
        a longer response is not better for being longer.
        """

    /// The prompt for one ordering: the judge ends with `[[A]]`, `[[B]]` or `[[TIE]]`.
    public static func messages(prompt: String, responseA: String, responseB: String) -> [JudgeMessage] {
        [
            .system(system),
            .user("""
                [Prompt]
                \(prompt)

                [Response A]
                \(responseA)

                [Response B]
                \(responseB)

                Which response is better? Explain briefly, then end with exactly one of \
                [[A]] (A is better), [[B]] (B is better) or [[TIE]] (they are about equally good).
                """),
        ]
    }

    /// The last verdict tag after any `</think>`: `[[A]]`, `[[B]]`, `[[TIE]]` (also `[[C]]`,
    /// `[[A=B]]`, `[[A>B]]`, `[[B>A]]`, `[[A>>B]]`, `[[B>>A]]`); nil when there is none.
    public static func parseVerdict(_ output: String) -> PairwiseVerdict? {
        guard let tag = JudgeOutput.lastBracketTag(JudgeOutput.finalPart(output)) else { return nil }
        switch tag {
        case "A", "A>B", "A>>B", "B<A": return .aBetter
        case "B", "B>A", "B>>A", "A<B": return .bBetter
        case "TIE", "C", "A=B", "B=A", "=": return .tie
        default: return nil
        }
    }

    /// Combines the two orderings into the candidate's score: both say the candidate is better
    /// → +1, both worse → −1, both tie → 0, any disagreement or unreadable verdict → 0.
    public static func combine(candidateAsA: PairwiseVerdict?, candidateAsB: PairwiseVerdict?) -> PairwiseScore {
        func fromA(_ v: PairwiseVerdict) -> Int { v == .aBetter ? 1 : (v == .bBetter ? -1 : 0) }
        guard let first = candidateAsA, let second = candidateAsB else {
            return PairwiseScore(score: 0, consistent: false, candidateFirst: candidateAsA, candidateSecond: candidateAsB)
        }
        let s1 = fromA(first), s2 = -fromA(second)
        return PairwiseScore(score: s1 == s2 ? s1 : 0, consistent: s1 == s2, candidateFirst: first, candidateSecond: second)
    }
}
