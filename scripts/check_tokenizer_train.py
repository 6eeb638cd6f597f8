#!/usr/bin/env python3
"""Checks `fulgur tokenizer train` against HF tokenizers (`pip install tokenizers`).

1. Trains with `fulgur tokenizer train` on half of a corpus (Python standard-library sources and
   the system's license texts), for each pre-tokenizer pattern.
2. Loads the written tokenizer.json in HF tokenizers and encodes the held-out half; the ids must
   equal those of `fulgur tokenize --file` on the same files.
3. Trains HF's BpeTrainer on the same sequences with the same settings; its merges and
   vocabulary must equal fulgur's (same selection rule: highest count, then smallest pair).

Usage: scripts/check_tokenizer_train.py [--fulgur PATH] [--vocab-size N]
Exits 0 when everything agrees; prints one JSON line per pattern.
"""
import argparse
import glob
import json
import os
import random
import subprocess
import sys
import tempfile

try:
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
except ImportError:
    print("check_tokenizer_train: needs `pip install tokenizers`", file=sys.stderr)
    sys.exit(2)

SPECIALS = ["<pad>", "<beginning_of_sentence>", "<end_of_sentence>", "<end_of_document>", "<begin_of_document>"]
O200K = r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
LLAMA3 = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""


def corpus_files(seed):
    lib = os.path.dirname(os.__file__)
    files = sorted(glob.glob(lib + "/*.py")) + sorted(glob.glob("/usr/share/common-licenses/*"))
    files = [f for f in files if os.path.isfile(f) and os.path.getsize(f) < 400_000]
    readable = []
    for f in files:
        try:
            open(f, encoding="utf-8").read()
            readable.append(f)
        except (UnicodeDecodeError, OSError):
            pass
    random.Random(seed).shuffle(readable)
    half = len(readable) // 2
    return readable[:half], readable[half:half + 30]


def hf_trained(pattern, files, vocab_size):
    tok = Tokenizer(models.BPE())
    if pattern == "gpt2":
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    else:
        regex = O200K if pattern == "o200k" else LLAMA3
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(regex), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator((open(f, encoding="utf-8").read() for f in files), trainer=trainer)
    return json.loads(tok.to_str())


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"command failed ({r.returncode}): {' '.join(cmd[:4])} …\n{r.stderr}")
    return r.stdout


def check(fulgur, pattern, train, held_out, vocab_size, tmp):
    out = os.path.join(tmp, f"fulgur-{pattern}.json")
    summary = json.loads(run([fulgur, "tokenizer", "train", "--files", *train, "--vocab-size", str(vocab_size),
                              "--special-tokens", ",".join(SPECIALS), "--pattern", pattern, "--out", out]))
    hf = Tokenizer.from_file(out)  # must load
    same_ids, tokens = 0, 0
    mismatches = []
    for f in held_out:
        ours = json.loads(run([fulgur, "tokenize", "--tokenizer", out, "--file", f]))["ids"]
        theirs = hf.encode(open(f, encoding="utf-8").read(), add_special_tokens=False).ids
        tokens += len(theirs)
        if ours == theirs:
            same_ids += 1
        else:
            mismatches.append(os.path.basename(f))
    ours_json = json.load(open(out, encoding="utf-8"))
    ref = hf_trained(pattern, train, vocab_size)
    ours_merges = [tuple(m) for m in ours_json["model"]["merges"]]
    ref_merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in ref["model"]["merges"]]
    first_diff = next((i for i, (a, b) in enumerate(zip(ours_merges, ref_merges)) if a != b),
                      None if len(ours_merges) == len(ref_merges) else min(len(ours_merges), len(ref_merges)))
    result = {
        "pattern": pattern, "vocab_size": summary["vocab_size"], "train_files": len(train), "train_seconds": summary["seconds"],
        "held_out_files": len(held_out), "held_out_tokens": tokens, "files_with_identical_ids": same_ids,
        "merges_identical_to_hf_trainer": first_diff is None and ours_json["model"]["vocab"] == ref["model"]["vocab"],
    }
    if mismatches:
        result["id_mismatches"] = mismatches[:5]
    if first_diff is not None:
        result["first_merge_difference"] = {"rank": first_diff, "fulgur": ours_merges[first_diff:first_diff + 1],
                                            "hf": ref_merges[first_diff:first_diff + 1]}
    print(json.dumps(result))
    return same_ids == len(held_out) and result["merges_identical_to_hf_trainer"]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fulgur", default=os.environ.get("FULGUR", os.path.join(here, "..", ".build", "release", "fulgur")))
    ap.add_argument("--vocab-size", type=int, default=2000)
    ap.add_argument("--patterns", default="o200k,llama3,gpt2")
    args = ap.parse_args()
    if not os.path.exists(args.fulgur):
        raise SystemExit(f"no fulgur binary at {args.fulgur} (build it or pass --fulgur)")
    train, held_out = corpus_files(seed=2026)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for pattern in args.patterns.split(","):
            ok &= check(args.fulgur, pattern, train, held_out, args.vocab_size, tmp)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
