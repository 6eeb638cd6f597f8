/// Why a tokenizer could not be loaded or used. Every case names the place (a JSON path
/// such as `model.merges[12]`) and the reason; `file` is filled in when loading from disk.
public struct TokenizerError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The file is not valid JSON.
        case invalidJSON
        /// A required field is absent.
        case missingField
        /// A field has the wrong type or an impossible value.
        case invalidValue
        /// A component or option this implementation does not support.
        case unsupported
        /// The tokenizer lacks tokens a feature needs (for example the chat format's specials).
        case missingTokens
        /// The file cannot be read.
        case unreadable
    }

    public let kind: Kind
    public var file: String?
    /// JSON path of the offending value ("" for the whole document).
    public let path: String
    public let reason: String

    public init(_ kind: Kind, path: String, _ reason: String, file: String? = nil) {
        self.kind = kind
        self.path = path
        self.reason = reason
        self.file = file
    }

    public var description: String {
        var s = file.map { "\($0): " } ?? ""
        if !path.isEmpty { s += "\(path): " }
        return s + reason
    }
}

/// Typed access to a `JSONTree` that remembers where it is, so errors name the field.
struct JSONReader {
    let value: JSONTree
    let path: String

    init(_ value: JSONTree, path: String = "") {
        self.value = value
        self.path = path
    }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func invalid(_ reason: String) -> TokenizerError { TokenizerError(.invalidValue, path: path, reason) }

    /// The field `key`, or nil when it is absent or JSON null.
    func optional(_ key: String) throws(TokenizerError) -> JSONReader? {
        guard case .object = value else { throw invalid("expected an object, found \(value.kindName)") }
        guard let v = value[key], v != .null else { return nil }
        return JSONReader(v, path: child(key))
    }

    func required(_ key: String) throws(TokenizerError) -> JSONReader {
        guard let r = try optional(key) else { throw TokenizerError(.missingField, path: child(key), "missing field") }
        return r
    }

    func string() throws(TokenizerError) -> String {
        guard case .string(let s) = value else { throw invalid("expected a string, found \(value.kindName)") }
        return s
    }

    func bool() throws(TokenizerError) -> Bool {
        guard case .bool(let b) = value else { throw invalid("expected a boolean, found \(value.kindName)") }
        return b
    }

    func int() throws(TokenizerError) -> Int {
        guard case .number(let n) = value, let i = Int(n) else { throw invalid("expected an integer, found \(value.kindName)") }
        return i
    }

    func double() throws(TokenizerError) -> Double {
        guard case .number(let n) = value, let d = Double(n) else { throw invalid("expected a number, found \(value.kindName)") }
        return d
    }

    func array() throws(TokenizerError) -> [JSONReader] {
        guard case .array(let items) = value else { throw invalid("expected an array, found \(value.kindName)") }
        return items.enumerated().map { JSONReader($1, path: "\(path)[\($0)]") }
    }

    func members() throws(TokenizerError) -> [(key: String, value: JSONReader)] {
        guard case .object(let m) = value else { throw invalid("expected an object, found \(value.kindName)") }
        return m.map { ($0.key, JSONReader($0.value, path: child($0.key))) }
    }

    func bool(_ key: String, default d: Bool) throws(TokenizerError) -> Bool { try optional(key)?.bool() ?? d }

    /// The `type` tag of a component object.
    func typeTag() throws(TokenizerError) -> String { try required("type").string() }
}
