import Foundation
import FulgurTensor

/// Partial RoPE (architecture.md §3.3): rotate-half (NeoX) pairing inside the first
/// `rotaryDim` dims of each head; dim j pairs with j + rotaryDim/2; the rest pass through.
/// Angles are formed in Float32 as in HF/PyTorch (position · inv_freq), then cos/sin.
public struct RotaryEmbedding: Sendable {
    public let rotaryDim: Int
    public let invFreq: [Float]

    public init(rotaryDim: Int, theta: Double) {
        self.rotaryDim = rotaryDim
        let half = rotaryDim / 2
        invFreq = (0..<half).map { i in 1 / Float(pow(theta, Double(Float(2 * i) / Float(rotaryDim)))) }
    }

    /// cos/sin of position `p` for each of the rotaryDim/2 frequencies, into `cs` (2·half floats).
    @inline(__always)
    public func angles(position p: Int, into cs: UnsafeMutablePointer<Float>) {
        let half = rotaryDim / 2
        for i in 0..<half {
            let a = Double(Float(p) * invFreq[i])
            cs[i] = Float(cos(a))
            cs[half + i] = Float(sin(a))
        }
    }

    /// Rotates `heads` heads of `headDim` floats in place, given precomputed `cs`.
    @inline(__always)
    public func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, headDim: Int, cs: UnsafePointer<Float>) {
        let half = rotaryDim / 2
        for h in 0..<heads {
            let v = x + h * headDim
            for i in 0..<half {
                let a = v[i], b = v[i + half]
                let c = cs[i], s = cs[half + i]
                v[i] = a * c - b * s
                v[i + half] = b * c + a * s
            }
        }
    }
}
