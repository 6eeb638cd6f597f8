import FulgurSupport
import Foundation

/// Trains a byte-level BPE tokenizer and writes it as an HF `tokenizer.json`.
///
/// The merge order follows HF's `BpeTrainer`: ids 0… are the special tokens, then the 256
/// byte characters sorted by code point, then one token per merge; each step merges the pair
/// with the highest count over the corpus, ties going to the smallest (left id, right id).
/// Given the same pre-tokenized words, HF and this trainer produce the same merges.
public struct BPETrainer: Sendable {
    /// The pre-tokenizer regex of the trained tokenizer.
    public enum Pattern: String, Sendable, CaseIterable {
        /// GPT-4o style split (case-aware words, digits in threes), then ByteLevel without regex.
        case o200k
        /// Llama-3 / cl100k split, then ByteLevel without regex.
        case llama3
        /// GPT-2: the ByteLevel pre-tokenizer's own regex.
        case gpt2
        /// Qwen2 split: as llama3 but every digit alone (better for arithmetic).
        case qwen2
    }

    public var vocabularySize: Int
    public var specialTokens: [String]
    public var pattern: Pattern
    /// Pairs seen fewer times than this are never merged.
    public var minFrequency: Int

    public init(vocabularySize: Int, specialTokens: [String] = [], pattern: Pattern = .o200k, minFrequency: Int = 0) {
        self.vocabularySize = vocabularySize
        self.specialTokens = specialTokens
        self.pattern = pattern
        self.minFrequency = minFrequency
    }

    /// The pre-tokenizer as it appears in tokenizer.json.
    var preTokenizerConfig: PreTokenizerConfig {
        switch pattern {
        case .gpt2: return .byteLevel(addPrefixSpace: false, useRegex: true)
        case .o200k: return .sequence([.split(pattern: .regex(KnownPattern.o200kRegex), behavior: .isolated, invert: false),
                                       .byteLevel(addPrefixSpace: false, useRegex: false)])
        case .llama3: return .sequence([.split(pattern: .regex(KnownPattern.cl100kRegex), behavior: .isolated, invert: false),
                                        .byteLevel(addPrefixSpace: false, useRegex: false)])
        case .qwen2: return .sequence([.split(pattern: .regex(KnownPattern.qwen2Regex), behavior: .isolated, invert: false),
                                       .byteLevel(addPrefixSpace: false, useRegex: false)])
        }
    }

    var knownPattern: KnownPattern {
        switch pattern {
        case .gpt2: return .gpt2
        case .o200k: return .o200k
        case .llama3: return .cl100k(maxDigits: 3)
        case .qwen2: return .cl100k(maxDigits: 1)
        }
    }

    // MARK: - Word counts

    /// Unique pre-tokens (raw bytes) with their counts.
    public struct WordCounts: Sendable {
        var table = ByteStringTable(capacity: 1 << 16)
        var counts: [Int] = []

        public init() {}

        mutating func add(_ p: UnsafePointer<UInt8>, _ n: Int) {
            if let e = table.find(p, n) {
                counts[Int(e)] += 1
            } else {
                table.insert(UnsafeBufferPointer(start: p, count: n), value: Int32(counts.count))
                counts.append(1)
            }
        }

        public var uniqueWords: Int { counts.count }
    }

    /// Counts the pre-tokens of one training sequence (HF: one sequence per file or iterator
    /// item). As in HF, special-token strings in training text are ordinary text here.
    public func count(_ text: String, into words: inout WordCounts) {
        var text = text
        let pattern = knownPattern
        text.withUTF8 { buf in
            guard let p = buf.baseAddress else { return }
            let t = ClassifiedText(p, end: buf.count)
            var i = 0
            while i < buf.count {
                let e = pattern.matchEnd(t, at: i)
                words.add(p + i, e - i)
                i = e
            }
        }
    }

    /// Reads the files, each one training sequence. Files over `chunkBytes` are read in pieces
    /// cut after a line end (each piece a sequence). Errors name the file.
    public func countFiles(_ paths: [String], chunkBytes: Int = 256 << 20) throws -> WordCounts {
        var words = WordCounts()
        func add(_ data: Data, _ path: String) throws {
            guard let text = String(validating: data, as: UTF8.self) else { throw FileError(path, "not valid UTF-8 text") }
            count(text, into: &words)
        }
        for path in paths {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw FileError(path, "cannot read file") }
            defer { try? handle.close() }
            var pending = Data()
            while true {
                let chunk = handle.readData(ofLength: chunkBytes)
                pending += chunk
                if chunk.isEmpty { break }
                // Keep reading until a line end lets us cut (or the file ends).
                guard pending.count >= chunkBytes, let cut = pending.lastIndex(of: 0x0A) else { continue }
                try add(pending[..<(cut + 1)], path)
                pending = Data(pending[(cut + 1)...])
            }
            try add(pending, path)
        }
        return words
    }

    // MARK: - Merges

    /// The result: the vocabulary (id order) and the merges (rank order), in byte-level spelling.
    public struct Result: Sendable {
        public var vocab: [String]
        public var merges: [(String, String)]
    }

    public func train(_ words: WordCounts) throws(TokenizerError) -> Result {
        var vocab: [String] = []
        var idOf: [String: Int32] = [:]  // byte-level strings only: no canonical-equivalence clashes
        func addToken(_ s: String) -> Int32 {
            if let id = idOf[s] { return id }
            idOf[s] = Int32(vocab.count)
            vocab.append(s)
            return Int32(vocab.count - 1)
        }
        for s in specialTokens { _ = addToken(s) }
        let alphabetMinimum = vocab.count + 256
        guard vocabularySize >= alphabetMinimum else {
            throw TokenizerError(.invalidValue, path: "vocab-size",
                                 "must be at least \(alphabetMinimum) (\(specialTokens.count) special tokens + 256 bytes)")
        }
        var byteId = [Int32](repeating: 0, count: 256)
        for char in ByteLevel.alphabet {
            let id = addToken(char)
            if let b = ByteLevel.bytes(of: char), b.count == 1 { byteId[Int(b[0])] = id }
        }

        // Words as symbol ids.
        var symbols: [[Int32]] = []
        symbols.reserveCapacity(words.counts.count)
        words.table.forEach { key, _ in symbols.append(key.map { byteId[Int($0)] }) }
        let counts = words.counts

        var pairCounts: [UInt64: Int] = [:]
        var wordsWithPair: [UInt64: Set<Int32>] = [:]
        for (w, s) in symbols.enumerated() where s.count > 1 {
            for i in 0..<s.count - 1 {
                let k = MergeTable.key(s[i], s[i + 1])
                pairCounts[k, default: 0] += counts[w]
                wordsWithPair[k, default: []].insert(Int32(w))
            }
        }
        var queue = PairQueue()
        for (k, pos) in wordsWithPair where pairCounts[k]! > 0 { queue.push(.init(count: pairCounts[k]!, pair: k, words: pos)) }
        wordsWithPair.removeAll()

        var merges: [(String, String)] = []
        while vocab.count < vocabularySize, var top = queue.pop() {
            let current = pairCounts[top.pair] ?? 0
            if top.count != current {
                top.count = current
                queue.push(top)
                continue
            }
            if top.count < 1 || top.count < minFrequency { break }
            let a = Int32(truncatingIfNeeded: top.pair >> 32), b = Int32(truncatingIfNeeded: top.pair & 0xFFFF_FFFF)
            let merged = addToken(vocab[Int(a)] + vocab[Int(b)])
            merges.append((vocab[Int(a)], vocab[Int(b)]))
            var formed: [UInt64: Set<Int32>] = [:]
            for w in top.words {
                Self.merge(&symbols[Int(w)], a, b, merged) { pair, change in
                    pairCounts[pair, default: 0] += change * counts[Int(w)]
                    if change > 0 { formed[pair, default: []].insert(w) }
                }
            }
            for (k, pos) in formed {
                let c = pairCounts[k] ?? 0
                if c > 0 { queue.push(.init(count: c, pair: k, words: pos)) }
            }
        }
        return Result(vocab: vocab, merges: merges)
    }

    /// Merges every occurrence of (a, b) in a word, reporting the pair-count changes.
    static func merge(_ s: inout [Int32], _ a: Int32, _ b: Int32, _ merged: Int32, _ change: (UInt64, Int) -> Void) {
        var i = 0
        while i < s.count - 1 {
            if s[i] == a && s[i + 1] == b {
                if i > 0 {
                    change(MergeTable.key(s[i - 1], a), -1)
                    change(MergeTable.key(s[i - 1], merged), 1)
                }
                if i + 2 < s.count {
                    change(MergeTable.key(b, s[i + 2]), -1)
                    change(MergeTable.key(merged, s[i + 2]), 1)
                }
                s[i] = merged
                s.remove(at: i + 1)
            }
            i += 1
        }
    }

    // MARK: - Output

    /// The trained tokenizer as tokenizer.json content (loadable by HF tokenizers and `Tokenizer`).
    public func tokenizerJSON(_ result: Result) -> JSONTree {
        func added(_ content: String, _ id: Int) -> JSONTree {
            .object([("id", .number(String(id))), ("content", .string(content)), ("single_word", .bool(false)),
                     ("lstrip", .bool(false)), ("rstrip", .bool(false)), ("normalized", .bool(false)), ("special", .bool(true))])
        }
        let model: JSONTree = .object([
            ("type", .string("BPE")), ("dropout", .null), ("unk_token", .null), ("continuing_subword_prefix", .null),
            ("end_of_word_suffix", .null), ("fuse_unk", .bool(false)), ("byte_fallback", .bool(false)),
            ("ignore_merges", .bool(false)),
            ("vocab", .object(result.vocab.enumerated().map { ($1, .number(String($0))) })),
            ("merges", .array(result.merges.map { .array([.string($0.0), .string($0.1)]) })),
        ])
        let byteLevel: JSONTree = .object([("type", .string("ByteLevel")), ("add_prefix_space", .bool(false)),
                                           ("trim_offsets", .bool(true)), ("use_regex", .bool(true))])
        return .object([
            ("version", .string("1.0")), ("truncation", .null), ("padding", .null),
            ("added_tokens", .array(specialTokens.enumerated().map { added($1, $0) })),
            ("normalizer", .null), ("pre_tokenizer", preTokenizerConfig.json), ("post_processor", .null),
            ("decoder", byteLevel), ("model", model),
        ])
    }
}

/// A max-heap of pair candidates: highest count first, ties to the smallest pair (HF's order).
struct PairQueue {
    struct Entry {
        var count: Int
        let pair: UInt64
        let words: Set<Int32>

        func before(_ o: Entry) -> Bool { count != o.count ? count > o.count : pair < o.pair }
    }

    private var heap: [Entry] = []

    mutating func push(_ e: Entry) {
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if !heap[i].before(heap[p]) { break }
            heap.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> Entry? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count && heap[l].before(heap[m]) { m = l }
            if r < heap.count && heap[r].before(heap[m]) { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
        return top
    }
}

extension PreTokenizerConfig {
    /// The tokenizer.json form.
    var json: JSONTree {
        switch self {
        case .byteLevel(let prefix, let regex):
            return .object([("type", .string("ByteLevel")), ("add_prefix_space", .bool(prefix)), ("trim_offsets", .bool(true)),
                            ("use_regex", .bool(regex))])
        case .split(let pattern, let behavior, let invert):
            let p: JSONTree
            switch pattern {
            case .string(let s): p = .object([("String", .string(s))])
            case .regex(let r): p = .object([("Regex", .string(r))])
            }
            return .object([("type", .string("Split")), ("pattern", p), ("behavior", .string(behavior.rawValue)),
                            ("invert", .bool(invert))])
        case .digits(let individual):
            return .object([("type", .string("Digits")), ("individual_digits", .bool(individual))])
        case .whitespace: return .object([("type", .string("Whitespace"))])
        case .whitespaceSplit: return .object([("type", .string("WhitespaceSplit"))])
        case .punctuation(let behavior):
            return .object([("type", .string("Punctuation")), ("behavior", .string(behavior.rawValue))])
        case .sequence(let items):
            return .object([("type", .string("Sequence")), ("pretokenizers", .array(items.map(\.json)))])
        }
    }
}
