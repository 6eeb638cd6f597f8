#!/usr/bin/env python3
"""Writes golden tokenizer cases with HF `tokenizers` (the reference implementation).

Output (committed data, read by Tests/FulgurTokenizerTests):
  Tests/FulgurTokenizerTests/Fixtures/generated/base-bytelevel.json   a small byte-level BPE
  Tests/FulgurTokenizerTests/Fixtures/generated/base-char.json        a small char-level BPE with [UNK]
  Tests/FulgurTokenizerTests/Fixtures/generated/trained-<pattern>.json   HF BpeTrainer (vocab 700,
      SPECIALS, byte alphabet) on the texts of Fixtures/bpe-gpt2/cases.jsonl, one sequence each
  Tests/FulgurTokenizerTests/Fixtures/generated/variants.jsonl        first line {"texts": [...]},
      then one line per variant: {"name", "base", "set": {top-level key: value},
      "model": {model key: value}, "ids": [[...] per text], "decoded": [null or text per text]}
A variant is its base file with the `set` keys replaced and the `model` keys replaced inside
"model"; ids come from encode(text, add_special_tokens=False) and decoded from
decode(ids, skip_special_tokens=False) (null when equal to the text).

  Tests/FulgurTokenizerTests/Fixtures/generated/chat-m1.jsonl   (only with --template) one conversation per
      line: {"messages", "tools", "add_generation_prompt", "text", "ids"}; "text" is rendered by jinja2
      from MiniMax-M1's hub chat template (as transformers renders it: trim_blocks, lstrip_blocks,
      tojson = json.dumps(ensure_ascii=False)), "ids" is HF's encode(text) with Fixtures/bpe-split.

Usage: python3 scripts/make_tokenizer_golden.py [--template MiniMax-M1/tokenizer_config.json]
       (needs `pip install tokenizers jinja2`)
"""
import glob
import json
import os
import random
import sys

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "FulgurTokenizerTests", "Fixtures", "generated")
SPECIALS = ["<pad>", "<beginning_of_sentence>", "<end_of_sentence>", "<end_of_document>", "<begin_of_document>"]

GPT2 = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
CL100K = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
QWEN2 = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
O200K = r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"""


def corpus():
    lib = os.path.dirname(os.__file__)
    files = sorted(glob.glob(lib + "/*.py"))[:120]
    for f in files:
        yield open(f, encoding="utf-8", errors="replace").read()
    # Some non-English text so that multi-byte merges exist.
    yield ("naïve café déjà vu Ünïcödé ΑΒΓ αβγ абв где עברית العربية हिन्दी 数学题 日本語のテキスト 한국어 " * 40)


def stress_texts(rng):
    """Adversarial strings for the pre-tokenizers: every class boundary the regexes care about."""
    fixed = [
        "Hello, world! It's 2026 and we've 3 cats.", "I'M SHOUTING'S OK? they'll we'd THEY'LL We'Re",
        "it'ſ (long s) 'S 'Ll 'lL", "  leading spaces\n\n\ttabs and\r\nCRLF  ", "trailing   ", "   ",
        "\n", "\r\n\r\n", " \n \n  x", "a\u000bb\u000cc\u0085d\u001ce\u2028f\u2029g\u00a0h\u3000i\u200bj",
        "x" * 300, " " * 200 + "end", "\n" * 70, "1" * 100, "١٢٣ ٤٥ ½ ⅔ Ⅻ ²³ 12345678", "3.14159 1,000,000 0x1F",
        "a\u0301 e\u0301 (combining) \u0301start", "ǅungla ǈ ǋ Title-case ǲ", "ʰʲʷ ˢᵗ modifier ᴬᴮ", "ﬁnance ﬂow ﬀ ㎏ ①②",
        "emoji 🙂👍🏽 and ZWJ 👨‍👩‍👧 🏳️‍🌈 flags 🇫🇷🇯🇵", "😀😃😄😁😆😅🤣😂🙂🙃", "Ünïcödé ΑΒΓ абв עברית العربية हिन्दी",
        "数学题：12 + 35 = 47。", "日本語のテキストとカタカナ、ひらがな。", "한국어 텍스트입니다", "ไทย ภาษา", "tab\tsep\tvalues\t",
        "path/to/file.py:12:3", "https://example.com/a/b?c=d&e=f#g", "<think>\nLet me check 1234567 * 89.\n</think>\nThe answer is \\boxed{109876463}.",
        "<beginning_of_sentence>user name=user\nhi<end_of_sentence>", "x<pad>y<pad><pad>z <end_of_sentence> w",
        "<end_of_sentence<end_of_sentence>>", "<<pad>>", "def f(x):\n    return x**2  # square\n", "if a:\r\n\tb = 'c'\r\n",
        "--- ... !!! ??? /// \\\\\\ @@@ ### $$$ %%% ^^^ &&& *** ((( )))", "MixedCASEWordsAndCamelCaseIdentifiersXMLHttpRequest",
        "don't DON'T Don'T y'all rock'n'roll", "", " ", "a", "é", "\t", "A\u0308\u0301\u0323bc", "\u0300\u0301\u0302",
        "mañana MAÑANA Straße STRASSE İstanbul ıi", "ΣΊΣΥΦΟΣ σίσυφος", "hello world hello world hello world",
    ]
    pools = [
        "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", " " * 6, "\n\r\t\u000b\u000c",
        ".,;:!?'\"()[]{}<>/\\-_=+*&^%$#@~`|", "\u0301\u0308\u0323\u20dd", "éüñçøåßðþ", "ΑΒΓαβγАБВабв", "ǅǈʰˢ",
        "数学日本語한국", "١٢٣٤½Ⅻ²", "🙂👍🏽👨\u200d👩\u200d👧", "\u00a0\u2009\u3000\u0085\u2028", "'s't're've'm'll'd'S'T'RE",
    ]
    out = []
    for _ in range(40):
        n = rng.randint(1, 60)
        s = "".join(rng.choice(rng.choice(pools)) for _ in range(n))
        out.append(s)
    return fixed + out


def snippets(rng, k):
    lib = os.path.dirname(os.__file__)
    files = sorted(glob.glob(lib + "/*.py"))[120:]
    out = []
    for f in rng.sample(files, k):
        s = open(f, encoding="utf-8", errors="replace").read()
        a = rng.randrange(0, max(1, len(s) - 400))
        out.append(s[a:a + rng.randint(40, 400)])
    return out


def train_base_bytelevel():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    tr = trainers.BpeTrainer(vocab_size=1200, special_tokens=SPECIALS,
                             initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus(), trainer=tr)
    return json.loads(tok.to_str())


def train_base_char():
    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fallback = ["<0x%02X>" % b for b in range(256)]
    tr = trainers.BpeTrainer(vocab_size=900, special_tokens=["[UNK]"] + fallback, show_progress=False)
    tok.train_from_iterator(corpus(), trainer=tr)
    return json.loads(tok.to_str())


def seq(*items):
    return {"type": "Sequence", "pretokenizers": list(items)}


def split(pattern, behavior="Isolated", invert=False, literal=False):
    return {"type": "Split", "pattern": {"String" if literal else "Regex": pattern}, "behavior": behavior, "invert": invert}


def bytelevel(prefix=False, regex=False):
    return {"type": "ByteLevel", "add_prefix_space": prefix, "trim_offsets": True, "use_regex": regex}


def added(content, id, special=True, lstrip=False, rstrip=False, single_word=False, normalized=False):
    return {"id": id, "content": content, "single_word": single_word, "lstrip": lstrip, "rstrip": rstrip,
            "normalized": normalized, "special": special}


def variants(base_bl, base_char):
    specials = base_bl["added_tokens"]
    n = len(base_bl["model"]["vocab"])
    v = [
        ("gpt2", "base-bytelevel", {}, {}),
        ("gpt2-prefix-space", "base-bytelevel", {"pre_tokenizer": bytelevel(prefix=True, regex=True)}, {}),
        ("llama3", "base-bytelevel", {"pre_tokenizer": seq(split(CL100K), bytelevel())}, {}),
        ("qwen2", "base-bytelevel", {"pre_tokenizer": seq(split(QWEN2), bytelevel())}, {}),
        ("o200k", "base-bytelevel", {"pre_tokenizer": seq(split(O200K), bytelevel())}, {}),
        ("o200k-prefix-space", "base-bytelevel", {"pre_tokenizer": seq(split(O200K), bytelevel(prefix=True))}, {}),
        ("literal-space-removed", "base-bytelevel", {"pre_tokenizer": seq(split(" ", "Removed", literal=True), bytelevel())}, {}),
        ("literal-ab-contiguous", "base-bytelevel", {"pre_tokenizer": seq(split("ab", "Contiguous", literal=True), bytelevel())}, {}),
        ("digits-individual", "base-bytelevel", {"pre_tokenizer": seq({"type": "Digits", "individual_digits": True}, bytelevel(regex=True))}, {}),
        ("digits-contiguous", "base-bytelevel", {"pre_tokenizer": seq({"type": "Digits", "individual_digits": False}, bytelevel())}, {}),
        ("whitespace", "base-bytelevel", {"pre_tokenizer": seq({"type": "Whitespace"}, bytelevel())}, {}),
        ("whitespace-split", "base-bytelevel", {"pre_tokenizer": seq({"type": "WhitespaceSplit"}, bytelevel())}, {}),
        ("punctuation", "base-bytelevel", {"pre_tokenizer": seq({"type": "Punctuation", "behavior": "Isolated"}, bytelevel(regex=True))}, {}),
        ("nfc", "base-bytelevel", {"normalizer": {"type": "NFC"}}, {}),
        ("nfkc", "base-bytelevel", {"normalizer": {"type": "NFKC"}}, {}),
        ("nfd", "base-bytelevel", {"normalizer": {"type": "NFD"}}, {}),
        ("nfkc-sequence", "base-bytelevel", {"normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKD"}, {"type": "NFC"}]}}, {}),
        ("ignore-merges", "base-bytelevel", {}, {"ignore_merges": True}),
        ("legacy-merges", "base-bytelevel", {}, {"merges": [a + " " + b for a, b in base_bl["model"]["merges"]]}),
        ("no-decoder", "base-bytelevel", {"decoder": None}, {}),
        ("added-token-flags", "base-bytelevel", {"added_tokens": specials + [
            added("<lstrip>", n, lstrip=True), added("<rstrip>", n + 1, rstrip=True),
            added("<both>", n + 2, lstrip=True, rstrip=True), added("word", n + 3, special=False, single_word=True),
            added("hello world", n + 4, special=False), added("→x", n + 5, special=False),
            added("ﬁne", n + 6, special=False, normalized=True), added("Ġzz", n + 7, special=False)]},
         {}),
        ("added-normalized-nfkc", "base-bytelevel", {"normalizer": {"type": "NFKC"}, "added_tokens": specials + [
            added("ﬁne", n, special=False, normalized=True), added("①", n + 1, special=False, normalized=True),
            added("<raw>", n + 2, normalized=False)]}, {}),
        ("char-unk", "base-char", {}, {}),
        ("char-unk-fused", "base-char", {}, {"fuse_unk": True}),
        ("char-byte-fallback", "base-char", {}, {"byte_fallback": True}),
    ]
    for behavior in ["Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"]:
        for invert in [False, True]:
            v.append((f"regex-{behavior}-{'inverted' if invert else 'plain'}", "base-bytelevel",
                      {"pre_tokenizer": seq(split(r"\d+|[aeiou]|\s", behavior, invert), bytelevel())}, {}))
    return v


def trained_goldens():
    cases = os.path.join(os.path.dirname(__file__), "..", "Tests", "FulgurTokenizerTests", "Fixtures", "bpe-gpt2", "cases.jsonl")
    texts = [json.loads(line)["text"] for line in open(cases, encoding="utf-8") if line.strip()]
    for name, pre in [("o200k", seq(split(O200K), bytelevel())), ("gpt2", bytelevel(regex=True))]:
        tok = Tokenizer(models.BPE())
        d = json.loads(tok.to_str())
        d["pre_tokenizer"] = pre
        d["decoder"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}
        tok = Tokenizer.from_str(json.dumps(d))
        tr = trainers.BpeTrainer(vocab_size=700, special_tokens=SPECIALS,
                                 initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
        tok.train_from_iterator(texts, trainer=tr)
        with open(os.path.join(OUT, f"trained-{name}.json"), "w", encoding="utf-8") as f:
            f.write(tok.to_str())


def chat_goldens(template_path):
    import jinja2
    import jinja2.ext
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    template = json.load(open(template_path, encoding="utf-8"))["chat_template"]
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = lambda x, ensure_ascii=False, indent=None, separators=None, sort_keys=False: json.dumps(
        x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)
    compiled = env.from_string(template)
    tok = Tokenizer.from_file(os.path.join(OUT, "..", "bpe-split", "tokenizer.json"))

    weather = {"name": "get_weather", "description": "Get the weather for a city — e.g. \"Zürich\"",
               "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City\nname"},
                                                               "unit": {"type": "string", "enum": ["C", "F"]}},
                              "required": ["city"]}}
    search = {"name": "search_web", "description": "Search.", "parameters": {"properties": {"query_list": {
        "description": "Keywords, \\ and /.", "items": {"type": "string"}, "type": "array"}}, "required": ["query_list"],
        "type": "object"}}
    S = lambda t: {"role": "system", "content": t}
    U = lambda t: {"role": "user", "content": t}
    A = lambda *parts: {"role": "assistant", "parts": list(parts)}
    T = lambda *results: {"role": "tool", "results": [{"name": n, "content": c} for n, c in results]}
    conversations = [
        ([U("Hi!")], [], True),
        ([], [], False),
        ([], [], True),
        ([S("You are terse."), U("What is 2+2?"), A("4"), U("And 3+3?")], [], True),
        ([S("Rule one. "), S("Rule two."), U("ok")], [], True),
        ([U("Weather in Paris?")], [weather, search], True),
        ([S("Use tools."), U("Weather in Paris?"), A("Let me check."), T(("get_weather", '{"temp": 21}'),
          ("search_web", "sunny\nand warm"))], [weather], True),
        ([U("Say hi"), A("Hi", " there", "!")], [], False),
        ([U("  leading spaces, 🙂 emoji, naïve café\n\n\ttab and <think> tags </think>"), A("Done.")], [], False),
        ([U("数学题：12 + 35 = ?"), A("<think>\n12 + 35 = 47\n</think>\n47")], [], True),
        ([U("x"), A("y"), U("z"), A("w")], [search], False),
    ]
    lines = []
    for messages, tools, gen in conversations:
        hf = []
        for m in messages:
            if m["role"] in ("system", "user"):
                hf.append({"role": m["role"], "content": [{"type": "text", "text": m["content"]}]})
            elif m["role"] == "assistant":
                hf.append({"role": "assistant", "content": [{"type": "text", "text": p} for p in m["parts"]]})
            else:
                hf.append({"role": "tool", "content": [{"name": r["name"], "text": r["content"]} for r in m["results"]]})
        text = compiled.render(messages=hf, tools=tools or None, add_generation_prompt=gen)
        ours = []
        for m in messages:
            if m["role"] == "assistant":
                ours.append({"role": "assistant", "content": "".join(m["parts"])})
            elif m["role"] == "tool":
                ours.append({"role": "tool", "results": m["results"]})
            else:
                ours.append(m)
        lines.append(json.dumps({"messages": ours, "tools": tools, "add_generation_prompt": gen, "text": text,
                                 "ids": tok.encode(text, add_special_tokens=False).ids}, ensure_ascii=False))
    with open(os.path.join(OUT, "chat-m1.jsonl"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def main():
    rng = random.Random(1234)
    os.makedirs(OUT, exist_ok=True)
    if "--template" in sys.argv:
        chat_goldens(sys.argv[sys.argv.index("--template") + 1])
    trained_goldens()
    bases = {"base-bytelevel": train_base_bytelevel(), "base-char": train_base_char()}
    for name, d in bases.items():
        with open(os.path.join(OUT, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(d, f, ensure_ascii=False)
    texts = stress_texts(rng) + snippets(rng, 4)
    texts += ["word sword word_ word. (word) wordy", "a <lstrip>b  <rstrip>  c \t<both>\t d<lstrip><rstrip>",
              "say hello world →x ﬁne Ġzz", "①② ﬁne <raw> ﬁ", "<pad>   <lstrip>"]
    lines = [json.dumps({"texts": texts}, ensure_ascii=False)]
    for name, base, top, model in variants(bases["base-bytelevel"], bases["base-char"]):
        d = json.loads(json.dumps(bases[base]))
        d.update(top)
        d["model"].update(model)
        tok = Tokenizer.from_str(json.dumps(d))
        all_ids, decoded = [], []
        for t in texts:
            ids = tok.encode(t, add_special_tokens=False).ids
            text = tok.decode(ids, skip_special_tokens=False)
            all_ids.append(ids)
            decoded.append(None if text == t else text)
        lines.append(json.dumps({"name": name, "base": base, "set": top, "model": model, "ids": all_ids,
                                 "decoded": decoded}, ensure_ascii=False, separators=(",", ":")))
    with open(os.path.join(OUT, "variants.jsonl"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(lines) - 1} variants x {len(texts)} texts -> {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
