import Foundation
import FulgurSupport

/// Reads and checks the fields of a JSON object, failing with a 400 that names the field
/// (`param`) and says what was expected. A field set to `null` counts as absent.
struct FieldReader {
    let object: [String: JSONValue]
    /// Prefix of param names for nested objects, e.g. "messages[2].".
    let path: String

    init(_ object: [String: JSONValue], path: String = "") {
        self.object = object
        self.path = path
    }

    /// Parses a request body: a JSON object.
    static func body(_ data: Data) throws(APIError) -> FieldReader {
        let value: JSONValue
        do { value = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw .invalidJSON(Self.describe(error))
        }
        guard case .object(let o) = value else { throw .invalidJSON("the body must be a JSON object") }
        return FieldReader(o)
    }

    func name(_ key: String) -> String { path + key }

    func fail(_ key: String, _ message: String) -> APIError {
        .invalid("Invalid value for '\(name(key))': \(message)", param: name(key))
    }

    func value(_ key: String) -> JSONValue? {
        guard let v = object[key], v != .null else { return nil }
        return v
    }

    func string(_ key: String) throws(APIError) -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.string else { throw fail(key, "expected a string, got \(Self.kind(v))") }
        return s
    }

    func requiredString(_ key: String) throws(APIError) -> String {
        guard let s = try string(key) else { throw .invalid("Missing required parameter: '\(name(key))'.", param: name(key)) }
        return s
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v.bool else { throw fail(key, "expected a boolean, got \(Self.kind(v))") }
        return b
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let v = value(key) else { return nil }
        guard let i = v.int else { throw fail(key, "expected an integer, got \(Self.kind(v))") }
        guard range.contains(i) else { throw fail(key, "\(i) is out of range; expected \(Self.describe(range))") }
        return i
    }

    func double(_ key: String, in range: ClosedRange<Double>, openLow: Bool = false) throws(APIError) -> Double? {
        guard let v = value(key) else { return nil }
        guard let d = v.double else { throw fail(key, "expected a number, got \(Self.kind(v))") }
        guard range.contains(d), !(openLow && d == range.lowerBound) else {
            throw fail(key, "\(Self.format(d)) is out of range; expected \(openLow ? "greater than" : "at least") \(Self.format(range.lowerBound)) and at most \(Self.format(range.upperBound))")
        }
        return d
    }

    func array(_ key: String) throws(APIError) -> [JSONValue]? {
        guard let v = value(key) else { return nil }
        guard let a = v.array else { throw fail(key, "expected an array, got \(Self.kind(v))") }
        return a
    }

    func objectField(_ key: String) throws(APIError) -> FieldReader? {
        guard let v = value(key) else { return nil }
        guard let o = v.object else { throw fail(key, "expected an object, got \(Self.kind(v))") }
        return FieldReader(o, path: name(key) + ".")
    }

    /// Rejects a field that the server does not implement when it asks for non-default behaviour.
    func unsupported(_ key: String, unless isDefault: (JSONValue) -> Bool) throws(APIError) {
        if let v = value(key), !isDefault(v) {
            throw .invalid("'\(name(key))' is not supported by this server.", param: name(key), code: "unsupported_parameter")
        }
    }

    static func kind(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool: "a boolean"
        case .number(let d): d == d.rounded() ? "an integer" : "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    static func format(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d) }

    static func describe(_ r: ClosedRange<Int>) -> String {
        r.upperBound == Int.max ? "at least \(r.lowerBound)" : "between \(r.lowerBound) and \(r.upperBound)"
    }

    static func describe(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let c) = error {
            return (c.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? c.debugDescription
        }
        return "\(error)"
    }
}
