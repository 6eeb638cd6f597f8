import FulgurSupport

/// Random text made to break tokenizers (drawn from a seeded SplitMix64).
enum RandomText {
    /// Fragments: combining marks, emoji with skin tones and ZWJ sequences, CRLF, tabs,
    /// Unicode spaces, scripts, contractions, digits and special-token strings.
    static let fragments: [String] = [
        "a", "Z", "the", " the", "Hello", "WORLD", "é", "e\u{301}", "a\u{308}\u{301}\u{323}", "\u{301}", "\u{20DD}",
        "👍🏽", "👨\u{200D}👩\u{200D}👧", "🏳️\u{200D}🌈", "🇫🇷", "🙂", "\r\n", "\n", "\r", "\t", " ", "  ", "\u{0B}", "\u{0C}",
        "\u{85}", "\u{A0}", "\u{2028}", "\u{3000}", "\u{200B}", "\u{FEFF}", "数学", "日本語", "한국어", "עברית", "العربية", "हिन्दी",
        "ǅ", "ʰ", "'s", "'T", "'ll", "'RE", "don't", "1", "42", "1234567", "٣", "½", "Ⅻ", ".", ",", "!?", "...", "/", "\\",
        "//", "<", ">", "<pad>", "<end_of_sentence>", "<beginning_of_sentence>", "<end_of_sentence", "<<pad>>", "$", "_",
        "\u{0}", "\u{7F}", "\u{1F}", "ſ", "ﬁ", "①", "Ω", "😀😃", "\u{10FFFF}", "\u{E000}",
    ]

    static func string(_ rng: inout SplitMix64, maxFragments: Int = 24) -> String {
        var s = ""
        for _ in 0..<Int.random(in: 0...maxFragments, using: &rng) {
            let r = Int.random(in: 0..<100, using: &rng)
            if r < 3 {
                // A long run of one fragment (exercises the heap merge and whitespace runs).
                s += String(repeating: fragments.randomElement(using: &rng)!, count: Int.random(in: 50...400, using: &rng))
            } else if r < 10 {
                // Any scalar assigned by Unicode 15.0 (newer ones may be classified differently by
                // the Swift runtime and by the regex engines HF and ICU ship).
                var v = UInt32.random(in: 1...0x10FFFF, using: &rng)
                if (0xD800...0xDFFF).contains(v) { v = 0x41 }
                let scalar = Unicode.Scalar(v)!
                if let age = scalar.properties.age, age.major < 15 || (age.major == 15 && age.minor == 0) {
                    s.unicodeScalars.append(scalar)
                }
            } else {
                s += fragments.randomElement(using: &rng)!
            }
        }
        return s
    }
}
