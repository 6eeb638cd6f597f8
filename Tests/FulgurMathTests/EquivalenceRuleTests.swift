import FulgurRewards
import Testing

/// One equivalence case: the gold, an extracted answer, and the verdict ADJUDICATION.md gives.
struct EquivalenceCase: Sendable, CustomTestStringConvertible {
    let gold: String, answer: String, equal: Bool
    var testDescription: String { "\(gold) vs \(answer) → \(equal)" }
}

func check(_ c: EquivalenceCase) {
    let (ok, reason) = MathChecker.compare(gold: c.gold, answer: c.answer)
    #expect(ok == c.equal, "\(c.gold) vs \(c.answer): \(reason)")
}

/// Unit tests for each equivalence rule of ADJUDICATION.md (rules 2–13), mostly its own examples.
@Suite struct EquivalenceRuleTests {
    /// Rule 2: exact forms are interchangeable.
    @Test(arguments: [
        EquivalenceCase(gold: "1/2", answer: "0.5", equal: true),
        EquivalenceCase(gold: "1/2", answer: "\\frac12", equal: true),
        EquivalenceCase(gold: "1/2", answer: "\\dfrac{1}{2}", equal: true),
        EquivalenceCase(gold: "1/2", answer: "{1 \\over 2}", equal: true),
        EquivalenceCase(gold: "\\frac{2}{4}", answer: "\\frac12", equal: true),
        EquivalenceCase(gold: "63", answer: "63.0", equal: true),
        EquivalenceCase(gold: "7", answer: "007", equal: true),
        EquivalenceCase(gold: "3/4", answer: "0.7", equal: false),
        EquivalenceCase(gold: "0.2", answer: "\\frac14", equal: false),
        EquivalenceCase(gold: "1/2", answer: "\\frac{1}{3}", equal: false),
    ])
    func exactForms(_ c: EquivalenceCase) { check(c) }

    /// Rule 2: mixed numbers are whole part plus fraction.
    @Test(arguments: [
        EquivalenceCase(gold: "13/4", answer: "3\\frac14", equal: true),
        EquivalenceCase(gold: "13/4", answer: "3 1/4", equal: true),
        EquivalenceCase(gold: "7/2", answer: "3 and 1/2", equal: true),
        EquivalenceCase(gold: "7/2", answer: "3+\\frac12", equal: true),
        EquivalenceCase(gold: "-5/2", answer: "-2\\frac12", equal: true),
        EquivalenceCase(gold: "13/4", answer: "3.25", equal: true),
        EquivalenceCase(gold: "13/3", answer: "4\\frac{1}{4}", equal: false),
        EquivalenceCase(gold: "13/4", answer: "3 \\frac{1}{4}", equal: true),
        EquivalenceCase(gold: "3 1/4", answer: "31/4", equal: false),
    ])
    func mixedNumbers(_ c: EquivalenceCase) { check(c) }

    /// Rule 2: radicals count simplified or not.
    @Test(arguments: [
        EquivalenceCase(gold: "2\\sqrt2", answer: "\\sqrt8", equal: true),
        EquivalenceCase(gold: "\\frac{\\sqrt3}{3}", answer: "\\frac{1}{\\sqrt3}", equal: true),
        EquivalenceCase(gold: "\\sqrt2", answer: "2^{1/2}", equal: true),
        EquivalenceCase(gold: "2", answer: "\\sqrt[3]{8}", equal: true),
        EquivalenceCase(gold: "2\\sqrt[3]{2}", answer: "\\sqrt[3]{16}", equal: true),
        EquivalenceCase(gold: "\\frac{\\sqrt{6}}{2}", answer: "\\sqrt{\\frac{3}{2}}", equal: true),
        EquivalenceCase(gold: "3\\sqrt{2}", answer: "\\sqrt{12}", equal: false),
        EquivalenceCase(gold: "2\\sqrt{5}", answer: "\\sqrt{10}", equal: false),
        EquivalenceCase(gold: "\\sqrt5", answer: "\\sqrt 5", equal: true),
        EquivalenceCase(gold: "2\\sqrt2", answer: "2\\sqrt2", equal: true),
    ])
    func radicals(_ c: EquivalenceCase) { check(c) }

    /// Rule 2: expressions equal as functions (random-point evaluation).
    @Test(arguments: [
        EquivalenceCase(gold: "x^2+2x+1", answer: "(x+1)^2", equal: true),
        EquivalenceCase(gold: "1", answer: "\\sin^2x+\\cos^2x", equal: true),
        EquivalenceCase(gold: "e^x", answer: "\\exp(x)", equal: true),
        EquivalenceCase(gold: "x^2-1", answer: "(x-1)(x+1)", equal: true),
        EquivalenceCase(gold: "a^2-b^2", answer: "(a+b)(a-b)", equal: true),
        EquivalenceCase(gold: "2x+3", answer: "3+2x", equal: true),
        EquivalenceCase(gold: "2x+3", answer: "2y+3", equal: false),
        EquivalenceCase(gold: "(x+1)^2", answer: "x^2+x+1", equal: false),
        EquivalenceCase(gold: "3x^2", answer: "3x^3", equal: false),
        EquivalenceCase(gold: "2\\sin x\\cos x", answer: "\\sin 2x", equal: true),
        EquivalenceCase(gold: "\\ln(xy)", answer: "\\ln x+\\ln y", equal: true),
        EquivalenceCase(gold: "\\frac{x+1}{2}", answer: "\\frac{x}{2}+\\frac{1}{2}", equal: true),
    ])
    func expressions(_ c: EquivalenceCase) { check(c) }

    /// Rule 2: unevaluated closed forms count by their value.
    @Test(arguments: [
        EquivalenceCase(gold: "-2", answer: "\\begin{vmatrix}1&2\\\\3&4\\end{vmatrix}", equal: true),
        EquivalenceCase(gold: "5", answer: "|3+4i|", equal: true),
        EquivalenceCase(gold: "1/2", answer: "\\sin 30^\\circ", equal: true),
        EquivalenceCase(gold: "-1", answer: "e^{i\\pi}", equal: true),
        EquivalenceCase(gold: "10", answer: "\\binom{5}{2}", equal: true),
        EquivalenceCase(gold: "120", answer: "5!", equal: true),
        EquivalenceCase(gold: "3", answer: "\\log_2 8", equal: true),
        EquivalenceCase(gold: "1", answer: "\\ln e", equal: true),
        EquivalenceCase(gold: "-2", answer: "\\det\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", equal: true),
    ])
    func closedForms(_ c: EquivalenceCase) { check(c) }

    /// Rule 3: the decimal tolerance rule, exactly.
    @Test(arguments: [
        EquivalenceCase(gold: "1/3", answer: "0.333333", equal: true),
        EquivalenceCase(gold: "1/3", answer: "0.3333333", equal: true),
        EquivalenceCase(gold: "2/3", answer: "0.666667", equal: true),
        EquivalenceCase(gold: "5/11", answer: "0.454545", equal: true),
        EquivalenceCase(gold: "\\sqrt2", answer: "1.414214", equal: true),
        EquivalenceCase(gold: "2\\pi", answer: "6.283185", equal: true),
        EquivalenceCase(gold: "\\pi-3", answer: "0.141593", equal: true),
        EquivalenceCase(gold: "\\pi", answer: "3.14159", equal: true),
        EquivalenceCase(gold: "1/3", answer: "0.33", equal: false),
        EquivalenceCase(gold: "1/3", answer: "0.333", equal: false),
        EquivalenceCase(gold: "1/9", answer: "0.1111", equal: false),
        EquivalenceCase(gold: "\\sqrt3", answer: "1.73", equal: false),
        EquivalenceCase(gold: "\\pi", answer: "3.14", equal: false),
        EquivalenceCase(gold: "10\\pi", answer: "31.42", equal: false),
        EquivalenceCase(gold: "5/9", answer: "0.56", equal: false),
        EquivalenceCase(gold: "2/7", answer: "0.286", equal: false),
        EquivalenceCase(gold: "2/3", answer: "0.666", equal: false),
        EquivalenceCase(gold: "2/3", answer: "0.666666", equal: false),
        EquivalenceCase(gold: "1/8", answer: "0.125001", equal: false),
        EquivalenceCase(gold: "1/3", answer: "0.\\overline{3}", equal: true),
        EquivalenceCase(gold: "1/6", answer: "0.1\\overline{6}", equal: true),
        EquivalenceCase(gold: "1/7", answer: "0.\\overline{142857}", equal: true),
        EquivalenceCase(gold: "1", answer: "0.\\overline{9}", equal: true),
        EquivalenceCase(gold: "1/3", answer: "0.333334", equal: false),
    ])
    func decimalRule(_ c: EquivalenceCase) { check(c) }

    /// Rule 4: i is the imaginary unit.
    @Test(arguments: [
        EquivalenceCase(gold: "-i", answer: "-1i", equal: true),
        EquivalenceCase(gold: "3i", answer: "i\\cdot 3", equal: true),
        EquivalenceCase(gold: "2i", answer: "\\sqrt{-4}", equal: true),
        EquivalenceCase(gold: "2i", answer: "(1+i)^2", equal: true),
        EquivalenceCase(gold: "i", answer: "\\mathrm{i}", equal: true),
        EquivalenceCase(gold: "2+3i", answer: "3i+2", equal: true),
        EquivalenceCase(gold: "2+3i", answer: "2-3i", equal: false),
        EquivalenceCase(gold: "1-i", answer: "1+i", equal: false),
        EquivalenceCase(gold: "\\frac{1+i}{2}", answer: "0.5+0.5i", equal: true),
        EquivalenceCase(gold: "-1+2i", answer: "2i-1", equal: true),
        EquivalenceCase(gold: "-1", answer: "i^2", equal: true),
    ])
    func imaginaryUnit(_ c: EquivalenceCase) { check(c) }

    /// Rule 5: scientific notation.
    @Test(arguments: [
        EquivalenceCase(gold: "300000", answer: "3e5", equal: true),
        EquivalenceCase(gold: "300000", answer: "3E5", equal: true),
        EquivalenceCase(gold: "300000", answer: "3\\text{e}5", equal: true),
        EquivalenceCase(gold: "300000", answer: "3\\times10^5", equal: true),
        EquivalenceCase(gold: "0.001", answer: "10^{-3}", equal: true),
        EquivalenceCase(gold: "1.5\\times10^{-3}", answer: "0.0015", equal: true),
        EquivalenceCase(gold: "1.5\\times10^{-3}", answer: "0.015", equal: false),
        EquivalenceCase(gold: "6.02\\times 10^{23}", answer: "6.02 \\cdot 10^{23}", equal: true),
        EquivalenceCase(gold: "4\\times10^{6}", answer: "4\\times10^{7}", equal: false),
        EquivalenceCase(gold: "0.0015", answer: "1.5e-3", equal: true),
    ])
    func scientificNotation(_ c: EquivalenceCase) { check(c) }

    /// Rule 6: digit grouping.
    @Test(arguments: [
        EquivalenceCase(gold: "1000", answer: "1,000", equal: true),
        EquivalenceCase(gold: "1000", answer: "1{,}000", equal: true),
        EquivalenceCase(gold: "1000", answer: "1\\,000", equal: true),
        EquivalenceCase(gold: "1000", answer: "1\\!000", equal: true),
        EquivalenceCase(gold: "10000", answer: "10 000", equal: true),
        EquivalenceCase(gold: "100000", answer: "1,00,000", equal: true),
        EquivalenceCase(gold: "7\\cdot10^9", answer: "7\\,000\\,000\\,000", equal: true),
        EquivalenceCase(gold: "2500", answer: "25,00", equal: false),
        EquivalenceCase(gold: "1000", answer: "1.000", equal: false),
        EquivalenceCase(gold: "1", answer: "1.000", equal: true),
        EquivalenceCase(gold: "12345", answer: "12,354", equal: false),
        EquivalenceCase(gold: "30", answer: "3\\,0", equal: true),
        EquivalenceCase(gold: "1234567", answer: "1,234,567", equal: true),
    ])
    func digitGrouping(_ c: EquivalenceCase) { check(c) }

    /// Rule 7: units and text around a number.
    @Test(arguments: [
        EquivalenceCase(gold: "5", answer: "5\\text{ cm}", equal: true),
        EquivalenceCase(gold: "4.50", answer: "\\$4.50", equal: true),
        EquivalenceCase(gold: "40", answer: "\\text{40 students}", equal: true),
        EquivalenceCase(gold: "250", answer: "250\\mbox{ dollars}", equal: true),
        EquivalenceCase(gold: "27\\text{ sq units}", answer: "27", equal: true),
        EquivalenceCase(gold: "6", answer: "\\text{six}", equal: true),
        EquivalenceCase(gold: "90", answer: "1.5 hours", equal: false),
        EquivalenceCase(gold: "7", answer: "8 \\text{ cm}", equal: false),
        EquivalenceCase(gold: "5\\text{ cm}", answer: "5\\text{ m}", equal: false),
        EquivalenceCase(gold: "5\\text{ cm}", answer: "5\\text{ centimeters}", equal: true),
        EquivalenceCase(gold: "12", answer: "\\$12", equal: true),
    ])
    func unitsAndText(_ c: EquivalenceCase) { check(c) }

    /// Rule 8: percent, symmetric.
    @Test(arguments: [
        EquivalenceCase(gold: "50\\%", answer: "50", equal: true),
        EquivalenceCase(gold: "50\\%", answer: "0.5", equal: true),
        EquivalenceCase(gold: "50\\%", answer: "\\frac12", equal: true),
        EquivalenceCase(gold: "12.5\\%", answer: "12.5", equal: true),
        EquivalenceCase(gold: "0.4", answer: "40\\%", equal: true),
        EquivalenceCase(gold: "25", answer: "25\\%", equal: true),
        EquivalenceCase(gold: "50\\%", answer: "5", equal: false),
        EquivalenceCase(gold: "20\\%", answer: "0.02", equal: false),
        EquivalenceCase(gold: "75\\%", answer: "\\frac{3}{4}", equal: true),
        EquivalenceCase(gold: "50", answer: "50 percent", equal: true),
        EquivalenceCase(gold: "50\\%", answer: "0.5\\%", equal: false),
    ])
    func percent(_ c: EquivalenceCase) { check(c) }

    /// Rule 9: degrees.
    @Test(arguments: [
        EquivalenceCase(gold: "30", answer: "30^\\circ", equal: true),
        EquivalenceCase(gold: "30", answer: "30°", equal: true),
        EquivalenceCase(gold: "40", answer: "40\\degree", equal: true),
        EquivalenceCase(gold: "75", answer: "75 degrees", equal: true),
        EquivalenceCase(gold: "30^\\circ", answer: "\\pi/6", equal: true),
        EquivalenceCase(gold: "45^\\circ", answer: "\\frac{\\pi}{4}", equal: true),
        EquivalenceCase(gold: "\\pi/3", answer: "60", equal: false),
        EquivalenceCase(gold: "\\pi/3", answer: "60^\\circ", equal: true),
        EquivalenceCase(gold: "90", answer: "45^\\circ", equal: false),
        EquivalenceCase(gold: "135^\\circ", answer: "225^\\circ", equal: false),
        EquivalenceCase(gold: "60^\\circ", answer: "60^{\\circ}", equal: true),
        EquivalenceCase(gold: "120", answer: "120 \\text{ degrees}", equal: true),
    ])
    func degrees(_ c: EquivalenceCase) { check(c) }

    /// Rule 10: sets unordered, tuples ordered.
    @Test(arguments: [
        EquivalenceCase(gold: "1,2", answer: "2,1", equal: true),
        EquivalenceCase(gold: "3,-3", answer: "\\pm 3", equal: true),
        EquivalenceCase(gold: "2,5", answer: "x=2 \\text{ or } x=5", equal: true),
        EquivalenceCase(gold: "\\{1,2\\}", answer: "\\{1\\}\\cup\\{2\\}", equal: true),
        EquivalenceCase(gold: "(5,2)", answer: "5, 2", equal: true),
        EquivalenceCase(gold: "(5,2)", answer: "x=5, y=2", equal: true),
        EquivalenceCase(gold: "(5,2)", answer: "(2,5)", equal: false),
        EquivalenceCase(gold: "1,2", answer: "1", equal: false),
        EquivalenceCase(gold: "1,2,3", answer: "1,2", equal: false),
        EquivalenceCase(gold: "\\{1,2\\}", answer: "\\{1,3\\}", equal: false),
        EquivalenceCase(gold: "(1,2)", answer: "\\{1,2\\}", equal: false),
        EquivalenceCase(gold: "(0,\\frac{1}{2})", answer: "(0, 0.5)", equal: true),
        EquivalenceCase(gold: "(1,2,3)", answer: "(3,2,1)", equal: false),
        EquivalenceCase(gold: "1\\pm\\sqrt2", answer: "1+\\sqrt2, 1-\\sqrt2", equal: true),
        EquivalenceCase(gold: "\\{1,2,3\\}", answer: "1, 2, and 3", equal: true),
    ])
    func structures(_ c: EquivalenceCase) { check(c) }

    /// Rule 10: matrices.
    @Test(arguments: [
        EquivalenceCase(gold: "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", answer: "\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}", equal: true),
        EquivalenceCase(gold: "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", answer: "\\begin{matrix}1&2\\\\3&4\\end{matrix}", equal: true),
        EquivalenceCase(gold: "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", answer: "\\begin{pmatrix}1&3\\\\2&4\\end{pmatrix}", equal: false),
        EquivalenceCase(gold: "\\begin{pmatrix}1\\\\2\\end{pmatrix}", answer: "\\begin{pmatrix}1&2\\end{pmatrix}", equal: false),
        EquivalenceCase(gold: "\\begin{pmatrix}\\frac12\\\\3\\end{pmatrix}", answer: "\\begin{pmatrix}0.5\\\\3\\end{pmatrix}", equal: true),
        EquivalenceCase(gold: "\\begin{pmatrix}1&0\\\\0&1\\end{pmatrix}", answer: "I", equal: false),
    ])
    func matrices(_ c: EquivalenceCase) { check(c) }

    /// Rule 10: empty set, infinity, the reals.
    @Test(arguments: [
        EquivalenceCase(gold: "\\emptyset", answer: "\\varnothing", equal: true),
        EquivalenceCase(gold: "\\emptyset", answer: "\\{\\}", equal: true),
        EquivalenceCase(gold: "\\infty", answer: "+\\infty", equal: true),
        EquivalenceCase(gold: "\\infty", answer: "\\text{infinity}", equal: true),
        EquivalenceCase(gold: "\\mathbb{R}", answer: "(-\\infty,\\infty)", equal: true),
        EquivalenceCase(gold: "-\\infty", answer: "\\infty", equal: false),
        EquivalenceCase(gold: "\\mathbb{R}", answer: "\\text{all real numbers}", equal: true),
    ])
    func specialSets(_ c: EquivalenceCase) { check(c) }

    /// Rule 10: multiple choice and text answers.
    @Test(arguments: [
        EquivalenceCase(gold: "D", answer: "(D) 42", equal: true),
        EquivalenceCase(gold: "D", answer: "\\text{(D)}", equal: true),
        EquivalenceCase(gold: "D", answer: "\\textbf{D}", equal: true),
        EquivalenceCase(gold: "(D)", answer: "D", equal: true),
        EquivalenceCase(gold: "D", answer: "C", equal: false),
        EquivalenceCase(gold: "Yes", answer: "yes", equal: true),
        EquivalenceCase(gold: "no solution", answer: "No solution", equal: true),
        EquivalenceCase(gold: "yes", answer: "no", equal: false),
    ])
    func choicesAndText(_ c: EquivalenceCase) { check(c) }

    /// Rule 11: intervals and inequalities.
    @Test(arguments: [
        EquivalenceCase(gold: "(0,1]", answer: "0<x\\le1", equal: true),
        EquivalenceCase(gold: "[2,\\infty)", answer: "x\\ge2", equal: true),
        EquivalenceCase(gold: "(3,\\infty)", answer: "x>3", equal: true),
        EquivalenceCase(gold: "[-2,4)", answer: "-2\\le x<4", equal: true),
        EquivalenceCase(gold: "0<x\\le1", answer: "(0,1]", equal: true),
        EquivalenceCase(gold: "x\\ge2", answer: "[2,\\infty)", equal: true),
        EquivalenceCase(gold: "(0,1]", answer: "0<x<1", equal: false),
        EquivalenceCase(gold: "(0,1]", answer: "(0,1)", equal: false),
        EquivalenceCase(gold: "(-\\infty,2)", answer: "(-\\infty,2]", equal: false),
        EquivalenceCase(gold: "(-\\infty,1)\\cup(2,\\infty)", answer: "x<1 \\text{ or } x>2", equal: true),
        EquivalenceCase(gold: "[1,3]", answer: "1 \\le x \\le 3", equal: true),
        EquivalenceCase(gold: "(0,1]", answer: "x \\in (0,1]", equal: true),
        EquivalenceCase(gold: "[2,\\infty)", answer: "2 \\le x", equal: true),
        EquivalenceCase(gold: "(3,\\infty)", answer: "\\{x \\mid x > 3\\}", equal: true),
        EquivalenceCase(gold: "\\{1,2\\}", answer: "x \\in \\{1, 2\\}", equal: true),
    ])
    func intervals(_ c: EquivalenceCase) { check(c) }

    /// Rule 12: equations.
    @Test(arguments: [
        EquivalenceCase(gold: "3", answer: "x = 3", equal: true),
        EquivalenceCase(gold: "5", answer: "k = 5", equal: true),
        EquivalenceCase(gold: "4", answer: "a = 4", equal: true),
        EquivalenceCase(gold: "40", answer: "\\angle ABC = 40^\\circ", equal: true),
        EquivalenceCase(gold: "7", answer: "x = 3+4 = 7", equal: true),
        EquivalenceCase(gold: "3", answer: "2x = 6", equal: false),
        EquivalenceCase(gold: "5", answer: "3x = 15", equal: false),
        EquivalenceCase(gold: "x=3", answer: "y=3", equal: false),
        EquivalenceCase(gold: "x=5", answer: "z=5", equal: false),
        EquivalenceCase(gold: "y=2x+1", answer: "y=1+2x", equal: true),
        EquivalenceCase(gold: "y=2x+1", answer: "2x-y+1=0", equal: true),
        EquivalenceCase(gold: "x=3", answer: "3", equal: true),
        EquivalenceCase(gold: "x=-2", answer: "x=2", equal: false),
        EquivalenceCase(gold: "x^2", answer: "f(x) = x^2", equal: true),
        EquivalenceCase(gold: "5", answer: "f(2) = 5", equal: true),
        EquivalenceCase(gold: "3", answer: "x(x+1) = 12", equal: false),
    ])
    func equations(_ c: EquivalenceCase) { check(c) }

    /// Rule 13: formatting and malformed LaTeX.
    @Test(arguments: [
        EquivalenceCase(gold: "7", answer: "7.", equal: true),
        EquivalenceCase(gold: "1/2", answer: "\\frac{1}{2}.", equal: true),
        EquivalenceCase(gold: "30", answer: "3\\,0", equal: true),
        EquivalenceCase(gold: "7", answer: "\\quad 7", equal: true),
        EquivalenceCase(gold: "6", answer: "\\quad 7", equal: false),
        EquivalenceCase(gold: "(1,2)", answer: "\\left(1,2\\right)", equal: true),
        EquivalenceCase(gold: "1/2", answer: "\\displaystyle \\frac12", equal: true),
        EquivalenceCase(gold: "7", answer: "\\mathbf{7}", equal: true),
        EquivalenceCase(gold: "7", answer: "{7}", equal: true),
        EquivalenceCase(gold: "-5", answer: "−5", equal: true),
        EquivalenceCase(gold: "-5", answer: "– 5", equal: true),
        EquivalenceCase(gold: "-5", answer: "\\text{−5}", equal: true),
        EquivalenceCase(gold: "x-1", answer: "x − 1", equal: true),
        EquivalenceCase(gold: "1/2", answer: "\\frac 12", equal: true),
        EquivalenceCase(gold: "3/4", answer: "\\frac 34", equal: true),
        EquivalenceCase(gold: "2/9", answer: "\\dfrac29", equal: true),
        EquivalenceCase(gold: "1/2", answer: "\\frac{1}{2", equal: true),
        EquivalenceCase(gold: "1024", answer: "2^{10", equal: true),
        EquivalenceCase(gold: "(1,2)", answer: "\\left(1,2\\right}", equal: true),
        EquivalenceCase(gold: "x^2+1", answer: "x^2+", equal: false),
        EquivalenceCase(gold: "3", answer: "\\left| -3 \\right|", equal: true),
        EquivalenceCase(gold: "(0,3)", answer: "\\left[0,3\\right)", equal: false),
        EquivalenceCase(gold: "x+1", answer: "x \\, + \\, 1", equal: true),
        EquivalenceCase(gold: "1000", answer: "1\\ 000", equal: true),
        EquivalenceCase(gold: "7/2", answer: "3½", equal: true),
        EquivalenceCase(gold: "(1,2)", answer: "\\langle 1, 2 \\rangle", equal: true),
    ])
    func formatting(_ c: EquivalenceCase) { check(c) }

}
