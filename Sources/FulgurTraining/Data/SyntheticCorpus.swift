import Foundation
import FulgurRewards
import FulgurSupport
import FulgurTokenizer

/// Built-in SFT corpora (no downloads): conversations whose assistant turn is a worked
/// solution (`<think>` reasoning, then the answer in `\boxed{}`) written by an environment
/// that can demonstrate its tasks, and tool-use conversations (`ToolUseCorpus`).
public enum SyntheticCorpus {
    /// A conversation and the tools offered in it (rendered into its system turn).
    public struct Conversation: Sendable {
        public var messages: [ChatMessage]
        public var tools: [JSONTree]

        public init(messages: [ChatMessage], tools: [JSONTree] = []) {
            self.messages = messages
            self.tools = tools
        }
    }

    /// Environments with demonstrations, by task name.
    public static let environments: [String: any Demonstrating] = [
        "addition": ArithmeticEnvironment(operations: [.addition]),
        "subtraction": ArithmeticEnvironment(operations: [.subtraction]),
        "multiplication": ArithmeticEnvironment(operations: [.multiplication]),
        "arithmetic": ArithmeticEnvironment(),
    ]

    public static var names: [String] { (Array(environments.keys) + [ToolUseCorpus.name]).sorted() }

    private enum Source {
        case environment(any Demonstrating)
        case toolUse
    }

    /// The special tokens of tokenizers made for Fulgur's own models (the chat layout's,
    /// plus the usual extras of the MiniMax vocabulary).
    public static let specialTokens = ["<pad>", "<beginning_of_sentence>", "<end_of_sentence>", "<end_of_document>", "<begin_of_document>"]

    /// `count` conversations, tasks mixed evenly, difficulty uniform in [min, max]; the same
    /// spec always gives the same conversations.
    public static func conversations(_ spec: TrainConfig.BuiltinCorpus) throws -> [Conversation] {
        let envs = try spec.tasks.map { name -> Source in
            if name == ToolUseCorpus.name { return .toolUse }
            guard let e = environments[name] else {
                throw FileError("train config", "data.builtin.tasks: unknown task \"\(name)\" (available: \(names.joined(separator: ", ")))")
            }
            return .environment(e)
        }
        guard !envs.isEmpty else { throw FileError("train config", "data.builtin.tasks is empty") }
        guard 1 <= spec.minDifficulty, spec.minDifficulty <= spec.maxDifficulty, spec.maxDifficulty <= 10 else {
            throw FileError("train config", "data.builtin: need 1 ≤ min_difficulty ≤ max_difficulty ≤ 10")
        }
        var rng = RNG(seed: spec.seed)
        var out: [Conversation] = []
        out.reserveCapacity(spec.count)
        for i in 0..<spec.count {
            guard case .environment(let env) = envs[i % envs.count] else {
                out.append(Conversation(messages: ToolUseCorpus.conversation(&rng), tools: ToolUseCorpus.tools))
                continue
            }
            let d = rng.int(in: spec.minDifficulty...spec.maxDifficulty)
            guard let task = try env.generate(count: 1, difficulty: d, seed: rng.next()).first,
                  let demo = env.demonstration(for: task) else { continue }
            let reply = AssistantReply(parsing: demo)
            out.append(Conversation(messages: [.user(task.prompt), reply.message]))
        }
        return out
    }

    /// Trains a byte-level BPE (digits kept apart) on the rendered conversations and returns
    /// its tokenizer.json.
    public static func trainTokenizer(on conversations: [Conversation], vocabularySize: Int) throws -> Data {
        let trainer = BPETrainer(vocabularySize: vocabularySize, specialTokens: specialTokens, pattern: .qwen2)
        var words = BPETrainer.WordCounts()
        let format = ChatFormat()
        for c in conversations {
            for seg in format.segments(c.messages, tools: c.tools, addGenerationPrompt: false) where !seg.isSpecialToken {
                trainer.count(seg.text, into: &words)
            }
        }
        let result = try trainer.train(words)
        return Data(trainer.tokenizerJSON(result).serialized().utf8)
    }
}
