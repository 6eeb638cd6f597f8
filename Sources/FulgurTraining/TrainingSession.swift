import Foundation
import FulgurCluster
import FulgurModel
import FulgurSupport
import FulgurTensor
import FulgurTokenizer

/// Everything `fulgur train` sets up before the loop: tokenizer, model, examples, resume.
public struct TrainingSession {
    public let trainer: Trainer
    public let tokenizer: Tokenizer

    /// `corpus` writes the conversations of `data.builtin` (FulgurData's `SyntheticCorpus`).
    public static func prepare(_ cfg: TrainConfig, configPath: String, corpus: any ConversationSource, resume: Bool,
                               log: (String) -> Void, cluster: Cluster = .world) throws -> TrainingSession {
        let resumeDir = resume ? try TrainingCheckpoint.latest(out: cfg.out) : nil
        if let resumeDir { log("resuming from \(resumeDir)") }

        // conversations of the built-in corpus (needed for the tokenizer and the data)
        let builtin = try cfg.data.builtin.map { try corpus.conversations($0) } ?? []

        // model config
        let modelConfig: ModelConfig
        if let dir = resumeDir ?? cfg.initFrom {
            modelConfig = try ModelConfig.load(directory: dir)
        } else if let m = cfg.model {
            if let path = m.string {
                modelConfig = try ModelConfig.load(path: resolve(path, relativeTo: configPath))
            } else if let obj = m.object {
                modelConfig = try ModelConfig(raw: obj, path: configPath + " (model)")
            } else {
                throw FileError(configPath, "model must be a path to a config.json or a config object")
            }
        } else {
            throw FileError(configPath, "give `model` or `init_from`")
        }

        // tokenizer
        var tokenizerJSON: Data
        if let dir = resumeDir, let d = FileManager.default.contents(atPath: dir + "/tokenizer.json") {
            tokenizerJSON = d
        } else if let path = cfg.tokenizer {
            let p = resolve(path, relativeTo: configPath)
            guard let d = FileManager.default.contents(atPath: p) else { throw FileError(p, "cannot read tokenizer") }
            tokenizerJSON = d
        } else if let dir = cfg.initFrom, let d = FileManager.default.contents(atPath: dir + "/tokenizer.json") {
            tokenizerJSON = d
        } else if !builtin.isEmpty {
            log("training a \(modelConfig.vocabSize)-token BPE tokenizer on the built-in corpus")
            tokenizerJSON = try CorpusTokenizer.train(on: builtin, vocabularySize: modelConfig.vocabSize)
        } else {
            throw FileError(configPath, "no tokenizer: set `tokenizer` or use `init_from` with a tokenizer.json")
        }
        let tokenizer = try Tokenizer(json: Array(tokenizerJSON))
        guard tokenizer.vocabularySize <= modelConfig.vocabSize else {
            throw FileError(configPath, "the tokenizer has \(tokenizer.vocabularySize) tokens but the model's vocab_size is \(modelConfig.vocabSize)")
        }

        // model
        let model: MiniMaxModel
        if let dir = resumeDir ?? cfg.initFrom {
            model = try MiniMaxModel(directory: dir)
        } else {
            let std = Float(modelConfig.raw["initializer_range"]?.double ?? 0.02)
            model = try MiniMaxModel(config: modelConfig, weights: RandomWeights(seed: cfg.seed, std: std))
        }

        // examples
        let encoder = CorpusEncoder(tokenizer: tokenizer)
        var all = try encoder.load(cfg.data.train.map { resolve($0, relativeTo: configPath) })
        all += try builtin.map { try encoder.example(messages: $0.messages, tools: $0.tools) }
        all = all.flatMap { $0.chunks(of: cfg.seqLen) }.filter { $0.lossTokens > 0 }
        var eval = try encoder.load(cfg.data.eval.map { resolve($0, relativeTo: configPath) }).flatMap { $0.chunks(of: cfg.seqLen) }
        if eval.isEmpty && cfg.data.evalFraction > 0 && all.count > 1 {
            let n = max(1, Int(Double(all.count) * cfg.data.evalFraction))
            eval = Array(all.suffix(n))
            all.removeLast(n)
        }
        guard !all.isEmpty else { throw FileError(configPath, "no training examples with loss tokens") }
        log("data: \(all.count) training examples (\(all.reduce(0) { $0 + $1.ids.count }) tokens), \(eval.count) eval")

        let (total, active) = modelConfig.parameterCounts
        log("model: \(modelConfig.numLayers) layers (\(modelConfig.layerKinds.map { $0 == .lightning ? "L" : "S" }.joined())), \(total) parameters, \(active) active")

        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let cfgJSON = (try? JSONDecoder().decode(JSONValue.self, from: try enc.encode(cfg))) ?? .null
        let record: [String: JSONValue] = [
            "kind": "train", "config": cfgJSON, "config_path": .string(configPath),
            "git_commit": .string(TrainingCheckpoint.gitCommit()), "seed": .number(Double(cfg.seed)),
            "started": .string(ISO8601DateFormatter().string(from: Date())),
        ]
        let trainer = try Trainer(config: cfg, model: model, tokenizerJSON: tokenizerJSON, train: all, eval: eval,
                                  runRecord: record, resumeFrom: resumeDir, cluster: cluster)
        return TrainingSession(trainer: trainer, tokenizer: tokenizer)
    }

    /// Paths in a config file are relative to the file's folder.
    public static func resolve(_ path: String, relativeTo configPath: String) -> String {
        if path.hasPrefix("/") { return path }
        let base = (configPath as NSString).deletingLastPathComponent
        return base.isEmpty ? path : base + "/" + path
    }
}
