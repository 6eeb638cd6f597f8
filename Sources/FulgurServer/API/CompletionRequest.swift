import FulgurSupport

/// A validated `POST /v1/completions` body.
struct CompletionRequest {
    enum Prompt {
        case text(String)
        case ids([Int])
    }

    var model: String
    /// One or more prompts (a batch): each gets `n` choices, numbered prompt-major.
    var prompts: [Prompt]
    /// nil: no log-probs; k: the sampled token's log-prob and the k most likely alternatives.
    var logprobs: Int?
    /// Send the generated ids in `token_ids` (vLLM extension; always on without a tokenizer).
    var returnTokenIds = false
    var options: GenerationOptions

    static let maxPrompts = 64

    init(_ f: FieldReader, maxN: Int, vocabularySize: Int) throws(APIError) {
        model = try f.requiredString("model")
        guard let p = f.value("prompt") else { throw .invalid("Missing required parameter: 'prompt'.", param: "prompt") }
        prompts = try Self.prompts(p, f, vocabularySize: vocabularySize)
        guard prompts.count <= Self.maxPrompts else {
            throw f.fail("prompt", "at most \(Self.maxPrompts) prompts per request, got \(prompts.count)")
        }
        logprobs = try f.int("logprobs", in: 0...20)
        returnTokenIds = try f.bool("return_token_ids") ?? false
        options = try GenerationOptions(f, maxN: maxN, vocabularySize: vocabularySize)
        guard prompts.count * options.n <= maxN else {
            throw f.fail("n", "prompts × n = \(prompts.count * options.n) exceeds the server's --max-batch (\(maxN))")
        }
        try f.unsupported("echo") { $0.bool == false }
        try f.unsupported("suffix") { $0.string?.isEmpty ?? false }
    }

    /// A string, a list of strings, a list of token ids, or a list of lists of token ids.
    private static func prompts(_ v: JSONValue, _ f: FieldReader, vocabularySize: Int) throws(APIError) -> [Prompt] {
        let expected = "expected a string, an array of strings, an array of token ids or an array of arrays of token ids"
        func ids(_ a: [JSONValue], _ path: String) throws(APIError) -> [Int] {
            guard !a.isEmpty else { throw .invalid("Invalid value for '\(path)': the prompt is empty", param: "prompt") }
            return try a.map { (e) throws(APIError) -> Int in
                guard let i = e.int else { throw f.fail("prompt", expected) }
                guard i >= 0 && i < vocabularySize else {
                    throw .invalid("Invalid value for '\(path)': token id \(i) is outside the vocabulary (0..<\(vocabularySize))", param: "prompt")
                }
                return i
            }
        }
        if let s = v.string { return [.text(s)] }
        guard let a = v.array, !a.isEmpty else { throw f.fail("prompt", expected) }
        if a.allSatisfy({ $0.string != nil }) { return a.map { .text($0.string!) } }
        if a.allSatisfy({ $0.double != nil }) { return [.ids(try ids(a, "prompt"))] }
        if a.allSatisfy({ $0.array != nil }) {
            return try a.enumerated().map { (i, e) throws(APIError) -> Prompt in .ids(try ids(e.array!, "prompt[\(i)]")) }
        }
        throw f.fail("prompt", expected)
    }
}
