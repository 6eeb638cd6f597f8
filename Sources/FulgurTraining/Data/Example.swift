import FulgurSupport
import FulgurTensor

/// One training sequence: token ids and, per token, whether predicting it counts in the loss
/// (the first token never does: nothing precedes it).
public struct Example: Codable, Sendable, Equatable {
    public var ids: [Int]
    public var lossMask: [Bool]

    public init(ids: [Int], lossMask: [Bool]) {
        precondition(ids.count == lossMask.count, "ids and loss mask differ in length")
        self.ids = ids
        self.lossMask = lossMask
        if !self.lossMask.isEmpty { self.lossMask[0] = false }
    }

    /// Loss on every token (pretraining).
    public init(ids: [Int]) { self.init(ids: ids, lossMask: ids.map { _ in true }) }

    public var lossTokens: Int { lossMask.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// Pieces of at most `length` tokens (longer documents are split; each piece starts fresh).
    public func chunks(of length: Int) -> [Example] {
        guard ids.count > length else { return [self] }
        return stride(from: 0, to: ids.count, by: length).map { s in
            let e = min(ids.count, s + length)
            return Example(ids: Array(ids[s..<e]), lossMask: Array(lossMask[s..<e]))
        }.filter { $0.ids.count >= 2 }
    }
}

/// A shuffled, repeatable stream of micro-batches. Epoch e visits the examples in the order of
/// a shuffle seeded by (seed, e); the position (epoch, index) is all the state there is, so a
/// resumed run continues with exactly the same batches.
public struct DataLoader: Sendable {
    public struct Position: Codable, Sendable, Equatable {
        public var epoch: Int = 0
        public var index: Int = 0
        public init(epoch: Int = 0, index: Int = 0) { self.epoch = epoch; self.index = index }
    }

    public let examples: [Example]
    public let tokensPerBatch: Int
    public let seed: UInt64
    public private(set) var position = Position()
    private var order: [Int] = []

    public init(examples: [Example], tokensPerBatch: Int, seed: UInt64, position: Position = Position()) {
        precondition(!examples.isEmpty, "no training examples")
        self.examples = examples
        self.tokensPerBatch = tokensPerBatch
        self.seed = seed
        self.position = position
        order = DataLoader.shuffle(examples.count, seed: seed, epoch: position.epoch)
    }

    static func shuffle(_ n: Int, seed: UInt64, epoch: Int) -> [Int] {
        var rng = RNG(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
        var o = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { o.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        return o
    }

    /// The next micro-batch: consecutive examples (in shuffled order) whose total length fits
    /// the token budget (always at least one example).
    public mutating func next() -> [Example] {
        var batch: [Example] = []
        var tokens = 0
        while true {
            if position.index >= order.count {
                position.epoch += 1
                position.index = 0
                order = DataLoader.shuffle(examples.count, seed: seed, epoch: position.epoch)
            }
            let e = examples[order[position.index]]
            if !batch.isEmpty && tokens + e.ids.count > tokensPerBatch { break }
            batch.append(e)
            tokens += e.ids.count
            position.index += 1
            if tokens >= tokensPerBatch { break }
        }
        return batch
    }
}
