import Foundation
@testable import FulgurRewards
import FulgurSupport
import Testing

@Suite struct JSONValueDecoderTests {
    struct Sample: Codable, Equatable {
        enum Kind: String, Codable { case a, b }
        var ints: [[Int]]
        var name: String
        var flag: Bool
        var ratio: Double
        var kind: Kind
        var optional: Int?
        var missing: String?
        var map: [String: Int]
        var nested: [Inner]
        struct Inner: Codable, Equatable { var x: UInt8; var tags: [String] }
    }

    /// Decoding from the tree gives the same value as Foundation's JSONDecoder on the JSON text.
    @Test func matchesFoundation() throws {
        let json = #"{"ints": [[1, 2], [], [-3]], "name": "é🙂", "flag": true, "ratio": 0.25, "kind": "b", "optional": null,"# +
            #" "map": {"k": 7}, "nested": [{"x": 255, "tags": ["p", "q"]}]}"#
        let viaFoundation = try JSONDecoder().decode(Sample.self, from: Data(json.utf8))
        let tree = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        #expect(try tree.decode(Sample.self) == viaFoundation)
        #expect(try tree.decode(JSONValue.self) == tree)
    }

    @Test func errorsCarryPaths() throws {
        let bad: [(JSONValue, String)] = [
            (["ints": [[1, 2.5]], "name": "n", "flag": true, "ratio": 1, "kind": "a", "map": [:], "nested": []], "ints.[0].[1]"),
            (["ints": [], "name": 3, "flag": true, "ratio": 1, "kind": "a", "map": [:], "nested": []], "field name: expected"),
            (["ints": [], "name": "n", "flag": true, "ratio": 1, "kind": "a", "map": [:]], "missing field nested"),
            (["ints": [], "name": "n", "flag": true, "ratio": 1, "kind": "c", "map": [:], "nested": []], "kind"),
            (["ints": [], "name": "n", "flag": true, "ratio": 1, "kind": "a", "map": [:], "nested": [["x": 256, "tags": []]]], "nested.[0].x"),
        ]
        for (value, fragment) in bad {
            do {
                _ = try value.decode(Sample.self)
                Issue.record("decoded \(value.jsonString())")
            } catch {
                #expect(Files.describe(error).contains(fragment), "\(Files.describe(error))")
            }
        }
    }

    /// Every generated puzzle decodes identically through both paths.
    @Test func generatedMetadataRoundTrips() throws {
        for env in LogicTasks.all {
            for t in try env.generate(count: 2, difficulty: 6, seed: 3) {
                let text = try JSONEncoder().encode(JSONValue.object(t.metadata))
                let reparsed = try JSONDecoder().decode(JSONValue.self, from: text)
                #expect(reparsed == .object(t.metadata), "\(t.id)")
                try env.validate(t)
            }
        }
    }
}
