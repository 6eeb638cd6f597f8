import Foundation

/// The normalizer chain (Unicode normalization forms and lowercasing), applied to the text
/// between added tokens before pre-tokenization.
struct Normalizer: Sendable {
    let steps: [NormalizerConfig]

    init?(_ config: NormalizerConfig?) {
        var steps: [NormalizerConfig] = []
        func flatten(_ c: NormalizerConfig) {
            if case .sequence(let items) = c { items.forEach(flatten) } else { steps.append(c) }
        }
        if let config { flatten(config) }
        if steps.isEmpty { return nil }
        self.steps = steps
    }

    func apply<C: Collection<UInt8>>(_ bytes: C) -> [UInt8] {
        let ascii = bytes.allSatisfy { $0 < 0x80 }
        var text: String? = nil
        for step in steps {
            switch step {
            case .nfc, .nfd, .nfkc, .nfkd:
                if ascii { continue }  // ASCII is invariant under every normalization form
                let s = text ?? String(decoding: bytes, as: UTF8.self)
                // Foundation on Linux skips canonical reordering of marks that come out of a
                // decomposition (U+0F75 → U+0F71 U+0F74 before U+0323): decompose, reorder here,
                // then compose. Checked against Python's unicodedata on random mark sequences.
                switch step {
                case .nfc: text = Self.canonicalOrder(s.decomposedStringWithCanonicalMapping).precomposedStringWithCanonicalMapping
                case .nfd: text = Self.canonicalOrder(s.decomposedStringWithCanonicalMapping)
                case .nfkc: text = Self.canonicalOrder(s.decomposedStringWithCompatibilityMapping).precomposedStringWithCanonicalMapping
                default: text = Self.canonicalOrder(s.decomposedStringWithCompatibilityMapping)
                }
            case .lowercase:
                text = (text ?? String(decoding: bytes, as: UTF8.self)).lowercased()
            case .sequence:
                break  // flattened in init
            }
        }
        return text.map { Array($0.utf8) } ?? Array(bytes)
    }

    /// The Unicode canonical ordering algorithm: each run of non-starters stably sorted by
    /// combining class.
    static func canonicalOrder(_ s: String) -> String {
        var scalars = Array(s.unicodeScalars)
        var changed = false
        var i = 0
        while i < scalars.count {
            if scalars[i].properties.canonicalCombiningClass.rawValue == 0 { i += 1; continue }
            var j = i + 1
            while j < scalars.count && scalars[j].properties.canonicalCombiningClass.rawValue != 0 { j += 1 }
            if j - i > 1 {
                let run = scalars[i..<j].enumerated().sorted {
                    let a = $0.element.properties.canonicalCombiningClass.rawValue
                    let b = $1.element.properties.canonicalCombiningClass.rawValue
                    return a != b ? a < b : $0.offset < $1.offset
                }.map(\.element)
                if !run.elementsEqual(scalars[i..<j]) { scalars.replaceSubrange(i..<j, with: run); changed = true }
            }
            i = j
        }
        if !changed { return s }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// The normalized form of a string (for matching `normalized` added tokens).
    func apply(_ s: String) -> String {
        String(decoding: apply(s.utf8), as: UTF8.self)
    }
}
