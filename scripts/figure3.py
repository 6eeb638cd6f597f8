#!/usr/bin/env python3
"""Figure 3 of the MiniMax-M1 report in miniature: rollouts in reduced precision (weights and
activations rounded to bf16) while training runs in FP32; the per-step Pearson correlation of
training-mode vs rollout token probabilities with a bf16 LM head vs an FP32 one (the report's
fix), optionally with truncated importance sampling, and the reward curves with and without
the fix. Same model, data and run shape as scripts/figure2.py (CISPO, 16 updates per batch).

    python3 scripts/figure3.py [--init DIR] [--seeds 0 1] [--variants bf16-head fp32-head bf16-head-tis]
                               [--steps 16] [--report-only]

Writes runs/figure3/<variant>-s<seed>/ and docs/figures/figure3.{svg,json,md}. docs/figures.md."""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figure2 import base_config, smoothed
from figures_common import ROOT, eval_init, fmt, mean, plot, read_metrics, resolve_init, run_rl, series, write_json, write_text

VARIANTS = {
    # everything bf16, the LM head included (the report's problem)
    "bf16-head": {"rollout_precision": "bf16", "rollout_lm_head": "bf16"},
    # the report's fix: bf16 rollouts with an FP32 LM head
    "fp32-head": {"rollout_precision": "bf16", "rollout_lm_head": "fp32"},
    # no fix, but truncated importance sampling min(π_old/π_rollout, 2)
    "bf16-head-tis": {"rollout_precision": "bf16", "rollout_lm_head": "bf16", "tis_cap": 2.0},
    # reference: FP32 rollouts (π_old recomputed too, so only precision differs from the others)
    "fp32": {"rollout_precision": "fp32", "recompute_old_logprobs": True},
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--init", default=os.path.join(ROOT, "runs/pipeline/sft"))
    ap.add_argument("--fulgur", default=os.path.join(ROOT, ".build/release/fulgur"))
    ap.add_argument("--runs", default=os.path.join(ROOT, "runs/figure3"))
    ap.add_argument("--figures", default=os.path.join(ROOT, "docs/figures"))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--variants", nargs="+", default=["bf16-head", "fp32-head", "bf16-head-tis"], choices=list(VARIANTS))
    ap.add_argument("--steps", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-5)
    ap.add_argument("--eval-every", type=int, default=4)
    ap.add_argument("--report-only", action="store_true")
    args = ap.parse_args()

    log = lambda s: print(s, flush=True)
    suite = os.path.join(ROOT, "configs/figure-eval.json")
    init = resolve_init(args.init)
    base = dict(base_config(args, init, suite), loss={"kind": "cispo"})
    runs = {}
    for v in args.variants:
        for seed in args.seeds:
            out = os.path.join(args.runs, f"{v}-s{seed}")
            cfg = dict(base, **VARIANTS[v], seed=seed, out=out)
            recs = read_metrics(out) if args.report_only else run_rl(args.fulgur, cfg, out, log)
            if len(recs) >= args.steps:
                runs[(v, seed)] = recs[:args.steps]
            elif recs:
                log(f"  {out}: incomplete ({len(recs)}/{args.steps} steps), left out of the figure")
    if not runs:
        sys.exit("no complete runs yet")
    seeds = sorted({s for _, s in runs})
    init_eval = {s: eval_init(args.fulgur, init, suite, 2, s, os.path.join(args.runs, f"eval-init-s{s}.json"), log) for s in seeds}

    def per_step(v, key):
        rs = [runs[(v, s)] for s in seeds if (v, s) in runs]
        return [(st, mean([dict(series(r, key)).get(st) for r in rs])) for st in range(1, args.steps + 1)]

    summary = {"config": {k: v for k, v in base.items() if k not in ("init_from", "eval")}, "seeds": seeds,
               "init": os.path.relpath(init, ROOT), "variants": {}}
    for v in args.variants:
        rs = {s: runs[(v, s)] for s in seeds if (v, s) in runs}
        if not rs:
            continue
        pearson = per_step(v, "train_rollout_prob_pearson")
        evals = [(0, mean(init_eval[s] for s in rs))] + [(st, mean([dict(series(r, "eval_pass_rate")).get(st) for r in rs.values()]))
                                                          for st in range(args.eval_every, args.steps + 1, args.eval_every)]
        acc = per_step(v, "rollout_accuracy")
        summary["variants"][v] = {
            "settings": VARIANTS[v], "seeds": sorted(rs),
            "pearson": [{"step": st, "value": x} for st, x in pearson],
            "pearson_mean": mean([x for _, x in pearson]), "pearson_min": min(x for _, x in pearson if x is not None),
            "rollout_accuracy": [{"step": st, "value": x} for st, x in acc],
            "rollout_accuracy_smoothed_final": smoothed(acc)[-1][1],
            "reward": [{"step": st, "value": x} for st, x in per_step(v, "reward")],
            "eval_pass_rate": [{"step": st, "value": x} for st, x in evals],
            "tis_weight_mean": mean([x for _, x in per_step(v, "tis_weight_mean")]),
            "seconds": sum(r.get("generation_s", 0) + r.get("training_s", 0) for rr in rs.values() for r in rr),
        }
    vs = summary["variants"]
    os.makedirs(args.figures, exist_ok=True)
    write_json(os.path.join(args.figures, "figure3.json"), summary)
    spec = {"columns": 3, "plots": [
        {"title": "Pearson r: training vs rollout token probabilities", "x_label": "generation batch", "y_label": "Pearson r",
         "series": [{"name": v, "points": [[p["step"], p["value"]] for p in d["pearson"]]} for v, d in vs.items()]},
        {"title": "Rollout accuracy (training reward), mean of seeds", "x_label": "generation batch", "y_label": "accuracy",
         "series": [{"name": v, "points": [[p["step"], p["value"]] for p in d["rollout_accuracy"]]} for v, d in vs.items()]},
        {"title": "Held-out pass rate (avg@2, 2–3 digits)", "x_label": "generation batch", "y_label": "pass rate",
         "series": [{"name": v, "points": [[p["step"], p["value"]] for p in d["eval_pass_rate"]]} for v, d in vs.items()]},
    ]}
    plot(args.fulgur, spec, os.path.join(args.runs, "figure3-plot.json"), os.path.join(args.figures, "figure3.svg"))
    write_text(os.path.join(args.figures, "figure3.md"), markdown(summary))
    log(markdown(summary))


def markdown(s):
    c = s["config"]
    out = [f"CISPO, seeds {s['seeds']}; {c['steps']} generation batches of {c['prompts_per_step']} prompts × G {c['group_size']}, "
           f"{c['updates_per_batch']} minibatch updates each, lr {c['lr']}; training in FP32, rollouts as listed.", "",
           "| variant | rollout weights/activations | LM head | TIS cap | Pearson r (mean over steps) | min | rollout acc. (last 3 steps) | held-out pass rate: step 0 → final | mean TIS weight | run time |",
           "|---|---|---|---:|---:|---:|---:|---|---:|---:|"]
    for v, d in s["variants"].items():
        st = d["settings"]
        e = d["eval_pass_rate"]
        out.append(f"| {v} | {st.get('rollout_precision', 'fp32')} | {st.get('rollout_lm_head', st.get('rollout_precision', 'fp32'))} | "
                   f"{st.get('tis_cap', '–')} | {fmt(d['pearson_mean'], digits=5)} | {fmt(d['pearson_min'], digits=5)} | "
                   f"{fmt(d['rollout_accuracy_smoothed_final'], True)} | {fmt(e[0]['value'], True)} → {fmt(e[-1]['value'], True)} | "
                   f"{fmt(d['tis_weight_mean'], digits=4)} | {d['seconds']:.0f} s |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
