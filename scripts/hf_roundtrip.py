#!/usr/bin/env python3
"""Round trip between Fulgur model folders and HF transformers' MiniMaxForCausalLM (CPU, fp32).

For each model folder (a `fulgur init` output, a training checkpoint, anything `fulgur score` loads):
  1. load it with `MiniMaxForCausalLM.from_pretrained` — HF-dialect configs as they are (the script
     first checks that HF reads every field the way Fulgur does), MiniMax-dialect configs
     (`minimax_m1` / `minimax_text_01`) converted to HF's in-tree form (attn_type_list → layer_types,
     layernorm_*_alpha/beta → *_alpha/beta_factor, rope_theta/rotary_dim → rope_parameters);
     partial RoPE (rotary_dim < head_dim) patches HF's rotary functions to rotate only the leading
     rotary_dim dims, as MiniMax's own code and vLLM do; no tensor may be missing or left over;
  2. compares HF's next-token log-probs on random ids with `fulgur score` (max |Δ| ≤ --tolerance)
     and HF's greedy continuation (its cached decode path) with `fulgur generate --temperature 0`;
  3. saves the HF model back (`save_pretrained`) and checks that `fulgur score` loads that folder
     and gives the same log-probs.

Without --model/--config/--train-config it creates, with `fulgur init`, a small hybrid in the HF
dialect (block size 16), one in the MiniMax dialect with partial RoPE, H·D ≠ hidden and residual
α = (2L)^¼, and the bench config configs/bench/hybrid-25m.json; plus a 3-step `fulgur train`
checkpoint of the MiniMax-dialect model, and the first model again written as bf16 shards with
`model.safetensors.index.json` (`fulgur init --dtype bf16 --max-shard-size 64KB`). --quick (CI): the
HF-dialect model (f32, and bf16 sharded) and the trained checkpoint only, 96 tokens, 8 greedy tokens.

Output: progress, notes and a summary table on stderr; one JSON object on stdout
  {"tolerance", "threads", "ok", "cases": [{name, folder, dialect, params, tokens, diff (Fulgur vs HF),
   diff_back (HF-saved folder in Fulgur vs HF), diff_hf, greedy, ok, notes}]}
Exit code 0 when every check passes, 1 otherwise. Needs `pip install torch transformers safetensors`.
"""
import argparse
import json
import os
import shutil
import tempfile

from fulgur_hf import (DEFAULT_BENCH_CONFIG, MINIMAX_TYPES, Failure, add_omp_argument, emit_json, fulgur_binary,
                       head_dim_of, hf_config, hf_config_dict, log, read_json, rotary_dim_of, run_fulgur, run_main,
                       table, start_torch)

# HF registers the lightning-attention decay tables as buffers; they are derived, not weights.
DERIVED_BUFFERS = ("slope_rate", "query_decay", "key_decay", "diagonal_decay")

BUILTIN_CONFIGS = {
    # HF in-tree dialect: L L L F, GQA 4/2, small blocks so that 300 tokens cross many block edges
    "hf-hybrid": {
        "model_type": "minimax", "vocab_size": 512, "hidden_size": 64, "intermediate_size": 96,
        "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
        "num_local_experts": 4, "num_experts_per_tok": 2, "block_size": 16, "max_position_embeddings": 4096,
        "rms_norm_eps": 1e-5, "hidden_act": "silu", "tie_word_embeddings": False,
        "rope_parameters": {"rope_theta": 1e6, "rope_type": "default"},
        "layer_types": ["linear_attention"] * 3 + ["full_attention"],
        "full_attn_alpha_factor": 1, "full_attn_beta_factor": 1, "linear_attn_alpha_factor": 1,
        "linear_attn_beta_factor": 1, "mlp_alpha_factor": 1, "mlp_beta_factor": 1,
        "router_aux_loss_coef": 0.001,
        # larger than the 0.02 default so that a wrong detail shows in the log-probs
        "initializer_range": 0.08,
    },
    # MiniMax's own dialect: 7:1-like pattern, H·D = 128 ≠ hidden 64, RoPE on 16 of 32 dims,
    # α = (2·8)^¼ = 2, block size absent (256, so 300 tokens cross one block edge)
    "m1-hybrid": {
        "architectures": ["MiniMaxM1ForCausalLM"], "model_type": "minimax_m1", "vocab_size": 384,
        "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 8, "num_attention_heads": 4,
        "num_key_value_heads": 1, "head_dim": 32, "attn_type_list": [0, 0, 0, 1, 0, 0, 0, 1],
        "rotary_dim": 16, "rope_theta": 1e7, "max_position_embeddings": 8192, "num_local_experts": 8,
        "num_experts_per_tok": 2, "shared_intermediate_size": 0, "hidden_act": "silu", "rms_norm_eps": 1e-5,
        "postnorm": True, "layernorm_linear_attention_alpha": 2.0, "layernorm_linear_attention_beta": 1.0,
        "layernorm_full_attention_alpha": 2.0, "layernorm_full_attention_beta": 1.0,
        "layernorm_mlp_alpha": 2.0, "layernorm_mlp_beta": 1.0, "router_aux_loss_coef": 0.001,
        "tie_word_embeddings": False, "bos_token_id": None, "eos_token_id": None, "initializer_range": 0.08,
    },
}

# HF config attributes that determine the forward pass (compared between HF's own reading of an
# HF-dialect config.json and Fulgur's).
FORWARD_FIELDS = ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                  "num_key_value_heads", "head_dim", "num_local_experts", "num_experts_per_tok", "block_size",
                  "rms_norm_eps", "layer_types", "rope_parameters", "tie_word_embeddings", "linear_attn_alpha_factor",
                  "linear_attn_beta_factor", "full_attn_alpha_factor", "full_attn_beta_factor",
                  "mlp_alpha_factor", "mlp_beta_factor", "sliding_window")


def load_hf(folder, raw, torch, MiniMaxForCausalLM, MiniMaxConfig):
    """MiniMaxForCausalLM for a Fulgur folder; raises Failure when HF would read it differently."""
    cfg = hf_config(raw, folder + "/config.json")
    notes = []
    if raw.get("model_type") == "minimax":
        own = MiniMaxConfig.from_pretrained(folder)  # how HF reads the file by itself
        def field(c, k):
            return head_dim_of(c) if k == "head_dim" else _norm(getattr(c, k, None))
        diffs = [f"{k}: HF reads {field(own, k)!r}, Fulgur {field(cfg, k)!r}"
                 for k in FORWARD_FIELDS if field(own, k) != field(cfg, k)]
        if diffs:
            raise Failure(f"{folder}/config.json: HF's MiniMaxConfig reads this file differently from Fulgur: "
                          + "; ".join(diffs))
        for k in ("eos_token_id", "bos_token_id"):
            if getattr(own, k, None) != getattr(cfg, k, None):
                notes.append(f"{k} absent: HF defaults it to {getattr(own, k)!r} (Fulgur: none); "
                             "generation stops differ, the forward pass does not")
    else:
        notes.append(f"config converted from {raw['model_type']} to HF's in-tree dialect")
    if cfg.rope_parameters.get("partial_rotary_factor", 1.0) != 1.0:
        notes.append(f"HF rotary patched to rotate the first {rotary_dim_of(cfg)} of {head_dim_of(cfg)} dims")
    model, info = MiniMaxForCausalLM.from_pretrained(folder, config=cfg, dtype=torch.float32,
                                                     output_loading_info=True)
    missing = [k for k in info.get("missing_keys", []) if not k.endswith(DERIVED_BUFFERS)]
    unexpected = [k for k in info.get("unexpected_keys", []) if not k.endswith(DERIVED_BUFFERS)]
    mismatched = list(info.get("mismatched_keys", []))
    if missing or unexpected or mismatched:
        raise Failure(f"{folder}: from_pretrained: missing {missing[:5]}, unexpected {unexpected[:5]}, "
                      f"wrong shape {mismatched[:5]}")
    return model.eval(), notes


def _norm(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, dict):
        return {k: _norm(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_norm(x) for x in v]
    return v


def next_token_logprobs(model, ids, torch):
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].float()
    lp = torch.log_softmax(logits, -1)
    return lp[:-1].gather(1, torch.tensor(ids[1:])[:, None])[:, 0].tolist(), logits


def check_greedy(model, fulgur, folder, prompt, n, logits_of, torch, threads):
    """Fulgur's greedy ids vs HF's (cached decode). Returns (matched, compared, ok, note)."""
    from transformers import GenerationConfig
    got = run_fulgur(fulgur, ["generate", "--model", folder, "--ids", ",".join(map(str, prompt)),
                              "--temperature", "0", "--max-tokens", n, "--repetition-window", "0", "--json"],
                     threads=threads)["ids"]
    gen = GenerationConfig(do_sample=False, max_new_tokens=n, min_new_tokens=n, eos_token_id=None,
                           pad_token_id=0, use_cache=True)
    with torch.no_grad():
        ref = model.generate(torch.tensor([prompt]), generation_config=gen)[0, len(prompt):].tolist()
    k = len(got)  # Fulgur stops at its stop ids (stop token included); compare that prefix
    for i in range(k):
        if got[i] != ref[i]:
            # a near-tie under HF's own full forward is not a bug
            logits = logits_of(prompt + ref[:i + 1])[len(prompt) + i - 1]
            top2 = torch.topk(logits, 2).values
            margin = float(top2[0] - top2[1])
            note = f"first difference at step {i}: fulgur {got[i]}, HF {ref[i]} (HF top-2 logit margin {margin:.2e})"
            if margin < 1e-3:
                return i, k, True, note + " — a near-tie, not counted as a failure"
            return i, k, False, "greedy continuation differs: " + note
    return k, k, True, ""


def roundtrip(name, folder, work, args, fulgur, torch, hf):
    MiniMaxForCausalLM, MiniMaxConfig = hf
    raw = read_json(os.path.join(folder, "config.json"))
    dialect = "minimax" if raw.get("model_type") in MINIMAX_TYPES else "hf"
    model, notes = load_hf(folder, raw, torch, MiniMaxForCausalLM, MiniMaxConfig)
    cfg = model.config
    gen = torch.Generator().manual_seed(args.seed)
    T = min(args.tokens, cfg.max_position_embeddings)
    ids = torch.randint(0, cfg.vocab_size, (T,), generator=gen).tolist()

    ref, _ = next_token_logprobs(model, ids, torch)
    got = run_fulgur(fulgur, ["score", "--model", folder, "--ids", ",".join(map(str, ids))],
                     threads=args.threads)["next_token_logprobs"]
    if len(got) != len(ref):
        raise Failure(f"{folder}: fulgur score returned {len(got)} log-probs for {T} ids (expected {T - 1})")
    diff = max(abs(a - b) for a, b in zip(got, ref))
    mean = sum(ref) / len(ref)
    spread = (sum((x - mean) ** 2 for x in ref) / len(ref)) ** 0.5

    def logits_of(seq):
        return next_token_logprobs(model, seq, torch)[1]

    prompt = ids[:min(11, T - 1)]
    n = max(1, min(args.greedy_tokens, cfg.max_position_embeddings - len(prompt)))
    matched, compared, greedy_ok, gnote = check_greedy(model, fulgur, folder, prompt, n, logits_of, torch,
                                                       args.threads)
    if gnote:
        notes.append(gnote)

    # HF → Fulgur: the folder HF writes must load in Fulgur and mean the same model
    out = os.path.join(work, name + "-hf-saved")
    shutil.rmtree(out, ignore_errors=True)
    model.save_pretrained(out)
    saved = read_json(os.path.join(out, "config.json"))
    back = run_fulgur(fulgur, ["score", "--model", out, "--ids", ",".join(map(str, ids))],
                      threads=args.threads)["next_token_logprobs"]
    diff_back = max(abs(a - b) for a, b in zip(back, ref))
    # and HF itself reads its own folder back to the same model
    again, _ = load_hf(out, saved, torch, MiniMaxForCausalLM, MiniMaxConfig)
    ref_again, _ = next_token_logprobs(again, ids, torch)
    diff_hf = max(abs(a - b) for a, b in zip(ref_again, ref))

    ok = greedy_ok and max(diff, diff_back, diff_hf) <= args.tolerance
    params = sum(p.numel() for p in model.parameters())
    return dict(name=name, folder=folder, dialect=dialect, params=params, tokens=T, diff=diff,
                diff_back=diff_back, diff_hf=diff_hf, spread=spread, greedy=f"{matched}/{compared}",
                ok=ok, notes=notes, saved=out)


def train_checkpoint(fulgur, model_config_path, folder, seed, threads):
    """A real training checkpoint: `fulgur train` for 3 steps on the built-in arithmetic corpus
    (its own 512-token BPE tokenizer), checkpoint at the last step. Returns the checkpoint folder."""
    model = read_json(model_config_path)
    spec = {"model": model, "data": {"builtin": {"count": 300}}, "seq_len": 64, "batch_size": 2, "steps": 3,
            "lr": 3e-3, "eval_every": 0, "checkpoint_every": 3, "seed": seed, "out": folder}
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    path = os.path.join(folder, "train.json")
    with open(path, "w") as f:
        json.dump(spec, f, indent=1)
    run_fulgur(fulgur, ["train", "--config", path, "--quiet"], threads=threads, parse_json=False)
    ckpts = sorted(os.listdir(os.path.join(folder, "checkpoints"))) if os.path.isdir(
        os.path.join(folder, "checkpoints")) else []
    if not ckpts:
        raise Failure(f"`fulgur train --config {path}` wrote no checkpoint under {folder}/checkpoints")
    return os.path.join(folder, "checkpoints", ckpts[-1])


def write_builtin(work, name):
    p = os.path.join(work, name + ".json")
    with open(p, "w") as f:
        json.dump(BUILTIN_CONFIGS[name], f, indent=2)
    return p


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", action="append", default=[], metavar="DIR",
                    help="a Fulgur model folder or training checkpoint (repeatable)")
    ap.add_argument("--config", action="append", default=[], metavar="CONFIG.json",
                    help="create a random model from this config with `fulgur init` (repeatable)")
    ap.add_argument("--train-config", action="append", default=[], metavar="CONFIG.json",
                    help="train this model config for 3 steps with `fulgur train` and round-trip the "
                         "checkpoint (vocab_size ≥ 512; repeatable)")
    ap.add_argument("--quick", action="store_true",
                    help="CI mode: only the tiny built-in models (init + a 3-step training checkpoint), "
                         "96 tokens, 8 greedy tokens")
    ap.add_argument("--fulgur", help="the fulgur binary (default: $FULGUR, .build/release/fulgur, PATH)")
    ap.add_argument("--tokens", type=int, default=None, help="length of the scored random id sequence "
                    "(default 300, 96 with --quick)")
    ap.add_argument("--greedy-tokens", type=int, default=None, help="greedy tokens compared (default 24, 8 with --quick)")
    ap.add_argument("--tolerance", type=float, default=1e-4, help="max |Δ log-prob| allowed (default 1e-4)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the ids and of `fulgur init`/`train`")
    ap.add_argument("--threads", type=int, default=2, help="torch and Fulgur threads")
    ap.add_argument("--work", help="folder for created and HF-written models (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    add_omp_argument(ap)
    args = ap.parse_args()
    if args.tokens is None:
        args.tokens = 96 if args.quick else 300
    if args.greedy_tokens is None:
        args.greedy_tokens = 8 if args.quick else 24
    if args.tokens < 2 or args.greedy_tokens < 1 or args.threads < 1:
        raise Failure("--tokens must be at least 2, --greedy-tokens and --threads at least 1")
    for p in args.config + args.train_config:
        hf_config_dict(read_json(p), p)  # fail early on unreadable configs or ones HF cannot express
    for path in args.model:
        if not os.path.isfile(os.path.join(path, "config.json")):
            raise Failure(f"{path}: not a model folder (no config.json)")

    fulgur = fulgur_binary(args.fulgur)
    torch, omp = start_torch(args, also=("transformers.models.minimax",), hint="pip install torch transformers safetensors")
    from transformers import MiniMaxConfig, MiniMaxForCausalLM
    log(f"fulgur: {fulgur}")

    work = args.work or tempfile.mkdtemp(prefix="fulgur-hf-roundtrip-")
    os.makedirs(work, exist_ok=True)
    cases = [(os.path.basename(os.path.normpath(p)), p) for p in args.model]
    configs = [(os.path.splitext(os.path.basename(p))[0], p) for p in args.config]
    trains = [(os.path.splitext(os.path.basename(p))[0] + "-trained", p) for p in args.train_config]
    if not (args.model or args.config or args.train_config):
        if args.quick:
            configs.append(("hf-hybrid", write_builtin(work, "hf-hybrid")))
            trains.append(("m1-hybrid-trained", write_builtin(work, "m1-hybrid")))
        else:
            for name in BUILTIN_CONFIGS:
                configs.append((name, write_builtin(work, name)))
            trains.append(("m1-hybrid-trained", write_builtin(work, "m1-hybrid")))
            if os.path.isfile(DEFAULT_BENCH_CONFIG):
                configs.append(("hybrid-25m", DEFAULT_BENCH_CONFIG))
            else:
                log(f"note: {DEFAULT_BENCH_CONFIG} not found; skipping the hybrid-25m round trip")
    for name, path in configs:
        folder = os.path.join(work, name)
        shutil.rmtree(folder, ignore_errors=True)
        run_fulgur(fulgur, ["init", "--config", path, "--out", folder, "--seed", args.seed], parse_json=False)
        cases.append((name, folder))
    # the first model again as bf16 shards with model.safetensors.index.json, as MiniMax ships M1:
    # HF loads the sharded folder (upcast to fp32) and both sides compute from the same weights
    if configs:
        name, path = configs[0]
        folder = os.path.join(work, name + "-bf16-sharded")
        shutil.rmtree(folder, ignore_errors=True)
        run_fulgur(fulgur, ["init", "--config", path, "--out", folder, "--seed", args.seed, "--dtype", "bf16",
                            "--max-shard-size", "64KB"], parse_json=False)
        cases.append((name + "-bf16-sharded", folder))
    for name, path in trains:
        cases.append((name, train_checkpoint(fulgur, path, os.path.join(work, name + "-run"), args.seed,
                                             args.threads)))

    results, failures = [], []
    for name, folder in cases:
        log(f"\n== {name}: {folder}")
        try:
            r = roundtrip(name, folder, work, args, fulgur, torch, (MiniMaxForCausalLM, MiniMaxConfig))
        except Failure as e:
            log(f"FAIL: {e}")
            failures.append(name)
            results.append(dict(name=name, folder=folder, ok=False, error=str(e)))
            continue
        for note in r["notes"]:
            log(f"  note: {note}")
        log(f"  fulgur score vs HF: max |Δ log p| = {r['diff']:.2e} over {r['tokens'] - 1} tokens "
            f"(log-prob std {r['spread']:.2f})")
        log(f"  HF-written folder ({r['saved']}): fulgur score max |Δ| = {r['diff_back']:.2e}, "
            f"HF reload max |Δ| = {r['diff_hf']:.2e}")
        log(f"  greedy ids equal: {r['greedy']}")
        results.append(r)
        if not r["ok"]:
            failures.append(name)

    log("\nsummary (tolerance {:.0e} on |Δ log p|):".format(args.tolerance))
    rows = [[r["name"], r["dialect"], f"{r['params']:,}", r["tokens"], f"{r['diff']:.2e}", f"{r['diff_back']:.2e}",
             f"{r['diff_hf']:.2e}", r["greedy"], "PASS" if r["ok"] else "FAIL"]
            if "error" not in r else [r["name"], "", "", "", "", "", "", "", "FAIL"] for r in results]
    log(table(["model", "dialect", "params", "tokens", "Fulgur→HF", "HF→Fulgur", "HF→HF", "greedy", "result"], rows))
    emit_json({"tolerance": args.tolerance, "threads": args.threads, "omp_wait_policy": omp, "ok": not failures,
               "cases": [{k: v for k, v in r.items() if k != "saved"} for r in results]})
    if not args.work and not args.keep and not failures:
        shutil.rmtree(work, ignore_errors=True)
    else:
        log(f"models kept in {work}")
    if failures:
        raise Failure(f"{len(failures)} of {len(cases)} round trips failed: {', '.join(failures)}")
    log(f"all {len(cases)} round trips passed")


if __name__ == "__main__":
    run_main(main)
