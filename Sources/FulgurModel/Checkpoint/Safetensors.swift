import Foundation
import FulgurSupport
import FulgurTensor

/// One tensor's entry in a safetensors header.
public struct SafetensorsEntry: Sendable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    /// Byte range inside the data section (after the 8-byte length and the JSON header).
    public let begin: Int
    public let end: Int
}

/// A memory-mapped `.safetensors` file with a fully validated header.
///
/// Format: u64 little-endian header length N, N bytes of JSON
/// `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}`,
/// then the data. Validation follows the reference implementation: offsets must tile the
/// data section exactly (sorted, no overlap, no hole, nothing past the end) and each byte
/// count must equal product(shape) × dtype size.
public final class SafetensorsFile: @unchecked Sendable {
    public let path: String
    public let entries: [String: SafetensorsEntry]
    public let metadata: [String: String]
    private let file: MappedFile
    private let dataStart: Int

    /// Headers larger than this are refused (the reference uses 100 MB).
    public static let maxHeaderBytes = 100_000_000

    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        guard file.size >= 8, let base = file.base else {
            throw FileError(path, "truncated safetensors file: \(file.size) bytes, need at least 8 for the header length")
        }
        let n64 = base.loadUnaligned(as: UInt64.self).littleEndian
        guard n64 <= UInt64(SafetensorsFile.maxHeaderBytes) else {
            throw FileError(path, "header length \(n64) exceeds the \(SafetensorsFile.maxHeaderBytes)-byte limit")
        }
        let n = Int(n64)
        guard 8 + n <= file.size else {
            throw FileError(path, "header length \(n) runs past the end of the file (\(file.size) bytes)")
        }
        dataStart = 8 + n
        let headerData = Data(bytes: base + 8, count: n)
        let header: [String: JSONValue]
        do { header = try JSONDecoder().decode([String: JSONValue].self, from: headerData) } catch {
            throw FileError(path, "header is not a valid JSON object: \(Files.describe(error))")
        }
        var entries: [String: SafetensorsEntry] = [:]
        var metadata: [String: String] = [:]
        let dataSize = file.size - dataStart
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value.object else { throw FileError(path, "__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v.string else { throw FileError(path, "__metadata__.\(k) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let e = value.object else { throw FileError(path, "tensor \(name): entry is not an object") }
            guard let dts = e["dtype"]?.string else { throw FileError(path, "tensor \(name): missing dtype") }
            guard let dtype = DType(rawValue: dts) else { throw FileError(path, "tensor \(name): unsupported dtype \(dts)") }
            guard let shapeAny = e["shape"]?.array else { throw FileError(path, "tensor \(name): missing shape") }
            var shape: [Int] = []
            for d in shapeAny {
                guard let i = d.int, i >= 0 else {
                    throw FileError(path, "tensor \(name): shape has a non-integer or negative dimension \(d.jsonString())")
                }
                shape.append(i)
            }
            guard let offs = e["data_offsets"]?.array, offs.count == 2, let b = offs[0].int, let en = offs[1].int
            else { throw FileError(path, "tensor \(name): data_offsets must be two integers") }
            guard b >= 0, en >= b else { throw FileError(path, "tensor \(name): data_offsets [\(b), \(en)] are reversed or negative") }
            guard en <= dataSize else {
                throw FileError(path, "tensor \(name): data_offsets [\(b), \(en)] run past the data section (\(dataSize) bytes; file truncated?)")
            }
            var elements = 1
            for d in shape {
                let (m, o) = elements.multipliedReportingOverflow(by: d)
                guard !o else { throw FileError(path, "tensor \(name): shape \(shape) overflows") }
                elements = m
            }
            let (bytes, o) = elements.multipliedReportingOverflow(by: dtype.size)
            guard !o, bytes == en - b else {
                throw FileError(path, "tensor \(name): \(en - b) bytes for shape \(shape) \(dtype.rawValue), expected \(o ? -1 : bytes)")
            }
            entries[name] = SafetensorsEntry(name: name, dtype: dtype, shape: shape, begin: b, end: en)
        }
        // The data section must be tiled exactly.
        var cursor = 0
        for e in entries.values.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            if e.begin < cursor { throw FileError(path, "tensor \(e.name): data_offsets [\(e.begin), \(e.end)] overlap another tensor") }
            if e.begin > cursor { throw FileError(path, "tensor \(e.name): hole in the data section before offset \(e.begin)") }
            cursor = e.end
        }
        if cursor != dataSize {
            throw FileError(path, "data section is \(dataSize) bytes but the tensors cover \(cursor)")
        }
        self.entries = entries
        self.metadata = metadata
    }

    public var names: [String] { entries.keys.sorted() }

    /// Raw bytes of a tensor (valid while this file is alive).
    public func rawBytes(_ e: SafetensorsEntry) -> UnsafeRawPointer {
        file.base! + dataStart + e.begin
    }

    /// A tensor converted to Float32 (F32, BF16 and F16 are accepted).
    public func float32(_ name: String) throws -> Tensor {
        guard let e = entries[name] else { throw FileError(path, "missing tensor \(name)") }
        let t = Tensor(shape: e.shape, zeroed: false, persistent: true)
        try readFloat32(e, into: t.pointer)
        return t
    }

    public func readFloat32(_ e: SafetensorsEntry, into dst: UnsafeMutablePointer<Float>) throws {
        let count = (e.end - e.begin) / e.dtype.size
        if count == 0 { return }
        let src = rawBytes(e)
        switch e.dtype {
        case .f32: UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * 4)
        case .bf16: Convert.bf16ToF32(src, dst, count: count)
        case .f16: Convert.f16ToF32(src, dst, count: count)
        default: throw FileError(path, "tensor \(e.name): dtype \(e.dtype.rawValue) is not a floating-point type")
        }
    }

    /// An integer tensor (I64 or I32) as `[Int]`.
    public func integers(_ name: String) throws -> [Int] {
        guard let e = entries[name] else { throw FileError(path, "missing tensor \(name)") }
        let count = (e.end - e.begin) / e.dtype.size
        let src = rawBytes(e)
        switch e.dtype {
        case .i64: return (0..<count).map { Int(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) }
        case .i32: return (0..<count).map { Int(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
        default: throw FileError(path, "tensor \(name): dtype \(e.dtype.rawValue) is not an integer type")
        }
    }
}

/// Writes safetensors files (atomically: temp file + rename).
public enum SafetensorsWriter {
    public struct Item {
        public var name: String
        public var dtype: DType
        public var shape: [Int]
        public var data: Data
        public init(name: String, dtype: DType, shape: [Int], data: Data) {
            self.name = name; self.dtype = dtype; self.shape = shape; self.data = data
        }
        /// A Float32 tensor stored as `dtype` (F32, BF16 or F16).
        public init(name: String, tensor: Tensor, as dtype: DType = .f32) {
            self.name = name; self.dtype = dtype; self.shape = tensor.shape
            var d = Data(count: tensor.count * dtype.size)
            d.withUnsafeMutableBytes { raw in
                guard let p = raw.baseAddress else { return }
                switch dtype {
                case .bf16: Convert.f32ToBF16(tensor.pointer, p, count: tensor.count)
                case .f16: Convert.f32ToF16(tensor.pointer, p, count: tensor.count)
                default: p.copyMemory(from: tensor.pointer, byteCount: tensor.count * 4)
                }
            }
            self.data = d
        }
        public init(name: String, int64 values: [Int], shape: [Int]? = nil) {
            self.name = name; self.dtype = .i64; self.shape = shape ?? [values.count]
            var d = Data(count: values.count * 8)
            d.withUnsafeMutableBytes { raw in
                for (i, v) in values.enumerated() { raw.storeBytes(of: Int64(v).littleEndian, toByteOffset: 8 * i, as: Int64.self) }
            }
            self.data = d
        }
    }

    public static func encode(_ items: [Item], metadata: [String: String] = ["format": "pt"]) throws -> Data {
        for item in items {
            precondition(item.data.count == item.shape.reduce(1, *) * item.dtype.size, "\(item.name): size mismatch")
        }
        var out = try header(items.map { ($0.name, $0.dtype, $0.shape, $0.data.count) }, metadata: metadata)
        for item in items { out.append(item.data) }
        return out
    }

    /// What precedes the tensor bytes: the little-endian header length, then the JSON header
    /// (entries in order, contiguous offsets), padded with spaces to 8 bytes as the reference does.
    public static func header(_ entries: [(name: String, dtype: DType, shape: [Int], bytes: Int)],
                              metadata: [String: String] = ["format": "pt"]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for e in entries {
            header[e.name] = ["dtype": e.dtype.rawValue, "shape": e.shape, "data_offsets": [offset, offset + e.bytes]]
            offset += e.bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(json)
        return out
    }

    public static func write(_ items: [Item], to path: String, metadata: [String: String] = ["format": "pt"]) throws {
        try Files.writeAtomically(try encode(items, metadata: metadata), to: path)
    }
}
