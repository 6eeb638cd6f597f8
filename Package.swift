// swift-tools-version: 6.1
// Fulgur: a hybrid lightning-attention MoE (MiniMax-M1) and its RL system, in Swift.
//
// Layers, bottom to top:
//   CBLAS (OpenBLAS / Accelerate) → FulgurTensor (tensors, kernels)
//   → FulgurModel (checkpoints, config, the hybrid model, caches)
//   → FulgurGeneration (sampling, batched decode)
//   → fulgur (the command-line tool)
// Speed flags (-target-cpu haswell) come from scripts/, never from this manifest.
import PackageDescription

let package = Package(
    name: "Fulgur",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fulgur", targets: ["fulgur"]),
        .library(name: "FulgurTensor", targets: ["FulgurTensor"]),
        .library(name: "FulgurModel", targets: ["FulgurModel"]),
        .library(name: "FulgurGeneration", targets: ["FulgurGeneration"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "pkg-config"])]),
        .target(
            name: "FulgurTensor",
            dependencies: [
                .target(name: "CBLAS", condition: .when(platforms: [.linux])),
                .product(name: "Numerics", package: "swift-numerics"),
            ]),
        .target(name: "FulgurSupport"),
        .target(name: "FulgurModel", dependencies: ["FulgurTensor", "FulgurSupport"]),
        .target(name: "FulgurRewards", dependencies: ["FulgurSupport"]),
        .target(name: "FulgurGeneration", dependencies: ["FulgurModel"]),
        .target(
            name: "FulgurServer",
            dependencies: [
                "FulgurModel", "FulgurGeneration", "FulgurSupport", "FulgurTensor",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "fulgur",
            dependencies: [
                "FulgurTensor", "FulgurModel", "FulgurGeneration", "FulgurSupport", "FulgurRewards", "FulgurServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "FulgurTensorTests", dependencies: ["FulgurTensor"]),
        .testTarget(name: "FulgurModelTests", dependencies: ["FulgurModel", "FulgurGeneration"]),
        .testTarget(name: "FulgurServerTests", dependencies: ["FulgurServer", "FulgurModel", "FulgurGeneration"]),
    ]
)
