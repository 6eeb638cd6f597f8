import Foundation
import FulgurCluster
import FulgurSupport

/// One line of a run's metrics.jsonl: typed, written with snake_case keys (docs/training.md,
/// docs/rl.md list them).
public protocol StepMetrics: Codable, Sendable {
    var step: Int { get }
    /// The fields of the progress line after this step.
    var progressFields: [(String, String)] { get }
}

/// A run that `StepLoop` drives one step at a time: `Trainer` (SFT/pretraining) and `RLTrainer`.
public protocol SteppedRun: AnyObject {
    associatedtype Metrics: StepMetrics
    var loop: StepLoop { get }
    /// Steps done so far (a resumed run starts at its checkpoint's step).
    var completedSteps: Int { get }
    /// One step. `logged` says whether its metrics go to metrics.jsonl.
    func runStep() throws -> (metrics: Metrics, logged: Bool)
    /// Lines for transcripts.jsonl from the last step (none by default).
    func takeTranscripts() -> [[String: JSONValue]]
    /// Writes a checkpoint of the current step (rank 0 only calls it).
    func saveCheckpoint() throws
    /// Rewrites the run's SVG plots from metrics.jsonl (rank 0 only calls it).
    func writePlots() throws
}

extension SteppedRun {
    public func takeTranscripts() -> [[String: JSONValue]] { [] }

    /// Runs to the configured step count; returns the last step's metrics (a resumed run that is
    /// already done returns the last line of its metrics.jsonl; nil on ranks other than 0 then).
    @discardableResult
    public func run(quiet: Bool = false) throws -> Metrics? { try loop.drive(self, quiet: quiet) }
}

/// The loop every run shares. Rank 0 alone writes `run.json`, `metrics.jsonl` (truncated to the
/// resumed step, so no step is logged twice), `transcripts.jsonl`, checkpoints and plots, and shows
/// the progress line; every rank steps. The loop ends in a barrier: when it returns on any rank,
/// rank 0's last checkpoint is on disk.
public struct StepLoop: Sendable {
    public var out: String
    public var steps: Int
    /// Checkpoint (and plot) every this many steps and at the last one; 0 = never.
    public var checkpointEvery: Int
    public var runRecord: [String: JSONValue]
    public var progressLabel: String
    /// Whether the run writes transcripts.jsonl.
    public var transcripts: Bool
    /// Redraw the progress line on every step (steps are slow).
    public var redrawEveryStep: Bool
    public let cluster: Cluster

    public init(out: String, steps: Int, checkpointEvery: Int, runRecord: [String: JSONValue], progressLabel: String,
                transcripts: Bool = false, redrawEveryStep: Bool = false, cluster: Cluster) {
        self.out = out; self.steps = steps; self.checkpointEvery = checkpointEvery; self.runRecord = runRecord
        self.progressLabel = progressLabel; self.transcripts = transcripts; self.redrawEveryStep = redrawEveryStep
        self.cluster = cluster
    }

    func drive<R: SteppedRun>(_ run: R, quiet: Bool) throws -> R.Metrics? {
        let root = cluster.isRoot
        let quiet = quiet || !root
        var metrics: MetricsLog?, transcriptLog: MetricsLog?
        if root {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try Files.writeAtomically(JSONValue.object(runRecord).jsonString(), to: out + "/run.json")
            metrics = try MetricsLog(path: out + "/metrics.jsonl", truncateAfterStep: run.completedSteps)
            if transcripts { transcriptLog = try MetricsLog(path: out + "/transcripts.jsonl", truncateAfterStep: run.completedSteps) }
        }
        let progress = ProgressLine(total: steps, label: progressLabel)
        let first = run.completedSteps
        var last = metrics?.lastKept.flatMap { MetricsLog.decode(R.Metrics.self, $0) }
        while run.completedSteps < steps {
            let (m, logged) = try run.runStep()
            if logged { metrics?.write(m) }
            for t in run.takeTranscripts() { transcriptLog?.write(t) }
            last = m
            if !quiet { progress.update(done: m.step, startedAt: first, fields: m.progressFields, force: redrawEveryStep) }
            if root && checkpointEvery > 0 && (m.step % checkpointEvery == 0 || m.step == steps) {
                try run.saveCheckpoint()
                try run.writePlots()
            }
        }
        if !quiet { progress.finish() }
        if root { try run.writePlots() }
        cluster.barrier()
        return last
    }
}
