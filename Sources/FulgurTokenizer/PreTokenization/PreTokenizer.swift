/// The pre-tokenizer chain, compiled into stages over UTF-8 byte ranges. Pieces are
/// (start, end) pairs into a working buffer; a stage maps each piece to sub-pieces.
struct PreTokenizer: Sendable {
    enum Stage: Sendable {
        /// ByteLevel's `add_prefix_space`: a piece not starting with " " gets one.
        case prefixSpace
        case split(SplitMatcher, SplitBehavior, invert: Bool)
    }

    let stages: [Stage]
    /// A `ByteLevel` pre-tokenizer is present: the model sees raw bytes (its vocabulary is
    /// spelled in GPT-2's byte alphabet).
    let byteLevel: Bool

    /// The one hand-written regex this chain reduces to, when it is exactly an isolated,
    /// non-inverted split: the fast path of `Tokenizer.encode`.
    var singleKnownPattern: KnownPattern? {
        if stages.count == 1, case .split(.known(let k), .isolated, false) = stages[0] { return k }
        return nil
    }

    init(_ config: PreTokenizerConfig?, path: String = "pre_tokenizer") throws(TokenizerError) {
        var stages: [Stage] = []
        var byteLevel = false
        func add(_ c: PreTokenizerConfig, _ path: String) throws(TokenizerError) {
            if byteLevel {
                // After ByteLevel the text is spelled in the byte alphabet; only a no-op ByteLevel may follow.
                if case .byteLevel(false, false) = c { return }
                throw TokenizerError(.unsupported, path: path, "a pre-tokenizer after ByteLevel is not supported")
            }
            switch c {
            case .byteLevel(let addPrefixSpace, let useRegex):
                if addPrefixSpace { stages.append(.prefixSpace) }
                if useRegex { stages.append(.split(.known(.gpt2), .isolated, invert: false)) }
                byteLevel = true
            case .split(let pattern, let behavior, let invert):
                stages.append(.split(try Self.matcher(pattern, path: path), behavior, invert: invert))
            case .digits(let individual):
                stages.append(.split(.scalarClass(CharClass.number), individual ? .isolated : .contiguous, invert: false))
            case .whitespace:
                stages.append(.split(.wordsAndSymbols, .removed, invert: true))
            case .whitespaceSplit:
                stages.append(.split(.scalarClass(CharClass.space), .removed, invert: false))
            case .punctuation(let behavior):
                stages.append(.split(.scalarClass(CharClass.punctuation), behavior, invert: false))
            case .sequence(let items):
                for (i, item) in items.enumerated() { try add(item, "\(path).pretokenizers[\(i)]") }
            }
        }
        if let config { try add(config, path) }
        self.stages = stages
        self.byteLevel = byteLevel
    }

    static func matcher(_ pattern: SplitPatternConfig, path: String) throws(TokenizerError) -> SplitMatcher {
        switch pattern {
        case .string(let s):
            return .literal(Array(s.utf8))
        case .regex(let r):
            if let known = KnownPattern(regex: r) { return .known(known) }
            do { return .regex(try FallbackRegex(r)) } catch {
                throw TokenizerError(.invalidValue, path: "\(path).pattern.Regex", "invalid regex: \(error)")
            }
        }
    }

    /// Splits `work[start..<end]`, writing pieces to `pieces` (cleared first). May append to
    /// `work` (prefix spaces), so callers refer to pieces by offset.
    func split(_ work: inout [UInt8], _ start: Int, _ end: Int, pieces: inout [Int], scratch: inout Scratch) {
        pieces.removeAll(keepingCapacity: true)
        pieces.append(start)
        pieces.append(end)
        for stage in stages {
            scratch.next.removeAll(keepingCapacity: true)
            switch stage {
            case .prefixSpace:
                var k = 0
                while k < pieces.count {
                    let s = pieces[k], e = pieces[k + 1]
                    if work[s] == 0x20 {
                        scratch.next.append(s); scratch.next.append(e)
                    } else {
                        let ns = work.count
                        work.append(0x20)
                        work.append(contentsOf: work[s..<e])
                        scratch.next.append(ns); scratch.next.append(work.count)
                    }
                    k += 2
                }
            case .split(let matcher, let behavior, let invert):
                var k = 0
                while k < pieces.count {
                    let s = pieces[k], e = pieces[k + 1]
                    scratch.matches.removeAll(keepingCapacity: true)
                    work.withUnsafeBufferPointer { matcher.matches($0.baseAddress!, s, e, into: &scratch.matches) }
                    Self.applyBehavior(behavior, invert: invert, s, e, scratch.matches, segments: &scratch.segments,
                                       into: &scratch.next)
                    k += 2
                }
            }
            swap(&pieces, &scratch.next)
        }
    }

    struct Scratch {
        var next: [Int] = []
        var matches: [Int] = []
        var segments: [Int] = []
    }

    /// HF `NormalizedString::split`: the piece becomes alternating non-match/match segments,
    /// combined according to `behavior`; empty results are dropped.
    static func applyBehavior(_ behavior: SplitBehavior, invert: Bool, _ start: Int, _ end: Int, _ matches: [Int],
                              segments: inout [Int], into out: inout [Int])
    {
        // segments: (start, end, isMatch) triples.
        segments.removeAll(keepingCapacity: true)
        var prev = start
        var k = 0
        let matchFlag = invert ? 0 : 1
        while k < matches.count {
            let s = matches[k], e = matches[k + 1]
            if prev != s { segments.append(prev); segments.append(s); segments.append(1 - matchFlag) }
            segments.append(s); segments.append(e); segments.append(matchFlag)
            prev = e
            k += 2
        }
        if prev != end { segments.append(prev); segments.append(end); segments.append(1 - matchFlag) }

        var result: [(Int, Int)] = []
        result.reserveCapacity(segments.count / 3)
        switch behavior {
        case .isolated:
            for i in stride(from: 0, to: segments.count, by: 3) { result.append((segments[i], segments[i + 1])) }
        case .removed:
            for i in stride(from: 0, to: segments.count, by: 3) where segments[i + 2] == 0 {
                result.append((segments[i], segments[i + 1]))
            }
        case .contiguous, .mergedWithPrevious:
            var previousMatch = false
            for i in stride(from: 0, to: segments.count, by: 3) {
                let isMatch = segments[i + 2] == 1
                let merge = behavior == .contiguous ? isMatch == previousMatch : (isMatch && !previousMatch)
                if merge, !result.isEmpty { result[result.count - 1].1 = segments[i + 1] } else {
                    result.append((segments[i], segments[i + 1]))
                }
                previousMatch = isMatch
            }
        case .mergedWithNext:
            var previousMatch = false
            for i in stride(from: segments.count - 3, through: 0, by: -3) {
                let isMatch = segments[i + 2] == 1
                if isMatch && !previousMatch, !result.isEmpty { result[result.count - 1].0 = segments[i] } else {
                    result.append((segments[i], segments[i + 1]))
                }
                previousMatch = isMatch
            }
            result.reverse()
        }
        for (s, e) in result where e > s {
            out.append(s)
            out.append(e)
        }
    }
}
