import Foundation
import FulgurSupport
import FulgurTokenizer

/// Turns text documents and chat conversations into training examples.
///
/// - text: the document's tokens followed by `<end_of_sentence>` (when the tokenizer has it);
///   loss on every token.
/// - chat: the MiniMax-M1 layout (docs/chat-format.md); loss on the assistant's tokens only
///   (reasoning, answer, tool calls and its closing `<end_of_sentence>`).
public struct CorpusEncoder: Sendable {
    public let tokenizer: Tokenizer
    public let chat = ChatFormat()
    let endOfSentence: Int?

    public init(tokenizer: Tokenizer) {
        self.tokenizer = tokenizer
        endOfSentence = tokenizer.specialTokenId(ChatFormat.endOfSentence)
    }

    public func example(text: String) -> Example {
        var ids = tokenizer.encode(text)
        if let e = endOfSentence { ids.append(e) }
        return Example(ids: ids)
    }

    /// Throws when the tokenizer lacks the chat layout's special tokens.
    public func example(messages: [ChatMessage]) throws -> Example {
        var ids: [Int] = [], mask: [Bool] = []
        for seg in chat.segments(messages, addGenerationPrompt: false) {
            let part: [Int]
            if seg.isSpecialToken {
                guard let id = tokenizer.specialTokenId(seg.text) else {
                    throw FileError("tokenizer", "the chat format needs the special token \(seg.text), which this tokenizer lacks")
                }
                part = [id]
            } else {
                part = tokenizer.encode(seg.text)
            }
            ids += part
            mask += Array(repeating: seg.isAssistantOutput, count: part.count)
        }
        return Example(ids: ids, lossMask: mask)
    }

    /// The prompt of a conversation up to the generation prompt (for sampling).
    public func prompt(_ messages: [ChatMessage]) throws -> [Int] {
        try chat.segments(messages, addGenerationPrompt: true).flatMap { seg -> [Int] in
            if seg.isSpecialToken {
                guard let id = tokenizer.specialTokenId(seg.text) else {
                    throw FileError("tokenizer", "the chat format needs the special token \(seg.text), which this tokenizer lacks")
                }
                return [id]
            }
            return tokenizer.encode(seg.text)
        }
    }

    /// `.txt` files are one document each; `.jsonl` lines are `{"text": …}` or
    /// `{"messages": [...]}`. Errors name the file and line.
    public func load(_ paths: [String]) throws -> [Example] {
        var out: [Example] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { throw FileError(path, "cannot read") }
            if !path.hasSuffix(".jsonl") {
                out.append(example(text: String(decoding: data, as: UTF8.self)))
                continue
            }
            var lineNo = 0
            for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                lineNo += 1
                if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
                let tree: JSONTree
                do { tree = try JSONTree.parse(Array(line)) } catch { throw FileError(path, "line \(lineNo): \(error)") }
                if case .string(let text)? = tree["text"] {
                    out.append(example(text: text))
                } else if case .array(let list)? = tree["messages"] {
                    do {
                        let messages = try list.enumerated().map { try ChatMessage(json: $1, path: "messages[\($0)]") }
                        out.append(try example(messages: messages))
                    } catch let e as FileError { throw e } catch { throw FileError(path, "line \(lineNo): \(error)") }
                } else {
                    throw FileError(path, "line \(lineNo): expected {\"text\": …} or {\"messages\": [...]}")
                }
            }
        }
        return out
    }
}
