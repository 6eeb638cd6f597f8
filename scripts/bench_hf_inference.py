#!/usr/bin/env python3
"""Inference speed baseline: HF transformers MiniMaxForCausalLM (PyTorch CPU, fp32, random weights)
against `fulgur bench inference` on the same config, same thread count, same run.

HF side, for each context n (random ids, torch.inference_mode, batch 1):
  prefill  one forward of n tokens from an empty cache with use_cache=True and logits_to_keep=1
           (what generate() does); tokens/s = n / seconds, best of --repeats;
  decode   after that prefill, --decode-steps single-token forwards with the cache (greedy next
           id); each step is timed and tokens/s = 1 / median step time (robust on a shared
           machine; the mean-based rate is in the JSON too).
The smallest context (default 16) is the "short context" decode figure; the prefill rate that
matters is the one at 4,096.
Fulgur side: `fulgur bench inference --config CONFIG --contexts … --decode-steps … --json`, with
FULGUR_THREADS set to the same thread count (skip with --no-fulgur).

Output: progress and a table on stderr; one JSON object on stdout:
  {"config", "threads", "load_average_before/after", "hf": {"<n>": {prefill_tokens_per_s,
   decode_tokens_per_s, ...}}, "fulgur": <fulgur's JSON or null>, "ratios": {"<n>": {prefill, decode}}}
Exit code 0 when every side that was asked for ran, 1 otherwise. Needs `pip install torch transformers`.
"""
import argparse
import os
import statistics

from fulgur_hf import (DEFAULT_BENCH_CONFIG, Failure, Timer, add_omp_argument, emit_json, fulgur_binary, hf_config,
                       load_average, log, read_json, run_fulgur, run_main, table, start_torch)

# measured earlier on this machine class (configs/bench/README.md), 2 threads, hybrid-25m:
# context → (prefill tok/s, decode tok/s)
EARLIER_HF = {512: (3040, 58), 4096: (3100, 9.3)}


def bench_hf(cfg, contexts, decode_steps, repeats, torch):
    from transformers import MiniMaxForCausalLM
    torch.manual_seed(0)
    model = MiniMaxForCausalLM(cfg).eval()
    g = torch.Generator().manual_seed(1)
    results = {}
    with torch.inference_mode():
        # warm-up: one prefill and a few decode steps
        out = model(torch.randint(0, cfg.vocab_size, (1, 64), generator=g), use_cache=True, logits_to_keep=1)
        for _ in range(3):
            out = model(out.logits[:, -1:].argmax(-1), cache=out.cache, use_cache=True)
        for n in contexts:
            ids = torch.randint(0, cfg.vocab_size, (1, n), generator=g)
            best = float("inf")
            for _ in range(repeats):
                with Timer() as t:
                    out = model(ids, use_cache=True, logits_to_keep=1)
                best = min(best, t.seconds)
            cache = out.cache
            nxt = out.logits[:, -1:].argmax(-1)
            steps = []
            for _ in range(decode_steps):
                with Timer() as t:
                    out = model(nxt, cache=cache, use_cache=True)
                    cache = out.cache
                    nxt = out.logits[:, -1:].argmax(-1)
                steps.append(t.seconds)
            med = statistics.median(steps)
            results[n] = {"prefill_tokens_per_s": n / best, "prefill_seconds": best,
                          "decode_tokens_per_s": 1 / med, "decode_tokens_per_s_mean": len(steps) / sum(steps),
                          "decode_ms_per_token_median": 1e3 * med}
            log(f"  HF n={n}: prefill {n / best:,.0f} tok/s ({best:.3f} s), decode {1 / med:.1f} tok/s "
                f"(median of {decode_steps}; mean {len(steps) / sum(steps):.1f})")
    params = sum(p.numel() for p in model.parameters())
    return results, params


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default=DEFAULT_BENCH_CONFIG, help="model config.json, either dialect "
                    "(default: configs/bench/hybrid-25m.json)")
    ap.add_argument("--contexts", default="16,512,4096", help="comma-separated context lengths (default 16,512,4096)")
    ap.add_argument("--threads", type=int, default=2, help="torch threads and FULGUR_THREADS (default 2)")
    ap.add_argument("--decode-steps", type=int, default=32, help="decode steps timed per context (default 32)")
    ap.add_argument("--repeats", type=int, default=3, help="HF prefill repeats, the best is kept (default 3)")
    ap.add_argument("--fulgur", help="the fulgur binary (default: $FULGUR, .build/release/fulgur, PATH)")
    ap.add_argument("--no-fulgur", action="store_true", help="measure HF only")
    ap.add_argument("--attn-implementation", default="sdpa", choices=["sdpa", "eager"],
                    help="HF softmax-attention kernel (default sdpa)")
    ap.add_argument("--experts-implementation", default="grouped_mm", choices=["grouped_mm", "eager", "batched_mm"],
                    help="HF MoE experts kernel (default grouped_mm, HF's default and the fastest on CPU here)")
    add_omp_argument(ap)
    args = ap.parse_args()
    try:
        contexts = sorted({int(c) for c in args.contexts.split(",")})
    except ValueError:
        raise Failure(f"--contexts: {args.contexts!r} is not a comma-separated list of integers")
    if any(c < 1 for c in contexts) or args.decode_steps < 1 or args.repeats < 1 or args.threads < 1:
        raise Failure("--contexts, --decode-steps, --repeats and --threads must be positive")

    fulgur = None if args.no_fulgur else fulgur_binary(args.fulgur)
    raw = read_json(args.config)
    torch, omp = start_torch(args)
    cfg = hf_config(raw, args.config, attn_implementation=args.attn_implementation,
                    experts_implementation=args.experts_implementation)
    if max(contexts) + args.decode_steps > cfg.max_position_embeddings:
        raise Failure(f"{args.config}: max_position_embeddings {cfg.max_position_embeddings} < context + decode steps")
    load_before = load_average()

    log(f"HF transformers (attention {args.attn_implementation}, experts {args.experts_implementation}), "
        f"{args.config}:")
    hf, params = bench_hf(cfg, contexts, args.decode_steps, args.repeats, torch)
    fl, by_ctx = None, {}
    if fulgur:
        log(f"{fulgur} bench inference …")
        fl = run_fulgur(fulgur, ["bench", "inference", "--config", args.config, "--contexts",
                                 ",".join(map(str, contexts)), "--decode-steps", args.decode_steps, "--json"],
                        threads=args.threads)
        by_ctx = {r["context"]: r for r in fl.get("results", [])}
        missing = [n for n in contexts if n not in by_ctx]
        if missing:
            raise Failure(f"fulgur bench inference reported no result for contexts {missing}")
        if fl.get("threads") != args.threads:
            raise Failure(f"fulgur ran with {fl.get('threads')} threads, HF with {args.threads}")
    load_after = load_average()

    rows, ratios = [], {}
    bench_default = os.path.basename(args.config) == "hybrid-25m.json"
    for n in contexts:
        h, f = hf[n], by_ctx.get(n)
        earlier = EARLIER_HF.get(n) if bench_default else None
        row = [n, f"{h['prefill_tokens_per_s']:,.0f}", f"{h['decode_tokens_per_s']:.1f}"]
        if f:
            rp = f["prefill_tokens_per_s"] / h["prefill_tokens_per_s"]
            rd = f["decode_tokens_per_s"] / h["decode_tokens_per_s"]
            ratios[str(n)] = {"prefill": rp, "decode": rd}
            row += [f"{f['prefill_tokens_per_s']:,.0f}", f"{rp:.2f}×", f"{f['decode_tokens_per_s']:.1f}", f"{rd:.1f}×"]
        else:
            row += ["—"] * 4
        row.append(f"{earlier[0]:,} / {earlier[1]}" if earlier else "—")
        rows.append(row)
    log(f"\n{os.path.basename(args.config)}: {params:,} parameters, {args.threads} threads; "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    log(table(["context", "HF prefill tok/s", "HF decode tok/s", "Fulgur prefill", "ratio", "Fulgur decode", "ratio",
               "HF earlier (prefill / decode)"], rows))
    if fl:
        frac = fl.get("prefill_fraction_of_sgemm")
        if isinstance(frac, list) and frac:
            frac = frac[-1]
        if isinstance(frac, (int, float)):
            log(f"Fulgur sgemm {fl.get('sgemm_gflops', float('nan')):.1f} GFLOP/s; prefill at the largest context "
                f"{100 * frac:.0f}% of it")
        if "4096" in ratios:
            r = ratios["4096"]["prefill"]
            log(f"issue 2 target, prefill at 4,096 ≥ 1.3× HF: {'holds' if r >= 1.3 else 'does not hold'} ({r:.2f}×)")
    emit_json({"config": args.config, "threads": args.threads, "omp_wait_policy": omp, "parameters": params,
               "attn_implementation": args.attn_implementation, "experts_implementation": args.experts_implementation,
               "load_average_before": load_before, "load_average_after": load_after,
               "hf": {str(n): hf[n] for n in contexts}, "fulgur": fl, "ratios": ratios})


if __name__ == "__main__":
    run_main(main)
