/// Vectorized exp and the activations built on it (SiLU, sigmoid).
public enum Act {
    /// e^x for 8 lanes: Cody–Waite range reduction + Cephes' degree-6 polynomial (≈1 ulp).
    /// Inputs below −87.3 give 0, above 88.7 give +inf.
    @inlinable @inline(__always)
    public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var xc = x
        xc.replace(with: -87.3, where: x .< -87.3)  // (clamped() calls non-inlined pointwiseMin/Max)
        xc.replace(with: 88.7, where: x .> 88.7)
        let magic = SIMD8<Float>(repeating: 12_582_912.0)  // 1.5 · 2^23: rounds to integer
        let t = xc * 1.442_695_04 + magic
        let n = t - magic
        var r = xc - n * 0.693_359_375
        r = r - n * -2.121_944_4e-4
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let y = p * r * r + r + 1
        let tb: SIMD8<UInt32> = unsafeBitCast(t, to: SIMD8<UInt32>.self)
        let pow2: SIMD8<UInt32> = (tb &- 0x4B40_0000 &+ 127) &<< 23
        var result = y * unsafeBitCast(pow2, to: SIMD8<Float>.self)
        result.replace(with: 0, where: x .< -87.3)
        result.replace(with: .infinity, where: x .> 88.7)
        return result
    }

    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float { exp(SIMD8(repeating: x))[0] }

    /// out[i] = e^(x[i] − shift), returns Σ out. In place is allowed.
    @inlinable
    public static func expShifted(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, shift: Float) -> Float {
        var i = 0
        var acc = SIMD8<Float>()
        let sx = UnsafeRawPointer(x), so = UnsafeMutableRawPointer(out)
        while i + 8 <= n {
            let e = exp(sx.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self) - shift)
            so.storeBytes(of: e, toByteOffset: 4 * i, as: SIMD8<Float>.self)
            acc += e
            i += 8
        }
        var total = acc.sum()
        while i < n { let e = exp(x[i] - shift); out[i] = e; total += e; i += 1 }
        return total
    }

    /// SiLU(x) = x · σ(x), in place allowed.
    @inlinable
    public static func silu(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let sx = UnsafeRawPointer(x), so = UnsafeMutableRawPointer(out)
        while i + 8 <= n {
            let v = sx.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            so.storeBytes(of: v / (1 + exp(-v)), toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { out[i] = x[i] / (1 + exp(-x[i])); i += 1 }
    }

    /// σ(x) = 1 / (1 + e^−x), in place allowed.
    @inlinable
    public static func sigmoid(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let sx = UnsafeRawPointer(x), so = UnsafeMutableRawPointer(out)
        while i + 8 <= n {
            let v = sx.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            so.storeBytes(of: 1 / (1 + exp(-v)), toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { out[i] = 1 / (1 + exp(-x[i])); i += 1 }
    }

    /// SwiGLU: out = SiLU(gate) ⊙ up.
    @inlinable
    public static func swiglu(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let sg = UnsafeRawPointer(gate), su = UnsafeRawPointer(up), so = UnsafeMutableRawPointer(out)
        while i + 8 <= n {
            let g = sg.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            let u = su.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            so.storeBytes(of: g / (1 + exp(-g)) * u, toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { out[i] = gate[i] / (1 + exp(-gate[i])) * up[i]; i += 1 }
    }

    // MARK: - Backward

    /// dx = dy · σ(x) (1 + x (1 − σ(x)))  (SiLU'), in place into dx.
    @inlinable
    public static func siluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let sx = UnsafeRawPointer(x), sd = UnsafeRawPointer(dy), so = UnsafeMutableRawPointer(dx)
        while i + 8 <= n {
            let v = sx.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            let g = sd.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            let s = 1 / (1 + exp(-v))
            so.storeBytes(of: g * s * (1 + v * (1 - s)), toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { let s = 1 / (1 + exp(-x[i])); dx[i] = dy[i] * s * (1 + x[i] * (1 - s)); i += 1 }
    }

    /// SwiGLU backward: out = SiLU(g) ⊙ u  ⇒  dg = dy ⊙ u ⊙ SiLU'(g), du = dy ⊙ SiLU(g).
    @inlinable
    public static func swigluBackward(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                      dGate: UnsafeMutablePointer<Float>, dUp: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let sg = UnsafeRawPointer(gate), su = UnsafeRawPointer(up), sd = UnsafeRawPointer(dy)
        let og = UnsafeMutableRawPointer(dGate), ou = UnsafeMutableRawPointer(dUp)
        while i + 8 <= n {
            let g = sg.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            let u = su.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            let d = sd.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            let s = 1 / (1 + exp(-g))
            ou.storeBytes(of: d * g * s, toByteOffset: 4 * i, as: SIMD8<Float>.self)
            og.storeBytes(of: d * u * s * (1 + g * (1 - s)), toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n {
            let g = gate[i], s = 1 / (1 + exp(-g))
            dUp[i] = dy[i] * g * s
            dGate[i] = dy[i] * up[i] * s * (1 + g * (1 - s))
            i += 1
        }
    }
}
