import Foundation

/// Per-head decay rates s[l, h] of lightning attention (architecture.md §2.3); the per-step
/// decay is λ = e^(−s).
public enum DecaySlopes {
    /// ALiBi slopes for n heads: 2^(−8(h+1)/n) for powers of two; otherwise the power-of-two
    /// list for p = 2^⌊log2 n⌋ followed by every second slope of the list for 2p.
    public static func alibi(_ n: Int) -> [Double] {
        func powerOfTwo(_ n: Int) -> [Double] {
            let start = pow(2.0, -pow(2.0, -(log2(Double(n)) - 3)))
            return (0..<n).map { start * pow(start, Double($0)) }
        }
        let lg = log2(Double(n))
        if lg == lg.rounded() { return powerOfTwo(n) }
        let p = 1 << Int(lg.rounded(.down))
        return powerOfTwo(p) + Array(alibi(2 * p).enumerated().filter { $0.offset % 2 == 0 }.map(\.element).prefix(n - p))
    }

    /// s[l, h] for layer `layer` of `layers`, in the convention of the config's dialect:
    /// MiniMax's code and vLLM use ALiBi slopes × (1 − l/(L−1) + 1e-5); HF's in-tree class
    /// uses (2^(−8/H))^(h+1) × (1 − l/(L−1+1e-5) + 1e-5). They agree for power-of-two H
    /// up to the 1e-5 in the denominator.
    public static func rates(heads: Int, layer: Int, layers: Int, dialect: ConfigDialect) -> [Float] {
        let l = Double(layer), L = Double(layers)
        switch dialect {
        case .minimax:
            let factor = layers <= 1 ? 1 + 1e-5 : 1 - l / (L - 1) + 1e-5
            return alibi(heads).map { Float($0 * factor) }
        case .hf:
            // HF computes in float32: base^(h+1) · factor.
            let base = Float(1 / pow(2.0, 8 / Double(heads)))
            let factor = Float(1 - l / (L - 1 + 1e-5) + 1e-5)
            return (0..<heads).map { pow(base, Float($0 + 1)) * factor }
        }
    }
}
