/// Where each training sequence sits in the rows of a batch.
///
/// Sequences are independent segments (no attention, lightning state or position crosses a
/// segment boundary), except that a segment may *continue* a parent segment: its positions
/// follow the parent's, its softmax queries also see the parent's keys, and its lightning
/// state starts from the parent's final state — as if it were appended to the parent. RL
/// batches use this for shared prompts: the G responses to one prompt continue one copy of
/// the prompt instead of G copies (the prompt's forward and backward run once; the backward
/// sums what the G continuations send back into it).
public struct SequenceLayout: Sendable {
    /// Rows of each segment (consecutive, in order).
    public let segments: [Range<Int>]
    public let tokens: [Int]
    /// Per segment: the segment it continues (always an earlier one without a parent), or nil.
    public let parents: [Int?]
    /// Per segment: the position of its first token (its parent's length, or 0).
    public let positions: [Int]
    /// Per sample of a prompt + response layout: the rows whose log-probs score its response
    /// tokens (row r scores the token at row r + 1 of its segment). Empty for plain layouts.
    public let responseRows: [Range<Int>]

    /// Independent sequences.
    public init(_ sequences: [[Int]]) {
        var segs: [Range<Int>] = []
        var all: [Int] = []
        for s in sequences {
            segs.append(all.count..<all.count + s.count)
            all += s
        }
        segments = segs
        tokens = all
        parents = Array(repeating: nil, count: segs.count)
        positions = Array(repeating: 0, count: segs.count)
        responseRows = []
    }

    /// Prompt + response samples. With `sharePrompts`, each run of consecutive samples with the
    /// same prompt (of at least 2 tokens) becomes one parent segment holding the prompt but its
    /// last token, and per sample a child segment holding the prompt's last token and the
    /// response (the last prompt token's row scores the first response token, so it is repeated
    /// per sample). Otherwise each sample is one segment, prompt + response.
    public init(prompts: [[Int]], responses: [[Int]], sharePrompts: Bool = true) {
        precondition(prompts.count == responses.count, "\(prompts.count) prompts for \(responses.count) responses")
        var segs: [Range<Int>] = [], parents: [Int?] = [], positions: [Int] = [], scoring: [Range<Int>] = []
        var all: [Int] = []
        func add(_ ids: ArraySlice<Int>, parent: Int?, position: Int) {
            segs.append(all.count..<all.count + ids.count)
            parents.append(parent)
            positions.append(position)
            all += ids
        }
        var i = 0
        while i < prompts.count {
            let prompt = prompts[i]
            var end = i + 1
            while end < prompts.count && prompts[end] == prompt { end += 1 }
            if sharePrompts && end - i >= 2 && prompt.count >= 2 {
                let parent = segs.count
                add(prompt.dropLast(), parent: nil, position: 0)
                for j in i..<end {
                    add([prompt[prompt.count - 1]] + responses[j], parent: parent, position: prompt.count - 1)
                    scoring.append(segs[segs.count - 1].lowerBound..<segs[segs.count - 1].upperBound - 1)
                }
            } else {
                for j in i..<end {
                    add(ArraySlice(prompt + responses[j]), parent: nil, position: 0)
                    let seg = segs[segs.count - 1]
                    scoring.append(seg.lowerBound + prompt.count - 1 ..< seg.upperBound - 1)
                }
            }
            i = end
        }
        segments = segs
        tokens = all
        self.parents = parents
        self.positions = positions
        responseRows = scoring
    }

    public var rows: Int { tokens.count }

    /// Whether any segment continues another.
    public var hasParents: Bool { parents.contains { $0 != nil } }

    /// Segments without a parent, then those with one: the order in which token mixing runs
    /// forward (and, reversed, backward).
    public var phases: [[Int]] {
        let roots = segments.indices.filter { parents[$0] == nil }
        let children = segments.indices.filter { parents[$0] != nil }
        return children.isEmpty ? [roots] : [roots, children]
    }

    /// The rows a segment's attention sees: its parent's rows (if any), then its own.
    public func visibleRows(_ i: Int) -> (prefix: Range<Int>, own: Range<Int>) {
        let prefix = parents[i].map { segments[$0] } ?? segments[i].lowerBound..<segments[i].lowerBound
        return (prefix, segments[i])
    }

    /// Per sample, `values` (one per row) at its response rows.
    public func gatherResponses(_ values: [Float]) -> [[Float]] {
        responseRows.map { Array(values[$0]) }
    }

    /// One value per row: each sample's per-response-token values at its response rows, 0 elsewhere.
    public func scatterResponses(_ perResponse: [[Float]]) -> [Float] {
        precondition(perResponse.count == responseRows.count, "\(perResponse.count) responses for \(responseRows.count) samples")
        var out = [Float](repeating: 0, count: rows)
        for (r, values) in zip(responseRows, perResponse) {
            precondition(values.count == r.count, "a response has \(values.count) values for \(r.count) tokens")
            out.replaceSubrange(r, with: values)
        }
        return out
    }
}
