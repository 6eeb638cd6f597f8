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
    /// nil when the tokenizer lacks the chat layout's special tokens (chat data is then an error).
    public let template: ChatTemplate?
    let templateError: String?
    let endOfSentence: Int?

    public init(tokenizer: Tokenizer) {
        self.tokenizer = tokenizer
        endOfSentence = tokenizer.specialTokenId(ChatFormat.endOfSentence)
        do { template = try ChatTemplate(tokenizer: tokenizer); templateError = nil } catch {
            template = nil; templateError = "\(error)"
        }
    }

    public func example(text: String) -> Example {
        var ids = tokenizer.encode(text)
        if let e = endOfSentence { ids.append(e) }
        return Example(ids: ids)
    }

    func chatTemplate() throws -> ChatTemplate {
        guard let template else { throw FileError("tokenizer", templateError ?? "no chat template") }
        return template
    }

    /// Throws when the tokenizer lacks the chat layout's special tokens. `tools` are the tool
    /// definitions offered in the conversation (OpenAI's `tools` objects).
    public func example(messages: [ChatMessage], tools: [JSONTree] = []) throws -> Example {
        let e = try chatTemplate().encode(messages, tools: tools)
        return Example(ids: e.ids, lossMask: e.assistantMask)
    }

    /// The prompt of a conversation up to the generation prompt (for sampling).
    public func prompt(_ messages: [ChatMessage]) throws -> [Int] { try chatTemplate().encodePrompt(messages) }

    /// `.txt` files are one document each; `.jsonl` lines are `{"text": …}` or
    /// `{"messages": [...], "tools": [...]}` (tools optional). Errors name the file and line.
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
                        var tools: [JSONTree] = []
                        switch tree["tools"] {
                        case .array(let t)?: tools = t
                        case nil, .null?: break
                        default: throw FileError(path, "line \(lineNo): \"tools\" must be an array of tool definitions")
                        }
                        out.append(try example(messages: messages, tools: tools))
                    } catch let e as FileError { throw e } catch { throw FileError(path, "line \(lineNo): \(error)") }
                } else {
                    throw FileError(path, "line \(lineNo): expected {\"text\": …} or {\"messages\": [...]}")
                }
            }
        }
        return out
    }
}
