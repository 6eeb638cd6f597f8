import FulgurSupport
import Foundation

/// A byte-level BPE tokenizer loaded from an HF `tokenizer.json`, encoding exactly as HF
/// `tokenizers` does with `add_special_tokens=False`: added tokens are found in the raw text
/// first, the rest is normalized, pre-tokenized and merged. Immutable and `Sendable`: share one
/// instance between threads.
public struct Tokenizer: Sendable {
    /// One more than the largest token id (vocabulary and added tokens).
    public let vocabularySize: Int
    /// Ids of the added tokens marked `special`.
    public let specialTokenIds: Set<Int>
    /// The added tokens, as listed in the file.
    public let addedTokens: [AddedTokenConfig]

    let model: BPEModel
    let preTokenizer: PreTokenizer
    let normalizer: Normalizer?
    let rawAddedTokens: AddedTokenMatcher
    let normalizedAddedTokens: AddedTokenMatcher
    let tokenStrings: [String?]
    let tokenIds: ByteStringTable
    let decoding: TokenDecoder

    /// Loads a `tokenizer.json`; errors name the file, the JSON path and the reason.
    public init(contentsOfFile path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError(.unreadable, path: "", "cannot read file", file: path)
        }
        do { try self.init(json: [UInt8](data)) } catch {
            var e = error
            e.file = path
            throw e
        }
    }

    public init(json: [UInt8]) throws(TokenizerError) {
        try self.init(config: try TokenizerConfig(json: json))
    }

    /// Ids index dense tables; real vocabularies stay far below this.
    static let maxId = 1 << 24

    public init(config: TokenizerConfig) throws(TokenizerError) {
        preTokenizer = try PreTokenizer(config.preTokenizer)
        normalizer = Normalizer(config.normalizer)
        let byteLevel = preTokenizer.byteLevel
        let m = config.model

        // Vocabulary: exact token strings (as UTF-8) → id, and id → string.
        var ids = ByteStringTable(capacity: m.vocab.count + config.addedTokens.count)
        var largestId = -1
        for entry in m.vocab {
            guard entry.id >= 0 && entry.id < Self.maxId else {
                throw TokenizerError(.invalidValue, path: "model.vocab.\(entry.token)", "invalid id \(entry.id) for '\(entry.token)' (ids must be below \(Self.maxId))")
            }
            ids.insert(entry.token.utf8, value: Int32(entry.id))
            largestId = max(largestId, entry.id)
        }
        var strings = [String?](repeating: nil, count: largestId + 1)
        for (token, id) in m.vocab {
            if let other = strings[id], !other.utf8.elementsEqual(token.utf8) {
                throw TokenizerError(.invalidValue, path: "model.vocab", "tokens '\(other)' and '\(token)' share id \(id)")
            }
            strings[id] = token
        }

        // The model's lookup table is keyed by what the model sees: raw bytes for byte-level BPE.
        var modelVocab = ByteStringTable(capacity: m.vocab.count)
        var byteIds = [Int32](repeating: -1, count: 256)
        for (token, id) in m.vocab {
            if byteLevel {
                guard let bytes = ByteLevel.bytes(of: token) else { continue }  // unreachable by BPE
                modelVocab.insert(bytes, value: Int32(id))
                if bytes.count == 1 { byteIds[Int(bytes[0])] = Int32(id) }
            } else {
                modelVocab.insert(token.utf8, value: Int32(id))
            }
        }
        var merges = MergeTable(capacity: max(m.merges.count, 1))
        var joined: [UInt8] = []
        for (rank, pair) in m.merges.enumerated() {
            let path = "model.merges[\(rank)]"
            guard let a = ids.find(pair.left.utf8) else {
                throw TokenizerError(.invalidValue, path: path, "merge of '\(pair.left)' and '\(pair.right)': '\(pair.left)' is not in the vocabulary")
            }
            guard let b = ids.find(pair.right.utf8) else {
                throw TokenizerError(.invalidValue, path: path, "merge of '\(pair.left)' and '\(pair.right)': '\(pair.right)' is not in the vocabulary")
            }
            joined.removeAll(keepingCapacity: true)
            joined.append(contentsOf: pair.left.utf8)
            joined.append(contentsOf: pair.right.utf8)
            guard let merged = ids.find(joined) else {
                throw TokenizerError(.invalidValue, path: path, "merge result '\(pair.left + pair.right)' is not in the vocabulary")
            }
            merges.insert(a, b, rank: UInt32(rank), merged: merged)
        }
        var fallbackIds = [Int32](repeating: -1, count: 256)
        if m.byteFallback {
            for b in 0..<256 {
                let hex = String(b, radix: 16, uppercase: true)
                fallbackIds[b] = ids.find("<0x\(hex.count == 1 ? "0" + hex : hex)>".utf8) ?? -1
            }
        }
        var unkId: Int32 = -1
        if let unk = m.unkToken {
            guard let id = ids.find(unk.utf8) else {
                throw TokenizerError(.invalidValue, path: "model.unk_token", "'\(unk)' is not in the vocabulary")
            }
            unkId = id
        }
        model = BPEModel(byteLevel: byteLevel, vocab: modelVocab, merges: merges, byteIds: byteIds,
                         fallbackIds: fallbackIds, unkId: unkId, fuseUnk: m.fuseUnk, byteFallback: m.byteFallback,
                         ignoreMerges: m.ignoreMerges)

        // Added tokens: a token already in the vocabulary keeps the vocabulary's id (as in HF).
        var raw: [AddedTokenMatcher.Entry] = []
        var normalizedEntries: [AddedTokenMatcher.Entry] = []
        var specials = Set<Int>()
        var addedIds: [(id: Int, content: String, spelling: String)] = []
        for (i, t) in config.addedTokens.enumerated() where !t.content.isEmpty {
            guard t.id >= 0 && t.id < Self.maxId else {
                throw TokenizerError(.invalidValue, path: "added_tokens[\(i)].id", "invalid id \(t.id) (ids must be below \(Self.maxId))")
            }
            let id = Int(ids.find(t.content.utf8) ?? Int32(t.id))
            if t.special { specials.insert(id) }
            // A normalized token is matched, and decoded (as in HF), in its normalized form.
            let content = t.normalized ? (normalizer?.apply(t.content) ?? t.content) : t.content
            addedIds.append((id, t.content, content))
            let entry = AddedTokenMatcher.Entry(bytes: Array(content.utf8), id: Int32(id), singleWord: t.singleWord,
                                                lstrip: t.lstrip, rstrip: t.rstrip, special: t.special)
            if t.normalized { normalizedEntries.append(entry) } else { raw.append(entry) }
        }
        rawAddedTokens = AddedTokenMatcher(raw)
        normalizedAddedTokens = AddedTokenMatcher(normalizedEntries)
        for (id, content, spelling) in addedIds {
            if id >= strings.count { strings += [String?](repeating: nil, count: id + 1 - strings.count) }
            strings[id] = spelling
            ids.insert(content.utf8, value: Int32(id))
        }
        tokenStrings = strings
        tokenIds = ids
        vocabularySize = strings.count
        specialTokenIds = specials
        addedTokens = config.addedTokens
        decoding = TokenDecoder(tokens: strings, config: config.decoder)
    }

    // MARK: - Lookup

    /// The id of a token, spelled as in the vocabulary (byte-level: "Ġthe"), or nil.
    public func id(forToken token: String) -> Int? { tokenIds.find(token.utf8).map(Int.init) }

    /// The vocabulary spelling of an id, or nil when no token has it.
    public func token(forId id: Int) -> String? { id >= 0 && id < tokenStrings.count ? tokenStrings[id] : nil }

    /// The id of an added token marked special (for example `<end_of_sentence>`), or nil.
    public func specialTokenId(_ content: String) -> Int? {
        id(forToken: content).flatMap { specialTokenIds.contains($0) ? $0 : nil }
    }

    // MARK: - Encoding

    /// Encodes text without adding special tokens. Special-token strings in the text become
    /// their ids, unless `matchSpecialTokens` is false (then they are encoded as ordinary text,
    /// HF's `encode_special_tokens`: use it for untrusted text).
    public func encode(_ text: String, matchSpecialTokens: Bool = true) -> [Int] {
        var text = text
        return text.withUTF8 { buf in encode(utf8: buf, matchSpecialTokens: matchSpecialTokens) }
    }

    /// Encodes UTF-8 bytes (must be valid UTF-8).
    public func encode(utf8 buf: UnsafeBufferPointer<UInt8>, matchSpecialTokens: Bool = true) -> [Int] {
        encode(utf8: buf, wordCache: buf.count >= 2048, matchSpecialTokens: matchSpecialTokens)
    }

    /// `wordCache`: remember merged pre-tokens for the rest of the call (pays off on long texts).
    func encode(utf8 buf: UnsafeBufferPointer<UInt8>, wordCache: Bool, matchSpecialTokens: Bool = true) -> [Int] {
        guard let p = buf.baseAddress, buf.count > 0 else { return [] }
        var out: [Int] = []
        out.reserveCapacity(buf.count / 3 + 4)
        var state = EncodeState(cache: wordCache)
        state.skipSpecial = !matchSpecialTokens
        if rawAddedTokens.isEmpty {
            encodeText(p, 0, buf.count, into: &out, &state)
        } else {
            var segments: [Int] = []
            rawAddedTokens.split(p, 0, buf.count, skipSpecial: !matchSpecialTokens, into: &segments)
            for k in stride(from: 0, to: segments.count, by: 3) {
                if segments[k + 2] >= 0 { out.append(segments[k + 2]) } else { encodeText(p, segments[k], segments[k + 1], into: &out, &state) }
            }
        }
        return out
    }

    struct EncodeState {
        var bpe: BPEScratch
        var work: [UInt8] = []
        var pieces: [Int] = []
        var split = PreTokenizer.Scratch()
        var skipSpecial = false

        init(cache: Bool) { bpe = BPEScratch(cache: cache) }
    }

    /// Text between raw added tokens: normalize, find normalized added tokens, pre-tokenize, merge.
    private func encodeText(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into out: inout [Int], _ state: inout EncodeState) {
        if normalizer == nil && normalizedAddedTokens.isEmpty {
            encodePieces(p, start, end, into: &out, &state)
            return
        }
        let text = normalizer.map { $0.apply(UnsafeBufferPointer(start: p + start, count: end - start)) }
            ?? Array(UnsafeBufferPointer(start: p + start, count: end - start))
        text.withUnsafeBufferPointer { t in
            let q = t.baseAddress ?? UnsafePointer(bitPattern: 1)!
            if normalizedAddedTokens.isEmpty {
                encodePieces(q, 0, t.count, into: &out, &state)
                return
            }
            var segments: [Int] = []
            normalizedAddedTokens.split(q, 0, t.count, skipSpecial: state.skipSpecial, into: &segments)
            for k in stride(from: 0, to: segments.count, by: 3) {
                if segments[k + 2] >= 0 { out.append(segments[k + 2]) } else { encodePieces(q, segments[k], segments[k + 1], into: &out, &state) }
            }
        }
    }

    private func encodePieces(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into out: inout [Int], _ state: inout EncodeState) {
        if start >= end { return }
        if preTokenizer.stages.isEmpty {
            model.encode(p, start, end, into: &out, scratch: &state.bpe)
            return
        }
        if let pattern = preTokenizer.singleKnownPattern {
            let t = ClassifiedText(p, end: end)
            var i = start
            while i < end {
                let e = pattern.matchEnd(t, at: i)
                model.encode(p, i, e, into: &out, scratch: &state.bpe)
                i = e
            }
            return
        }
        state.work.removeAll(keepingCapacity: true)
        state.work.append(contentsOf: UnsafeBufferPointer(start: p + start, count: end - start))
        preTokenizer.split(&state.work, 0, state.work.count, pieces: &state.pieces, scratch: &state.split)
        state.work.withUnsafeBufferPointer { w in
            var k = 0
            while k < state.pieces.count {
                model.encode(w.baseAddress!, state.pieces[k], state.pieces[k + 1], into: &out, scratch: &state.bpe)
                k += 2
            }
        }
    }

    // MARK: - Decoding

    /// Decodes ids to text, special tokens included. Ids without a token are skipped (as in HF);
    /// invalid UTF-8 (a character cut between ids) becomes U+FFFD.
    public func decode(_ ids: [Int]) -> String {
        String(decoding: decodeBytes(ids), as: UTF8.self)
    }

    /// The bytes the decoder produces for `ids` (possibly ending inside a UTF-8 character).
    public func decodeBytes(_ ids: [Int]) -> [UInt8] {
        var out: [UInt8] = []
        decoding.append(ids, to: &out)
        return out
    }
}
