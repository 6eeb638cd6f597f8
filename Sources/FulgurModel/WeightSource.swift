import FulgurSupport
import FulgurTensor

/// Where a model's parameters come from while it is built: a checkpoint or a random init.
public protocol WeightSource: AnyObject {
    /// The tensor called `name`, as Float32 with exactly `shape`.
    func take(_ name: String, shape: [Int]) throws -> Tensor
    /// Whether a tensor of that name exists (to pick between layouts).
    func contains(_ name: String) -> Bool
    /// A weight matrix stored as `precision` (a source that holds bf16 values can hand them
    /// over without a round trip through Float32).
    func takeWeight(_ name: String, shape: [Int], precision: WeightPrecision) throws -> WeightTensor
}

extension WeightSource {
    public func takeWeight(_ name: String, shape: [Int], precision: WeightPrecision) throws -> WeightTensor {
        WeightTensor(try take(name, shape: shape), precision: precision)
    }
}

/// Reads parameters from checkpoint files and remembers which ones were used, so that
/// tensors the model does not know are reported instead of silently ignored.
public final class CheckpointWeights: WeightSource {
    public let files: CheckpointFiles
    private(set) var used = Set<String>()

    public init(_ files: CheckpointFiles) { self.files = files }

    public func take(_ name: String, shape: [Int]) throws -> Tensor {
        used.insert(name)
        return try files.float32(name, shape: shape)
    }

    public func contains(_ name: String) -> Bool { files.location[name] != nil }

    /// bf16 checkpoint tensors are copied as they are for bf16 weights (never widened).
    public func takeWeight(_ name: String, shape: [Int], precision: WeightPrecision) throws -> WeightTensor {
        if precision == .bf16, let bits = try files.bf16Bits(name, shape: shape) {
            used.insert(name)
            return WeightTensor(shape: shape, bf16Bits: bits)
        }
        return WeightTensor(try take(name, shape: shape), precision: precision)
    }

    /// HF registers these derived lightning buffers in its state dict; they are recomputed.
    static func isDerivedBuffer(_ name: String) -> Bool {
        ["slope_rate", "query_decay", "key_decay", "diagonal_decay"].contains { name.hasSuffix("." + $0) }
    }

    /// Throws on the first checkpoint tensor the model did not use.
    public func checkAllUsed(ignoring extra: Set<String> = []) throws {
        for name in files.names.sorted() where !used.contains(name) && !extra.contains(name) && !Self.isDerivedBuffer(name) {
            let file = files.location[name]!.path
            throw FileError(file, "unexpected tensor \(name) (not part of this model's configuration)")
        }
    }
}

/// Random initialization: normal(0, std) for matrices, ones for norm weights.
public final class RandomWeights: WeightSource {
    public var rng: RNG
    public let std: Float

    public init(seed: UInt64, std: Float = 0.02) {
        rng = RNG(seed: seed)
        self.std = std
    }

    public func take(_ name: String, shape: [Int]) throws -> Tensor {
        if shape.count == 1 { return Tensor(shape: shape) { _ in 1 } }
        let t = Tensor(shape: shape, zeroed: false, persistent: true)
        for i in 0..<t.count { t.pointer[i] = rng.normal() * std }
        return t
    }

    public func contains(_ name: String) -> Bool { false }
}
