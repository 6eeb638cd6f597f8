/// Turns generated ids into text as they arrive. Never emits part of a UTF-8 character (a
/// character split across ids waits for its last byte), and holds back any tail that could be
/// the start of a stop string, so a stop string is never shown even when it spans several ids.
/// Without stop strings the concatenated output equals `tokenizer.decode(allIds)`.
///
/// ```swift
/// var stream = StreamingDecoder(tokenizer: tok, stopStrings: ["</answer>"])
/// for id in ids { print(stream.append(id), terminator: ""); if stream.isStopped { break } }
/// print(stream.finish())
/// ```
public struct StreamingDecoder: Sendable {
    public let tokenizer: Tokenizer
    private let stopStrings: [[UInt8]]
    private let skipSpecialTokens: Bool
    private var pending: [UInt8] = []
    private var emittedAny = false
    /// The stop string that ended the stream, once one has appeared.
    public private(set) var matchedStop: String? = nil

    public var isStopped: Bool { matchedStop != nil }

    /// `stopStrings`: texts that end the stream (the returned text stops just before them).
    /// `skipSpecialTokens`: leave out special tokens (kept by default, as in `decode`).
    public init(tokenizer: Tokenizer, stopStrings: [String] = [], skipSpecialTokens: Bool = false) {
        self.tokenizer = tokenizer
        self.stopStrings = stopStrings.filter { !$0.isEmpty }.map { Array($0.utf8) }
        self.skipSpecialTokens = skipSpecialTokens
    }

    /// Adds one id; returns the text that became final (often "", never a partial character).
    public mutating func append(_ id: Int) -> String {
        guard !isStopped else { return "" }
        if skipSpecialTokens && tokenizer.specialTokenIds.contains(id) { return "" }
        guard let bytes = tokenizer.decoding.bytes(of: id) else { return "" }
        if tokenizer.decoding.joinWithSpace && emittedAny { pending.append(0x20) }
        emittedAny = true
        pending.append(contentsOf: bytes)
        return release(final: false)
    }

    /// Adds several ids; returns the text that became final.
    public mutating func append(_ ids: [Int]) -> String {
        var out = ""
        for id in ids where !isStopped { out += append(id) }
        return out
    }

    /// Ends the stream: returns everything held back (an incomplete character becomes U+FFFD).
    public mutating func finish() -> String {
        guard !isStopped else { return "" }
        return release(final: true)
    }

    private mutating func release(final: Bool) -> String {
        if let (at, stop) = firstStop() {
            matchedStop = String(decoding: stopStrings[stop], as: UTF8.self)
            let text = String(decoding: pending[..<at], as: UTF8.self)
            pending.removeAll()
            return text
        }
        let keep = final ? 0 : max(Self.incompleteTail(pending), longestStopPrefixSuffix())
        let text = String(decoding: pending[..<(pending.count - keep)], as: UTF8.self)
        pending.removeFirst(pending.count - keep)
        return text
    }

    /// The earliest complete stop string in `pending`.
    private func firstStop() -> (Int, Int)? {
        var best: (Int, Int)? = nil
        for (k, s) in stopStrings.enumerated() where s.count <= pending.count {
            var i = 0
            while i + s.count <= pending.count, best.map({ i < $0.0 }) ?? true {
                if pending[i] == s[0] && pending[i..<i + s.count].elementsEqual(s) { best = (i, k); break }
                i += 1
            }
        }
        return best
    }

    /// Length of the longest tail of `pending` that is a proper prefix of a stop string.
    private func longestStopPrefixSuffix() -> Int {
        var best = 0
        for s in stopStrings {
            var n = min(s.count - 1, pending.count)
            while n > best {
                if pending[(pending.count - n)...].elementsEqual(s[..<n]) { best = n; break }
                n -= 1
            }
        }
        return best
    }

    /// Length (0…3) of a trailing UTF-8 sequence that is valid so far but incomplete.
    static func incompleteTail(_ b: [UInt8]) -> Int {
        var i = b.count - 1
        var continuation = 0
        while i >= 0 && continuation < 3 && b[i] & 0xC0 == 0x80 { continuation += 1; i -= 1 }
        guard i >= 0 else { return 0 }
        let lead = b[i]
        let need: Int
        switch lead {
        case 0xC2...0xDF: need = 1
        case 0xE0...0xEF: need = 2
        case 0xF0...0xF4: need = 3
        default: return 0
        }
        guard continuation < need else { return 0 }
        // The second byte's range depends on the lead (no overlongs, surrogates or > U+10FFFF).
        if continuation >= 1 {
            let second = b[i + 1]
            switch lead {
            case 0xE0: if second < 0xA0 { return 0 }
            case 0xED: if second > 0x9F { return 0 }
            case 0xF0: if second < 0x90 { return 0 }
            case 0xF4: if second > 0x8F { return 0 }
            default: break
            }
        }
        return continuation + 1
    }
}
