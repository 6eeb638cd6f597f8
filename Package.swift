// swift-tools-version: 6.1
// Fulgur: a hybrid lightning-attention MoE (MiniMax-M1) and its RL system, in Swift.
//
// Layers, bottom to top:
//   CFulgurBLAS (CPUID; OpenBLAS loaded at run time) / Accelerate → FulgurTensor (tensors, kernels)
//   → FulgurModel (checkpoints, config, the hybrid model, caches)
//   → FulgurGeneration (sampling, batched decode)
//   → fulgur (the command-line tool)
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
        .target(name: "FulgurRL", dependencies: ["FulgurModel", "FulgurGeneration", "FulgurTraining", "FulgurRewards", "FulgurSupport", "FulgurTokenizer", "FulgurSandbox"]),
        .target(name: "FulgurTraining", dependencies: ["FulgurModel", "FulgurSupport", "FulgurTokenizer", "FulgurRewards"]),
        .target(
            name: "FulgurServer",
            dependencies: [
                "FulgurModel", "FulgurGeneration", "FulgurSupport", "FulgurTensor", "FulgurTokenizer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "CFulgurSpawn"),
        .target(name: "FulgurSandbox", dependencies: ["CFulgurSpawn", "FulgurSupport", "FulgurRewards"]),
        .executableTarget(
            name: "fulgur",
            dependencies: [
                "FulgurTensor", "FulgurModel", "FulgurGeneration", "FulgurSupport", "FulgurRewards",
                "FulgurTokenizer", "FulgurTraining", "FulgurRL", "FulgurSandbox", "FulgurServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "FulgurTensorTests", dependencies: ["FulgurTensor"]),
        .testTarget(name: "FulgurModelTests", dependencies: ["FulgurModel", "FulgurGeneration", "FulgurSupport"]),
        .testTarget(name: "FulgurRLTests", dependencies: ["FulgurRL"]),
        .testTarget(name: "FulgurServerTests", dependencies: ["FulgurServer", "FulgurModel", "FulgurGeneration", "FulgurSupport", "FulgurTokenizer", "FulgurTraining"]),
        .testTarget(name: "FulgurTrainingTests", dependencies: ["FulgurTraining", "FulgurModel", "FulgurTokenizer", "FulgurSupport"]),
        .testTarget(
            name: "FulgurTokenizerTests", dependencies: ["FulgurTokenizer", "FulgurSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "FulgurLogicTests", dependencies: ["FulgurRewards", "FulgurSupport"]),
        .testTarget(name: "FulgurMathTests", dependencies: ["FulgurRewards", "FulgurSupport"]),
        .testTarget(name: "FulgurJudgeTests", dependencies: ["FulgurRewards"]),
        .testTarget(name: "FulgurSandboxTests", dependencies: ["FulgurSandbox", "FulgurSupport"]),
    ]
)
