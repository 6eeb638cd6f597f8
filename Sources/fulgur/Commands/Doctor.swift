import ArgumentParser
import Foundation
import FulgurSupport
import FulgurTensor

/// `fulgur doctor`: what this machine is and whether Fulgur runs at the speed it can here.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The CPU, the instruction set of Fulgur's kernels, the BLAS and its kernel set; sgemm GFLOP/s; problems.",
        discussion: """
            Exits 1 when something makes Fulgur slower than this CPU allows: a BLAS running generic \
            kernels on a CPU with AVX2 or AVX-512, or Fulgur's kernels built for a lower level than the \
            CPU has (rebuild with scripts/run or scripts/test, which build for the host).
            """)

    @Flag(help: "Skip the sgemm measurement (about a second).") var noSgemm = false
    @Flag(help: "Print one JSON object.") var json = false

    struct Report: Encodable {
        let machine: MachineReport
        let sgemm_gflops_1_thread: Double?
        let sgemm_gflops: Double?
        let problems: [String]
    }

    func run() throws {
        var problems: [String] = []
        if let p = BLASLibrary.current.kernelProblem { problems.append(p) }
        if Machine.kernelLevel < Machine.cpuLevel, Machine.cpuLevel != .arm64 {
            problems.append("Fulgur's kernels are built for \(Machine.kernelLevel) but this CPU has \(Machine.cpuLevel): "
                            + "build with scripts/run or scripts/test (they build for the host), not with a bare `swift build`")
        }
        var one: Double?, all: Double?
        if !noSgemm {
            let threads = Parallel.threads
            Parallel.threads = 1
            one = measureSgemmGFLOPs(size: 1024)
            Parallel.threads = threads
            all = measureSgemmGFLOPs(size: 2048)
        }
        let report = Report(machine: MachineReport.now(), sgemm_gflops_1_thread: one, sgemm_gflops: all, problems: problems)
        if json {
            printJSON(report)
        } else {
            for (key, value) in report.machine.lines { print("\(key.padding(toLength: 15, withPad: " ", startingAt: 0)) \(value)") }
            if let one, let all {
                print(String(format: "%@ %.1f GFLOP/s on 1 thread (1024³), %.1f on %d (2048³)",
                             "sgemm".padding(toLength: 15, withPad: " ", startingAt: 0), one, all, Parallel.threads))
            }
            print(problems.isEmpty ? "ok: the BLAS and Fulgur's kernels match this CPU" : problems.map { "problem: \($0)" }.joined(separator: "\n"))
        }
        if !problems.isEmpty { throw ExitCode(1) }
    }
}

/// The machine facts every benchmark records next to its numbers (see `Machine`).
struct MachineReport: Encodable {
    let cpu: String
    let cpu_features: [String]
    let fulgur_kernels: String
    let blas: String
    let blas_build: String
    let blas_kernels: String
    let blas_kernels_chosen_by: String
    let threads: Int
    let commit: String?
    let load_average: [Double]?
    let date: String

    static func now() -> MachineReport {
        let blas = BLASLibrary.current
        return MachineReport(
            cpu: Machine.cpuModel, cpu_features: Machine.cpuFeatures, fulgur_kernels: Machine.kernelLevel.description,
            blas: blas.library, blas_build: blas.version, blas_kernels: blas.kernels,
            blas_kernels_chosen_by: blas.coretypeSource, threads: Parallel.threads, commit: commit,
            load_average: LoadAverage.now(), date: ISO8601DateFormatter().string(from: Date()))
    }

    var lines: [(String, String)] {
        var l = Machine.summary
        l.append(("commit", commit ?? "unknown"))
        l.append(("load", load_average.map { $0.map { String(format: "%.2f", $0) }.joined(separator: " ") } ?? "n/a"))
        return l
    }

    /// The commit of the checkout the running binary was built in (.build/…/fulgur), if any;
    /// asked of git once per process (a bench reports the machine twice: header and JSON).
    static let commit: String? = gitCommit()

    static func gitCommit() -> String? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent(".git").path) {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                p.arguments = ["git", "-C", dir.path, "rev-parse", "--short", "HEAD"]
                let out = Pipe()
                p.standardOutput = out
                p.standardError = FileHandle.nullDevice
                guard (try? p.run()) != nil else { return nil }
                let data = out.fileHandleForReading.readDataToEndOfFile()
                p.waitUntilExit()
                guard p.terminationStatus == 0 else { return nil }
                let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                return text.isEmpty ? nil : text
            }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// The header every `fulgur bench` prints on stderr before it measures.
    static func announce(_ bench: String) {
        let m = now(), blas = BLASLibrary.current
        Console.err("bench \(bench) on \(m.cpu) [\(m.cpu_features.joined(separator: " "))]; fulgur kernels \(m.fulgur_kernels); "
                    + "blas \(blas.shortName) kernels \(blas.kernelsDescription); "
                    + "threads \(m.threads); commit \(m.commit ?? "unknown"); load \(LoadAverage.text())\n")
    }
}
