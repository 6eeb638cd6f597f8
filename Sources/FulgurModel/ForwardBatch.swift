import FulgurTensor

/// The rows of one forward pass: consecutive token chunks of one or more sequences.
///
/// A prefill is one segment of many tokens; a batched decode step is many segments of one
/// token each; continuous batching mixes both. Each segment continues its own cache at
/// position `cache.length`.
public struct ForwardBatch {
    public struct Segment {
        public let cache: SequenceCache
        /// First row of this segment in the batch.
        public let row: Int
        public let count: Int
        /// Position of the first token (the cache length before this pass).
        public let position: Int
    }

    public let segments: [Segment]
    public let tokens: [Int]

    public init(_ items: [(tokens: [Int], cache: SequenceCache)]) {
        var segs: [Segment] = []
        var all: [Int] = []
        for (tokens, cache) in items {
            segs.append(Segment(cache: cache, row: all.count, count: tokens.count, position: cache.length))
            all += tokens
        }
        segments = segs
        tokens = all
    }

    public var rows: Int { tokens.count }
}
