/// The typed content of an HF `tokenizer.json`: the subset this implementation runs.
/// Anything outside it is rejected by `TokenizerConfig(json:)` with an error naming the
/// component, never skipped.
public struct TokenizerConfig: Sendable {
    public var addedTokens: [AddedTokenConfig]
    public var normalizer: NormalizerConfig?
    public var preTokenizer: PreTokenizerConfig?
    public var model: BPEConfig
    public var decoder: DecoderConfig?
}

public struct AddedTokenConfig: Sendable, Equatable {
    public var id: Int
    public var content: String
    public var singleWord = false
    public var lstrip = false
    public var rstrip = false
    public var normalized = false
    public var special = true

    public init(id: Int, content: String, singleWord: Bool = false, lstrip: Bool = false, rstrip: Bool = false,
                normalized: Bool = false, special: Bool = true) {
        self.id = id
        self.content = content
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized
        self.special = special
    }
}

public indirect enum NormalizerConfig: Sendable, Equatable {
    case nfc, nfd, nfkc, nfkd, lowercase
    case sequence([NormalizerConfig])
}

/// How a `Split` treats the pieces its pattern matches (HF `SplitDelimiterBehavior`).
public enum SplitBehavior: String, Sendable, Equatable, CaseIterable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"
}

public enum SplitPatternConfig: Sendable, Equatable {
    /// A literal string.
    case string(String)
    /// An Oniguruma-flavoured regular expression.
    case regex(String)
}

public indirect enum PreTokenizerConfig: Sendable, Equatable {
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case split(pattern: SplitPatternConfig, behavior: SplitBehavior, invert: Bool)
    case digits(individualDigits: Bool)
    case whitespace
    case whitespaceSplit
    case punctuation(behavior: SplitBehavior)
    case sequence([PreTokenizerConfig])
}

public enum DecoderConfig: Sendable, Equatable {
    case byteLevel
}

public struct BPEConfig: Sendable {
    /// Token strings with their ids, in file order (kept as strings; compared as bytes).
    public var vocab: [(token: String, id: Int)]
    /// Merge pairs in rank order.
    public var merges: [(left: String, right: String)]
    public var unkToken: String?
    public var fuseUnk = false
    public var byteFallback = false
    public var ignoreMerges = false
}

extension TokenizerConfig {
    /// Parses and validates `tokenizer.json` bytes.
    public init(json bytes: [UInt8]) throws(TokenizerError) {
        let tree: JSONTree
        do { tree = try JSONTree.parse(bytes) } catch {
            throw TokenizerError(.invalidJSON, path: "", error.description)
        }
        try self.init(tree: tree)
    }

    init(tree: JSONTree) throws(TokenizerError) {
        let root = JSONReader(tree)
        guard case .object = tree else { throw root.invalid("expected a JSON object at the top level, found \(tree.kindName)") }
        addedTokens = try (root.optional("added_tokens")?.array() ?? []).map { r throws(TokenizerError) in
            AddedTokenConfig(
                id: try r.required("id").int(), content: try r.required("content").string(),
                singleWord: try r.bool("single_word", default: false), lstrip: try r.bool("lstrip", default: false),
                rstrip: try r.bool("rstrip", default: false), normalized: try r.bool("normalized", default: true),
                special: try r.bool("special", default: false))
        }
        normalizer = try root.optional("normalizer").map { r throws(TokenizerError) in try NormalizerConfig(r) }
        preTokenizer = try root.optional("pre_tokenizer").map { r throws(TokenizerError) in try PreTokenizerConfig(r) }
        model = try BPEConfig(try root.required("model"))
        decoder = try root.optional("decoder").map { r throws(TokenizerError) in try DecoderConfig(r) }
    }
}

func unsupported(_ r: JSONReader, _ what: String, _ name: String, supported: [String]) -> TokenizerError {
    TokenizerError(.unsupported, path: r.child("type"),
                   "unsupported \(what) '\(name)' (supported: \(supported.joined(separator: ", ")))")
}

extension NormalizerConfig {
    static let supported = ["NFC", "NFD", "NFKC", "NFKD", "Lowercase", "Sequence"]

    init(_ r: JSONReader) throws(TokenizerError) {
        let type = try r.typeTag()
        switch type {
        case "NFC": self = .nfc
        case "NFD": self = .nfd
        case "NFKC": self = .nfkc
        case "NFKD": self = .nfkd
        case "Lowercase": self = .lowercase
        case "Sequence":
            self = .sequence(try r.required("normalizers").array().map { n throws(TokenizerError) in try NormalizerConfig(n) })
        default: throw unsupported(r, "normalizer", type, supported: Self.supported)
        }
    }
}

extension SplitBehavior {
    init(_ r: JSONReader) throws(TokenizerError) {
        let s = try r.string()
        // JSON files use "Isolated"; the Python API spells it "isolated" / "merged_with_previous".
        let camel = s.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        guard let b = SplitBehavior(rawValue: camel) else {
            throw r.invalid("unknown split behavior '\(s)' (expected one of \(SplitBehavior.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self = b
    }
}

extension PreTokenizerConfig {
    static let supported = ["ByteLevel", "Split", "Sequence", "Digits", "Whitespace", "WhitespaceSplit", "Punctuation"]

    init(_ r: JSONReader) throws(TokenizerError) {
        let type = try r.typeTag()
        switch type {
        case "ByteLevel":
            self = .byteLevel(addPrefixSpace: try r.bool("add_prefix_space", default: true),
                              useRegex: try r.bool("use_regex", default: true))
        case "Split":
            let p = try r.required("pattern")
            let pattern: SplitPatternConfig
            if let s = try p.optional("String") {
                pattern = .string(try s.string())
            } else if let s = try p.optional("Regex") {
                pattern = .regex(try s.string())
            } else {
                throw p.invalid("expected {\"String\": …} or {\"Regex\": …}")
            }
            self = .split(pattern: pattern, behavior: try SplitBehavior(try r.required("behavior")),
                          invert: try r.bool("invert", default: false))
        case "Digits": self = .digits(individualDigits: try r.bool("individual_digits", default: false))
        case "Whitespace": self = .whitespace
        case "WhitespaceSplit": self = .whitespaceSplit
        case "Punctuation":
            self = .punctuation(behavior: try r.optional("behavior").map { b throws(TokenizerError) in try SplitBehavior(b) } ?? .isolated)
        case "Sequence":
            self = .sequence(try r.required("pretokenizers").array().map { p throws(TokenizerError) in try PreTokenizerConfig(p) })
        default: throw unsupported(r, "pre-tokenizer", type, supported: Self.supported)
        }
    }
}

extension DecoderConfig {
    init(_ r: JSONReader) throws(TokenizerError) {
        let type = try r.typeTag()
        guard type == "ByteLevel" else { throw unsupported(r, "decoder", type, supported: ["ByteLevel"]) }
        self = .byteLevel
    }
}

extension BPEConfig {
    init(_ r: JSONReader) throws(TokenizerError) {
        // Files written by early versions of tokenizers omit the model's type; such a model with merges is BPE.
        let hasMerges = try r.optional("merges") != nil
        let type = try r.optional("type")?.string() ?? (hasMerges ? "BPE" : "(no type)")
        guard type == "BPE" else { throw unsupported(r, "model", type, supported: ["BPE"]) }
        if let d = try r.optional("dropout"), try d.double() != 0 {
            throw TokenizerError(.unsupported, path: d.path, "BPE dropout is not supported (it makes encoding random)")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let v = try r.optional(key), try !v.string().isEmpty {
                throw TokenizerError(.unsupported, path: v.path, "'\(key)' is not supported")
            }
        }
        unkToken = try r.optional("unk_token")?.string()
        fuseUnk = try r.bool("fuse_unk", default: false)
        byteFallback = try r.bool("byte_fallback", default: false)
        ignoreMerges = try r.bool("ignore_merges", default: false)
        vocab = try r.required("vocab").members().map { m throws(TokenizerError) in (m.key, try m.value.int()) }
        merges = try r.required("merges").array().map { m throws(TokenizerError) in
            switch m.value {
            case .string(let line):
                // Legacy "a b" form: exactly one space separates the two tokens.
                let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw m.invalid("a merge must be two tokens separated by one space, found \"\(line)\"") }
                return (String(parts[0]), String(parts[1]))
            case .array(let pair):
                guard pair.count == 2, case .string(let a) = pair[0], case .string(let b) = pair[1] else {
                    throw m.invalid("a merge must be a pair of two strings")
                }
                return (a, b)
            default:
                throw m.invalid("a merge must be a string \"a b\" or a pair [\"a\", \"b\"], found \(m.value.kindName)")
            }
        }
    }
}
