import Foundation

/// What happened to a sandboxed program (the `status` field of `fulgur sandbox run`).
public enum RunStatus: String, Codable, Sendable, CaseIterable {
    case ok
    case timeout
    case memory
    case runtimeError = "runtime_error"
    case killed
    case outputLimit = "output_limit"
}

/// The outcome of one sandboxed run.
public struct RunResult: Sendable, Equatable {
    public var status: RunStatus
    /// The exit code, or nil when the program was killed by a signal.
    public var exitCode: Int?
    /// The terminating signal, or nil when the program exited.
    public var signal: Int?
    /// Captured output, at most `SandboxLimits.outputLimitBytes` each.
    public var stdout: Data
    public var stderr: Data
    /// Wall seconds from the program's start to its end (sandbox setup excluded).
    public var timeS: Double
    /// Wall seconds of the whole run, sandbox setup and teardown included.
    public var totalS: Double
    /// User + system CPU seconds of the program and its waited-for children.
    public var cpuS: Double
    /// Peak resident set size of the largest process, KiB.
    public var maxRSSKB: Int
    /// Processes that outlived the sandbox teardown and had to be killed by the host-side
    /// check (always 0 unless a layer failed).
    public var strayProcesses: Int

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    /// The exact JSON object of `fulgur sandbox run`, keys in the documented order.
    public func json() -> String {
        func int(_ v: Int?) -> String { v.map(String.init) ?? "null" }
        return "{\"status\": \(JSONText.quote(status.rawValue)), \"exit_code\": \(int(exitCode)), "
            + "\"signal\": \(int(signal)), \"stdout\": \(JSONText.quote(stdoutText)), "
            + "\"stderr\": \(JSONText.quote(stderrText)), \"time_s\": \(JSONText.number(timeS))}"
    }
}

/// Small JSON text helpers for output whose key order is part of a contract.
public enum JSONText {
    /// A JSON string literal (RFC 8259 escaping; non-ASCII kept as UTF-8). Works on the
    /// UTF-8 bytes in two passes (count, then fill): outputs run to megabytes.
    public static func quote(_ string: String) -> String {
        var string = string
        return string.withUTF8 { src -> String in
            var extra = 0
            for b in src where b < 0x20 || b == 34 || b == 92 {
                extra += (b == 10 || b == 13 || b == 9 || b == 34 || b == 92) ? 1 : 5
            }
            let hex = Array("0123456789abcdef".utf8)
            return String(unsafeUninitializedCapacity: src.count + extra + 2) { dst in
                var j = 0
                dst[j] = 34; j += 1
                for b in src {
                    if b >= 0x20 && b != 34 && b != 92 { dst[j] = b; j += 1; continue }
                    dst[j] = 92; j += 1
                    switch b {
                    case 10: dst[j] = UInt8(ascii: "n"); j += 1
                    case 13: dst[j] = UInt8(ascii: "r"); j += 1
                    case 9: dst[j] = UInt8(ascii: "t"); j += 1
                    case 34, 92: dst[j] = b; j += 1
                    default:
                        dst[j] = UInt8(ascii: "u"); dst[j + 1] = 48; dst[j + 2] = 48
                        dst[j + 3] = hex[Int(b >> 4)]; dst[j + 4] = hex[Int(b & 15)]
                        j += 5
                    }
                }
                dst[j] = 34; j += 1
                return j
            }
        }
    }

    /// A number rounded to microseconds, without exponent notation.
    public static func number(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        return String(format: "%.6f", x)
    }
}
