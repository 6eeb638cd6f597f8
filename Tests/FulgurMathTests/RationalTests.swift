import FulgurRewards
import Testing

@Suite struct RationalTests {
    @Test func reducesAndNormalizesSign() throws {
        let r = try #require(Rational(6, -8))
        #expect(r.num == -3 && r.den == 4)
        #expect(Rational(1, 0) == nil)
    }

    @Test func arithmeticIsExact() throws {
        let third = try #require(Rational(1, 3)), sixth = try #require(Rational(1, 6))
        #expect(third.adding(sixth) == Rational(1, 2))
        #expect(third.multiplied(by: sixth) == Rational(1, 18))
        #expect(third.divided(by: sixth) == Rational(2))
        #expect(third.subtracting(third) == Rational.zero)
    }

    @Test func overflowReturnsNilInsteadOfTrapping() throws {
        let big = Rational(Int128.max)
        #expect(big.adding(.one) == nil)
        #expect(big.multiplied(by: Rational(2)) == nil)
        #expect(Rational(10).power(38) != nil)
        #expect(Rational(10).power(39) == nil)
        #expect(Rational(2).power(100_000) == nil)
        #expect(Rational.one.power(1_000_000) == .one)
    }

    @Test func rootsAreExactOnlyForPerfectPowers() throws {
        #expect(try #require(Rational(9, 4)).root(2) == Rational(3, 2))
        #expect(Rational(-27).root(3) == Rational(-3))
        #expect(Rational(2).root(2) == nil)
        #expect(Rational(-4).root(2) == nil)
    }

    @Test func terminationOfDecimalExpansion() throws {
        #expect(try #require(Rational(3, 8)).terminates)
        #expect(try #require(Rational(7, 20)).terminates)
        #expect(!(try #require(Rational(1, 3)).terminates))
        #expect(!(try #require(Rational(5, 11)).terminates))
    }
}
