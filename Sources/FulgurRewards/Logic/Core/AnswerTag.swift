/// The answer convention of every logic task: the final answer goes inside
/// `<answer>…</answer>` tags after the reasoning.
///
/// Extraction rules (docs/logic-tasks.md):
/// - When the response contains `</think>`, only the text after the last `</think>` is searched
///   (an answer drafted inside the reasoning does not count). A response with an unclosed
///   `<think>` has no answer: the reasoning was cut off.
/// - The last `<answer>…</answer>` pair wins; tags are matched case-insensitively.
/// - The content is trimmed of surrounding whitespace; an empty answer counts as none.
public enum AnswerTag {
    /// The sentence every prompt ends with, followed by the task's own format description.
    public static func instruction(_ format: String) -> String {
        "Think it through, then give your final answer inside <answer></answer> tags. \(format)"
    }

    public static func extract(from response: String) -> String? {
        let bytes = Array(response.utf8)
        var start = 0
        if let close = lastIndex(of: "</think>", in: bytes, before: bytes.count) {
            start = close + 8
        } else if lastIndex(of: "<think>", in: bytes, before: bytes.count) != nil {
            return nil
        }
        guard let closeTag = lastIndex(of: "</answer>", in: bytes, before: bytes.count), closeTag >= start,
              let openTag = lastIndex(of: "<answer>", in: bytes, before: closeTag), openTag >= start
        else { return nil }
        let content = String(decoding: bytes[(openTag + 8)..<closeTag], as: UTF8.self)
        let trimmed = content.trimmingWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Start of the last case-insensitive occurrence of an ASCII `needle` starting before `end`.
    private static func lastIndex(of needle: String, in hay: [UInt8], before end: Int) -> Int? {
        let n = Array(needle.utf8)
        var i = min(end, hay.count) - n.count
        while i >= 0 {
            var k = 0
            while k < n.count && lowercase(hay[i + k]) == n[k] { k += 1 }
            if k == n.count { return i }
            i -= 1
        }
        return nil
    }

    @inline(__always) private static func lowercase(_ b: UInt8) -> UInt8 { (b >= 65 && b <= 90) ? b + 32 : b }
}

extension String {
    /// The string without leading and trailing whitespace and newlines.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
