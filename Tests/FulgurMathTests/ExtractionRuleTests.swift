import FulgurRewards
import Testing

struct ExtractionCase: Sendable, CustomTestStringConvertible {
    let response: String, extracted: String
    var testDescription: String { "\(response) → \(extracted)" }
}

/// Unit tests for each extraction rule of ADJUDICATION.md rule 1.
@Suite struct ExtractionRuleTests {
    @Test(arguments: [
        ExtractionCase(response: "\\boxed {7}", extracted: "7"),
        ExtractionCase(response: "\\boxed{\\boxed{7}}", extracted: "7"),
        ExtractionCase(response: "\\fbox{\\boxed{91}}", extracted: "91"),
        ExtractionCase(response: "so \\boxed{7", extracted: "7"),
        ExtractionCase(response: "<think>maybe \\boxed{5}</think> The answer is \\boxed{7}", extracted: "7"),
        ExtractionCase(response: "\\boxed{10} or \\boxed{11}; only the second satisfies the condition.", extracted: "11"),
        ExtractionCase(response: "The answer is \\boxed{10} or \\boxed{11}.", extracted: "10, 11"),
        ExtractionCase(response: "the two roots are \\boxed{3} and \\boxed{4}", extracted: "3, 4"),
        ExtractionCase(response: "x = \\boxed{-1} or x = \\boxed{6}", extracted: "-1, 6"),
        ExtractionCase(response: "primes below six: \\boxed{2}, \\boxed{3}, \\boxed{5}", extracted: "2, 3, 5"),
        ExtractionCase(response: "First I thought the count was \\boxed{5}, but rechecking, the answer is \\boxed{7}.", extracted: "7"),
        ExtractionCase(response: "My first attempt gave \\boxed{5}. That was wrong. Redoing it gives \\boxed{7}.", extracted: "7"),
        ExtractionCase(response: "\\boxed{3}\\boxed{4}", extracted: "3, 4"),
        ExtractionCase(response: "The final answer is 7", extracted: "7"),
        ExtractionCase(response: "the answer is 7.", extracted: "7"),
        ExtractionCase(response: "answer: 7", extracted: "7"),
        ExtractionCase(response: "ANSWER: 7", extracted: "7"),
        ExtractionCase(response: "**Answer:** 7", extracted: "7"),
        ExtractionCase(response: "**Final Answer**: $7$", extracted: "7"),
        ExtractionCase(response: "7 is the answer.", extracted: "7"),
        ExtractionCase(response: "Thus $$9$$ is our answer.", extracted: "9"),
        ExtractionCase(response: "Final answer: 7", extracted: "7"),
        ExtractionCase(response: "We compute things. The result is 7.", extracted: "7"),
        ExtractionCase(response: "The answer is\n$$\\frac{3}{4}$$", extracted: "\\frac{3}{4}"),
        ExtractionCase(response: "the final result: $12$ is the answer", extracted: "12"),
        ExtractionCase(response: "#### 42", extracted: "42"),
        ExtractionCase(response: "blah\n#### 42\n", extracted: "42"),
        ExtractionCase(response: "<answer>42</answer>", extracted: "42"),
        ExtractionCase(response: "<answer> $42$ </answer>", extracted: "42"),
        ExtractionCase(response: "Therefore, the answer is \\(5\\).", extracted: "5"),
        ExtractionCase(response: "The answer is 7.5.", extracted: "7.5"),
        ExtractionCase(response: "The answer is 5. Wait, no, the answer is 7.", extracted: "7"),
        ExtractionCase(response: "So the answer is $15$. Hmm, actually it is \\boxed{16}.", extracted: "16"),
        ExtractionCase(response: "\\boxed{}", extracted: ""),
        ExtractionCase(response: "Answer:", extracted: ""),
        ExtractionCase(response: "The answer is $\\boxed{8$", extracted: "8"),
        ExtractionCase(response: "So the answer is \\boxed{7}}.", extracted: "7"),
        ExtractionCase(response: "Final Answer: The final answer is $7$. I hope it is correct.", extracted: "7"),
        ExtractionCase(response: "So, the answer is **42**.", extracted: "42"),
        ExtractionCase(response: "Therefore, x = 5 is the answer.", extracted: "5"),
        ExtractionCase(response: "The answer is (B).", extracted: "(B)"),
        ExtractionCase(response: "The answer is correct, as checked. Answer: 12", extracted: "12"),
        ExtractionCase(response: "The answer is 1,000, which is a round number.", extracted: "1,000"),
        ExtractionCase(response: "The answer is 1, 2, and 3.", extracted: "1, 2, and 3"),
    ])
    func finalAnswer(_ c: ExtractionCase) {
        #expect(AnswerExtractor.extract(c.response)?.text == c.extracted)
    }

    /// A number in the reasoning or a bare expression with no marker is not an answer.
    @Test(arguments: [
        "$7$",
        "12",
        "$$x = -6$$",
        "Solving the linear equation, so we get $x = 12$.",
        "",
        "   \n ",
        "I don't know.",
        "The result is 7. Then we do more work and get 9.",
    ])
    func noAnswer(_ response: String) {
        #expect(AnswerExtractor.extract(response) == nil)
    }
}
