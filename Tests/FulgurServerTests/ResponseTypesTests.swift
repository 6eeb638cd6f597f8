import Foundation
import Testing
@testable import FulgurServer

/// OpenAI sends absent `finish_reason` and `logprobs` as explicit `null` (clients index them);
/// absent extensions such as `token_ids` are left out.
@Suite struct ResponseTypesTests {
    func json(_ value: some Encodable) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    @Test func absentFieldsAreNullOrLeftOut() throws {
        #expect(try json(ChatChunkChoice(index: 0, delta: ChatDelta(content: "a"), logprobs: nil, finishReason: nil))
                == #"{"delta":{"content":"a"},"finish_reason":null,"index":0,"logprobs":null}"#)
        #expect(try json(ChatChunkChoice(index: 1, delta: ChatDelta(), logprobs: nil, finishReason: "stop"))
                == #"{"delta":{},"finish_reason":"stop","index":1,"logprobs":null}"#)
        #expect(try json(CompletionChoice(index: 0, text: "x", logprobs: nil, finishReason: nil, tokenIds: nil))
                == #"{"finish_reason":null,"index":0,"logprobs":null,"text":"x"}"#)
        #expect(try json(CompletionChoice(index: 0, text: "x", logprobs: nil, finishReason: "length", tokenIds: [5]))
                == #"{"finish_reason":"length","index":0,"logprobs":null,"text":"x","token_ids":[5]}"#)
    }
}
