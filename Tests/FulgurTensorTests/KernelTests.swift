import Testing
import Foundation
@testable import FulgurTensor

@Suite struct KernelTests {
    @Test func expMatchesFoundation() {
        var maxRel: Float = 0
        var x: Float = -87
        while x < 88 {
            let v = SIMD8<Float>(repeating: x)
            let got = Act.exp(v)[0]
            let want = Float(Foundation.exp(Double(x)))
            maxRel = max(maxRel, abs(got - want) / want)
            x += 0.0137
        }
        #expect(maxRel < 3e-7)
        #expect(Act.exp(SIMD8(repeating: -100))[0] == 0)
        #expect(Act.exp(SIMD8(repeating: 100))[0] == .infinity)
    }

    /// The parallel row-wise RMSNorm forward/backward against a float64 recomputation
    /// (rows × n large enough to split over threads and columns).
    @Test func rmsRowsForwardAndBackwardMatchFloat64() {
        let rows = 300, n = 96, eps: Float = 1e-5
        var state: UInt64 = 7
        func rand() -> Float { state = state &* 6364136223846793005 &+ 1442695040888963407; return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 500 }
        let x = (0..<rows * n).map { _ in rand() }, w = (0..<n).map { _ in 1 + rand() / 4 }, dy = (0..<rows * n).map { _ in rand() }
        var out = [Float](repeating: 0, count: rows * n), inv = [Float](repeating: 0, count: rows)
        var dx = [Float](repeating: 0.5, count: rows * n), dw = [Float](repeating: 0.25, count: n)
        Norm.rmsRows(x, w, &out, invRMS: &inv, rows: rows, n: n, eps: eps)
        Norm.rmsBackwardRows(dy, x, w, invRMS: inv, &dx, accumulate: true, dw: &dw, rows: rows, n: n)
        var refDw = [Double](repeating: 0.25, count: n)
        var worst = 0.0
        for r in 0..<rows {
            let xr = (0..<n).map { Double(x[r * n + $0]) }, g = (0..<n).map { Double(dy[r * n + $0]) }
            let ir = 1 / ((xr.reduce(0) { $0 + $1 * $1 } / Double(n)) + Double(eps)).squareRoot()
            let dot = (0..<n).reduce(0.0) { $0 + g[$1] * Double(w[$1]) * xr[$1] }
            for i in 0..<n {
                worst = max(worst, abs(Double(out[r * n + i]) - xr[i] * ir * Double(w[i])))
                let want = 0.5 + ir * g[i] * Double(w[i]) - ir * ir * ir * dot / Double(n) * xr[i]
                worst = max(worst, abs(Double(dx[r * n + i]) - want) / max(1, abs(want)))
                refDw[i] += g[i] * xr[i] * ir
            }
            worst = max(worst, abs(Double(inv[r]) - ir) / ir)
        }
        for i in 0..<n { worst = max(worst, abs(Double(dw[i]) - refDw[i]) / max(1, abs(refDw[i]))) }
        #expect(worst < 1e-4)
    }
}

