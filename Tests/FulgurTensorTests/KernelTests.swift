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
}
