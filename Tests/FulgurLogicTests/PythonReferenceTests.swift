import Foundation
@testable import FulgurRewards
import FulgurSupport
import Testing

/// Generated answers recomputed by Python (an independent implementation): Boolean values with
/// Python's own `eval` of the shown expressions (our generated text, never model output),
/// countdown solutions with `fractions.Fraction`, word order with `sorted`, ciphers with a
/// plain Python implementation. Skipped when python3 is not installed.
enum Python3 {
    /// The python3 found on PATH, or nil.
    static let path: String? = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
        .map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

@Suite(.enabled(if: Python3.path != nil))
struct PythonReferenceTests {
    static let script = #"""
    import json, re, sys
    from fractions import Fraction
    out = []
    for line in sys.stdin:
        item = json.loads(line)
        kind, p = item["kind"], item["puzzle"]
        if kind == "boolean_expressions":
            out.append([eval(e, {"__builtins__": {}}) for e in p["expressions"]])
        elif kind == "countdown":
            expr = item["answer"].split("=")[0]
            nums = sorted(int(n) for n in re.findall(r"\d+", expr))
            value = eval(re.sub(r"(\d+)", r"Fraction(\1)", expr), {"Fraction": Fraction, "__builtins__": {}})
            out.append([nums == sorted(p["numbers"]), value == p["target"]])
        elif kind == "word_sorting":
            out.append(" ".join(sorted(p["words"], reverse=p["descending"])))
        elif kind == "cipher":
            A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            sign = 1 if p["mode"] == "encrypt" else -1
            res, k = [], 0
            for ch in p["input"]:
                if ch not in A:
                    res.append(ch); continue
                i = A.index(ch)
                if p["cipher"] == "caesar":
                    res.append(A[(i + sign * int(p["key"])) % 26])
                elif p["cipher"] == "vigenere":
                    res.append(A[(i + sign * A.index(p["key"][k % len(p["key"])])) % 26]); k += 1
                else:
                    res.append(p["key"][i] if sign == 1 else A[p["key"].index(ch)])
            out.append("".join(res))
    print(json.dumps(out))
    """#

    @Test func generatedAnswersAgreeWithPython() throws {
        var lines: [String] = []
        var expected: [JSONValue] = []
        for task in ["boolean_expressions", "countdown", "word_sorting", "cipher"] {
            for d in 1...10 {
                for t in Corpus.instances[task]![d]! {
                    let item: JSONValue = ["kind": .string(task), "puzzle": .object(t.metadata), "answer": .string(t.answer)]
                    lines.append(item.jsonString())
                    switch task {
                    case "boolean_expressions": expected.append(t.metadata["values"]!)
                    case "countdown": expected.append([true, true])
                    case "word_sorting": expected.append(.string(t.answer))
                    default: expected.append(t.metadata["output"]!)
                    }
                }
            }
        }
        let proc = Process()
        proc.executableURL = URL(fileURLWithPath: Python3.path!)
        proc.arguments = ["-c", PythonReferenceTests.script]
        let input = Pipe(), output = Pipe()
        proc.standardInput = input
        proc.standardOutput = output
        try proc.run()
        input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        proc.waitUntilExit()
        #expect(proc.terminationStatus == 0)
        let got = try JSONDecoder().decode([JSONValue].self, from: data)
        #expect(got.count == expected.count)
        for (i, (g, e)) in zip(got, expected).enumerated() { #expect(g == e, "item \(i): python \(g) vs \(e)\n\(lines[i])") }
    }
}
