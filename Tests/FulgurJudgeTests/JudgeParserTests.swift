import FulgurRewards
import Testing

@Suite struct JudgeParserTests {
    @Test(arguments: [
        ("The answers agree.\nGrade: 5", 5), ("**Grade:** 4", 4), ("Grade: 3/5", 3), ("grade = 2", 2),
        ("<think>maybe Grade: 1</think>After thought, Grade: 5", 5), ("Verdict [[4]]", 4), ("Grade: 1", 1),
    ])
    func readsGrades(_ output: String, _ grade: Int) {
        #expect(ConsistencyJudge.parseGrade(output)?.rawValue == grade)
    }

    @Test(arguments: ["no grade here", "Grade: 7", "Grade: 10", "Grade: none", "", "<think>Grade: 5</think>"])
    func rejectsUnreadableGrades(_ output: String) {
        #expect(ConsistencyJudge.parseGrade(output) == nil)
    }

    @Test func gradeRewardsAreEvenlySpaced() {
        #expect(ConsistencyGrade.allCases.map(\.reward) == [0, 0.25, 0.5, 0.75, 1])
        #expect(ConsistencyJudgement(grade: nil, output: "").reward == 0)
    }

    @Test(arguments: [
        ("A is clearer. [[A]]", PairwiseVerdict.aBetter), ("[[B]]", .bBetter), ("[[TIE]]", .tie), ("[[ tie ]]", .tie),
        ("[[C]]", .tie), ("[[A=B]]", .tie), ("[[A>>B]]", .aBetter), ("[[B>A]]", .bBetter),
        ("At first [[A]] but on reflection [[B]]", .bBetter), ("<think>[[A]]</think> final: [[B]]", .bBetter),
    ])
    func readsVerdicts(_ output: String, _ verdict: PairwiseVerdict) {
        #expect(PairwiseJudge.parseVerdict(output) == verdict)
    }

    @Test(arguments: ["A is better", "[[D]]", "[[", "", "[[A]] [[maybe]]"])
    func rejectsUnreadableVerdicts(_ output: String) {
        #expect(PairwiseJudge.parseVerdict(output) == nil)
    }

    /// Both orders agree → ±1 or 0; any disagreement (position bias) or unreadable verdict → 0.
    @Test func swapConsistency() {
        let better = PairwiseJudge.combine(candidateAsA: .aBetter, candidateAsB: .bBetter)
        #expect(better.score == 1 && better.consistent)
        let worse = PairwiseJudge.combine(candidateAsA: .bBetter, candidateAsB: .aBetter)
        #expect(worse.score == -1 && worse.consistent)
        let tie = PairwiseJudge.combine(candidateAsA: .tie, candidateAsB: .tie)
        #expect(tie.score == 0 && tie.consistent)
        let positionBias = PairwiseJudge.combine(candidateAsA: .aBetter, candidateAsB: .aBetter)
        #expect(positionBias.score == 0 && !positionBias.consistent)
        let halfTie = PairwiseJudge.combine(candidateAsA: .aBetter, candidateAsB: .tie)
        #expect(halfTie.score == 0 && !halfTie.consistent)
        let unreadable = PairwiseJudge.combine(candidateAsA: .aBetter, candidateAsB: nil)
        #expect(unreadable.score == 0 && !unreadable.consistent)
    }

    @Test func promptsCarryTheirInputs() {
        let m = ConsistencyJudge.messages(question: "Q?", reference: "REF", response: "RESP")
        #expect(m.count == 2 && m[0].role == "system" && m[1].role == "user")
        #expect(m[1].content.contains("Q?") && m[1].content.contains("REF") && m[1].content.contains("RESP") && m[1].content.contains("Grade: N"))
        let p = PairwiseJudge.messages(prompt: "P", responseA: "first", responseB: "second")
        let a = p[1].content.range(of: "first")!, b = p[1].content.range(of: "second")!
        #expect(a.lowerBound < b.lowerBound && p[1].content.contains("[[TIE]]"))
    }
}
