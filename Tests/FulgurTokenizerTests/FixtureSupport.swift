import Foundation
import FulgurSupport
@testable import FulgurTokenizer

/// Paths and loaders for the golden data next to these tests.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func path(_ relative: String) -> String { directory + "/" + relative }

    struct Case: Decodable {
        let text: String
        let ids: [Int]
        let decoded: String
    }

    static func cases(_ name: String) throws -> [Case] {
        try Files.readJSONL(path("\(name)/cases.jsonl"), as: Case.self)
    }

    static func tokenizer(_ name: String) throws -> Tokenizer {
        try Tokenizer(contentsOfFile: path("\(name)/tokenizer.json"))
    }
}
