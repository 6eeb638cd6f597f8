import Foundation
import FulgurRewards
import FulgurSupport

/// An evaluation suite: which tasks, at which difficulties, how many, and how to sample
/// (default: temperature 1.0, top-p 0.95, as the report's §6.1).
///
/// File schema (docs/rl.md):
///
///     {"name": "arith", "max_tokens": 256, "temperature": 1.0, "top_p": 0.95,
///      "items": [{"task": "addition", "difficulty": 3, "count": 50, "seed": 1000},
///                {"file": "tasks.jsonl"}]}
public struct EvalSuite: Codable, Sendable {
    public struct Item: Codable, Sendable {
        public var task: String?
        public var difficulty: Int?
        public var count: Int?
        public var seed: UInt64?
        /// TaskInstance JSONL (its `task` field names the environment).
        public var file: String?
        public init(task: String? = nil, difficulty: Int? = nil, count: Int? = nil, seed: UInt64? = nil, file: String? = nil) {
            self.task = task; self.difficulty = difficulty; self.count = count; self.seed = seed; self.file = file
        }
    }

    public var name: String
    public var items: [Item]
    public var maxTokens: Int = 256
    public var temperature: Float = 1.0
    public var topP: Float = 0.95

    enum CodingKeys: String, CodingKey { case name, items, maxTokens = "max_tokens", temperature, topP = "top_p" }

    public init(name: String, items: [Item], maxTokens: Int = 256, temperature: Float = 1.0, topP: Float = 0.95) {
        self.name = name; self.items = items; self.maxTokens = maxTokens; self.temperature = temperature; self.topP = topP
    }

    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        items = try c.decode([Item].self, forKey: .items)
        maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens) ?? 256
        temperature = try c.decodeIfPresent(Float.self, forKey: .temperature) ?? 1.0
        topP = try c.decodeIfPresent(Float.self, forKey: .topP) ?? 0.95
    }

    /// Seeds of built-in suites start at 1,000,000 so they never coincide with training data
    /// (built-in corpora and RL use small seeds).
    static let heldOutSeed: UInt64 = 1_000_000

    /// Built-in suites for the synthetic tasks.
    public static func builtin(_ name: String) -> EvalSuite? {
        func grid(_ tasks: [String], _ ds: [Int], _ n: Int) -> [Item] {
            tasks.flatMap { t in ds.map { Item(task: t, difficulty: $0, count: n, seed: heldOutSeed + UInt64($0)) } }
        }
        switch name {
        case "addition": return EvalSuite(name: name, items: grid(["addition"], [1, 2, 3, 4, 5], 40))
        case "addition-3": return EvalSuite(name: name, items: grid(["addition"], [3], 200))
        case "arithmetic": return EvalSuite(name: name, items: grid(["addition", "subtraction", "multiplication"], [2, 3, 4], 30))
        case "logic":
            return EvalSuite(name: name, items: grid(LogicTasks.all.map(\.name), [1, 3], 10), maxTokens: 512)
        case "math": return EvalSuite(name: name, items: grid(["math"], [1, 3, 5], 30), maxTokens: 512)
        default: return nil
        }
    }

    public static let builtinNames = ["addition", "addition-3", "arithmetic", "logic", "math"]

    /// A built-in name or a suite file.
    public static func load(_ nameOrPath: String) throws -> EvalSuite {
        if let s = builtin(nameOrPath) { return s }
        guard let data = FileManager.default.contents(atPath: nameOrPath) else {
            throw FileError(nameOrPath, "no such suite file (built-in suites: \(builtinNames.joined(separator: ", ")))")
        }
        do { return try JSONDecoder().decode(EvalSuite.self, from: data) } catch { throw FileError(nameOrPath, Files.describe(error)) }
    }

    /// The suite's tasks (generated or read), each with its environment.
    public func tasks(relativeTo base: String? = nil, environments: EnvironmentRegistry) throws -> [(any Environment, TaskInstance)] {
        var out: [(any Environment, TaskInstance)] = []
        for (i, item) in items.enumerated() {
            if let file = item.file {
                let path = file.hasPrefix("/") || base == nil ? file : base! + "/" + file
                for t in try Files.readJSONL(path, as: TaskInstance.self) {
                    out.append((try environments.require(t.task), t))
                }
            } else if let task = item.task {
                let env = try environments.require(task)
                let d = item.difficulty ?? 1
                guard (1...10).contains(d) else { throw FileError("suite \(name)", "items[\(i)].difficulty must be 1…10") }
                for t in try env.generate(count: item.count ?? 20, difficulty: d, seed: item.seed ?? (EvalSuite.heldOutSeed + UInt64(i))) {
                    out.append((env, t))
                }
            } else {
                throw FileError("suite \(name)", "items[\(i)] needs `task` or `file`")
            }
        }
        return out
    }
}
