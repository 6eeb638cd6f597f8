"""Shared helpers of the reference scripts (hf_roundtrip, bench_hf_inference, bench_torch_train,
bench_trl_grpo): running the fulgur binary, turning a Fulgur config.json (either dialect) into an
HF `MiniMaxConfig`, and the partial-RoPE patch HF's in-tree MiniMax class needs.

Conventions of every script: `--help`; progress and tables on stderr; one JSON object on stdout;
`Error: …` on stderr and exit code 1 on failure. See docs/python-references.md.
"""
import json
import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_FULGUR = os.path.join(REPO, ".build", "release", "fulgur")
# a git worktree without its own build can use the main checkout's (../main here)
SIBLING_FULGUR = os.path.normpath(os.path.join(REPO, "..", "main", ".build", "release", "fulgur"))
DEFAULT_BENCH_CONFIG = os.path.join(REPO, "configs", "bench", "hybrid-25m.json")
BUILD_HINT = "swift build -c release -Xswiftc -target-cpu -Xswiftc haswell --product fulgur"


class Failure(Exception):
    """A check or a step failed; the message says which and why (printed, exit code 1)."""


def run_main(main):
    """Runs main(); a Failure or a bad file prints `Error: …` on stderr and exits 1."""
    try:
        sys.exit(main() or 0)
    except Failure as e:
        print(f"Error: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("Error: interrupted", file=sys.stderr)
        sys.exit(130)


# ---------------------------------------------------------------------------------------------
# the fulgur binary

def _executable(path):
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def fulgur_binary(path=None):
    """--fulgur PATH, else $FULGUR, else .build/release/fulgur of this checkout, else `fulgur` on PATH,
    else ../main/.build/release/fulgur (a worktree next to the main checkout)."""
    if path:
        if not _executable(path):
            raise Failure(f"{path}: not an executable fulgur binary (build it with `{BUILD_HINT}`)")
        return path
    import shutil
    for candidate in (os.environ.get("FULGUR"), DEFAULT_FULGUR, shutil.which("fulgur"), SIBLING_FULGUR):
        if _executable(candidate):
            return candidate
    raise Failure(f"no fulgur binary at {DEFAULT_FULGUR} (build it with `{BUILD_HINT}`, "
                  "or pass --fulgur PATH, or set FULGUR)")


def run_fulgur(binary, args, threads=None, timeout=3600, parse_json=True):
    """Runs `fulgur ARGS`; returns its parsed JSON stdout (or the text). Failures name the command."""
    env = dict(os.environ)
    if threads:
        env["FULGUR_THREADS"] = str(threads)
    cmd = [binary] + [str(a) for a in args]
    shown = " ".join(cmd if len(" ".join(cmd)) < 300 else cmd[:6] + ["…"])
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure(f"`{shown}` did not finish within {timeout} s")
    if p.returncode != 0:
        raise Failure(f"`{shown}` exited with {p.returncode}: {p.stderr.strip()[-2000:]}")
    if not parse_json:
        return p.stdout
    try:
        return json.loads(p.stdout)
    except json.JSONDecodeError as e:
        raise Failure(f"`{shown}` printed no JSON object ({e}): {p.stdout[:500]!r}")


# ---------------------------------------------------------------------------------------------
# threads

OMP_POLICIES = ("passive", "active", "default")


def add_omp_argument(ap):
    ap.add_argument("--omp-wait-policy", choices=OMP_POLICIES, default="passive",
                    help="OMP_WAIT_POLICY for PyTorch's OpenMP threads (default passive: on a shared, busy "
                         "machine libgomp's spinning barriers make every small 2-thread op wait a scheduler "
                         "time slice, ~40 ms; 'default' leaves the environment alone)")


def set_omp_wait_policy(policy):
    """Must run before torch is imported (libgomp reads the variable once, at start-up)."""
    if "torch" in sys.modules:
        raise Failure("internal: set_omp_wait_policy called after torch was imported")
    if policy != "default":
        os.environ["OMP_WAIT_POLICY"] = policy.upper()
    return os.environ.get("OMP_WAIT_POLICY", "unset")


# ---------------------------------------------------------------------------------------------
# configs

def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            value = json.load(f)
    except OSError as e:
        raise Failure(f"{path}: cannot read ({e.strerror})")
    except json.JSONDecodeError as e:
        raise Failure(f"{path}: invalid JSON ({e})")
    if not isinstance(value, dict):
        raise Failure(f"{path}: expected a JSON object")
    return value


MINIMAX_TYPES = ("minimax_m1", "minimax_text_01")

# MiniMax dialect field → HF in-tree field (architecture.md §1.2)
_RESIDUAL_FIELDS = {
    "layernorm_linear_attention_alpha": "linear_attn_alpha_factor",
    "layernorm_linear_attention_beta": "linear_attn_beta_factor",
    "layernorm_full_attention_alpha": "full_attn_alpha_factor",
    "layernorm_full_attention_beta": "full_attn_beta_factor",
    "layernorm_mlp_alpha": "mlp_alpha_factor",
    "layernorm_mlp_beta": "mlp_beta_factor",
}

# Fields with the same name and meaning in both dialects.
_COMMON_FIELDS = ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
                  "num_attention_heads", "num_local_experts", "num_experts_per_tok",
                  "max_position_embeddings", "rms_norm_eps", "hidden_act", "router_aux_loss_coef",
                  "tie_word_embeddings", "bos_token_id", "eos_token_id", "pad_token_id",
                  "initializer_range", "block_size")


def _is_power_of_two(n):
    return n > 0 and n & (n - 1) == 0


def hf_config_dict(raw, path="config.json"):
    """The HF in-tree (`model_type: minimax`) form of a Fulgur config.json of either dialect, with
    Fulgur's defaults made explicit where HF's differ. Raises Failure when HF's class cannot
    express the model exactly."""
    model_type = raw.get("model_type")
    for k in ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
              "num_attention_heads", "num_local_experts", "num_experts_per_tok"):
        if not isinstance(raw.get(k), int):
            raise Failure(f"{path}: {k}: missing or not an integer")
    heads = raw["num_attention_heads"]
    head_dim = raw.get("head_dim") or raw["hidden_size"] // heads
    out = {k: raw[k] for k in _COMMON_FIELDS if k in raw}
    out["model_type"] = "minimax"
    out["architectures"] = ["MiniMaxForCausalLM"]
    out["head_dim"] = head_dim
    # Fulgur (and MiniMax's code): absent kv heads = all heads; HF's MiniMaxConfig default is 8.
    out["num_key_value_heads"] = raw.get("num_key_value_heads") or heads
    out.setdefault("rms_norm_eps", 1e-5)
    out.setdefault("tie_word_embeddings", False)
    out.setdefault("max_position_embeddings", 131072)
    out.setdefault("block_size", 256)
    # Fulgur: no eos/bos unless given (HF's MiniMaxConfig defaults to bos 1, eos 2)
    for k in ("bos_token_id", "eos_token_id", "pad_token_id"):
        out.setdefault(k, None)
    out["sliding_window"] = None
    if raw.get("shared_intermediate_size", 0) not in (0, None):
        raise Failure(f"{path}: shared_intermediate_size: shared experts have no HF in-tree equivalent")

    if model_type == "minimax":
        for k in ("layer_types", *_RESIDUAL_FIELDS.values()):
            if k in raw:
                out[k] = raw[k]
        if "layer_types" not in raw:  # HF and Fulgur: full attention on even layers, linear on odd
            out["layer_types"] = ["full_attention" if i % 2 == 0 else "linear_attention"
                                  for i in range(raw["num_hidden_layers"])]
        rope = dict(raw.get("rope_parameters") or {"rope_theta": raw.get("rope_theta", 1e6)})
        rope.setdefault("rope_type", "default")
        rope.setdefault("rope_theta", 1e6)
        out["rope_parameters"] = rope
        return out

    if model_type not in MINIMAX_TYPES:
        raise Failure(f"{path}: model_type: unknown architecture {model_type!r} "
                      f"(expected minimax, {', '.join(MINIMAX_TYPES)})")
    kinds = raw.get("attn_type_list")
    if not isinstance(kinds, list) or any(k not in (0, 1) for k in kinds):
        raise Failure(f"{path}: attn_type_list: expected a list of 0 (lightning) / 1 (softmax)")
    out["layer_types"] = ["linear_attention" if k == 0 else "full_attention" for k in kinds]
    for src, dst in _RESIDUAL_FIELDS.items():
        out[dst] = raw.get(src, 1.0)
    # HF's decoder layer is always post-norm; MiniMax's own code defaults to pre-norm.
    if not raw.get("postnorm", False):
        raise Failure(f"{path}: postnorm is false or absent: HF's MiniMaxForCausalLM is post-norm only, "
                      "so it cannot run this model")
    # HF computes the decay slopes as (2^(-8/H))^(h+1); MiniMax's own code uses ALiBi's get_slopes,
    # which is the same list only when H is a power of two.
    if any(k == 0 for k in kinds) and not _is_power_of_two(heads):
        raise Failure(f"{path}: num_attention_heads = {heads} is not a power of two: HF's lightning-attention "
                      "decay slopes differ from MiniMax's (ALiBi) for this head count")
    rotary_dim = raw.get("rotary_dim", head_dim)
    rope = {"rope_theta": float(raw.get("rope_theta", 10000.0)), "rope_type": "default"}
    if rotary_dim != head_dim:
        # read by Fulgur (and vLLM) in HF-dialect configs; HF's MiniMax class needs the patch below
        rope["partial_rotary_factor"] = rotary_dim / head_dim
    out["rope_parameters"] = rope
    return out


def hf_config(raw, path="config.json", attn_implementation="eager", experts_implementation=None):
    """A transformers MiniMaxConfig for a Fulgur config (either dialect); installs the partial-RoPE
    patch when the config rotates only part of each head. experts_implementation: None (HF's
    default, grouped_mm), "eager", "grouped_mm" or "batched_mm"."""
    from transformers import MiniMaxConfig
    d = hf_config_dict(raw, path)
    if d["rope_parameters"].get("partial_rotary_factor", 1.0) != 1.0:
        install_partial_rotary_patch()
    d.pop("model_type")
    cfg = MiniMaxConfig(**d)
    cfg._attn_implementation = attn_implementation
    if experts_implementation:
        cfg._experts_implementation = experts_implementation
    return cfg


def rotary_dim_of(cfg):
    """Rotated dims per head of an HF MiniMaxConfig, reading partial_rotary_factor."""
    f = (cfg.rope_parameters or {}).get("partial_rotary_factor", 1.0)
    return int(round(head_dim_of(cfg) * f))


def head_dim_of(cfg):
    return getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads


_patched = False


def install_partial_rotary_patch():
    """HF's in-tree MiniMax class rotates every dim of a head and ignores rotary_dim /
    partial_rotary_factor; MiniMax's own code and vLLM rotate the first rotary_dim dims
    (rotate-half inside that slice) and pass the rest through. This makes HF do the latter:
    inverse frequencies over rotary_dim, and rotation of the leading slice whose width is the
    cos/sin width. A config without partial_rotary_factor is unaffected."""
    global _patched
    if _patched:
        return
    import torch
    import transformers.models.minimax.modeling_minimax as mm

    full_rotation = mm.apply_rotary_pos_emb

    def inverse_frequencies(config, device=None, **_):
        dim = rotary_dim_of(config)
        theta = config.rope_parameters["rope_theta"]
        exponents = torch.arange(0, dim, 2, dtype=torch.int64).to(device=device, dtype=torch.float) / dim
        return 1.0 / (theta ** exponents), 1.0

    def leading_slice_rotation(q, k, cos, sin, unsqueeze_dim=1):
        r = cos.shape[-1]
        if r == q.shape[-1]:
            return full_rotation(q, k, cos, sin, unsqueeze_dim)
        q_rot, k_rot = full_rotation(q[..., :r], k[..., :r], cos, sin, unsqueeze_dim)
        return torch.cat((q_rot, q[..., r:]), dim=-1), torch.cat((k_rot, k[..., r:]), dim=-1)

    mm.MiniMaxRotaryEmbedding.compute_default_rope_parameters = staticmethod(inverse_frequencies)
    mm.apply_rotary_pos_emb = leading_slice_rotation
    _patched = True


# ---------------------------------------------------------------------------------------------
# reporting

def log(*a, **kw):
    """Human-readable progress and tables: stderr (stdout carries only the JSON result)."""
    kw.setdefault("flush", True)
    print(*a, file=sys.stderr, **kw)


def emit_json(obj):
    """The script's result: one JSON object on stdout."""
    json.dump(obj, sys.stdout, indent=1, default=str)
    sys.stdout.write("\n")
    sys.stdout.flush()


def load_average():
    try:
        return os.getloadavg()
    except OSError:
        return (float("nan"),) * 3


def machine_line(threads):
    import platform
    la = load_average()
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"machine: {cpu or platform.processor()} · {os.cpu_count()} cores · {threads} threads · "
            f"load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}")


def quiet_transformers():
    """No progress bars or load reports: the scripts check missing/unexpected tensors themselves."""
    from transformers.utils import logging as hf_logging
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def start_torch(args, also=(), hint="pip install torch transformers"):
    """The PyTorch side's start, shared by the comparison scripts: OMP_WAIT_POLICY (before torch
    loads), torch and transformers (and the modules in `also`) imported with a Failure naming
    `hint` when missing, args.threads threads, quiet transformers logging, then the machine and
    versions lines on stderr (with the versions of the top-level modules in `also`). Returns torch and the OMP_WAIT_POLICY in effect."""
    import importlib
    omp = set_omp_wait_policy(args.omp_wait_policy)
    try:
        import torch
        import transformers  # noqa: F401
        extra = [importlib.import_module(name) for name in also]
    except ImportError as e:
        raise Failure(f"{e} ({hint})")
    torch.set_num_threads(args.threads)
    quiet_transformers()
    log(machine_line(args.threads))
    versions = "".join(f" · {m.__name__} {m.__version__}" for m in extra
                       if "." not in m.__name__ and hasattr(m, "__version__"))
    log(versions_line() + versions + f" · OMP_WAIT_POLICY {omp}")
    return torch, omp


def versions_line():
    import torch
    import transformers
    return f"versions: python {sys.version.split()[0]} · torch {torch.__version__} · transformers {transformers.__version__}"


def table(headers, rows):
    """Plain-text table with right-aligned numbers."""
    cells = [headers] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
