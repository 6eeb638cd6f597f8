// swift-tools-version: 6.1
// Fulgur: a hybrid lightning-attention MoE (MiniMax-M1) and its RL system, in Swift.
//
// Layers, bottom to top (each depends only on layers above it in this list, and FulgurSupport):
//   FulgurSupport     files, JSON, RNG, progress lines, SVG plots
//   CFulgurBLAS       CPUID; OpenBLAS loaded at run time with the kernel set for this CPU
//   FulgurTensor      tensors, kernels, the machine report
//   FulgurModel       config, checkpoints, the hybrid model (forward/backward), caches
//   FulgurTokenizer   byte-level BPE, chat format
//   FulgurGeneration  sampling, batched decode
//   CFulgurMPI → FulgurCluster   the ranks of a data-parallel job (Open MPI, loaded under mpirun)
//   FulgurTraining    AdamW, the SFT loop, checkpoints, data parallelism (built-in data comes from a ConversationSource)
//   FulgurRewards     environments and verifiers (math, arithmetic, logic), the judge library,
//                     the EnvironmentRegistry type
//   CFulgurSpawn → FulgurSandbox   process isolation for model-written code, SWE patch runs
//   FulgurCodeEnvironments         `code` and `swe`: environments that need the sandbox
//   FulgurEnvironments             composition: EnvironmentRegistry.standard (rule-checked + code + swe)
//   FulgurData        the built-in SFT corpora (worked solutions from demonstrating environments, tool use)
//   FulgurRL          policy, CISPO/GRPO, the RL loop, evals, the pipeline (given a registry)
//   FulgurServer      the OpenAI-compatible HTTP server
//   fulgur            the command-line tool: assembles the registry and the corpus at the edge
// Speed flags (-target-cpu for the host ISA) come from scripts/flags.sh, never from this manifest.
import PackageDescription

let package = Package(
    name: "Fulgur",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fulgur", targets: ["fulgur"]),
        .library(name: "FulgurTensor", targets: ["FulgurTensor"]),
        .library(name: "FulgurModel", targets: ["FulgurModel"]),
        .library(name: "FulgurGeneration", targets: ["FulgurGeneration"]),
        .library(name: "FulgurTraining", targets: ["FulgurTraining"]),
        .library(name: "FulgurTokenizer", targets: ["FulgurTokenizer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
    ],
    targets: [
        // The CPU (CPUID) and the BLAS, loaded at run time so its kernel set can be chosen first.
        .target(name: "CFulgurBLAS", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(
            name: "FulgurTensor",
            dependencies: [
                "CFulgurBLAS",
                .product(name: "Numerics", package: "swift-numerics"),
                "FulgurSupport",
            ]),
        .target(name: "FulgurSupport"),
        .target(name: "FulgurModel", dependencies: ["FulgurTensor", "FulgurSupport"]),
        .target(name: "FulgurRewards", dependencies: ["FulgurSupport"]),
        .target(name: "FulgurTokenizer", dependencies: ["FulgurSupport"]),
        .target(name: "FulgurGeneration", dependencies: ["FulgurModel", "FulgurSupport"]),
        .target(name: "FulgurRL", dependencies: ["FulgurModel", "FulgurGeneration", "FulgurTraining", "FulgurRewards", "FulgurSupport", "FulgurTokenizer", "FulgurCluster"]),
        .target(name: "FulgurTraining", dependencies: ["FulgurModel", "FulgurSupport", "FulgurTokenizer", "FulgurCluster"]),
        // Data parallelism: Open MPI, loaded at run time only under `mpirun` (one binary either way).
        .target(name: "CFulgurMPI", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(name: "FulgurCluster", dependencies: ["CFulgurMPI"]),
        .target(name: "FulgurData", dependencies: ["FulgurTraining", "FulgurRewards", "FulgurTokenizer", "FulgurSupport"]),
        .target(
            name: "FulgurServer",
            dependencies: [
                "FulgurModel", "FulgurGeneration", "FulgurSupport", "FulgurTensor", "FulgurTokenizer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "CFulgurSpawn"),
        .target(name: "FulgurSandbox", dependencies: ["CFulgurSpawn", "FulgurSupport"]),
        .target(name: "FulgurCodeEnvironments", dependencies: ["FulgurSandbox", "FulgurRewards", "FulgurSupport"]),
        .target(name: "FulgurEnvironments", dependencies: ["FulgurRewards", "FulgurCodeEnvironments", "FulgurSandbox"]),
        .executableTarget(
            name: "fulgur",
            dependencies: [
                "FulgurTensor", "FulgurModel", "FulgurGeneration", "FulgurSupport", "FulgurRewards",
                "FulgurTokenizer", "FulgurTraining", "FulgurData", "FulgurRL", "FulgurSandbox", "FulgurCodeEnvironments",
                "FulgurEnvironments", "FulgurServer", "FulgurCluster",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "FulgurTensorTests", dependencies: ["FulgurTensor"]),
        .testTarget(name: "FulgurModelTests", dependencies: ["FulgurModel", "FulgurGeneration", "FulgurSupport"]),
        .testTarget(name: "FulgurRLTests", dependencies: ["FulgurRL", "FulgurData", "FulgurEnvironments"]),
        .testTarget(name: "FulgurServerTests", dependencies: ["FulgurServer", "FulgurModel", "FulgurGeneration", "FulgurSupport", "FulgurTokenizer", "FulgurTraining", "FulgurData"]),
        .testTarget(name: "FulgurTrainingTests", dependencies: ["FulgurTraining", "FulgurCluster", "FulgurData", "FulgurRewards", "FulgurModel", "FulgurTokenizer", "FulgurSupport"]),
        .testTarget(
            name: "FulgurTokenizerTests", dependencies: ["FulgurTokenizer", "FulgurSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "FulgurLogicTests", dependencies: ["FulgurRewards", "FulgurSupport"]),
        .testTarget(name: "FulgurMathTests", dependencies: ["FulgurRewards", "FulgurSupport"]),
        .testTarget(name: "FulgurJudgeTests", dependencies: ["FulgurRewards"]),
        .testTarget(name: "FulgurSandboxTests", dependencies: ["FulgurSandbox", "FulgurCodeEnvironments", "FulgurRewards", "FulgurSupport"]),
    ]
)
