import Foundation

/// Finds added tokens in raw text before pre-tokenization, as HF's `AddedVocabulary` does:
/// leftmost-longest, non-overlapping matches, honouring `single_word`, `lstrip` and `rstrip`.
/// Tokens with `normalized: false` are matched in the raw text, the others in the
/// normalized text of what lies between (two passes, in that order).
struct AddedTokenMatcher: Sendable {
    struct Entry: Sendable {
        let bytes: [UInt8]
        let id: Int32
        let singleWord: Bool
        let lstrip: Bool
        let rstrip: Bool
        var special = true
    }

    private let entries: [Entry]
    /// Entry indices by first byte, longest first.
    private let byFirstByte: [[Int32]]

    var isEmpty: Bool { entries.isEmpty }

    init(_ entries: [Entry]) {
        self.entries = entries
        var table = [[Int32]](repeating: [], count: 256)
        for (i, e) in entries.enumerated() where !e.bytes.isEmpty { table[Int(e.bytes[0])].append(Int32(i)) }
        for b in 0..<256 {
            // Longest first; among equal contents the last one listed wins, as in HF.
            table[b].sort { entries[Int($0)].bytes.count != entries[Int($1)].bytes.count
                ? entries[Int($0)].bytes.count > entries[Int($1)].bytes.count : $0 > $1 }
        }
        byFirstByte = table
    }

    /// Splits `[start, end)` into (start, end, id) triples; id is -1 for plain text.
    /// `skipSpecial`: special tokens stay text (HF's `encode_special_tokens`).
    func split(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, skipSpecial: Bool = false, into out: inout [Int]) {
        var offset = start  // end of the previous accepted token
        var i = start
        while i < end {
            let candidates = byFirstByte[Int(p[i])]
            if candidates.isEmpty { i += 1; continue }
            var matched: Entry? = nil
            for c in candidates {
                let e = entries[Int(c)]
                let n = e.bytes.count
                if i + n <= end && e.bytes.withUnsafeBufferPointer({ memcmp(p + i, $0.baseAddress!, n) }) == 0 {
                    matched = e
                    break
                }
            }
            guard let token = matched else { i += 1; continue }
            var s = i
            var e = i + token.bytes.count
            i = e
            if skipSpecial && token.special { continue }
            if token.singleWord {
                let before = s > start && Self.isWordScalar(p, Self.scalarStart(p, s, start), s)
                let after = e < end && Self.isWordScalar(p, e, end)
                if before || after { continue }
            }
            if token.lstrip {
                var k = s
                while k > start {
                    let ps = Self.scalarStart(p, k, start)
                    if !Self.isSpaceScalar(p, ps, k) { break }
                    k = ps
                }
                s = max(k, offset)
            }
            if token.rstrip {
                while e < end {
                    let (v, n) = decodeUTF8(p, e, end)
                    if CharClass.of(v, CharClass.bmp) & CharClass.space == 0 { break }
                    e += n
                }
                i = e
            }
            if offset < s { out.append(offset); out.append(s); out.append(-1) }
            out.append(s); out.append(e); out.append(Int(token.id))
            offset = e
        }
        if offset < end { out.append(offset); out.append(end); out.append(-1) }
    }

    @inline(__always)
    static func scalarStart(_ p: UnsafePointer<UInt8>, _ i: Int, _ start: Int) -> Int {
        var j = i - 1
        while j > start && p[j] & 0xC0 == 0x80 { j -= 1 }
        return j
    }

    static func isSpaceScalar(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Bool {
        CharClass.of(decodeUTF8(p, i, end).value, CharClass.bmp) & CharClass.space != 0
    }

    /// Rust `char::is_alphanumeric() || c == '_'`.
    static func isWordScalar(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Bool {
        let v = decodeUTF8(p, i, end).value
        if v == 0x5F { return true }
        guard let s = Unicode.Scalar(v) else { return false }
        if s.properties.isAlphabetic { return true }
        switch s.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }
}
