import FulgurTensor

/// Runs an elementwise kernel over `count` entries in parallel chunks: `body(offset, length)`.
/// (The training passes touch millions of activations per layer; serial loops over them
/// would leave the other cores idle between the parallel products.)
func elementwise(_ count: Int, _ body: (Int, Int) -> Void) {
    Parallel.forRanges(count, minChunk: 32_768) { body($0.lowerBound, $0.count) }
}
