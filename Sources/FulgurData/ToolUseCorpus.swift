import FulgurSupport
import FulgurTokenizer

/// A synthetic tool-use SFT corpus: the user asks for the weather in a city or for a sum; the
/// assistant calls `get_weather` or `add`; the tool turn returns the result; the assistant
/// answers from it. A conversation holds 1 to `maxExchanges` such exchanges. It teaches a small model the M1 `<tool_calls>` protocol, so the server's
/// tool calling can be exercised end to end (scripts/tool_calling_e2e.py, docs/server.md).
public enum ToolUseCorpus {
    /// The task name in `data.builtin.tasks`.
    public static let name = "tool_use"

    /// The tools offered in every conversation, exactly as an OpenAI client sends them: the
    /// prompt renders them as written (key order included), so a client must send the same
    /// JSON to get the prompts the model was trained on.
    public static let toolsJSON = """
        [{"type": "function", "function": {"name": "get_weather", "description": "Get the current weather in a city.", \
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}, \
        {"type": "function", "function": {"name": "add", "description": "Add two integers.", \
        "parameters": {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"]}}}]
        """

    public static let tools: [JSONTree] = {
        guard case .array(let list) = try! JSONTree.parse(toolsJSON) else { fatalError("toolsJSON is an array") }
        return list
    }()

    public static let cities = ["Paris", "London", "Tokyo", "Berlin", "Madrid", "Rome", "Cairo", "Lima", "Oslo", "Sydney",
                                "Dublin", "Vienna", "Prague", "Seoul", "Delhi", "Nairobi"]
    public static let conditions = ["sunny", "cloudy", "rainy", "windy", "snowy", "foggy"]

    static let weatherQuestions = ["What is the weather in %@?", "How is the weather in %@ today?", "What's the weather like in %@?",
                                   "Tell me the weather in %@.", "Weather in %@, please."]
    static let sumQuestions = ["What is %@ + %@?", "Add %@ and %@.", "What is the sum of %@ and %@?", "Compute %@ + %@."]

    /// The result `get_weather` returns (a JSON object, as a tool would).
    public static func weatherResult(temperature: Int, condition: String) -> String {
        JSONTree.object([("temperature", .number(String(temperature))), ("condition", .string(condition))]).serialized(pythonStyle: true)
    }

    /// Most exchanges in one conversation. Up to the end of its first exchange a longer
    /// conversation is exactly a one-question conversation, so every conversation trains the
    /// case a client starts with; the later exchanges add assistant tokens (copying from the
    /// latest question and result) to the long, loss-free tool prompt, for the same compute.
    public static let maxExchanges = 3

    /// One conversation of 1 … `maxExchanges` exchanges drawn from `rng`.
    public static func conversation(_ rng: inout RNG) -> [ChatMessage] {
        let n = rng.int(in: 1...maxExchanges)
        return (0..<n).flatMap { _ in exchange(&rng) }
    }

    /// One exchange (half weather, half sums): question, call, result, answer.
    public static func exchange(_ rng: inout RNG) -> [ChatMessage] {
        if rng.chance(0.5) {
            let city = rng.pick(cities)
            let temperature = rng.int(in: -10...35)
            let condition = rng.pick(conditions)
            return [
                .user(fill(rng.pick(weatherQuestions), [city])),
                .assistant("", toolCalls: [ToolCall(name: "get_weather", arguments: .object([("city", .string(city))]))]),
                .tool(name: "get_weather", result: weatherResult(temperature: temperature, condition: condition)),
                .assistant("It is \(condition) and \(temperature) degrees in \(city)."),
            ]
        }
        let a = rng.int(in: 0...999), b = rng.int(in: 0...999)
        return [
            .user(fill(rng.pick(sumQuestions), [String(a), String(b)])),
            .assistant("", toolCalls: [ToolCall(name: "add", arguments: .object([("a", .number(String(a))), ("b", .number(String(b)))]))]),
            .tool(name: "add", result: String(a + b)),
            .assistant("\(a) + \(b) = \(a + b)."),
        ]
    }

    /// Replaces each `%@` in turn (no Foundation formatting: the values are plain text).
    static func fill(_ template: String, _ values: [String]) -> String {
        var out = "", rest = Substring(template), i = 0
        while let r = rest.range(of: "%@"), i < values.count {
            out += rest[..<r.lowerBound] + values[i]
            rest = rest[r.upperBound...]
            i += 1
        }
        return out + rest
    }
}
