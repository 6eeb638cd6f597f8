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
                switch step {
                case .nfc: text = s.precomposedStringWithCanonicalMapping
                case .nfd: text = s.decomposedStringWithCanonicalMapping
                case .nfkc: text = s.precomposedStringWithCompatibilityMapping
                default: text = s.decomposedStringWithCompatibilityMapping
                }
            case .lowercase:
                text = (text ?? String(decoding: bytes, as: UTF8.self)).lowercased()
            case .sequence:
                break  // flattened in init
            }
        }
        return text.map { Array($0.utf8) } ?? Array(bytes)
    }

    /// The normalized form of a string (for matching `normalized` added tokens).
    func apply(_ s: String) -> String {
        String(decoding: apply(s.utf8), as: UTF8.self)
    }
}
