#!/usr/bin/env python3
"""Data-parallel training throughput on one machine (issue 17): `fulgur train` as 1 rank × T
threads against `mpirun -np R` ranks × T/R threads, alternating rounds in the same run.

Default: configs/bench/hybrid-25m.json (28.7M parameters, 7:1 hybrid, 8 experts top-2), the
built-in addition corpus packed into batch_size 4 × seq_len 512 (2,048 tokens per step, split
over the ranks), 12 steps of which the first 2 are warm-up. Prints tokens/s per run, the median
of each arm and their ratio, the allreduce/wait time per step, and the machine (fulgur doctor).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none"]


def run(fulgur, config, out, ranks, threads, steps):
    env = dict(os.environ, FULGUR_THREADS=str(threads))
    cmd = [fulgur, "train", "--config", config, "--out", out, "--steps", str(steps), "--quiet"]
    if ranks > 1:
        cmd = MPIRUN + ["-np", str(ranks)] + cmd
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{p.stderr[-2000:]}")
    with open(os.path.join(out, "metrics.jsonl")) as f:
        recs = [json.loads(line) for line in f if line.strip()]
    # steady state: tokens and time after the warm-up steps
    warm = recs[1]
    last = recs[-1]
    tps = (last["tokens"] - warm["tokens"]) / (last["elapsed_s"] - warm["elapsed_s"])
    reduce_ms = statistics.mean(r.get("allreduce_s", 0) for r in recs[2:]) * 1000
    return tps, reduce_ms


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fulgur", default=os.path.join(ROOT, ".build", "release", "fulgur"))
    ap.add_argument("--model", default=os.path.join(ROOT, "configs", "bench", "hybrid-25m.json"))
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="threads of the one-rank run (split over the ranks)")
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print(subprocess.run([args.fulgur, "doctor", "--no-sgemm"], capture_output=True, text=True).stdout.strip())
    work = tempfile.mkdtemp(prefix="fulgur-bench-mpi-")
    with open(args.model) as f:
        model = json.load(f)
    config = {
        "model": model, "data": {"builtin": {"tasks": ["addition"], "count": 4000, "min_difficulty": 1, "max_difficulty": 6}},
        "seq_len": 512, "batch_size": 4, "lr": 1e-3, "eval_every": 0, "checkpoint_every": 0, "log_every": 1,
        "schedule": {"warmup": 2}, "seed": 0,
    }
    path = os.path.join(work, "train.json")
    with open(path, "w") as f:
        json.dump(config, f)
    one, many = [], []
    for r in range(args.rounds):
        t1, _ = run(args.fulgur, path, os.path.join(work, f"one-{r}"), 1, args.threads, args.steps)
        tn, red = run(args.fulgur, path, os.path.join(work, f"many-{r}"), args.ranks, max(1, args.threads // args.ranks), args.steps)
        one.append(t1)
        many.append(tn)
        print(f"round {r + 1}: 1 rank × {args.threads} threads {t1:,.0f} tok/s; {args.ranks} ranks × "
              f"{max(1, args.threads // args.ranks)} {tn:,.0f} tok/s (allreduce+wait {red:.0f} ms/step); ratio {tn / t1:.2f}")
    m1, mn = statistics.median(one), statistics.median(many)
    print(f"median: 1 rank {m1:,.0f} tok/s, {args.ranks} ranks {mn:,.0f} tok/s: {mn / m1:.2f}×")


if __name__ == "__main__":
    main()
