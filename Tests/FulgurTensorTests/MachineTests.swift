import Foundation
import Testing
@testable import FulgurTensor
#if !canImport(Accelerate)
import CFulgurBLAS
#endif

/// The BLAS is loaded at run time with its kernel set chosen from CPUID (CFulgurBLAS): these
/// tests pin the choice and fail when the BLAS this process runs is slower than the CPU allows.
@Suite struct MachineTests {
    #if !canImport(Accelerate)
    /// A made-up CPU for `fulgur_openblas_coretype_for`.
    static func cpu(_ vendor: String, _ features: [Int32]) -> fulgur_cpu_info {
        var c = fulgur_cpu_info()
        withUnsafeMutableBytes(of: &c.vendor) { buf in
            for (i, b) in vendor.utf8.enumerated() { buf[i] = b }
        }
        c.features = features.reduce(0) { $0 | UInt32($1) }
        return c
    }

    static let avx2: [Int32] = [Int32(FULGUR_CPU_AVX), Int32(FULGUR_CPU_AVX2), Int32(FULGUR_CPU_FMA), Int32(FULGUR_CPU_F16C)]
    static let avx512: [Int32] = avx2 + [Int32(FULGUR_CPU_AVX512F), Int32(FULGUR_CPU_AVX512BW), Int32(FULGUR_CPU_AVX512DQ), Int32(FULGUR_CPU_AVX512VL)]

    static func coretype(_ c: fulgur_cpu_info) -> String? {
        var c = c
        return fulgur_openblas_coretype_for(&c).map { String(cString: $0) }
    }

    @Test func coretypeFollowsTheInstructionSet() {
        // The Xeon of issue 16 (family 6 model 207: AVX-512 with BF16), which OpenBLAS 0.3.21
        // does not know and runs as "Prescott".
        #expect(Self.coretype(Self.cpu("GenuineIntel", Self.avx512 + [Int32(FULGUR_CPU_AVX512BF16), Int32(FULGUR_CPU_AVX512VNNI)])) == "Cooperlake")
        #expect(Self.coretype(Self.cpu("GenuineIntel", Self.avx512)) == "SkylakeX")
        #expect(Self.coretype(Self.cpu("AuthenticAMD", Self.avx512 + [Int32(FULGUR_CPU_AVX512BF16)])) == "Cooperlake")  // Zen 4
        #expect(Self.coretype(Self.cpu("AuthenticAMD", Self.avx2)) == "Zen")
        #expect(Self.coretype(Self.cpu("GenuineIntel", Self.avx2)) == "Haswell")
        #expect(Self.coretype(Self.cpu("GenuineIntel", [Int32(FULGUR_CPU_AVX)])) == "Sandybridge")
        // AVX-512 F alone (Knights Landing) lacks BW/DQ/VL: the AVX2 kernels.
        #expect(Self.coretype(Self.cpu("GenuineIntel", Self.avx2 + [Int32(FULGUR_CPU_AVX512F)])) == "Haswell")
        #expect(Self.coretype(Self.cpu("GenuineIntel", [])) == nil)
        #expect(Self.coretype(Self.cpu("", [Int32(FULGUR_CPU_NEON)])) == nil)
    }

    /// The loader gives child processes the environment Fulgur was started with.
    @Test func loaderRestoresTheEnvironment() {
        let before = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        _ = BLASLibrary.current
        let after = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        #expect(after == before)
        let info = BLASLibrary.current
        if before == nil || before == "" {
            #expect(info.coretypeSource != "environment")
        } else {
            #expect(info.coretypeSource == "environment" && info.coretypeRequested == before)
        }
    }
    #endif

    /// Issue 16's acceptance test: on a CPU with AVX2 or AVX-512 the BLAS must not run a generic
    /// kernel set (Debian's OpenBLAS 0.3.21 ran "Prescott" on a recent Xeon: 4-5× slower sgemm).
    @Test func blasRunsKernelsForThisCPU() {
        let blas = BLASLibrary.current
        let level = Machine.cpuLevel
        #expect(blas.kernelProblem == nil, "\(blas.kernelProblem ?? "")")
        if level == .x86_64_v3 || level == .x86_64_v4 {
            #expect(!BLASLibrary.genericOpenBLASKernels.contains(blas.kernels), "CPU \(Machine.cpuModel): BLAS kernels \(blas.kernelsDescription)")
        }
        if level == .x86_64_v4 && blas.coretypeSource != "environment" {
            #expect(BLASLibrary.avx512OpenBLASKernels.contains(blas.kernels), "AVX-512 CPU runs \(blas.kernelsDescription)")
        }
    }

    /// The kernel-set check itself: a generic set on an AVX2 CPU is reported.
    @Test func kernelProblemNamesAGenericKernelSet() {
        guard Machine.cpuLevel == .x86_64_v3 || Machine.cpuLevel == .x86_64_v4 else { return }
        var prescott = BLASLibrary.current
        prescott.kernels = "Prescott"
        prescott.coretypeSource = "library"
        #expect(prescott.kernelProblem?.contains("generic Prescott") == true)
        var haswell = prescott
        haswell.kernels = "Haswell"
        #expect((haswell.kernelProblem == nil) == (Machine.cpuLevel == .x86_64_v3))
    }

    /// This binary's kernels run on this CPU, and the build used the host's level (scripts/flags.sh).
    @Test func kernelsAreBuiltForThisCPU() {
        #expect(Machine.buildMismatch == nil)
        #expect(Machine.kernelLevel <= Machine.cpuLevel)
    }

    /// sgemm through the loaded library against a Float64 re-computation, in every transpose
    /// combination and with the thread split.
    @Test func sgemmThroughTheLoadedLibraryMatchesFloat64() {
        var rng = SplitMix(seed: 7)
        for (m, n, k) in [(3, 5, 7), (64, 48, 33), (130, 257, 96)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    let a = (0..<(m * k)).map { _ in rng.float() }, b = (0..<(k * n)).map { _ in rng.float() }
                    var c = [Float](repeating: 0, count: m * n)
                    let lda = transA ? m : k, ldb = transB ? k : n
                    a.withUnsafeBufferPointer { ap in
                        b.withUnsafeBufferPointer { bp in
                            c.withUnsafeMutableBufferPointer { cp in
                                BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: ap.baseAddress!, lda: lda,
                                          b: bp.baseAddress!, ldb: ldb, c: cp.baseAddress!, ldc: n)
                            }
                        }
                    }
                    var worst = 0.0
                    for i in 0..<m {
                        for j in 0..<n {
                            var s = 0.0
                            for p in 0..<k {
                                let x = transA ? a[p * lda + i] : a[i * lda + p]
                                let y = transB ? b[j * ldb + p] : b[p * ldb + j]
                                s += Double(x) * Double(y)
                            }
                            worst = max(worst, abs(Double(c[i * n + j]) - s))
                        }
                    }
                    #expect(worst < 1e-4 * Double(k).squareRoot(), "m \(m) n \(n) k \(k) transA \(transA) transB \(transB): \(worst)")
                }
            }
        }
    }
}

/// A tiny deterministic generator (uniform in [-1, 1)).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func float() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
}
