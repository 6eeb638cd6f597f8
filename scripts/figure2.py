#!/usr/bin/env python3
"""Figure 2 of the MiniMax-M1 report in miniature: CISPO vs DAPO vs GRPO from the same SFT'd
addition model, data and seeds, with 16 off-policy minibatch updates per generation batch.

    python3 scripts/figure2.py [--init DIR] [--seeds 0 1 2] [--methods cispo dapo grpo]
                               [--steps 16] [--target ACC] [--report-only]

Writes runs/figure2/<method>-s<seed>/ (one `fulgur rl` run each; complete runs are skipped,
interrupted ones resumed) and docs/figures/figure2.{svg,json,md}. Not part of CI
(about 40–60 min on an idle 2-core machine for 3 methods × 3 seeds). docs/figures.md."""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figures_common import (ROOT, eval_init, fmt, mean, plot, read_metrics, resolve_init, run_rl, series,
                            token_weighted, write_json, write_text)

METHODS = {
    # the report's CISPO: no lower bound on the IS weight, cap 1 + ε_high^IS (ScaleRL's 5 here)
    "cispo": {"kind": "cispo"},
    # DAPO clip-higher ε = 0.2 / 0.28, token-level normalization
    "dapo": {"kind": "dapo"},
    # GRPO: PPO clip ε = 0.2, per-response normalization
    "grpo": {"kind": "grpo"},
}


def base_config(args, init, suite):
    """The shared run: 16 prompts × G = 8 per generation batch on 2–3-digit additions, split
    into 16 minibatches (one group each), 16 batches, eval on held-out tasks every 4."""
    return {
        "init_from": init,
        "environments": [{"name": "addition", "min_difficulty": 2, "max_difficulty": 3}],
        "steps": args.steps, "prompts_per_step": 16, "group_size": 8, "updates_per_batch": 16,
        "max_tokens": 128, "temperature": 1.0, "lr": args.lr, "schedule": {"warmup": 0},
        "optimizer": {"weight_decay": 0.0, "clip_norm": 1.0},
        "eval": {"suite": suite, "samples": 2, "every": args.eval_every},
        "transcripts_per_step": 1, "checkpoint_every": 4, "keep": 1,
    }


def steps_to(points, target):
    """First step whose value reaches `target` ((step, value) pairs in step order)."""
    return next((s for s, v in points if v is not None and v >= target), None)


def smoothed(points, k=3):
    """Trailing mean over k steps (the per-step rollout accuracy is noisy)."""
    return [(s, mean([v for _, v in points[max(0, i - k + 1):i + 1]])) for i, (s, _) in enumerate(points)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--init", default=os.path.join(ROOT, "runs/pipeline/sft"),
                    help="SFT'd model folder, or a training output folder with `latest` (default runs/pipeline/sft)")
    ap.add_argument("--fulgur", default=os.path.join(ROOT, ".build/release/fulgur"))
    ap.add_argument("--runs", default=os.path.join(ROOT, "runs/figure2"))
    ap.add_argument("--figures", default=os.path.join(ROOT, "docs/figures"))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    ap.add_argument("--steps", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-5)
    ap.add_argument("--eval-every", type=int, default=4)
    ap.add_argument("--target", type=float, default=None,
                    help="held-out pass rate to reach (default: DAPO's final mean, the report's comparison)")
    ap.add_argument("--report-only", action="store_true", help="only aggregate the runs that exist")
    args = ap.parse_args()

    log = lambda s: print(s, flush=True)
    suite = os.path.join(ROOT, "configs/figure-eval.json")
    init = resolve_init(args.init)
    base = base_config(args, init, suite)
    runs = {}
    for m in args.methods:
        for seed in args.seeds:
            out = os.path.join(args.runs, f"{m}-s{seed}")
            cfg = dict(base, loss=METHODS[m], seed=seed, out=out)
            recs = read_metrics(out) if args.report_only else run_rl(args.fulgur, cfg, out, log)
            if len(recs) >= args.steps:
                runs[(m, seed)] = recs[:args.steps]
            elif recs:
                log(f"  {out}: incomplete ({len(recs)}/{args.steps} steps), left out of the figure")
    seeds = sorted({s for _, s in runs})
    if not runs:
        sys.exit("no complete runs yet")
    init_eval = {s: eval_init(args.fulgur, init, suite, 2, s, os.path.join(args.runs, f"eval-init-s{s}.json"), log) for s in seeds}

    summary = {"config": {k: v for k, v in base.items() if k not in ("init_from", "eval")},
               "init": os.path.relpath(init, ROOT), "eval_suite": "configs/figure-eval.json (avg@2, 100 held-out 2–3-digit additions)",
               "seeds": seeds, "methods": {}}
    for m in args.methods:
        per_seed = {s: runs[(m, s)] for s in seeds if (m, s) in runs}
        if not per_seed:
            continue
        evals = {s: [(0, init_eval[s])] + series(r, "eval_pass_rate") for s, r in per_seed.items()}
        steps = sorted({st for e in evals.values() for st, _ in e})
        curve = [(st, [dict(e).get(st) for e in evals.values()]) for st in steps]
        acc = {s: series(r, "rollout_accuracy") for s, r in per_seed.items()}
        acc_steps = sorted({st for a in acc.values() for st, _ in a})
        acc_mean = [(st, mean([dict(a).get(st) for a in acc.values()])) for st in acc_steps]
        allrecs = [r for rs in per_seed.values() for r in rs]
        clip = {
            "zeroed_fraction": mean([r.get("zeroed_fraction") for r in allrecs]),
            "capped_fraction": mean([r.get("capped_fraction") for r in allrecs]),
            "outside_trust_region_fraction": mean([r.get("outside_trust_region_fraction") for r in allrecs]),
            "prob_mean": mean([r.get("prob_mean") for r in allrecs]),
            "low_prob_fraction": mean([r.get("low_prob_fraction") for r in allrecs]),
            # means over the clipped tokens of all steps (weighted by how many were clipped)
            "zeroed_prob_mean": token_weighted(allrecs, "zeroed_prob_mean", "zeroed_fraction"),
            "zeroed_low_prob_fraction": token_weighted(allrecs, "zeroed_low_prob_fraction", "zeroed_fraction"),
            "capped_prob_mean": token_weighted(allrecs, "capped_prob_mean", "capped_fraction"),
            "capped_low_prob_fraction": token_weighted(allrecs, "capped_low_prob_fraction", "capped_fraction"),
            "low_prob_zeroed_fraction": token_weighted(allrecs, "low_prob_zeroed_fraction", "low_prob_fraction"),
        }
        summary["methods"][m] = {
            "eval_pass_rate": [{"step": st, "mean": mean(v), "min": min(x for x in v if x is not None),
                                "max": max(x for x in v if x is not None), "per_seed": v} for st, v in curve],
            "rollout_accuracy_mean": [{"step": st, "value": v} for st, v in acc_mean],
            "final_eval_mean": mean(curve[-1][1]),
            "clip": clip,
            "seconds": sum(r.get("generation_s", 0) + r.get("training_s", 0) for r in allrecs),
        }
    ms = summary["methods"]
    target = args.target if args.target is not None else (ms["dapo"]["final_eval_mean"] if "dapo" in ms else None)
    summary["target"] = target
    for m, d in ms.items():
        d["steps_to_target_eval"] = steps_to([(p["step"], p["mean"]) for p in d["eval_pass_rate"]], target) if target is not None else None
        d["steps_to_target_eval_per_seed"] = [steps_to([(p["step"], p["per_seed"][i]) for p in d["eval_pass_rate"]], target)
                                              for i in range(len(d["eval_pass_rate"][0]["per_seed"]))] if target is not None else None
        sm = smoothed([(p["step"], p["value"]) for p in d["rollout_accuracy_mean"]])
        d["rollout_accuracy_smoothed_final"] = sm[-1][1]
    # the same comparison on the dense training signal: steps for the 3-step-smoothed rollout
    # accuracy to reach DAPO's final smoothed value
    if "dapo" in ms:
        t2 = ms["dapo"]["rollout_accuracy_smoothed_final"]
        summary["rollout_target"] = t2
        for m, d in ms.items():
            d["steps_to_rollout_target"] = steps_to(smoothed([(p["step"], p["value"]) for p in d["rollout_accuracy_mean"]]), t2)

    os.makedirs(args.figures, exist_ok=True)
    write_json(os.path.join(args.figures, "figure2.json"), summary)
    spec = {"columns": 2, "plots": [
        {"title": "Held-out pass rate (avg@2, 2–3 digits), mean of seeds", "x_label": "generation batch (16 updates each)",
         "y_label": "pass rate", "series": [{"name": m, "points": [[p["step"], p["mean"]] for p in d["eval_pass_rate"]]} for m, d in ms.items()]},
        {"title": "Rollout accuracy (all samples), mean of seeds", "x_label": "generation batch", "y_label": "accuracy",
         "series": [{"name": m, "points": [[p["step"], p["value"]] for p in d["rollout_accuracy_mean"]]} for m, d in ms.items()]},
        {"title": "Tokens without gradient (zeroed) or with a capped IS weight", "x_label": "generation batch", "y_label": "fraction of tokens",
         "series": [{"name": f"{m} {k.split('_')[0]}", "points": [[st, mean([dict(series(runs[(m, s)], k)).get(st) for s in seeds if (m, s) in runs])]
                                                                   for st in range(1, args.steps + 1)]}
                    for m in ms for k in (["capped_fraction"] if m == "cispo" else ["zeroed_fraction"])]},
        {"title": "Mean π_old probability: clipped tokens vs all", "x_label": "generation batch", "y_label": "probability",
         "series": [{"name": f"{m} {'capped' if m == 'cispo' else 'zeroed'}",
                     "points": [[st, mean([dict(series(runs[(m, s)], ('capped' if m == 'cispo' else 'zeroed') + '_prob_mean')).get(st)
                                           for s in seeds if (m, s) in runs])] for st in range(1, args.steps + 1)]} for m in ms]
                   + [{"name": "all tokens", "points": [[st, mean([dict(series(r, "prob_mean")).get(st) for r in runs.values()])]
                                                         for st in range(1, args.steps + 1)]}]},
    ]}
    plot(args.fulgur, spec, os.path.join(args.runs, "figure2-plot.json"), os.path.join(args.figures, "figure2.svg"))
    write_text(os.path.join(args.figures, "figure2.md"), markdown(summary))
    log(markdown(summary))


def markdown(s):
    ms = s["methods"]
    out = [f"Seeds {s['seeds']}; {s['config']['steps']} generation batches of {s['config']['prompts_per_step']} prompts × "
           f"G {s['config']['group_size']}, {s['config']['updates_per_batch']} minibatch updates each, lr {s['config']['lr']}; "
           f"eval: {s['eval_suite']}.", "",
           "| method | pass rate at step 0 | final (mean) | final min–max | steps to " + fmt(s["target"], True)
           + " (mean curve) | per seed | rollout acc. (last 3 steps) | steps to " + fmt(s.get("rollout_target"), True) + " rollout acc. | run time |",
           "|---|---:|---:|---:|---:|---|---:|---:|---:|"]
    for m, d in ms.items():
        first, last = d["eval_pass_rate"][0], d["eval_pass_rate"][-1]
        out.append(f"| {m} | {fmt(first['mean'], True)} | {fmt(last['mean'], True)} | {fmt(last['min'], True)}–{fmt(last['max'], True)} | "
                   f"{d['steps_to_target_eval'] if d['steps_to_target_eval'] is not None else 'not reached'} | "
                   f"{', '.join('–' if x is None else str(x) for x in (d['steps_to_target_eval_per_seed'] or []))} | "
                   f"{fmt(d['rollout_accuracy_smoothed_final'], True)} | {d.get('steps_to_rollout_target') or 'not reached'} | {d['seconds']:.0f} s |")
    out += ["", "Who is clipped (over all update tokens of all steps and seeds; probabilities are π_old's, \"low\" = p < 0.1):", "",
            "| method | zeroed | capped | outside PPO trust region | mean p (all) | mean p (zeroed) | mean p (capped) | low-p share (all) | low-p share (zeroed) | low-p share (capped) | low-p tokens zeroed |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for m, d in ms.items():
        c = d["clip"]
        out.append(f"| {m} | {fmt(c['zeroed_fraction'], True, pct_digits=3)} | {fmt(c['capped_fraction'], True, pct_digits=3)} | "
                   f"{fmt(c['outside_trust_region_fraction'], True, pct_digits=3)} | "
                   f"{fmt(c['prob_mean'])} | {fmt(c['zeroed_prob_mean'])} | {fmt(c['capped_prob_mean'])} | {fmt(c['low_prob_fraction'], True, pct_digits=2)} | "
                   f"{fmt(c['zeroed_low_prob_fraction'], True)} | {fmt(c['capped_low_prob_fraction'], True)} | {fmt(c['low_prob_zeroed_fraction'], True)} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
