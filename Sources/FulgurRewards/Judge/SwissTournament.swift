/// Swiss-system rounds over a set of candidates (report §4.2: "a Swiss Round scoring system …
/// to determine the most suitable reference answer"). Each round pairs candidates with equal
/// or near points who have not met, plays the pairs concurrently, and scores 1 for a win,
/// ½ for a tie, 0 for a loss; an odd one out gets a bye (1 point, once per candidate when possible).
/// With ⌈log₂ n⌉ rounds this costs about n/2·log₂ n comparisons instead of n(n−1)/2.
public struct SwissTournament: Sendable {
    public var rounds: Int?

    /// `rounds` nil: ⌈log₂ n⌉ (at least 1).
    public init(rounds: Int? = nil) { self.rounds = rounds }

    public struct Match: Sendable, Equatable {
        public var round: Int
        public var first: Int, second: Int
        /// +1 first better, −1 second better, 0 tie.
        public var outcome: Int
    }

    public struct Result: Sendable, Equatable {
        public var points: [Double]
        /// Sum of the opponents' points (the usual Swiss tie-break).
        public var buchholz: [Double]
        /// Candidate indices, best first (points, then Buchholz, then index).
        public var ranking: [Int]
        public var matches: [Match]
        public var best: Int { ranking[0] }
    }

    /// Runs the tournament over `count` candidates; `compare(a, b)` returns +1 when a is better,
    /// −1 when b is, 0 for a tie (for references: `PairwiseJudge`'s swap-consistent score).
    public func run(count: Int, compare: @escaping @Sendable (Int, Int) async throws -> Int) async throws -> Result {
        precondition(count >= 1, "a tournament needs at least one candidate")
        var points = [Double](repeating: 0, count: count)
        var met = [Set<Int>](repeating: [], count: count)
        var hadBye = [Bool](repeating: false, count: count)
        var matches: [Match] = []
        let total = rounds ?? max(1, Int(ceil(log2(Double(count)))))
        for round in 1...max(total, 1) where count > 1 {
            let order = (0..<count).sorted { points[$0] != points[$1] ? points[$0] > points[$1] : $0 < $1 }
            var unpaired = order
            var pairs: [(Int, Int)] = []
            if unpaired.count % 2 == 1 {
                // The lowest-ranked candidate without a bye sits out.
                let k = unpaired.lastIndex { !hadBye[$0] } ?? unpaired.count - 1
                let bye = unpaired.remove(at: k)
                hadBye[bye] = true
                points[bye] += 1
            }
            while let a = unpaired.first {
                unpaired.removeFirst()
                let k = unpaired.firstIndex { !met[a].contains($0) } ?? 0
                let b = unpaired.remove(at: k)
                pairs.append((a, b))
            }
            let outcomes = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for (k, (a, b)) in pairs.enumerated() { group.addTask { (k, try await compare(a, b)) } }
                var out = [Int](repeating: 0, count: pairs.count)
                for try await (k, o) in group { out[k] = o }
                return out
            }
            for ((a, b), o) in zip(pairs, outcomes) {
                met[a].insert(b); met[b].insert(a)
                points[a] += o > 0 ? 1 : (o == 0 ? 0.5 : 0)
                points[b] += o < 0 ? 1 : (o == 0 ? 0.5 : 0)
                matches.append(Match(round: round, first: a, second: b, outcome: o.signum()))
            }
        }
        let buchholz = (0..<count).map { i in met[i].reduce(0) { $0 + points[$1] } }
        let ranking = (0..<count).sorted {
            if points[$0] != points[$1] { return points[$0] > points[$1] }
            if buchholz[$0] != buchholz[$1] { return buchholz[$0] > buchholz[$1] }
            return $0 < $1
        }
        return Result(points: points, buchholz: buchholz, ranking: ranking, matches: matches)
    }
}

import Foundation
