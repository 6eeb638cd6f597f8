import ArgumentParser
import Foundation
import FulgurModel
import FulgurSupport
import FulgurTensor

/// `fulgur inspect`: what a model holds and needs, from its config alone (no weights read).
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parameters, active parameters, bytes, cache sizes and a memory plan of a model, without reading its weights.",
        discussion: """
            Active parameters exclude the embedding table (a lookup); `active_parameters_without_lm_head` also \
            excludes the LM head, the report's convention (MiniMax-M1: 45.9B). The plan adds the resident \
            weights, the KV cache of the softmax layers at --context (allocated: capacity doubles from 64), the \
            lightning layers' fixed state, and a workspace estimate (one layer's activations for the whole \
            prompt), for --batch sequences, and says whether it fits this machine's available memory.
            """)

    @Option(help: "Model folder (config.json and its safetensors).") var model: String?
    @Option(help: "A config.json (either dialect).") var config: String?
    @Option(help: "Context length of the plan (tokens per sequence).") var context = 4096
    @Option(help: "Sequences of the plan.") var batch = 1
    @Option(help: "Resident weight precision of the plan: f32 or bf16 (default: the checkpoint's bytes with --model, f32 with --config).")
    var weights: WeightPrecision?
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard (model == nil) != (config == nil) else { throw ValidationError("give exactly one of --model DIR or --config FILE") }
        guard context >= 1 else { throw ValidationError("--context must be ≥ 1, got \(context)") }
        guard batch >= 1 else { throw ValidationError("--batch must be ≥ 1, got \(batch)") }
    }

    func run() throws {
        let cfg = try model.map { try ModelConfig.load(directory: $0) } ?? ModelConfig.load(path: config!)
        let inventory = ModelInventory(cfg)
        let weightBytes: Int
        let weightSource: String
        if let w = weights {
            weightBytes = w == .bf16 ? inventory.bytesBF16 : inventory.bytesF32
            weightSource = "\(w.rawValue) resident"
        } else if let dir = model {
            weightBytes = try Self.checkpointBytes(dir)
            weightSource = "the checkpoint's files"
        } else {
            weightBytes = inventory.bytesF32
            weightSource = "f32 resident"
        }
        let plan = MemoryPlan(cfg, context: context, batch: batch, weightBytes: weightBytes)
        let memory = MachineMemory.totalAndAvailable
        let fits = memory.map { plan.totalBytes <= $0.available }
        if json {
            var out: [String: JSONValue] = [
                "parameters": .number(Double(inventory.parameters)),
                "active_parameters": .number(Double(inventory.activeParameters)),
                "active_parameters_without_lm_head": .number(Double(inventory.activeParametersWithoutLMHead)),
                "memory_bytes": .number(Double(plan.totalBytes)),
                "inventory": .object(MetricsLog.object(inventory)), "plan": .object(MetricsLog.object(plan)),
                "weights": .string(weightSource),
            ]
            if let memory, let fits {
                out["machine_memory_bytes"] = .number(Double(memory.total))
                out["machine_available_bytes"] = .number(Double(memory.available))
                out["fits"] = .bool(fits)
            }
            printJSON(JSONValue.object(out))
            return
        }
        func gb(_ b: Int) -> String { String(format: "%.3f GB", Double(b) / 1e9) }
        func n(_ x: Int) -> String { x.formatted(.number.grouping(.automatic)) }
        var lines = [
            "model      \(model ?? config!)",
            "layers     \(inventory.layers) (\(inventory.lightningLayers) lightning, \(inventory.softmaxLayers) softmax)",
            "parameters \(n(inventory.parameters)) (f32 \(gb(inventory.bytesF32)), bf16 \(gb(inventory.bytesBF16)))",
            "active     \(n(inventory.activeParameters)) per token without the embedding table; \(n(inventory.activeParametersWithoutLMHead)) also without the LM head",
            "kv cache   \(n(inventory.kvCacheBytesPerToken)) bytes per token of context (f32 K and V of the softmax layers)",
            "lightning  \(n(inventory.lightningStateBytesPerSequence)) bytes of state per sequence, whatever the context",
            "plan       context \(n(context)) × batch \(batch): weights \(gb(plan.weightBytes)) (\(weightSource)) + KV cache \(gb(plan.kvCacheBytes)) + lightning state \(gb(plan.lightningStateBytes)) + workspace ≈ \(gb(plan.workspaceBytes)) = \(gb(plan.totalBytes))",
        ]
        if let memory, let fits {
            lines.append("machine    \(gb(memory.total)) total, \(gb(memory.available)) available: \(fits ? "fits" : "does not fit")")
        }
        Console.out(lines.joined(separator: "\n") + "\n")
    }

    /// Bytes of the folder's safetensors files (the weights as stored).
    static func checkpointBytes(_ dir: String) throws -> Int {
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".safetensors") }
        guard !files.isEmpty else { throw FileError(dir, "no .safetensors files in the model folder") }
        return try files.reduce(0) { sum, f in
            sum + ((try FileManager.default.attributesOfItem(atPath: dir + "/" + f)[.size] as? Int) ?? 0)
        }
    }
}
