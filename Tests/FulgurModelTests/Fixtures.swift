import Foundation

/// Reference data made by HF transformers / tokenizers (see Tests/Fixtures/README.md).
enum Fixtures {
    static let root: String = {
        if let env = ProcessInfo.processInfo.environment["FULGUR_FIXTURES"] { return env }
        // Tests/FulgurModelTests/Fixtures.swift → Tests/Fixtures
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").path
    }()

    static func path(_ rel: String) -> String { root + "/" + rel }

    static func json(_ rel: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(rel)))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func ints(_ v: Any?) -> [Int] { (v as! [Any]).map { ($0 as! NSNumber).intValue } }
    static func floats(_ v: Any?) -> [Float] { (v as! [Any]).map { ($0 as! NSNumber).floatValue } }
}
