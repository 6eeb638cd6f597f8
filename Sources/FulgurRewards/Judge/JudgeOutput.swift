/// Helpers for reading a judge's free-text output.
enum JudgeOutput {
    /// The text after the last `</think>`: a reasoning judge's verdict comes after its thinking.
    static func finalPart(_ output: String) -> Substring {
        if let r = output.range(of: "</think>", options: .backwards) { return output[r.upperBound...] }
        return output[...]
    }

    /// The last `[[…]]` tag of the text, without brackets and spaces, uppercased.
    static func lastBracketTag(_ text: Substring) -> String? {
        guard let open = text.range(of: "[[", options: .backwards),
            let close = text[open.upperBound...].range(of: "]]")
        else { return nil }
        let inner = text[open.upperBound..<close.lowerBound].filter { !$0.isWhitespace && $0 != "*" }
        return inner.isEmpty || inner.count > 12 ? nil : inner.uppercased()
    }
}
