extension JSONTree {
    /// JSON text. `pythonStyle` matches Python's `json.dumps(x, ensure_ascii=False)` (the
    /// `tojson` of HF chat templates): ", " and ": " separators. Keys keep their order,
    /// non-ASCII is written as is, number literals as parsed.
    public func serialized(pythonStyle: Bool = false) -> String {
        var out: [UInt8] = []
        write(to: &out, itemSeparator: pythonStyle ? ", " : ",", keySeparator: pythonStyle ? ": " : ":")
        return String(decoding: out, as: UTF8.self)
    }

    func write(to out: inout [UInt8], itemSeparator: StaticString, keySeparator: StaticString) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.utf8)
        case .string(let s): JSONTree.writeString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(contentsOf: UnsafeBufferPointer(start: itemSeparator.utf8Start, count: itemSeparator.utf8CodeUnitCount)) }
                item.write(to: &out, itemSeparator: itemSeparator, keySeparator: keySeparator)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, m) in members.enumerated() {
                if i > 0 { out.append(contentsOf: UnsafeBufferPointer(start: itemSeparator.utf8Start, count: itemSeparator.utf8CodeUnitCount)) }
                JSONTree.writeString(m.key, to: &out)
                out.append(contentsOf: UnsafeBufferPointer(start: keySeparator.utf8Start, count: keySeparator.utf8CodeUnitCount))
                m.value.write(to: &out, itemSeparator: itemSeparator, keySeparator: keySeparator)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON string literal escaping only what JSON requires (as Python with ensure_ascii=False).
    static func writeString(_ s: String, to out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20: out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A copy with `key` set (replaced in place if present, appended otherwise).
    public func setting(_ key: String, to value: JSONTree) -> JSONTree {
        guard case .object(var members) = self else { return self }
        if let i = members.firstIndex(where: { $0.key.utf8.elementsEqual(key.utf8) }) {
            members[i].value = value
        } else {
            members.append((key, value))
        }
        return .object(members)
    }
}
