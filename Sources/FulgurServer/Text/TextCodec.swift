import FulgurTokenizer

/// What the engine needs from a tokenizer: text → ids, per-id bytes, and a streaming decoder.
///
/// `TokenizerCodec` wraps FulgurTokenizer; the protocol lets the engine run without one
/// (token-id prompts) and lets tests use a readable stand-in.
public protocol TextCodec: Sendable {
    /// Ids of `text`, without added special tokens (special-token strings in the text match).
    func encode(_ text: String) -> [Int]
    /// The bytes one id decodes to (possibly part of a UTF-8 character), for log-prob listings.
    func bytes(of id: Int) -> [UInt8]
    /// A decoder for one generated sequence; special tokens are left out of its text.
    func makeDecoder(stopStrings: [String]) -> any TextDecoding
}

/// Generated ids → text deltas for one sequence: never splits a UTF-8 character, matches stop
/// strings across ids and holds back any tail that could begin one.
public protocol TextDecoding {
    /// Adds one id; returns the text that became final (often "").
    mutating func append(_ id: Int) -> String
    /// Whether a stop string appeared (the text before it has been returned).
    var isStopped: Bool { get }
    /// Everything still held back, at the end of the sequence.
    mutating func finish() -> String
}

extension TextCodec {
    /// The text a token shows in log-prob listings (U+FFFD for a cut character).
    func displayText(of id: Int) -> String { String(decoding: bytes(of: id), as: UTF8.self) }
}

/// A model folder's `tokenizer.json` as the engine's codec.
public struct TokenizerCodec: TextCodec {
    public let tokenizer: Tokenizer

    public init(_ tokenizer: Tokenizer) { self.tokenizer = tokenizer }

    public func encode(_ text: String) -> [Int] { tokenizer.encode(text) }
    public func bytes(of id: Int) -> [UInt8] { tokenizer.decodeBytes([id]) }
    public func makeDecoder(stopStrings: [String]) -> any TextDecoding {
        StreamingDecoder(tokenizer: tokenizer, stopStrings: stopStrings, skipSpecialTokens: true)
    }
}

extension StreamingDecoder: TextDecoding {}
