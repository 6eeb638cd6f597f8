import Foundation
import FulgurSandbox

/// Pulling the answer out of a model response.
public enum ResponseExtraction {
    /// The body of the last fenced code block whose info string is one of `languages`
    /// (case-insensitive), or of the last unlabeled block when none is labeled.
    public static func lastCodeBlock(_ response: String, languages: Set<String>) -> String? {
        var labeled: String?, unlabeled: String?
        var inBlock = false
        var info = ""
        var body: [Substring] = []
        var fence = ""
        for line in response.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !inBlock {
                if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                    fence = String(trimmed.prefix(while: { $0 == "`" || $0 == "~" }))
                    info = trimmed.dropFirst(fence.count).trimmingCharacters(in: .whitespaces).lowercased()
                    inBlock = true
                    body = []
                }
            } else if trimmed.hasPrefix(fence) && trimmed.allSatisfy({ $0 == fence.first }) {
                inBlock = false
                let text = body.joined(separator: "\n") + "\n"
                let lang = info.split(separator: " ").first.map(String.init) ?? ""
                if lang.isEmpty { unlabeled = text } else if languages.contains(lang) { labeled = text }
            } else {
                body.append(line)
            }
        }
        return labeled ?? unlabeled
    }

    /// A unified diff from a response: the last ```diff / ```patch block, else the text from
    /// the first `diff --git` or `--- ` header line on.
    public static func patch(_ response: String) -> String? {
        if let block = lastCodeBlock(response, languages: ["diff", "patch", "udiff"]), block.contains("@@") { return block }
        let lines = response.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("diff --git ") || $0.hasPrefix("--- ") }) else { return nil }
        return lines[start...].joined(separator: "\n") + "\n"
    }
}
