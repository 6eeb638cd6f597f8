/// Element types of checkpoint tensors and their conversions to and from Float32.
public enum DType: String, Sendable, Codable, CaseIterable {
    case f32 = "F32", bf16 = "BF16", f16 = "F16", i64 = "I64", i32 = "I32", u8 = "U8"

    public var size: Int {
        switch self {
        case .f32, .i32: 4
        case .bf16, .f16: 2
        case .i64: 8
        case .u8: 1
        }
    }
}

public enum Convert {
    /// bf16 → f32: the bf16 bits are the top half of the f32 bits. `src` may be unaligned.
    public static func bf16ToF32(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let out = UnsafeMutableRawPointer(dst)
        while i + 8 <= count {
            let h = src.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<UInt16>.self)
            let w = SIMD8<UInt32>(truncatingIfNeeded: h) &<< 16
            out.storeBytes(of: w, toByteOffset: 4 * i, as: SIMD8<UInt32>.self)
            i += 8
        }
        while i < count {
            let h = src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)
            dst[i] = Float(bitPattern: UInt32(h) << 16)
            i += 1
        }
    }

    /// f32 → bf16 with round-to-nearest-even (NaN stays NaN), as torch's `.to(bfloat16)`.
    @inline(__always) public static func bf16Bits(_ x: Float) -> UInt16 {
        let b = x.bitPattern
        if x.isNaN { return UInt16(truncatingIfNeeded: (b >> 16) | 0x40) }
        let rounding = 0x7FFF &+ ((b >> 16) & 1)
        return UInt16(truncatingIfNeeded: (b &+ rounding) >> 16)
    }

    public static func f32ToBF16(_ src: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, count: Int) {
        for i in 0..<count { dst.storeBytes(of: bf16Bits(src[i]), toByteOffset: 2 * i, as: UInt16.self) }
    }

    /// Rounds every value to the nearest bf16 and back (reduced-precision emulation).
    public static func roundToBF16(_ x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { x[i] = Float(bitPattern: UInt32(bf16Bits(x[i])) << 16) }
    }

    @inline(__always) public static func roundedToBF16(_ x: Float) -> Float {
        Float(bitPattern: UInt32(bf16Bits(x)) << 16)
    }

    public static func f16ToF32(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            dst[i] = Float(halfBits: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
        }
    }

    public static func f32ToF16(_ src: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, count: Int) {
        for i in 0..<count { dst.storeBytes(of: Float.halfBits(src[i]), toByteOffset: 2 * i, as: UInt16.self) }
    }
}

extension Float {
    /// IEEE binary16 bits → Float (exact), without relying on the platform's Float16.
    @inline(__always) public init(halfBits h: UInt16) {
        let sign = UInt32(h & 0x8000) << 16
        let exp = UInt32(h >> 10) & 0x1F
        let man = UInt32(h & 0x3FF)
        if exp == 0 {
            // zero or subnormal: man · 2^-24
            let v = Float(man) * (1.0 / 16_777_216.0)
            self = sign != 0 ? -v : v
        } else if exp == 31 {
            self = Float(bitPattern: sign | 0x7F80_0000 | (man << 13))
        } else {
            self = Float(bitPattern: sign | ((exp + 112) << 23) | (man << 13))
        }
    }

    /// Float → IEEE binary16 bits, round-to-nearest-even, overflow to ±inf.
    @inline(__always) public static func halfBits(_ x: Float) -> UInt16 {
        let b = x.bitPattern
        let sign = UInt16((b >> 16) & 0x8000)
        if x.isNaN { return sign | 0x7E00 }
        let a = abs(x)
        if a >= 65520 { return sign | 0x7C00 }
        if a < 6.103515625e-05 {  // subnormal half: round a · 2^24 to an integer
            let m = (a * 16_777_216.0).rounded(.toNearestOrEven)
            return sign | UInt16(m)
        }
        let ab = a.bitPattern
        var exp = Int((ab >> 23) & 0xFF) - 127 + 15
        var man = ab & 0x7F_FFFF
        let rest = man & 0x1FFF
        man >>= 13
        if rest > 0x1000 || (rest == 0x1000 && (man & 1) == 1) {
            man += 1
            if man == 0x400 { man = 0; exp += 1 }
        }
        if exp >= 31 { return sign | 0x7C00 }
        return sign | UInt16(exp << 10) | UInt16(man)
    }
}
