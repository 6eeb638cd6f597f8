import ArgumentParser
import FulgurSupport
import FulgurTokenizer
import Foundation

/// `fulgur bench tokenizer`: single-thread encoding throughput against HF tokenizers, measured
/// in the same run on the same text and tokenizer.json, with a check that the ids are identical.
struct BenchTokenizer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Measure single-thread encode MB/s against HF tokenizers (same text, same run).",
        discussion: """
            The baseline runs `python3` with `tokenizers` under RAYON_NUM_THREADS=1. Rates are bytes per \
            CPU second of the encoding thread (robust on a shared machine; wall-clock rates are printed \
            too); speedup is the ratio of median CPU times of `encode`, and speedup_vs_best_hf compares \
            with the faster of HF's `encode` and `encode_batch` over the text's lines. Prints one JSON object; exits 1 if the two \
            implementations give different ids. scripts/bench_tokenizer.py \
            builds an English corpus and tokenizers and runs this command.
            """)

    @Option(help: "Path to an HF tokenizer.json.")
    var tokenizer: String

    @Option(help: "UTF-8 text file to encode (as one string).")
    var file: String

    @Option(help: "Timed runs of each implementation (the median is reported).")
    var runs: Int = 5

    @Option(help: "Python interpreter for the HF baseline.")
    var python: String = "python3"

    @Flag(help: "Skip the HF baseline.")
    var noBaseline = false

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be ≥ 1") }
    }

    func run() throws {
        MachineReport.announce("tokenizer")
        let tok: Tokenizer
        do { tok = try Tokenizer(contentsOfFile: tokenizer) } catch { fail("\(error)") }
        guard let data = FileManager.default.contents(atPath: file) else { fail("\(file): cannot read file") }
        guard let text = String(validating: data, as: UTF8.self) else { fail("\(file): not valid UTF-8 text") }
        let bytes = Double(data.count)

        let (ids, ours) = Self.timeEncode(tok, text, runs: runs)
        func rate(_ seconds: [Double]) -> JSONTree { .number(String(format: "%.2f", bytes / 1e6 / median(seconds))) }
        var fields: [(key: String, value: JSONTree)] = [
            ("tokenizer", .string(tokenizer)), ("file", .string(file)), ("bytes", .number(String(data.count))),
            ("tokens", .number(String(ids.count))), ("runs", .number(String(runs))),
            ("fulgur_mb_per_s", rate(ours.cpu)), ("fulgur_wall_mb_per_s", rate(ours.wall)),
        ]
        var identical = true
        if !noBaseline {
            switch hfBaseline() {
            case .success(let hf):
                identical = hf.count == ids.count && hf.hash == Self.hash(ids)
                let bestHF = min(median(hf.cpu), median(hf.batchCPU))
                fields += [("hf_tokenizers_version", .string(hf.version)), ("hf_mb_per_s", rate(hf.cpu)),
                           ("hf_wall_mb_per_s", rate(hf.wall)), ("hf_batch_lines_mb_per_s", rate(hf.batchCPU)),
                           ("speedup", .number(String(format: "%.2f", median(hf.cpu) / median(ours.cpu)))),
                           ("speedup_vs_best_hf", .number(String(format: "%.2f", bestHF / median(ours.cpu)))),
                           ("identical_ids", .bool(identical))]
            case .failure(let reason):
                fields.append(("hf_baseline_error", .string(reason.message)))
            }
        }
        print(JSONTree.object(fields).serialized(pythonStyle: true))
        if !identical { fail("the ids differ from HF tokenizers") }
    }

    struct Timings { var cpu: [Double] = []; var wall: [Double] = [] }

    /// Encodes `runs` times after one warm-up; returns the ids and each run's CPU and wall seconds.
    static func timeEncode(_ tok: Tokenizer, _ text: String, runs: Int) -> ([Int], Timings) {
        var ids = tok.encode(text)
        var t = Timings()
        for _ in 0..<runs {
            let (c0, w0) = (threadCPUSeconds(), DispatchTime.now().uptimeNanoseconds)
            ids = tok.encode(text)
            t.cpu.append(threadCPUSeconds() - c0)
            t.wall.append(Double(DispatchTime.now().uptimeNanoseconds - w0) / 1e9)
        }
        return (ids, t)
    }

    /// CPU time of the calling thread: on a shared machine it counts only the work done.
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// FNV-1a over the ids (the Python side computes the same).
    static func hash(_ ids: [Int]) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for id in ids { h = (h ^ UInt64(id)) &* 0x100_0000_01B3 }
        return h
    }

    struct Baseline { let version: String; let cpu: [Double]; let wall: [Double]; let batchCPU: [Double]; let count: Int; let hash: UInt64 }
    struct BaselineError: Error { let message: String }

    static let baselineScript = """
        import json, sys, time
        import tokenizers
        tok = tokenizers.Tokenizer.from_file(sys.argv[1])
        text = open(sys.argv[2], encoding="utf-8").read()
        runs = int(sys.argv[3])
        ids = tok.encode(text, add_special_tokens=False).ids
        cpu, wall = [], []
        for _ in range(runs):
            c, t = time.process_time(), time.perf_counter()
            ids = tok.encode(text, add_special_tokens=False).ids
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - t)
        # HF's fastest single-thread path for comparison: encode_batch over the lines (rate only).
        lines = text.split("\\n")
        tok.encode_batch(lines, add_special_tokens=False)
        batch = []
        for _ in range(runs):
            c = time.process_time()
            tok.encode_batch(lines, add_special_tokens=False)
            batch.append(time.process_time() - c)
        h = 0xcbf29ce484222325
        for i in ids:
            h = ((h ^ i) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
        print(json.dumps({"version": tokenizers.__version__, "cpu": cpu, "wall": wall, "batch_cpu": batch, "count": len(ids), "hash": str(h)}))
        """

    func hfBaseline() -> Result<Baseline, BaselineError> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-c", Self.baselineScript, tokenizer, file, String(runs)]
        var env = ProcessInfo.processInfo.environment
        env["RAYON_NUM_THREADS"] = "1"
        env["TOKENIZERS_PARALLELISM"] = "false"
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { return .failure(.init(message: "cannot run \(python): \(error)")) }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let tail = String(decoding: stderr, as: UTF8.self).split(separator: "\n").suffix(2).joined(separator: " ")
            return .failure(.init(message: "\(python) exited with \(process.terminationStatus): \(tail)"))
        }
        guard let tree = try? JSONTree.parse(Array(stdout)), case .string(let version)? = tree["version"],
              case .array(let cpu)? = tree["cpu"], case .array(let wall)? = tree["wall"], case .array(let batch)? = tree["batch_cpu"],
              case .number(let count)? = tree["count"], case .string(let hash)? = tree["hash"],
              let h = UInt64(hash), let n = Int(count)
        else { return .failure(.init(message: "unreadable baseline output")) }
        func numbers(_ xs: [JSONTree]) -> [Double] { xs.compactMap { if case .number(let s) = $0 { return Double(s) } else { return nil } } }
        return .success(Baseline(version: version, cpu: numbers(cpu), wall: numbers(wall), batchCPU: numbers(batch), count: n, hash: h))
    }
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
}
