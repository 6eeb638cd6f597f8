#!/usr/bin/env python3
"""Are Fulgur's decode and score log-probs on the server test's model (std-0.5 random weights)
as close to the exact values as float32 allows?

scripts/test_server.py's model (`initializer_range` 0.5) shows decode-vs-score log-prob
differences of ~1e-2, far above the 1e-4 of fixture-scale models. This script tells a bug
from float32 rounding: with the same folder (`fulgur init --seed 3`) and a greedy continuation
of --tokens tokens, it compares against a float64 recomputation (HF transformers'
MiniMaxForCausalLM in float64):
  - Fulgur decode log-probs (`fulgur generate --temperature 0 --json`: prefill + cached steps),
  - Fulgur score log-probs (`fulgur score`: one full forward),
  - HF's own float32 forward,
  - and the float64 model with every weight multiplied by (1 + 2^-24·N(0,1)), i.e. perturbed by
    the size of one float32 rounding: how much the model itself amplifies rounding.
When all four are of the same size, the differences are float32 accumulation order, not a bug.

Output: a per-token table and summary lines on stdout. Needs torch, transformers, safetensors.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from fulgur_hf import fulgur_binary, hf_config, quiet_transformers, read_json

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_server import CONFIG  # noqa: E402  (the server test's model)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tokens", type=int, default=40, help="greedy tokens to generate and compare (default 40)")
    ap.add_argument("--fulgur", help="the fulgur binary (default: $FULGUR, .build/release/fulgur, PATH)")
    args = ap.parse_args()
    import torch
    quiet_transformers()
    from transformers import MiniMaxForCausalLM
    fulgur = fulgur_binary(args.fulgur)
    work = tempfile.mkdtemp(prefix="fulgur-conditioning-")
    with open(os.path.join(work, "config.json"), "w") as f:
        json.dump(CONFIG, f)
    folder = os.path.join(work, "model")
    subprocess.run([fulgur, "init", "--config", os.path.join(work, "config.json"), "--out", folder, "--seed", "3"],
                   check=True, capture_output=True)
    prompt = [5, 17, 33, 2, 250]

    def run(*a):
        return json.loads(subprocess.run([fulgur, *a], check=True, capture_output=True, text=True).stdout)

    gen = run("generate", "--model", folder, "--ids", ",".join(map(str, prompt)), "--temperature", "0",
              "--max-tokens", str(args.tokens), "--repetition-window", "0", "--json")
    seq = prompt + gen["ids"]
    tail = len(prompt) - 1
    decode = gen["logprobs"]
    score = run("score", "--model", folder, "--ids", ",".join(map(str, seq)))["next_token_logprobs"][tail:]
    cfg = hf_config(read_json(os.path.join(folder, "config.json")), folder + "/config.json",
                    experts_implementation="eager")

    def logprobs(model, dtype):
        with torch.no_grad():
            lp = torch.log_softmax(model(torch.tensor([seq])).logits[0].to(dtype), -1)
        return lp[:-1].gather(1, torch.tensor(seq[1:])[:, None])[:, 0].tolist()[tail:]

    load = lambda: MiniMaxForCausalLM.from_pretrained(folder, config=cfg, dtype=torch.float32).eval()
    f64 = logprobs(load().double(), torch.float64)
    hf32 = logprobs(load(), torch.float32)
    torch.manual_seed(0)
    perturbed = load().double()
    with torch.no_grad():
        for p in perturbed.parameters():
            p.mul_(1 + 2.0 ** -24 * torch.randn_like(p))
    pert = logprobs(perturbed, torch.float64)

    cols = {"fulgur decode": decode, "fulgur score": score, "HF float32": hf32, "float64, weights ±2^-24": pert}
    print("token  float64     " + "  ".join(f"{k:>24}" for k in cols))
    for i, ref in enumerate(f64):
        print(f"{i:5d} {ref:10.5f}  " + "  ".join(f"{v[i]:12.5f} ({abs(v[i] - ref):8.1e})" for v in cols.values()))
    for k, v in cols.items():
        d = [abs(a - b) for a, b in zip(v, f64)]
        print(f"{k:>26}: max |Δ vs float64| {max(d):.2e}, mean {sum(d) / len(d):.2e}")


if __name__ == "__main__":
    main()
