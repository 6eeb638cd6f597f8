"""Shared helpers of scripts/figure2.py and scripts/figure3.py (stdlib only; docs/figures.md).

Each run is one `fulgur rl` call in its own folder; a run whose metrics.jsonl already has all
its steps is skipped and an interrupted one continues with --resume, so the scripts can be
run in parts. Plots go through `fulgur plot` (the project's SVG charts)."""

import json
import math
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def resolve_init(path):
    """A model folder (config.json + tokenizer.json), or a training output folder whose
    `latest` names a checkpoint."""
    if os.path.isfile(os.path.join(path, "latest")):
        with open(os.path.join(path, "latest")) as f:
            path = os.path.join(path, "checkpoints", f.read().strip())
    if not (os.path.isfile(os.path.join(path, "config.json")) and os.path.isfile(os.path.join(path, "tokenizer.json"))):
        sys.exit(f"{path}: no SFT'd model there (config.json + tokenizer.json). Run `fulgur pipeline` "
                 "(its SFT stage writes runs/pipeline/sft) or `fulgur train --config configs/sft-addition.json` "
                 "first, or pass --init DIR.")
    return os.path.abspath(path)


def write_json(path, value):
    """Atomic: temp file + rename."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(value, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def write_text(path, text):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def read_metrics(out):
    path = os.path.join(out, "metrics.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def run_rl(fulgur, config, out, log):
    """Runs (or finishes) one RL run; returns its metrics. Skips a complete run."""
    steps = config["steps"]
    done = read_metrics(out)
    if len(done) >= steps:
        log(f"  {out}: complete ({steps} steps), skipped")
        return done
    cfg_path = os.path.join(out, "rl.json")
    write_json(cfg_path, config)
    resume = os.path.exists(os.path.join(out, "latest"))
    log(f"  {out}: {'resuming' if resume else 'running'} ({len(done)}/{steps} steps logged)")
    start = time.time()
    cmd = [fulgur, "rl", "--config", cfg_path, "--quiet"] + (["--resume"] if resume else [])
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    log(f"  {out}: done in {time.time() - start:.0f} s")
    return read_metrics(out)


def eval_init(fulgur, init, suite, samples, seed, path, log):
    """Step-0 pass rate of the starting model on the held-out suite (cached in `path`)."""
    if not os.path.exists(path):
        log(f"  eval of the initial model, seed {seed}")
        r = subprocess.run([fulgur, "eval", "--model", init, "--suite", suite, "--samples", str(samples),
                            "--seed", str(seed), "--json"], check=True, capture_output=True, text=True)
        write_json(path, json.loads(r.stdout))
    with open(path) as f:
        return json.load(f)["overall_pass_rate"]


def plot(fulgur, spec, spec_path, svg_path):
    write_json(spec_path, spec)
    subprocess.run([fulgur, "plot", "--spec", spec_path, "--out", svg_path], check=True)


def mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else None


def series(recs, key):
    """[(step, value)] of a metric (records lacking it are skipped)."""
    return [(r["step"], r[key]) for r in recs if key in r]


def token_weighted(recs, key, weight_key):
    """Mean of a per-step rate over steps, weighted by a per-step count."""
    num = den = 0.0
    for r in recs:
        if key in r and weight_key in r:
            num += r[key] * r[weight_key]
            den += r[weight_key]
    return num / den if den > 0 else None


def fmt(x, pct=False, digits=3, pct_digits=1):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{100 * x:.{pct_digits}f}%" if pct else f"{x:.{digits}f}"
