import FulgurGeneration
import FulgurSupport

/// The sampling and stopping fields shared by `/v1/chat/completions` and `/v1/completions`.
struct GenerationOptions {
    var temperature: Float = 1
    var topP: Float = 1
    var topK = 0
    /// nil: the endpoint's default (completions 16; chat: the rest of the context).
    var maxTokens: Int?
    var maxTokensParam = "max_tokens"
    var stop: [String] = []
    var stopTokenIds: [Int] = []
    var ignoreEOS = false
    var seed: UInt64?
    var n = 1
    var stream = false
    var includeUsage = false

    static let maxStopStrings = 16

    init(_ f: FieldReader, maxN: Int, vocabularySize: Int) throws(APIError) {
        temperature = Float(try f.double("temperature", in: 0...2) ?? 1)
        topP = Float(try f.double("top_p", in: 0...1, openLow: true) ?? 1)
        let k = try f.int("top_k", in: -1...Int.max) ?? 0
        topK = max(k, 0)
        if let m = try f.int("max_completion_tokens", in: 1...Int.max) {
            maxTokens = m
            maxTokensParam = "max_completion_tokens"
        } else {
            maxTokens = try f.int("max_tokens", in: 1...Int.max)
        }
        stop = try Self.stopStrings(f)
        if let ids = try f.array("stop_token_ids") {
            stopTokenIds = try ids.map { (v) throws(APIError) -> Int in
                guard let i = v.int, i >= 0, i < vocabularySize else {
                    throw f.fail("stop_token_ids", "expected token ids in 0..<\(vocabularySize), got \(v.jsonString())")
                }
                return i
            }
        }
        ignoreEOS = try f.bool("ignore_eos") ?? false
        if let s = try f.int("seed", in: Int.min...Int.max) { seed = UInt64(bitPattern: Int64(s)) }
        n = try f.int("n", in: 1...maxN) ?? 1
        stream = try f.bool("stream") ?? false
        if let so = try f.objectField("stream_options") {
            guard stream else {
                throw APIError.invalid("'stream_options' is only allowed when 'stream' is true.", param: "stream_options")
            }
            includeUsage = try so.bool("include_usage") ?? false
        }
        try f.unsupported("presence_penalty") { $0.double == 0 }
        try f.unsupported("frequency_penalty") { $0.double == 0 }
        try f.unsupported("logit_bias") { $0.object?.isEmpty ?? false }
        try f.unsupported("best_of") { $0.int == 1 }
    }

    private static func stopStrings(_ f: FieldReader) throws(APIError) -> [String] {
        guard let v = f.value("stop") else { return [] }
        let list: [String]
        if let s = v.string {
            list = [s]
        } else if let a = v.array {
            list = try a.map { (e) throws(APIError) -> String in
                guard let s = e.string else { throw f.fail("stop", "expected a string or an array of strings") }
                return s
            }
        } else {
            throw f.fail("stop", "expected a string or an array of strings, got \(FieldReader.kind(v))")
        }
        guard list.count <= maxStopStrings else { throw f.fail("stop", "at most \(maxStopStrings) stop strings, got \(list.count)") }
        guard !list.contains(where: \.isEmpty) else { throw f.fail("stop", "stop strings must not be empty") }
        return list
    }

    /// The engine's sampling parameters; `eos` are the model's end-of-sequence ids.
    func sampling(maxTokens: Int, eos: [Int]) -> SamplingParameters {
        var stops = Set(stopTokenIds)
        if !ignoreEOS { stops.formUnion(eos) }
        var g = SystemRandomNumberGenerator()
        return SamplingParameters(temperature: temperature, topP: topP, topK: topK, seed: seed ?? g.next(),
                                  maxTokens: maxTokens, stopTokenIds: stops, repetitionWindow: 0)
    }
}
