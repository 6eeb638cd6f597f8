#if !canImport(Accelerate)
import CFulgurBLAS
#endif
import Foundation

/// The machine a number was measured on: the CPU, the instruction set Fulgur's own kernels were
/// compiled for, and the BLAS with the kernel set it runs. Every benchmark prints it, because
/// a speed without its machine means nothing.
public enum Machine {
    /// The CPU's brand string, e.g. "AMD EPYC 7B13" or "Intel(R) Xeon(R) Platinum 8581C CPU @ 2.10GHz".
    public static var cpuModel: String {
        #if canImport(Accelerate)
        var size = 0
        sysctlbyname("machdep.cpu.brand_string", nil, &size, nil, 0)
        var bytes = [CChar](repeating: 0, count: max(size, 1))
        sysctlbyname("machdep.cpu.brand_string", &bytes, &size, nil, 0)
        return String(cString: bytes)
        #else
        var info = fulgur_cpu().pointee
        let model = withUnsafeBytes(of: &info.model) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let vendor = withUnsafeBytes(of: &info.vendor) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let id = vendor.isEmpty ? "" : " (family \(info.family) model \(info.modelNumber))"
        return (model.isEmpty ? "unknown CPU" : model) + id
        #endif
    }

    /// The CPU's vector features that matter to Fulgur and its BLAS, e.g. ["avx2", "fma", "f16c"].
    public static var cpuFeatures: [String] {
        #if canImport(Accelerate)
        return ["neon"]
        #else
        let f = fulgur_cpu().pointee.features
        let names: [(UInt32, String)] = [
            (UInt32(FULGUR_CPU_AVX), "avx"), (UInt32(FULGUR_CPU_AVX2), "avx2"),
            (UInt32(FULGUR_CPU_FMA), "fma"), (UInt32(FULGUR_CPU_F16C), "f16c"), (UInt32(FULGUR_CPU_BMI2), "bmi2"),
            (UInt32(FULGUR_CPU_AVX512F), "avx512f"), (UInt32(FULGUR_CPU_AVX512BW), "avx512bw"),
            (UInt32(FULGUR_CPU_AVX512DQ), "avx512dq"), (UInt32(FULGUR_CPU_AVX512VL), "avx512vl"),
            (UInt32(FULGUR_CPU_AVX512VNNI), "avx512_vnni"), (UInt32(FULGUR_CPU_AVX512BF16), "avx512_bf16"),
            (UInt32(FULGUR_CPU_AVX512FP16), "avx512_fp16"), (UInt32(FULGUR_CPU_AMX_TILE), "amx_tile"),
            (UInt32(FULGUR_CPU_AMX_BF16), "amx_bf16"), (UInt32(FULGUR_CPU_NEON), "neon"),
            (UInt32(FULGUR_CPU_SVE), "sve"), (UInt32(FULGUR_CPU_ARM_BF16), "bf16"),
        ]
        return names.filter { f & $0.0 != 0 }.map(\.1)
        #endif
    }

    /// The highest x86-64 level this CPU runs ("x86-64-v4" = AVX-512 F/BW/DQ/VL, "x86-64-v3" =
    /// AVX2/FMA/F16C/BMI2), or the architecture elsewhere.
    public static var cpuLevel: ISALevel {
        #if arch(x86_64) && !canImport(Accelerate)
        let f = cpuFeatures
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma"].allSatisfy(f.contains) { return .x86_64_v4 }
        if ["avx2", "fma", "f16c", "bmi2"].allSatisfy(f.contains) { return .x86_64_v3 }  // as scripts/flags.sh
        return .x86_64
        #elseif arch(arm64)
        return .arm64
        #else
        return .x86_64
        #endif
    }

    /// The instruction set Fulgur's own kernels (SIMD code: streaming linear, norms, softmax,
    /// attention, AdamW, bf16 widening) were compiled for: scripts/flags.sh builds for the
    /// host's level and says so with a `-D FULGUR_ISA_…` condition.
    public static var kernelLevel: ISALevel {
        #if FULGUR_ISA_X86_64_V4
        return .x86_64_v4
        #elseif FULGUR_ISA_X86_64_V3
        return .x86_64_v3
        #elseif arch(arm64)
        return .arm64
        #else
        return .x86_64
        #endif
    }

    public enum ISALevel: Int, Comparable, Sendable, CustomStringConvertible {
        case x86_64 = 1, x86_64_v3 = 3, x86_64_v4 = 4, arm64 = 100
        public static func < (a: ISALevel, b: ISALevel) -> Bool { a.rawValue < b.rawValue }
        public var description: String {
            switch self {
            case .x86_64: return "x86-64 (SSE2 baseline)"
            case .x86_64_v3: return "x86-64-v3 (AVX2, FMA)"
            case .x86_64_v4: return "x86-64-v4 (AVX-512)"
            case .arm64: return "arm64 (NEON)"
            }
        }
    }

    /// A reason this binary cannot run here (compiled for a level the CPU lacks: it would die of
    /// SIGILL mid-run), or nil. A build folder carried to another machine is the usual cause.
    public static var buildMismatch: String? {
        guard kernelLevel > cpuLevel, kernelLevel != .arm64 else { return nil }
        return "this build of Fulgur uses \(kernelLevel), which this CPU (\(cpuModel)) lacks; rebuild on this "
            + "machine (scripts/run and scripts/test build for the host) or with FULGUR_PORTABLE=1"
    }

    /// One line per fact, for `fulgur doctor`, `--version` and the head of every benchmark.
    public static var summary: [(String, String)] {
        var lines: [(String, String)] = [
            ("cpu", cpuModel),
            ("cpu features", cpuFeatures.isEmpty ? "none beyond SSE2" : cpuFeatures.joined(separator: " ")),
            ("fulgur kernels", kernelLevel.description),
        ]
        let blas = BLASLibrary.current
        lines.append(("blas", blas.library))
        if !blas.version.isEmpty { lines.append(("blas build", blas.version)) }
        lines.append(("blas kernels", blas.kernelsDescription))
        lines.append(("threads", "\(Parallel.threads)"))
        return lines
    }
}

/// The BLAS library in use and the kernel set it runs.
public struct BLASLibrary: Sendable, Codable {
    public var library: String
    public var version: String
    /// The kernel set, e.g. OpenBLAS's "Haswell", "Zen", "SkylakeX", "Prescott" (generic SSE3).
    public var kernels: String
    /// OPENBLAS_CORETYPE in force when it loaded ("" when none).
    public var coretypeRequested: String
    /// Who chose the kernel set: "fulgur" (from CPUID), "environment" or "library".
    public var coretypeSource: String

    public static var current: BLASLibrary {
        #if canImport(Accelerate)
        return BLASLibrary(library: "Accelerate", version: "", kernels: "Accelerate", coretypeRequested: "", coretypeSource: "library")
        #else
        let info = fulgur_blas().pointee
        let source: String
        switch Int(info.coretypeSource) {
        case Int(FULGUR_CORETYPE_FULGUR): source = "fulgur"
        case Int(FULGUR_CORETYPE_ENVIRONMENT): source = "environment"
        default: source = "library"
        }
        return BLASLibrary(library: String(cString: info.library), version: String(cString: info.version),
                           kernels: String(cString: info.kernels), coretypeRequested: String(cString: info.coretypeRequested),
                           coretypeSource: source)
        #endif
    }

    /// "libopenblasp-r0.3.21.so" for a path.
    public var shortName: String { (library as NSString).lastPathComponent }

    /// "Haswell (chosen by Fulgur from CPUID)".
    public var kernelsDescription: String {
        let who: String
        switch coretypeSource {
        case "fulgur": who = "chosen by Fulgur from CPUID"
        case "environment": who = "OPENBLAS_CORETYPE=\(coretypeRequested) from the environment"
        default: who = "the library's own choice"
        }
        return "\(kernels.isEmpty ? "unknown" : kernels) (\(who))"
    }

    /// OpenBLAS kernel sets without AVX2 (SSE-only or older): on a CPU with AVX2 one of these
    /// runs sgemm several times slower than the CPU can.
    public static let genericOpenBLASKernels: Set<String> = [
        "Unknown", "Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2", "Penryn",
        "Dunnington", "Nehalem", "Athlon", "Opteron", "Opteron_SSE3", "Barcelona", "Nano", "Bobcat",
        "Sandybridge", "Bulldozer", "Piledriver", "Steamroller", "Excavator",
        "generic",  // BLIS's reference configuration
    ]

    /// Kernel sets that use AVX-512.
    public static let avx512OpenBLASKernels: Set<String> = ["SkylakeX", "Cooperlake", "SapphireRapids", "skx", "zen4", "zen5"]

    /// Why this BLAS is slower than the CPU allows (a generic kernel set on an AVX2 or AVX-512
    /// CPU), or nil.
    public var kernelProblem: String? {
        let level = Machine.cpuLevel
        guard level == .x86_64_v3 || level == .x86_64_v4, !library.isEmpty, library != "Accelerate" else { return nil }
        if kernels.isEmpty {
            return "the BLAS (\(library)) does not say which kernels it runs"
        }
        if Self.genericOpenBLASKernels.contains(kernels) {
            return "the BLAS runs the generic \(kernels) kernels on a CPU with \(level) (\(kernelsDescription))"
        }
        if level == .x86_64_v4, !Self.avx512OpenBLASKernels.contains(kernels), coretypeSource != "environment" {
            return "the BLAS runs \(kernels) kernels (AVX2) on a CPU with AVX-512 (\(kernelsDescription))"
        }
        return nil
    }
}
