#!/usr/bin/env python3
"""Training speed baseline: PyTorch CPU (transformers MiniMaxForCausalLM, fp32, random weights)
against `fulgur bench train` on the same config, sequence length, batch, thread count and
optimizer, in the same run. Issue 4's target: Fulgur ≥ 1.5× PyTorch tokens/s.

One step on each side: forward + backward of the mean next-token cross-entropy over a batch of
random ids plus the router load-balancing loss (the config's router_aux_loss_coef), global
gradient-norm clipping to 1.0, then AdamW with β = (0.9, 0.95), eps = 1e-15, lr 1e-4, decoupled
weight decay 0.1 on matrices only (the defaults of Fulgur's AdamW). Each step is timed after one
warm-up step; tokens/s = batch × seq-len / seconds per step, using the fastest step (best of
--steps; the median is in the JSON too). Fulgur side: `fulgur bench train --config … --seq-len …
--batch-size … --steps … --json` with FULGUR_THREADS set to the same count (skip with --no-fulgur).

Output: progress and a table on stderr; one JSON object on stdout:
  {"config", "threads", "seq_len", "batch_size", "pytorch": {tokens_per_s, seconds_per_step, ...},
   "fulgur": <fulgur's JSON or null>, "ratio": fulgur / pytorch tokens/s or null, "load_average_*"}
Exit code 0 when every side that was asked for ran, 1 otherwise. Needs `pip install torch transformers`.
"""
import argparse
import os
import statistics

from fulgur_hf import (DEFAULT_BENCH_CONFIG, Failure, Timer, add_omp_argument, emit_json, fulgur_binary, hf_config,
                       load_average, log, read_json, run_fulgur, run_main, table, start_torch)

EARLIER_TORCH = 1063  # tok/s, hybrid-25m, batch 4 × 512, 2 threads (configs/bench/README.md)


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
    losses, seconds = [], []

    def step():
        with Timer() as t:
            opt.zero_grad(set_to_none=True)
            out = model(ids, labels=ids, output_router_logits=cfg.router_aux_loss_coef > 0)
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        losses.append(out.loss.item())
        return t.seconds

    step()  # warm-up
    for i in range(steps):
        seconds.append(step())
        log(f"  PyTorch step {i + 1}/{steps}: {seconds[-1]:.2f} s, loss {losses[-1]:.3f}")
    if not all(x == x for x in losses):
        raise Failure("PyTorch loss is NaN")
    best, med = min(seconds), statistics.median(seconds)
    tokens = batch * seq_len
    return {"tokens_per_s": tokens / best, "tokens_per_s_median": tokens / med, "seconds_per_step": best,
            "seconds_per_step_median": med, "step_seconds": seconds, "losses": losses}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default=DEFAULT_BENCH_CONFIG, help="model config.json, either dialect "
                    "(default: configs/bench/hybrid-25m.json)")
    ap.add_argument("--seq-len", type=int, default=512, help="sequence length (default 512)")
    ap.add_argument("--batch-size", type=int, default=4, help="sequences per step (default 4)")
    ap.add_argument("--steps", type=int, default=3, help="timed steps on each side, after one warm-up step (default 3)")
    ap.add_argument("--threads", type=int, default=2, help="torch threads and FULGUR_THREADS (default 2)")
    ap.add_argument("--fulgur", help="the fulgur binary (default: $FULGUR, .build/release/fulgur, PATH)")
    ap.add_argument("--no-fulgur", action="store_true", help="measure PyTorch only")
    ap.add_argument("--attn-implementation", default="sdpa", choices=["sdpa", "eager"],
                    help="HF softmax-attention kernel (default sdpa)")
    ap.add_argument("--experts-implementation", default="grouped_mm", choices=["grouped_mm", "eager", "batched_mm"],
                    help="HF MoE experts kernel (default grouped_mm, HF's default)")
    add_omp_argument(ap)
    args = ap.parse_args()
    if min(args.seq_len, args.batch_size, args.steps, args.threads) < 1 or args.seq_len < 2:
        raise Failure("--seq-len (≥ 2), --batch-size, --steps and --threads must be positive")

    fulgur = None if args.no_fulgur else fulgur_binary(args.fulgur)
    raw = read_json(args.config)
    torch, omp = start_torch(args)
    cfg = hf_config(raw, args.config, attn_implementation=args.attn_implementation,
                    experts_implementation=args.experts_implementation)
    load_before = load_average()

    log(f"PyTorch (transformers MiniMaxForCausalLM, attention {args.attn_implementation}, experts "
        f"{args.experts_implementation}), {args.config}, batch {args.batch_size} × {args.seq_len}:")
    pt = bench_torch(cfg, args.batch_size, args.seq_len, args.steps, torch)
    fl, ratio = None, None
    if fulgur:
        log(f"{fulgur} bench train …")
        fl = run_fulgur(fulgur, ["bench", "train", "--config", args.config, "--seq-len", args.seq_len,
                                 "--batch-size", args.batch_size, "--steps", args.steps, "--json"],
                        threads=args.threads)
        if fl.get("threads") != args.threads:
            raise Failure(f"fulgur ran with {fl.get('threads')} threads, PyTorch with {args.threads}")
        ratio = fl["tokens_per_s"] / pt["tokens_per_s"]
    load_after = load_average()

    earlier = f"{EARLIER_TORCH:,}" if os.path.basename(args.config) == "hybrid-25m.json" \
        and (args.batch_size, args.seq_len) == (4, 512) else "—"
    log(f"\n{os.path.basename(args.config)}: batch {args.batch_size} × {args.seq_len}, {args.threads} threads; "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    f_tps = f"{fl['tokens_per_s']:,.0f}" if fl else "—"
    f_sps = f"{fl['seconds_per_step']:.2f}" if fl else "—"
    log(table(["", "PyTorch", "Fulgur", "ratio", "PyTorch earlier"],
              [["tokens/s", f"{pt['tokens_per_s']:,.0f}", f_tps, f"{ratio:.2f}×" if ratio else "—", earlier],
               ["s/step", f"{pt['seconds_per_step']:.2f}", f_sps, "", ""]]))
    if fl:
        log(f"Fulgur {fl.get('gflops', float('nan')):.1f} GFLOP/s (sgemm {fl.get('sgemm_gflops', float('nan')):.1f} "
            "in the same run)")
        log(f"issue 4 target, training tokens/s ≥ 1.5× PyTorch: {'holds' if ratio >= 1.5 else 'does not hold'} "
            f"({ratio:.2f}×)")
    emit_json({"config": args.config, "threads": args.threads, "omp_wait_policy": omp, "seq_len": args.seq_len,
               "batch_size": args.batch_size, "attn_implementation": args.attn_implementation,
               "experts_implementation": args.experts_implementation, "load_average_before": load_before,
               "load_average_after": load_after, "pytorch": pt, "fulgur": fl, "ratio": ratio})


if __name__ == "__main__":
    run_main(main)
