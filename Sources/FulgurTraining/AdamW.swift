import Foundation
import FulgurModel
import FulgurTensor

/// AdamW with decoupled weight decay (Loshchilov & Hutter), the report's defaults
/// β = (0.9, 0.95), eps = 1e-15 (§2.1, §5), fp32 moments:
///
///     m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²
///     θ ← θ − lr · ( m̂ / (√v̂ + eps) + wd · θ ),  m̂ = m/(1−β1^t), v̂ = v/(1−β2^t)
///
/// Weight decay applies to matrices only (not to norm weights).
public final class AdamW: @unchecked Sendable {
    public struct Settings: Codable, Sendable, Equatable {
        public var beta1: Double = 0.9
        public var beta2: Double = 0.95
        public var eps: Double = 1e-15
        public var weightDecay: Double = 0.1
        /// Clip the global gradient norm to this (nil or ≤ 0: off).
        public var clipNorm: Double? = 1.0

        public init(beta1: Double = 0.9, beta2: Double = 0.95, eps: Double = 1e-15, weightDecay: Double = 0.1, clipNorm: Double? = 1.0) {
            self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay; self.clipNorm = clipNorm
        }
        enum CodingKeys: String, CodingKey { case beta1, beta2, eps, weightDecay = "weight_decay", clipNorm = "clip_norm" }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            beta1 = try c.decodeIfPresent(Double.self, forKey: .beta1) ?? 0.9
            beta2 = try c.decodeIfPresent(Double.self, forKey: .beta2) ?? 0.95
            eps = try c.decodeIfPresent(Double.self, forKey: .eps) ?? 1e-15
            weightDecay = try c.decodeIfPresent(Double.self, forKey: .weightDecay) ?? 0.1
            clipNorm = try c.decodeIfPresent(Double.self, forKey: .clipNorm) ?? 1.0
        }
    }

    public let settings: Settings
    public let names: [String]
    public let parameters: [Tensor]
    public let m: [Tensor]
    public let v: [Tensor]
    /// Number of updates applied so far.
    public var step: Int = 0

    public init(parameters: [(String, Tensor)], settings: Settings = Settings()) {
        self.settings = settings
        names = parameters.map(\.0)
        self.parameters = parameters.map(\.1)
        m = parameters.map { Tensor(shape: $0.1.shape, persistent: true) }
        v = parameters.map { Tensor(shape: $0.1.shape, persistent: true) }
    }

    /// Clips (if set), then applies one update with learning rate `lr`. Returns the gradient
    /// norm before clipping.
    @discardableResult
    public func update(_ grads: Gradients, lr: Double) -> Double {
        let norm = grads.globalNorm()
        var scale: Float = 1
        if let c = settings.clipNorm, c > 0, norm > c { scale = Float(c / norm) }
        step += 1
        let b1 = Float(settings.beta1), b2 = Float(settings.beta2)
        let bc1 = Float(1 - pow(settings.beta1, Double(step))), bc2 = Float(1 - pow(settings.beta2, Double(step)))
        let eps = Float(settings.eps), lrf = Float(lr)
        for (i, p) in parameters.enumerated() {
            let wd = p.rank >= 2 ? Float(settings.weightDecay) : 0
            let pp = SendablePointer(p.pointer), gp = SendablePointer(grads.tensors[i].pointer)
            let mp = SendablePointer(m[i].pointer), vp = SendablePointer(v[i].pointer)
            Parallel.forRanges(p.count, minChunk: 65_536) { r in
                AdamW.kernel(p: pp.p + r.lowerBound, g: gp.p + r.lowerBound, m: mp.p + r.lowerBound, v: vp.p + r.lowerBound,
                             count: r.count, scale: scale, b1: b1, b2: b2, bc1: bc1, bc2: bc2, eps: eps, lr: lrf, wd: wd)
            }
        }
        return norm
    }
}

extension AdamW {
    /// The update of `count` consecutive entries, 8 lanes at a time (the same operations, in
    /// the same order, as the scalar tail).
    @inline(__always)
    static func kernel(p: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
                       v: UnsafeMutablePointer<Float>, count: Int, scale: Float, b1: Float, b2: Float,
                       bc1: Float, bc2: Float, eps: Float, lr: Float, wd: Float) {
        typealias V8 = SIMD8<Float>
        let rp = UnsafeMutableRawPointer(p), rg = UnsafeMutableRawPointer(g)
        let rm = UnsafeMutableRawPointer(m), rv = UnsafeMutableRawPointer(v)
        var j = 0
        while j + 8 <= count {
            let o = 4 * j
            let gj = rg.loadUnaligned(fromByteOffset: o, as: V8.self) * scale
            let mj = b1 * rm.loadUnaligned(fromByteOffset: o, as: V8.self) + (1 - b1) * gj
            let vj = b2 * rv.loadUnaligned(fromByteOffset: o, as: V8.self) + (1 - b2) * gj * gj
            rm.storeBytes(of: mj, toByteOffset: o, as: V8.self)
            rv.storeBytes(of: vj, toByteOffset: o, as: V8.self)
            let update = (mj / bc1) / ((vj / bc2).squareRoot() + eps)
            let pj = rp.loadUnaligned(fromByteOffset: o, as: V8.self)
            rp.storeBytes(of: pj - lr * (update + wd * pj), toByteOffset: o, as: V8.self)
            j += 8
        }
        while j < count {
            let gj = g[j] * scale
            let mj = b1 * m[j] + (1 - b1) * gj
            let vj = b2 * v[j] + (1 - b2) * gj * gj
            m[j] = mj
            v[j] = vj
            let update = (mj / bc1) / ((vj / bc2).squareRoot() + eps)
            p[j] -= lr * (update + wd * p[j])
            j += 1
        }
    }
}

/// Learning rate by step (report §2.1): linear warmup → constant → linear or cosine decay
/// to a floor.
public struct LearningRateSchedule: Codable, Sendable, Equatable {
    public enum Decay: String, Codable, Sendable { case linear, cosine, none }
    public var peak: Double
    public var warmupSteps: Int = 0
    /// Step at which the decay starts (after warmup + the constant phase).
    public var decayStart: Int
    /// Step at which the floor is reached.
    public var decayEnd: Int
    public var floor: Double = 0
    public var decay: Decay = .cosine

    public init(peak: Double, warmupSteps: Int = 0, decayStart: Int, decayEnd: Int, floor: Double = 0, decay: Decay = .cosine) {
        self.peak = peak; self.warmupSteps = warmupSteps; self.decayStart = decayStart; self.decayEnd = decayEnd
        self.floor = floor; self.decay = decay
    }

    /// Learning rate of update number `step` (0-based).
    public func lr(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        if decay == .none || step < decayStart { return peak }
        let span = max(1, decayEnd - decayStart)
        let t = min(1, Double(step - decayStart) / Double(span))
        switch decay {
        case .linear: return peak + (floor - peak) * t
        case .cosine: return floor + (peak - floor) * 0.5 * (1 + cos(Double.pi * t))
        case .none: return peak
        }
    }
}
