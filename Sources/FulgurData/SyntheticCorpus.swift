import Foundation
import FulgurRewards
import FulgurSupport
import FulgurTokenizer
import FulgurTraining

/// Built-in SFT corpora (no downloads): conversations whose assistant turn is a worked
/// solution (`<think>` reasoning, then the answer in `\boxed{}`) written by an environment of the
/// registry that can demonstrate its tasks, and tool-use conversations (`ToolUseCorpus`).
public struct SyntheticCorpus: ConversationSource {
    public let environments: EnvironmentRegistry

    public init(environments: EnvironmentRegistry) { self.environments = environments }

    /// The registry's demonstrating environments, and `tool_use`.
    public var names: [String] {
        (environments.entries.filter(\.demonstrates).map(\.name) + [ToolUseCorpus.name]).sorted()
    }

    private enum Source {
        case environment(any Demonstrating)
        case toolUse
    }

    /// `count` conversations, tasks mixed evenly, difficulty uniform in [min, max]; the same
    /// spec always gives the same conversations.
    public func conversations(_ spec: TrainConfig.BuiltinCorpus) throws -> [Conversation] {
        let envs = try spec.tasks.map { name -> Source in
            if name == ToolUseCorpus.name { return .toolUse }
            guard let entry = environments.entry(name), entry.demonstrates,
                  let e = try environments.require(name) as? any Demonstrating else {
                let why = environments.entry(name) == nil ? "unknown task" : "task without worked solutions"
                throw FileError("train config", "data.builtin.tasks: \(why) \"\(name)\" (available: \(names.joined(separator: ", ")))")
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
}
