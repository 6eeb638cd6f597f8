#!/usr/bin/env python3
"""RL throughput reference: HF TRL `GRPOTrainer(loss_type="cispo")` on a Fulgur config (random
weights, PyTorch CPU, fp32), for issue 7's "≥ 5× the completions/s of TRL" target.

Setup (the same one `fulgur bench rl` uses):
  - model: MiniMaxForCausalLM from --config (default configs/bench/hybrid-25m.json), random init;
  - tokenizer: the byte-level BPE fixture Tests/Fixtures/tokenizers/bpe-gpt2 (vocab 2,000 ≤ 2,048),
    pad `<pad>`, eos `<end_of_sentence>`;
  - prompts: "Compute A + B. Put the final answer in \\boxed{}." with seeded 3-digit A, B (no chat
    template); --prompts prompts per step (default 1), G = 8 completions of each of exactly 64 tokens (no stop: eos is
    suppressed so that every step does the same work), temperature 1.0, no top-p/top-k;
  - reward: the share of digits in the completion (varies within a group, so advantages ≠ 0);
  - CISPO: loss_type="cispo", epsilon_high 5.0 (IS-weight cap, TRL's recommendation and Fulgur's
    default), beta 0 (no KL, no reference model), num_iterations 1 (one update per batch),
    AdamW β = (0.9, 0.95), eps 1e-15, lr 1e-6, router aux loss with the config's coefficient.
Measured: seconds per optimizer step (TRL's step = generate + score + forward/backward + AdamW), the
time inside model.generate, completions/s = prompts × G / seconds per step, over --steps steps after
one warm-up step. `fulgur bench rl` runs with the same --prompts, so both sides do the same work
per step (compare at --prompts 1 and at Fulgur's default 4).

Then `fulgur bench rl` runs the same --prompts, G and completion length, once with f32 rollouts
(the training model generates) and once with `--rollout-precision bf16` (the report's rollout
engine: bf16 weights, FP32 LM head; training stays f32), unless --rollout-precision picks one.

Output: progress, TRL's own log lines and a table on stderr; one JSON object on stdout:
  {"config", "threads", "trl": {completions_per_s, seconds_per_step, seconds_per_step_best,
   generation_fraction, rollout_tokens_per_s, ...}, "fulgur": {"f32": <`fulgur bench rl` JSON>,
   "bf16": ...}, "completions_per_s_ratio": {"f32": x, "bf16": y}, ...}
Exit code 0 when the TRL run completed, 1 otherwise. Needs `pip install torch transformers trl datasets`.
"""
import argparse
import contextlib
import os
import shutil
import sys
import random
import tempfile
import time
import warnings

from fulgur_hf import (add_omp_argument, emit_json, log, DEFAULT_BENCH_CONFIG, REPO, Failure, fulgur_binary,
                       hf_config, load_average, read_json, run_fulgur, run_main, table, start_torch)

DEFAULT_TOKENIZER = os.path.join(REPO, "Tests", "Fixtures", "tokenizers", "bpe-gpt2", "tokenizer.json")
EARLIER_TRL = {"completions_per_s": 2.5, "seconds_per_step": 3.2, "generation_fraction": 0.74}


def prompts(n, seed):
    rng = random.Random(seed)
    return [f"Compute {rng.randint(100, 999)} + {rng.randint(100, 999)}. Put the final answer in \\boxed{{}}."
            for _ in range(n)]


def digit_share(completions, **_):
    return [sum(c.isdigit() for c in text) / max(1, len(text)) for text in completions]


def bench_trl(cfg, args, torch):
    from datasets import Dataset
    from transformers import MiniMaxForCausalLM, PreTrainedTokenizerFast, TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    if not os.path.isfile(args.tokenizer):
        raise Failure(f"{args.tokenizer}: no tokenizer.json")
    tok = PreTrainedTokenizerFast(tokenizer_file=args.tokenizer, pad_token="<pad>", eos_token="<end_of_sentence>",
                                  bos_token="<beginning_of_sentence>")
    if len(tok) > cfg.vocab_size:
        raise Failure(f"tokenizer has {len(tok)} ids, the model's vocabulary {cfg.vocab_size}")
    cfg.pad_token_id, cfg.eos_token_id, cfg.bos_token_id = tok.pad_token_id, tok.eos_token_id, tok.bos_token_id
    torch.manual_seed(0)
    model = MiniMaxForCausalLM(cfg)

    # time spent in generation: TRL calls model.generate on this same (unwrapped) module on CPU
    gen_seconds = []
    plain_generate = model.generate

    def timed_generate(*a, **kw):
        t0 = time.perf_counter()
        try:
            return plain_generate(*a, **kw)
        finally:
            gen_seconds.append(time.perf_counter() - t0)
    model.generate = timed_generate

    step_seconds, nonfinite = [], []

    class StepTimer(TrainerCallback):
        def on_step_begin(self, a, state, control, **kw):
            self.t0 = time.perf_counter()

        def on_pre_optimizer_step(self, a, state, control, **kw):
            # On hybrid-25m, TRL 1.16's CISPO backward returned a NaN gradient norm on the first
            # (warm-up) step, with a finite forward and loss, with either experts kernel and either
            # attention kernel (see docs/python-references.md). After clipping every entry is NaN,
            # AdamW would make every weight NaN and the next generate() would fail. So non-finite
            # entries are zeroed and counted: this is a throughput benchmark.
            bad = 0
            for p in model.parameters():
                if p.grad is not None and not torch.isfinite(p.grad).all():
                    bad += int((~torch.isfinite(p.grad)).sum())
                    torch.nan_to_num_(p.grad, nan=0.0, posinf=0.0, neginf=0.0)
            nonfinite.append(bad)

        def on_step_end(self, a, state, control, **kw):
            step_seconds.append(time.perf_counter() - self.t0)

    total = args.steps + 1
    data = Dataset.from_dict({"prompt": prompts(total * args.prompts, args.seed)})
    out = tempfile.mkdtemp(prefix="fulgur-trl-")
    conf = GRPOConfig(
        output_dir=out, report_to="none", save_strategy="no", logging_steps=1, disable_tqdm=True,
        use_cpu=True, bf16=False, fp16=False, seed=args.seed, dataloader_num_workers=0,
        # one optimizer step = one generation batch of --prompts prompts × G completions
        max_steps=total, per_device_train_batch_size=args.prompts * args.group, gradient_accumulation_steps=1,
        num_generations=args.group, num_iterations=1, max_completion_length=args.completion_tokens,
        temperature=1.0, top_p=1.0, top_k=0, loss_type="cispo", epsilon_high=5.0, beta=0.0,
        learning_rate=1e-6, adam_beta1=0.9, adam_beta2=0.95, adam_epsilon=1e-15, weight_decay=0.0,
        lr_scheduler_type="constant",
        # TRL 1.16 turns activation checkpointing on by default; off here (a small model: the
        # recompute would only slow TRL's step down)
        gradient_checkpointing=False,
        # every completion runs the full length: the stop token is never sampled
        generation_kwargs={"suppress_tokens": [tok.eos_token_id], "min_new_tokens": args.completion_tokens},
    )
    # TRL/Trainer print their log dicts on stdout; stdout is reserved for this script's JSON
    with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
        warnings.simplefilter("ignore")
        trainer = GRPOTrainer(model=model, reward_funcs=digit_share, args=conf, train_dataset=data,
                              processing_class=tok, callbacks=[StepTimer()])
        trainer.train()
    shutil.rmtree(out, ignore_errors=True)
    if len(step_seconds) != total or len(gen_seconds) < total:
        raise Failure(f"TRL ran {len(step_seconds)} steps and {len(gen_seconds)} generate calls, expected {total}")
    lengths = [h.get("completions/mean_length") for h in trainer.state.log_history if "completions/mean_length" in h]
    steps, gens = step_seconds[1:], gen_seconds[-args.steps:]  # drop the warm-up step
    sps = sum(steps) / len(steps)
    per_step = args.prompts * args.group
    result = {"completions_per_s": per_step / sps, "seconds_per_step": sps, "seconds_per_step_best": min(steps),
              "completions_per_s_best": per_step / min(steps),
              "generation_fraction": sum(gens) / sum(steps),
              "rollout_tokens_per_s": per_step * args.completion_tokens * len(gens) / sum(gens),
              "mean_completion_length": lengths[-1] if lengths else None,
              "step_seconds": step_seconds, "generate_seconds": gen_seconds,
              "nonfinite_gradient_entries_per_step": nonfinite}
    if any(nonfinite):
        log(f"WARNING: TRL produced non-finite gradients ({nonfinite} entries per step; zeroed before AdamW)")
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default=DEFAULT_BENCH_CONFIG, help="model config.json (either dialect)")
    ap.add_argument("--tokenizer", default=DEFAULT_TOKENIZER, help="tokenizer.json with at most vocab_size ids")
    ap.add_argument("--steps", type=int, default=5, help="timed steps (after one warm-up step)")
    ap.add_argument("--group", type=int, default=8, help="completions per prompt (G)")
    ap.add_argument("--prompts", type=int, default=1, help="prompts per step, on both sides (default 1; "
                    "`fulgur bench rl` defaults to 4)")
    ap.add_argument("--completion-tokens", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2, help="torch threads and FULGUR_THREADS")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--fulgur", help="the fulgur binary (default: .build/release/fulgur)")
    ap.add_argument("--attn-implementation", default="sdpa", choices=["sdpa", "eager"],
                    help="HF softmax-attention kernel (default sdpa)")
    ap.add_argument("--experts-implementation", default="grouped_mm", choices=["grouped_mm", "eager", "batched_mm"],
                    help="HF MoE experts kernel (default grouped_mm, HF's default)")
    ap.add_argument("--no-fulgur", action="store_true", help="measure TRL only")
    ap.add_argument("--rollout-precision", choices=["f32", "bf16", "both"], default="both",
                    help="Fulgur's rollout engine(s) to measure (default both)")
    add_omp_argument(ap)
    args = ap.parse_args()
    if min(args.steps, args.group, args.completion_tokens, args.threads, args.prompts) < 1 or args.group < 2:
        raise Failure("--steps, --prompts, --completion-tokens, --threads must be positive and --group at least 2")

    raw = read_json(args.config)
    torch, omp = start_torch(args, also=("datasets", "trl"), hint="pip install torch transformers trl datasets")
    cfg = hf_config(raw, args.config, attn_implementation=args.attn_implementation, experts_implementation=args.experts_implementation)
    load_before = load_average()
    log(f"TRL GRPOTrainer(loss_type=\"cispo\"), {args.config}, {args.prompts} prompt(s) × G = {args.group} × "
        f"{args.completion_tokens} tokens, "
          f"{args.steps} + 1 steps …")
    ref = bench_trl(cfg, args, torch)

    precisions = ["f32", "bf16"] if args.rollout_precision == "both" else [args.rollout_precision]
    fl, fl_note = {}, "not asked for (--no-fulgur)" if args.no_fulgur else None
    if not args.no_fulgur:
        try:
            fulgur = fulgur_binary(args.fulgur)
            for p in precisions:
                log(f"fulgur bench rl, {p} rollouts …")
                fl[p] = run_fulgur(fulgur, ["bench", "rl", "--config", args.config, "--prompts", args.prompts,
                                            "--group", args.group, "--new-tokens", args.completion_tokens,
                                            "--steps", args.steps, "--rollout-precision", p, "--json"], threads=args.threads)
        except Failure as e:
            fl_note = str(e)
    load_after = load_average()

    def cells(key, fmt):
        return [fmt(fl[p][key]) for p in precisions if p in fl]

    def ratios(key, f):
        return [f(fl[p][key], ref[key]) for p in precisions if p in fl]

    names = [f"Fulgur ({p} rollouts)" for p in precisions if p in fl]
    log(f"\n{os.path.basename(args.config)}: {args.prompts} prompt(s) × G = {args.group} × {args.completion_tokens} tokens, one update per "
        f"batch, {args.threads} threads; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    log(table(["", "TRL"] + names + ["TRL earlier (1 prompt)"], [
        ["completions/s", f"{ref['completions_per_s']:.2f}"] + cells("completions_per_s", lambda v: f"{v:.2f}")
        + [f"{EARLIER_TRL['completions_per_s']:.2f}"],
        ["Fulgur vs TRL", ""] + ratios("completions_per_s", lambda f, t: f"{f / t:.1f}×") + [""],
        ["seconds per step", f"{ref['seconds_per_step']:.2f}"] + cells("seconds_per_step", lambda v: f"{v:.2f}")
        + [f"{EARLIER_TRL['seconds_per_step']:.2f}"],
        ["share in generation", f"{100 * ref['generation_fraction']:.0f}%"] + cells("generation_fraction", lambda v: f"{100 * v:.0f}%")
        + [f"{100 * EARLIER_TRL['generation_fraction']:.0f}%"],
        ["rollout tokens/s", f"{ref['rollout_tokens_per_s']:.0f}"] + cells("rollout_tokens_per_s", lambda v: f"{v:.0f}") + [""],
    ]))
    if fl_note:
        log(f"Fulgur: {fl_note}")
    ratio = {p: fl[p]["completions_per_s"] / ref["completions_per_s"] for p in fl}
    for p, r in ratio.items():
        log(f"issue 7 target, completions/s ≥ 5× TRL, {p} rollouts: {'holds' if r >= 5 else 'does not hold'} ({r:.1f}×)")
    emit_json({"config": args.config, "threads": args.threads, "omp_wait_policy": omp, "prompts": args.prompts, "group": args.group,
               "completion_tokens": args.completion_tokens, "steps": args.steps, "load_average_before": load_before,
               "load_average_after": load_after, "trl": ref, "fulgur": fl or None, "fulgur_note": fl_note,
               "completions_per_s_ratio": ratio or None})


if __name__ == "__main__":
    run_main(main)
