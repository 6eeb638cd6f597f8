/// GPT-2's reversible byte ↔ character table. Byte-level BPE vocabularies spell every byte as
/// a printable character: printable Latin-1 bytes stand for themselves, the other 68 bytes
/// (controls, space, NBSP, soft hyphen) become U+0100… in byte order, so " " is "Ġ" (U+0120).
enum ByteLevel {
    /// The character code point for each byte.
    static let charForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            let printable = (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b)
            if printable { table[b] = UInt32(b) } else { table[b] = next; next += 1 }
        }
        return table
    }()

    /// The byte for a character of the table, or nil (code points 0…323 cover the table).
    static let byteForChar: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for (b, c) in charForByte.enumerated() { table[Int(c)] = Int16(b) }
        return table
    }()

    /// The raw bytes a byte-level token string spells, or nil if a character is outside the table.
    static func bytes(of token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.utf8.count)
        for s in token.unicodeScalars {
            let v = Int(s.value)
            guard v < byteForChar.count, byteForChar[v] >= 0 else { return nil }
            out.append(UInt8(byteForChar[v]))
        }
        return out
    }

    /// The byte-level spelling of raw bytes ("Ġhello" for " hello").
    static func string(of bytes: some Sequence<UInt8>) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(charForByte[Int(b)])!) }
        return String(s)
    }

    /// The 256 characters of the table as strings, sorted by code point (HF's alphabet order).
    static var alphabet: [String] {
        charForByte.sorted().map { String(Unicode.Scalar($0)!) }
    }
}
