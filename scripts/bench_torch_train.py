#!/usr/bin/env python3
"""Training speed: Fulgur vs PyTorch (transformers MiniMaxForCausalLM, CPU, fp32), same config, same
thread count, same optimizer, same run.

One step on each side: forward + backward of the mean next-token cross-entropy over a batch of
random ids (plus the router load-balancing loss with the config's router_aux_loss_coef), global
gradient-norm clipping to 1.0, then AdamW with β = (0.9, 0.95), eps = 1e-15, lr 1e-4, decoupled
weight decay 0.1 on matrices only — the defaults of `fulgur bench train` (Sources/FulgurTraining/
AdamW.swift). tokens/s = batch × seq-len / seconds per step, over --steps timed steps after one
warm-up step. Fulgur side: `fulgur bench train --config … --seq-len … --batch-size … --json` with
FULGUR_THREADS set to the same count.

usage: scripts/bench_torch_train.py [--config ../shared/bench/hybrid-25m.json] [--seq-len 512]
                                    [--batch-size 4] [--steps 3] [--threads 2] [--fulgur PATH]
                                    [--attn-implementation sdpa] [--json OUT.json]
Exit code 0 when both sides ran, 1 otherwise. Needs `pip install torch transformers`.
"""
import argparse
import json
import os

from fulgur_hf import (DEFAULT_BENCH_CONFIG, Failure, Timer, fulgur_binary, hf_config, load_average,
                       machine_line, read_json, run_fulgur, run_main, table, versions_line)

EARLIER_TORCH = 1063  # tok/s, hybrid-25m, batch 4 × 512, 2 threads (../shared/bench/README.md)


def bench_torch(cfg, batch, seq_len, steps, torch):
    from transformers import MiniMaxForCausalLM
    torch.manual_seed(0)
    model = MiniMaxForCausalLM(cfg).train()
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-4, betas=(0.9, 0.95), eps=1e-15)
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, cfg.vocab_size, (batch, seq_len), generator=g)
    losses = []

    def step():
        opt.zero_grad(set_to_none=True)
        out = model(ids, labels=ids, output_router_logits=cfg.router_aux_loss_coef > 0)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(out.loss.item())

    step()  # warm-up
    with Timer() as t:
        for _ in range(steps):
            step()
    seconds = t.seconds / steps
    print(f"  PyTorch: {batch * seq_len / seconds:,.0f} tok/s, {seconds:.2f} s/step, "
          f"loss {losses[0]:.3f} → {losses[-1]:.3f}", flush=True)
    if not all(x == x for x in losses):
        raise Failure("PyTorch loss is NaN")
    return {"tokens_per_s": batch * seq_len / seconds, "seconds_per_step": seconds, "losses": losses}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default=DEFAULT_BENCH_CONFIG, help="model config.json (either dialect)")
    ap.add_argument("--seq-len", type=int, default=512)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--steps", type=int, default=3, help="timed PyTorch steps (after one warm-up step)")
    ap.add_argument("--threads", type=int, default=2, help="torch threads and FULGUR_THREADS")
    ap.add_argument("--fulgur", help="the fulgur binary (default: .build/release/fulgur)")
    ap.add_argument("--attn-implementation", default="sdpa", choices=["sdpa", "eager"])
    ap.add_argument("--json", metavar="OUT.json", help="also write the results as JSON")
    args = ap.parse_args()
    if min(args.seq_len, args.batch_size, args.steps, args.threads) < 1 or args.seq_len < 2:
        raise Failure("--seq-len (≥ 2), --batch-size, --steps and --threads must be positive")

    fulgur = fulgur_binary(args.fulgur)
    raw = read_json(args.config)
    import torch
    torch.set_num_threads(args.threads)
    cfg = hf_config(raw, args.config, attn_implementation=args.attn_implementation)
    print(machine_line(args.threads))
    print(versions_line())
    load_before = load_average()

    print(f"PyTorch (transformers MiniMaxForCausalLM, {args.attn_implementation}), {args.config}:", flush=True)
    pt = bench_torch(cfg, args.batch_size, args.seq_len, args.steps, torch)
    print("fulgur bench train …", flush=True)
    fl = run_fulgur(fulgur, ["bench", "train", "--config", args.config, "--seq-len", args.seq_len,
                             "--batch-size", args.batch_size, "--json"], threads=args.threads)
    if fl.get("threads") != args.threads:
        raise Failure(f"fulgur ran with {fl.get('threads')} threads, PyTorch with {args.threads}")
    load_after = load_average()

    ratio = fl["tokens_per_s"] / pt["tokens_per_s"]
    earlier = f"{EARLIER_TORCH:,}" if os.path.basename(args.config) == "hybrid-25m.json" \
        and (args.batch_size, args.seq_len) == (4, 512) else "—"
    print(f"\n{os.path.basename(args.config)}: batch {args.batch_size} × {args.seq_len}, {args.threads} threads; "
          f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    print(table(["", "PyTorch", "Fulgur", "ratio", "PyTorch earlier"],
                [["tokens/s", f"{pt['tokens_per_s']:,.0f}", f"{fl['tokens_per_s']:,.0f}", f"{ratio:.2f}×", earlier],
                 ["s/step", f"{pt['seconds_per_step']:.2f}", f"{fl['seconds_per_step']:.2f}", "", ""]]))
    print(f"Fulgur {fl['gflops']:.1f} GFLOP/s (sgemm {fl['sgemm_gflops']:.1f} in the same run)")
    print(f"issue 4 target, training tokens/s ≥ 1.5× PyTorch: {'holds' if ratio >= 1.5 else 'does not hold'} "
          f"({ratio:.2f}×)")
    if args.json:
        with open(args.json + ".tmp", "w") as fh:
            json.dump({"config": args.config, "threads": args.threads, "load_average": [load_before, load_after],
                       "pytorch": pt, "fulgur": fl, "ratio": ratio}, fh, indent=1)
        os.replace(args.json + ".tmp", args.json)


if __name__ == "__main__":
    run_main(main)
