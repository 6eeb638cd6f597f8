#!/usr/bin/env python3
"""Tokenizer encoding speed: fulgur vs HF tokenizers, single thread, same run, same text.

Builds the inputs, then runs `fulgur bench-tokenizer` (which times both implementations and
checks that their ids are identical):
  - English text: the Python documentation topics shipped with CPython (pydoc_data, ~470 KB);
  - tokenizers: byte-level BPE with a 32,000 vocabulary trained by HF tokenizers on the Python
    standard library sources, one with the GPT-4o-style split regex and one with GPT-2's.

Usage: scripts/bench_tokenizer.py [--fulgur PATH] [--runs N] [--vocab-size N]
Needs `pip install tokenizers`. Prints one JSON line per tokenizer.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

O200K = r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"""


def english_text(path):
    import pydoc_data.topics as topics
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n\n".join(topics.topics[k] for k in sorted(topics.topics)))


def train(kind, vocab_size, out):
    lib = os.path.dirname(os.__file__)
    texts = [open(f, encoding="utf-8", errors="replace").read() for f in sorted(glob.glob(lib + "/*.py"))]
    tok = Tokenizer(models.BPE())
    if kind == "gpt2":
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    else:
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(O200K), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<pad>", "<end_of_sentence>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    tok.save(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fulgur", default=os.environ.get("FULGUR", os.path.join(here, "..", ".build", "release", "fulgur")))
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--vocab-size", type=int, default=32000)
    args = ap.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        text = os.path.join(tmp, "english.txt")
        english_text(text)
        for kind in ["o200k", "gpt2"]:
            tok = os.path.join(tmp, f"{kind}-{args.vocab_size}.json")
            train(kind, args.vocab_size, tok)
            r = subprocess.run([args.fulgur, "bench-tokenizer", "--tokenizer", tok, "--file", text, "--runs", str(args.runs)],
                               capture_output=True, text=True)
            if r.returncode != 0:
                ok = False
                print(r.stdout.strip(), r.stderr.strip(), file=sys.stderr)
                continue
            result = json.loads(r.stdout)
            ok &= "speedup" in result
            result["tokenizer"] = f"{kind}, vocab {args.vocab_size}"
            result["file"] = "pydoc_data topics (English)"
            print(json.dumps(result))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
