/// Id → the bytes the decoder writes for it, precomputed for every id.
/// `ByteLevel` decoder: a token whose characters are all in GPT-2's byte alphabet becomes
/// those bytes; any other token (an added token such as "hello world") its own UTF-8.
/// No decoder: tokens joined by single spaces (HF's default).
struct TokenDecoder: Sendable {
    private let arena: [UInt8]
    /// Byte offsets into `arena`, one more than the number of ids; -1 start means no token.
    private let starts: [Int32]
    let joinWithSpace: Bool

    init(tokens: [String?], config: DecoderConfig?) {
        var arena: [UInt8] = []
        var starts: [Int32] = []
        starts.reserveCapacity(tokens.count + 1)
        for token in tokens {
            starts.append(token == nil ? -1 : Int32(arena.count))
            guard let token else { continue }
            switch config {
            case .byteLevel: arena.append(contentsOf: ByteLevel.bytes(of: token) ?? Array(token.utf8))
            case nil: arena.append(contentsOf: token.utf8)
            }
        }
        starts.append(Int32(arena.count))
        self.arena = arena
        self.starts = starts
        joinWithSpace = config == nil
    }

    /// The bytes of one id, or nil when no token has this id.
    func bytes(of id: Int) -> ArraySlice<UInt8>? {
        guard id >= 0 && id < starts.count - 1, starts[id] >= 0 else { return nil }
        var next = id + 1
        while starts[next] < 0 { next += 1 }
        return arena[Int(starts[id])..<Int(starts[next])]
    }

    func append(_ ids: [Int], to out: inout [UInt8]) {
        var first = true
        for id in ids {
            guard let b = bytes(of: id) else { continue }
            if joinWithSpace && !first { out.append(0x20) }
            out.append(contentsOf: b)
            first = false
        }
    }
}
