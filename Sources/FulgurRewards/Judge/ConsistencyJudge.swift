/// Five-grade consistency of a response with a ground-truth answer (report §4.2, "Tasks with
/// Ground Truth"): the judge reads the question, the reference answer and the response's final
/// answer, and grades how consistent they are.
public enum ConsistencyGrade: Int, CaseIterable, Sendable, Codable {
    case contradicts = 1, mostlyInconsistent, partiallyConsistent, mostlyConsistent, equivalent

    /// The reward of the grade: 0, 0.25, 0.5, 0.75, 1.
    public var reward: Double { Double(rawValue - 1) / 4 }
}

/// The judge's verdict with its raw output (kept for audits of the judge).
public struct ConsistencyJudgement: Sendable, Equatable {
    /// nil when the output had no readable grade; such a sample is scored 0.
    public var grade: ConsistencyGrade?
    public var reward: Double { grade?.reward ?? 0 }
    public var output: String
    public init(grade: ConsistencyGrade?, output: String) { self.grade = grade; self.output = output }
}

public enum ConsistencyJudge {
    static let system = """
        You are a strict grader. Compare a response's final answer with the reference answer to the \
        question. Judge only whether they agree (equivalent forms, units and rounding conventions of \
        the field count as agreeing); do not solve the problem again and do not reward length or style.
        """

    /// The prompt: question, reference answer, response; the judge ends with `Grade: N`.
    public static func messages(question: String, reference: String, response: String) -> [JudgeMessage] {
        [
            .system(system),
            .user("""
                [Question]
                \(question)

                [Reference answer]
                \(reference)

                [Response]
                \(response)

                Grade the consistency of the response's final answer with the reference answer:
                5 = equivalent to the reference
                4 = consistent, with a minor omission or imprecision
                3 = partially consistent (some parts agree, some are missing or wrong)
                2 = mostly inconsistent
                1 = contradicts the reference, or gives no final answer
                Explain briefly, then end with a line of the form "Grade: N".
                """),
        ]
    }

    /// Reads the last `Grade: N` (also `**Grade:** N`, `Grade: N/5`, `[[N]]`) after any `</think>`;
    /// nil when there is none or N is outside 1…5.
    public static func parseGrade(_ output: String) -> ConsistencyGrade? {
        let text = JudgeOutput.finalPart(output)
        let lower = text.lowercased()
        if let r = lower.range(of: "grade", options: .backwards) {
            var rest = lower[r.upperBound...].drop { $0 == "*" || $0 == ":" || $0 == " " || $0 == "=" }
            if rest.first == "[" { rest = rest.drop { $0 == "[" } }
            if let d = rest.first, let n = d.wholeNumberValue, rest.dropFirst().first?.isNumber != true {
                return ConsistencyGrade(rawValue: n)
            }
        }
        if let tag = JudgeOutput.lastBracketTag(text), let n = Int(tag) { return ConsistencyGrade(rawValue: n) }
        return nil
    }
}
