#!/usr/bin/env python3
"""llama.cpp against Fulgur in the same run: prefill and decode tokens/s of the same MiniMax-01
hybrid model (same shapes, same weights) on the same machine, thread count and time window.

Steps (each cached, each failure names itself and exits 1):
  1. llama.cpp: the `llama-cpp-python` sdist from PyPI (--version, default 0.3.36) vendors
     llama.cpp with MiniMax-01 support, its convert_hf_to_gguf.py and gguf-py. The sdist is
     fetched with `pip download --no-binary llama-cpp-python --no-build-isolation` (needs cmake
     from Debian and scikit-build-core; both are installed when missing) and only the
     `llama-bench` target is built (GGML_NATIVE, Release, static, no server, no OpenSSL/CURL)
     under `nice -n 19` with --build-jobs (default 2) into .build-llamacpp/build-VERSION. Skipped
     when that llama-bench exists.
  2. The model: `fulgur init --config CONFIG --seed 0` (CONFIG default configs/bench/hybrid-25m.json)
     into .build-llamacpp/models/NAME-HASH-seedS/fulgur, then a folder convert_hf_to_gguf.py accepts
     as `MiniMaxText01ForCausalLM` (hf/), then llamacpp-VERSION/model-f32.gguf and model-f16.gguf. The
     converter needs torch, transformers, numpy, pyyaml, tqdm (installed with pip when missing,
     unless --no-install). Skipped when the files exist.
  3. The benchmark, alternating the peers (A/B, then B/A on the next repeat) --repeats times:
     llama-bench on model-f32.gguf and Fulgur `bench inference --weights f32`; llama-bench on
     model-f16.gguf and Fulgur `--weights bf16` (bf16-resident weight matrices, widened to f32 in
     the kernels). llama-bench's settings are its defaults (n_batch 2048, n_ubatch 512, flash
     attention auto, f16 KV cache: its -ctk/-ctv accept no f32; only the one softmax layer has a
     KV cache, 2 heads × 32 dims, and the lightning states are f32 on both sides).
     llama-bench: `-p 512,4096 -n 0` (prefill from an empty context) and `-p 0 -n 128 -d 512,4096`
     (128 generated tokens after an untimed prefill of 512 / 4096), `-r --llama-reps` (default 3)
     repetitions each, mean t/s. Fulgur: `fulgur bench inference --model fulgur/ --contexts
     512,4096 --decode-steps 128 --json` (one prefill of n tokens from an empty cache, then one
     untimed and 128 timed decode steps on that cache). Same thread count both sides (--threads,
     default 2: `-t` and FULGUR_THREADS).

Conversion adaptations (none changes the cost of a token; the script checks the GGUF's shapes
and parameter count against Fulgur's and fails on any difference):
  - config.json rewritten in the MiniMax dialect the converter reads (model_type minimax_text_01,
    architectures MiniMaxText01ForCausalLM, attn_type_list, rotary_dim, layernorm_*_alpha/beta);
    AutoConfig cannot load it, so the converter falls back to the raw JSON, as intended.
  - HF's derived lightning buffers (slope_rate, query_decay, key_decay, diagonal_decay) dropped if
    the checkpoint has them (llama.cpp recomputes the slopes); model.safetensors.index.json written
    (the converter reads the embedding's shard from it).
  - tokenizer: the byte-level BPE fixture Tests/Fixtures/tokenizers/bpe-gpt2 (2,000 tokens; the
    converter pads to vocab_size with [PADn] entries) with a tokenizer_config.json, and
    tokenizer.ggml.pre pinned to "gpt-2" (the converter identifies pre-tokenizers by a hash of
    known models' tokenizations, and the fixture is none of them). The benchmarks use random ids.
  - llama.cpp marks the softmax layers as every 8th layer unless told; a config with another
    pattern gets `minimax-01.attention.recurrent_layers` written explicitly.
  - RoPE width, rms eps and the residual alphas are carried over as they are (a partial rotary_dim
    would be kept; hybrid-25m rotates the full head). llama.cpp's MiniMax-01 graph is post-norm
    only; a pre-norm config benchmarks as post-norm (same cost), which the output notes.
  Differences of method that remain: llama.cpp's lightning attention treats each ubatch (512
  tokens by default) as one block (an n_ubatch² decay matrix per head), Fulgur's inference
  prefill uses 64-token blocks; llama-bench's prefill at 4,096 runs as 8 ubatches of 512, and
  each of its decode repetitions redoes the (untimed) prefill of the depth.

Output: progress and the tables on stderr; one JSON object on stdout (and in --json PATH, written
atomically): machine, versions, model shapes, every run's numbers and the means and ratios.
Ratios are Fulgur / llama.cpp (above 1: Fulgur is faster).
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import shlex
import shutil
import statistics
import struct
import subprocess
import sys
import tarfile
import tempfile
import time

from fulgur_hf import REPO, Failure, emit_json, fulgur_binary, load_average, log, read_json, run_main, table

ROOT = os.path.join(REPO, ".build-llamacpp")
DEFAULT_CONFIG = os.path.join(REPO, "configs", "bench", "hybrid-25m.json")
TOKENIZER_FIXTURE = os.path.join(REPO, "Tests", "Fixtures", "tokenizers", "bpe-gpt2")
CONVERTER_PACKAGES = {"torch": "torch", "transformers": "transformers", "numpy": "numpy", "yaml": "pyyaml",
                      "tqdm": "tqdm"}
DERIVED_BUFFERS = ("slope_rate", "query_decay", "key_decay", "diagonal_decay")
ISA_FLAGS = ("sse4_2", "avx", "f16c", "fma", "avx2", "avx_vnni", "avx512f", "avx512bw", "avx512vl",
             "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16")


# ---------------------------------------------------------------------------------------------
# small helpers

def run_logged(cmd, what, log_path, env=None, cwd=None, timeout=None):
    """Runs cmd with stdout+stderr appended to log_path; a failure names `what` and shows the tail."""
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    with open(log_path, "a") as f:
        f.write(f"\n$ {' '.join(cmd)}\n")
        f.flush()
        try:
            p = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, env=env, cwd=cwd, timeout=timeout)
        except FileNotFoundError:
            raise Failure(f"{what}: {cmd[0]} not found")
        except subprocess.TimeoutExpired:
            raise Failure(f"{what}: `{' '.join(cmd)}` did not finish within {timeout} s (log: {log_path})")
    if p.returncode != 0:
        with open(log_path, errors="replace") as f:
            tail = "".join(f.readlines()[-25:])
        raise Failure(f"{what} failed (exit {p.returncode}; log: {log_path}):\n{tail}")


def write_atomically(path, text):
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def cpu_info():
    model, flags = "", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and not model:
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return model or platform.processor(), [x for x in ISA_FLAGS if x in flags]


def git_commit():
    try:
        head = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# ---------------------------------------------------------------------------------------------
# 1. llama.cpp

def paths(version):
    src = os.path.join(ROOT, "src", f"llama_cpp_python-{version}")
    build = os.path.join(ROOT, f"build-{version}")
    return src, os.path.join(src, "vendor", "llama.cpp"), build, os.path.join(build, "bin", "llama-bench")


def ensure_cmake(log_path):
    if shutil.which("cmake"):
        return
    if not shutil.which("apt-get"):
        raise Failure("cmake not found and no apt-get to install it (install cmake ≥ 3.14)")
    log("installing cmake (apt-get install -y cmake)…")
    try:
        run_logged(["apt-get", "install", "-y", "cmake"], "apt-get install cmake", log_path)
    except Failure:
        run_logged(["apt-get", "update"], "apt-get update", log_path)
        run_logged(["apt-get", "install", "-y", "cmake"], "apt-get install cmake", log_path)


def ensure_llamacpp(args, timings):
    src, llama, build, bench = paths(args.version)
    setup_log = os.path.join(ROOT, f"setup-{args.version}.log")
    if os.access(bench, os.X_OK):
        log(f"llama.cpp: {bench} exists (cached)")
        return llama, bench
    for tool in ("cc", "c++"):
        if not shutil.which(tool):
            raise Failure(f"llama.cpp build: no C/C++ compiler ({tool}) on PATH (apt-get install -y build-essential)")
    os.makedirs(os.path.join(ROOT, "src"), exist_ok=True)
    ensure_cmake(setup_log)
    if not os.path.isdir(llama):
        tarball = os.path.join(ROOT, "src", f"llama_cpp_python-{args.version}.tar.gz")
        if not os.path.isfile(tarball):
            if subprocess.run([sys.executable, "-c", "import scikit_build_core"], capture_output=True).returncode:
                log("installing scikit-build-core (pip)…")
                run_logged([sys.executable, "-m", "pip", "install", "scikit-build-core"],
                           "pip install scikit-build-core", setup_log)
            log(f"downloading the llama-cpp-python=={args.version} sdist (pip download)…")
            t0 = time.perf_counter()
            tmp = tempfile.mkdtemp(dir=ROOT, prefix=".download-")
            try:
                run_logged([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", "llama-cpp-python",
                            "--no-build-isolation", f"llama-cpp-python=={args.version}", "-d", tmp],
                           f"download of llama-cpp-python=={args.version}", setup_log)
                got = [f for f in os.listdir(tmp) if f.endswith(".tar.gz")]
                if not got:
                    raise Failure(f"download of llama-cpp-python=={args.version}: pip saved no sdist in {tmp}")
                os.makedirs(os.path.dirname(tarball), exist_ok=True)
                os.replace(os.path.join(tmp, got[0]), tarball)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            timings["download_s"] = round(time.perf_counter() - t0, 1)
        log(f"extracting {os.path.basename(tarball)}…")
        tmp = tempfile.mkdtemp(dir=os.path.dirname(tarball), prefix=".extract-")
        try:
            with tarfile.open(tarball) as tf:
                tf.extractall(tmp, filter="data")
            inner = os.path.join(tmp, os.path.basename(src))
            if not os.path.isdir(os.path.join(inner, "vendor", "llama.cpp", "tools", "llama-bench")):
                raise Failure(f"{tarball}: no vendor/llama.cpp with tools/llama-bench inside")
            shutil.rmtree(src, ignore_errors=True)
            os.replace(inner, src)
        except (tarfile.TarError, OSError) as e:
            raise Failure(f"extracting {tarball}: {e}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    log(f"building llama-bench (nice -n 19, -j{args.build_jobs}; log {setup_log}; 20–40 min on 2 busy cores)…")
    t0 = time.perf_counter()
    env = dict(os.environ)
    # the sdist carries llama.cpp's git metadata: keep git from walking up into this repository
    env["GIT_CEILING_DIRECTORIES"] = os.path.dirname(src)
    run_logged(["cmake", "-S", llama, "-B", build, "-DCMAKE_BUILD_TYPE=Release", "-DGGML_NATIVE=ON",
                "-DBUILD_SHARED_LIBS=OFF", "-DLLAMA_CURL=OFF", "-DLLAMA_OPENSSL=OFF", "-DLLAMA_BUILD_SERVER=OFF",
                "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_APP=OFF",
                "-DLLAMA_BUILD_TOOLS=ON", "-DGGML_CCACHE=OFF"], "llama.cpp cmake configure", setup_log, env=env)
    run_logged(["nice", "-n", "19", "cmake", "--build", build, "--target", "llama-bench", "-j", str(args.build_jobs)],
               "llama.cpp build (llama-bench)", setup_log, env=env)
    timings["build_s"] = round(time.perf_counter() - t0, 1)
    if not os.access(bench, os.X_OK):
        raise Failure(f"llama.cpp build: finished but {bench} is missing (log: {setup_log})")
    return llama, bench


# ---------------------------------------------------------------------------------------------
# 2. the model

def safetensors_header(path):
    try:
        with open(path, "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(n))
    except (OSError, struct.error, json.JSONDecodeError) as e:
        raise Failure(f"{path}: cannot read the safetensors header ({e})")
    return n, header


def write_filtered_safetensors(src, dst, keep):
    """Copies the tensors in `keep` of src into dst (stdlib only; offsets rewritten)."""
    n, header = safetensors_header(src)
    out, offset = {}, 0
    if "__metadata__" in header:
        out["__metadata__"] = header["__metadata__"]
    order = sorted((k for k in header if k != "__metadata__" and k in keep), key=lambda k: header[k]["data_offsets"][0])
    for k in order:
        a, b = header[k]["data_offsets"]
        out[k] = dict(header[k], data_offsets=[offset, offset + b - a])
        offset += b - a
    blob = json.dumps(out, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    tmp = dst + ".tmp"
    with open(src, "rb") as fin, open(tmp, "wb") as fout:
        fout.write(struct.pack("<Q", len(blob)) + blob)
        for k in order:
            a, b = header[k]["data_offsets"]
            fin.seek(8 + n + a)
            fout.write(fin.read(b - a))
    os.replace(tmp, dst)


def model_shape(raw, path):
    """The shape facts of a Fulgur config.json (either dialect) that llama.cpp must reproduce."""
    need = ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
            "num_local_experts", "num_experts_per_tok")
    for k in need:
        if not isinstance(raw.get(k), int):
            raise Failure(f"{path}: {k}: missing or not an integer")
    heads = raw["num_attention_heads"]
    head_dim = raw.get("head_dim") or raw["hidden_size"] // heads
    layers = raw["num_hidden_layers"]
    mt = raw.get("model_type")
    if mt == "minimax":
        kinds = raw.get("layer_types") or ["full_attention" if i % 2 == 0 else "linear_attention" for i in range(layers)]
        softmax = [k == "full_attention" for k in kinds]
        rope = raw.get("rope_parameters") or {}
        theta = float(rope.get("rope_theta", raw.get("rope_theta", 1e6)))
        rotary = int(round(head_dim * float(rope.get("partial_rotary_factor", 1.0))))
        alpha = {n: float(raw.get(f"{n}_alpha_factor", 1.0)) for n in ("full_attn", "linear_attn", "mlp")}
        beta = {n: float(raw.get(f"{n}_beta_factor", 1.0)) for n in ("full_attn", "linear_attn", "mlp")}
        postnorm = True
    elif mt in ("minimax_m1", "minimax_text_01"):
        kinds = raw.get("attn_type_list")
        if not isinstance(kinds, list) or any(k not in (0, 1) for k in kinds):
            raise Failure(f"{path}: attn_type_list: expected a list of 0 (lightning) / 1 (softmax)")
        softmax = [k == 1 for k in kinds]
        theta = float(raw.get("rope_theta", 10000.0))
        rotary = int(raw.get("rotary_dim", head_dim))
        names = {"full_attn": "full_attention", "linear_attn": "linear_attention", "mlp": "mlp"}
        alpha = {n: float(raw.get(f"layernorm_{m}_alpha", 1.0)) for n, m in names.items()}
        beta = {n: float(raw.get(f"layernorm_{m}_beta", 1.0)) for n, m in names.items()}
        postnorm = bool(raw.get("postnorm", False))
    else:
        raise Failure(f"{path}: model_type: {mt!r} is not a MiniMax config (minimax, minimax_m1, minimax_text_01)")
    if len(softmax) != layers:
        raise Failure(f"{path}: {len(softmax)} layer kinds for {layers} layers")
    if raw.get("shared_intermediate_size", 0) not in (0, None):
        raise Failure(f"{path}: shared_intermediate_size: llama.cpp's MiniMax-01 has no shared experts")
    if len(set(alpha.values())) != 1 or set(beta.values()) != {1.0}:
        raise Failure(f"{path}: llama.cpp's MiniMax-01 needs one residual alpha for all blocks and betas of 1 "
                      f"(alphas {alpha}, betas {beta})")
    return {
        "vocab_size": raw["vocab_size"], "hidden_size": raw["hidden_size"], "intermediate_size": raw["intermediate_size"],
        "num_hidden_layers": layers, "num_attention_heads": heads,
        "num_key_value_heads": raw.get("num_key_value_heads") or heads, "head_dim": head_dim,
        "num_local_experts": raw["num_local_experts"], "num_experts_per_tok": raw["num_experts_per_tok"],
        "softmax_layers": [i for i, s in enumerate(softmax) if s], "rotary_dim": rotary, "rope_theta": theta,
        "rms_norm_eps": float(raw.get("rms_norm_eps", 1e-5)), "residual_alpha": alpha["mlp"], "postnorm": postnorm,
        "tie_word_embeddings": bool(raw.get("tie_word_embeddings", False)),
        "max_position_embeddings": int(raw.get("max_position_embeddings", 131072)),
        "block_size": int(raw.get("block_size", 256)),
    }


def converter_config(shape):
    """config.json in the MiniMax dialect convert_hf_to_gguf.py's MiniMaxText01Model reads."""
    a = shape["residual_alpha"]
    return {
        "architectures": ["MiniMaxText01ForCausalLM"], "model_type": "minimax_text_01",
        "vocab_size": shape["vocab_size"], "hidden_size": shape["hidden_size"],
        "intermediate_size": shape["intermediate_size"], "num_hidden_layers": shape["num_hidden_layers"],
        "num_attention_heads": shape["num_attention_heads"], "num_key_value_heads": shape["num_key_value_heads"],
        "head_dim": shape["head_dim"], "num_local_experts": shape["num_local_experts"],
        "num_experts_per_tok": shape["num_experts_per_tok"],
        "attn_type_list": [1 if i in shape["softmax_layers"] else 0 for i in range(shape["num_hidden_layers"])],
        "rotary_dim": shape["rotary_dim"], "rope_theta": shape["rope_theta"], "rms_norm_eps": shape["rms_norm_eps"],
        "max_position_embeddings": shape["max_position_embeddings"], "block_size": shape["block_size"],
        "hidden_act": "silu", "postnorm": True, "tie_word_embeddings": shape["tie_word_embeddings"],
        "layernorm_full_attention_alpha": a, "layernorm_full_attention_beta": 1.0,
        "layernorm_linear_attention_alpha": a, "layernorm_linear_attention_beta": 1.0,
        "layernorm_mlp_alpha": a, "layernorm_mlp_beta": 1.0,
    }


def prepare_hf_folder(fulgur_dir, hf_dir, shape, notes):
    """The folder convert_hf_to_gguf.py reads: config (MiniMax dialect), weights without derived
    buffers, index.json, tokenizer. Written to a temp folder and renamed."""
    tmp = hf_dir + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    src = os.path.join(fulgur_dir, "model.safetensors")
    n, header = safetensors_header(src)
    names = [k for k in header if k != "__metadata__"]
    derived = [k for k in names if k.rsplit(".", 1)[-1] in DERIVED_BUFFERS]
    keep = [k for k in names if k not in derived]
    dst = os.path.join(tmp, "model.safetensors")
    if derived:
        notes.append(f"dropped {len(derived)} derived lightning buffers ({', '.join(DERIVED_BUFFERS)})")
        write_filtered_safetensors(src, dst, set(keep))
    else:
        os.symlink(os.path.abspath(src), dst)
    total = sum(header[k]["data_offsets"][1] - header[k]["data_offsets"][0] for k in keep)
    index = {"metadata": {"total_size": total}, "weight_map": {k: "model.safetensors" for k in sorted(keep)}}
    with open(os.path.join(tmp, "model.safetensors.index.json"), "w") as f:
        json.dump(index, f, indent=1)
    with open(os.path.join(tmp, "config.json"), "w") as f:
        json.dump(converter_config(shape), f, indent=1)
    tok = os.path.join(TOKENIZER_FIXTURE, "tokenizer.json")
    tj = read_json(tok)
    vocab = tj.get("model", {}).get("vocab", {})
    top = max(list(vocab.values()) + [t["id"] for t in tj.get("added_tokens", [])])
    if top >= shape["vocab_size"]:
        raise Failure(f"{tok}: token id {top} ≥ the model's vocab_size {shape['vocab_size']}")
    shutil.copy(tok, os.path.join(tmp, "tokenizer.json"))
    with open(os.path.join(tmp, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": shape["max_position_embeddings"]},
                  f, indent=1)
    shutil.rmtree(hf_dir, ignore_errors=True)
    os.replace(tmp, hf_dir)


# Run by the converter's Python: pins tokenizer.ggml.pre, writes the softmax-layer pattern when it
# is not llama.cpp's default (every 8th layer), then runs convert_hf_to_gguf.py as __main__.
CONVERT_WRAPPER = r'''
import json, os, runpy, sys
llama, pre, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path.insert(0, os.path.join(llama, "gguf-py"))
sys.path.insert(0, llama)
import gguf
import conversion.base as base
from conversion.minimax import MiniMaxText01Model
base.TextModel.get_vocab_base_pre = lambda self, tokenizer: pre
_set = MiniMaxText01Model.set_gguf_parameters
def set_gguf_parameters(self):
    _set(self)
    kinds = self.hparams.get("attn_type_list")
    if kinds and [k == 0 for k in kinds] != [(i + 1) % 8 != 0 for i in range(len(kinds))]:
        self.gguf_writer.add_recurrent_layers([k == 0 for k in kinds])
MiniMaxText01Model.set_gguf_parameters = set_gguf_parameters
sys.argv = [os.path.join(llama, "convert_hf_to_gguf.py")] + rest
runpy.run_path(sys.argv[0], run_name="__main__")
'''

# Reads a GGUF's hyperparameters and tensor shapes (vendored gguf-py) and prints them as JSON.
INSPECT_GGUF = r'''
import json, sys
sys.path.insert(0, sys.argv[1] + "/gguf-py")
import gguf
r = gguf.GGUFReader(sys.argv[2])
kv = {}
for name, field in r.fields.items():
    if name.startswith("tokenizer.ggml.") and name not in ("tokenizer.ggml.pre", "tokenizer.ggml.model"):
        continue
    try:
        v = field.contents()
    except Exception:
        continue
    kv[name] = v
tensors = {t.name: {"shape": [int(x) for x in t.shape], "type": t.tensor_type.name, "n": int(t.n_elements)}
           for t in r.tensors}
print(json.dumps({"kv": kv, "tensors": tensors, "n_vocab": len(r.fields["tokenizer.ggml.tokens"].data)}, default=str))
'''


def ensure_converter_packages(args, log_path):
    missing = [pkg for mod, pkg in CONVERTER_PACKAGES.items()
               if subprocess.run([sys.executable, "-c", f"import {mod}"], capture_output=True).returncode]
    if not missing:
        return
    if args.no_install:
        raise Failure(f"conversion needs the Python packages {', '.join(missing)} (pip install {' '.join(missing)}; "
                      "or run without --no-install)")
    log(f"installing the converter's Python packages: {' '.join(missing)} (pip; torch from PyPI brings its CUDA "
        "libraries, several GB)…")
    run_logged([sys.executable, "-m", "pip", "install", *missing], f"pip install {' '.join(missing)}", log_path)


def ensure_model(args, llama, fulgur, timings):
    raw = read_json(args.config)
    shape = model_shape(raw, args.config)
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()[:10]
    name = os.path.splitext(os.path.basename(args.config))[0]
    mdir = os.path.join(ROOT, "models", f"{name}-{digest}-seed{args.seed}")
    fdir, hdir = os.path.join(mdir, "fulgur"), os.path.join(mdir, "hf")
    # GGUFs per llama.cpp version (its converter wrote them); the Fulgur model is shared
    ggufs = {p: os.path.join(mdir, f"llamacpp-{args.version}", f"model-{p}.gguf") for p in ("f32", "f16")}
    notes = []
    if not shape["postnorm"]:
        notes.append("the config is pre-norm; llama.cpp's MiniMax-01 graph is post-norm (same cost per token)")
    if shape["rotary_dim"] != shape["head_dim"]:
        notes.append(f"partial RoPE kept: rotary_dim {shape['rotary_dim']} of head_dim {shape['head_dim']}")
    if shape["softmax_layers"] != [i for i in range(shape["num_hidden_layers"]) if (i + 1) % 8 == 0]:
        notes.append(f"softmax layers {shape['softmax_layers']} written as minimax-01.attention.recurrent_layers")
    if not os.path.isfile(os.path.join(fdir, "model.safetensors")):
        log(f"model: fulgur init --config {args.config} --seed {args.seed} → {fdir}")
        t0 = time.perf_counter()
        tmp = fdir + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        p = subprocess.run([fulgur, "init", "--config", args.config, "--out", tmp, "--seed", str(args.seed)],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise Failure(f"`fulgur init --config {args.config}` exited with {p.returncode}: {p.stderr.strip()[-2000:]}")
        shutil.rmtree(fdir, ignore_errors=True)
        os.replace(tmp, fdir)
        timings["fulgur_init_s"] = round(time.perf_counter() - t0, 1)
    conv_log = os.path.join(mdir, f"llamacpp-{args.version}", "convert.log")
    if not all(os.path.isfile(g) for g in ggufs.values()):
        prepare_hf_folder(fdir, hdir, shape, notes)
        ensure_converter_packages(args, os.path.join(ROOT, f"setup-{args.version}.log"))
        t0 = time.perf_counter()
        for prec, path in ggufs.items():
            if os.path.isfile(path):
                continue
            log(f"converting to GGUF {prec} (convert_hf_to_gguf.py; log {conv_log})…")
            tmp = path + ".tmp.gguf"
            run_logged([sys.executable, "-c", CONVERT_WRAPPER, llama, args.pre, hdir, "--outtype", prec,
                        "--outfile", tmp], f"conversion to GGUF {prec}", conv_log)
            os.replace(tmp, path)
        timings["convert_s"] = round(time.perf_counter() - t0, 1)
    return shape, fdir, ggufs, notes


def inspect_gguf(llama, path):
    p = subprocess.run([sys.executable, "-c", INSPECT_GGUF, llama, path], capture_output=True, text=True)
    if p.returncode != 0:
        raise Failure(f"reading {path} with gguf-py: {p.stderr.strip()[-1500:]}")
    return json.loads(p.stdout)


def check_shapes(shape, info, path):
    """Compares the GGUF with the config; returns the GGUF's parameter count. Raises on a mismatch."""
    kv, t = info["kv"], info["tensors"]
    arch = kv.get("general.architecture")
    want = {
        f"{arch}.block_count": shape["num_hidden_layers"], f"{arch}.embedding_length": shape["hidden_size"],
        f"{arch}.feed_forward_length": shape["intermediate_size"], f"{arch}.attention.head_count": shape["num_attention_heads"],
        f"{arch}.attention.head_count_kv": shape["num_key_value_heads"], f"{arch}.attention.key_length": shape["head_dim"],
        f"{arch}.attention.value_length": shape["head_dim"], f"{arch}.expert_count": shape["num_local_experts"],
        f"{arch}.expert_used_count": shape["num_experts_per_tok"], f"{arch}.rope.dimension_count": shape["rotary_dim"],
    }
    bad = [f"{k} = {kv.get(k)} (config: {v})" for k, v in want.items() if kv.get(k) != v]
    if arch != "minimax-01":
        bad.append(f"general.architecture = {arch} (expected minimax-01)")
    if info["n_vocab"] != shape["vocab_size"] or t.get("token_embd.weight", {}).get("shape", [0, 0])[1] != shape["vocab_size"]:
        bad.append(f"vocab {info['n_vocab']} / token_embd {t.get('token_embd.weight', {}).get('shape')} "
                   f"(config: {shape['vocab_size']})")
    softmax = sorted(int(k.split(".")[1]) for k in t if k.endswith(".attn_q.weight"))
    if softmax != shape["softmax_layers"]:
        bad.append(f"softmax layers {softmax} (config: {shape['softmax_layers']})")
    if bad:
        raise Failure(f"{path}: the GGUF's shapes differ from the config: " + "; ".join(bad))
    return sum(x["n"] for x in t.values())


# ---------------------------------------------------------------------------------------------
# 3. the benchmark

def llama_bench(bench, gguf, args, extra, what):
    cmd = [bench, "-m", gguf, "-t", str(args.threads), "-r", str(args.llama_reps), "-o", "json"] + extra + \
        shlex.split(args.llama_args)
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise Failure(f"llama-bench ({what}) exited with {p.returncode}: `{' '.join(cmd)}`\n{p.stderr.strip()[-2000:]}")
    try:
        rows = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        raise Failure(f"llama-bench ({what}) printed no JSON ({e}): {p.stdout[:300]!r}")
    if not rows:
        raise Failure(f"llama-bench ({what}) reported no test")
    return rows


def run_llama(bench, gguf, prec, args):
    ctx = ",".join(str(c) for c in args.contexts)
    t0 = time.perf_counter()
    pp = llama_bench(bench, gguf, args, ["-p", ctx, "-n", "0"], f"{prec} prefill")
    tg = llama_bench(bench, gguf, args, ["-p", "0", "-n", str(args.decode_tokens), "-d", ctx], f"{prec} decode")
    out = {"prefill": {}, "decode": {}, "seconds": round(time.perf_counter() - t0, 1), "raw": pp + tg}
    for r in pp + tg:
        if r.get("model_n_params") is not None:
            out["llama_n_params"] = r["model_n_params"]
    for r in pp:
        out["prefill"][r["n_prompt"]] = r["avg_ts"]
    for r in tg:
        out["decode"][r["n_depth"]] = r["avg_ts"]
    for c in args.contexts:
        if c not in out["prefill"] or c not in out["decode"]:
            raise Failure(f"llama-bench ({prec}) reported no result for context {c}")
    return out


def run_fulgur(fulgur, fdir, weights, args):
    env = dict(os.environ, FULGUR_THREADS=str(args.threads))
    cmd = [fulgur, "bench", "inference", "--model", fdir, "--contexts", ",".join(str(c) for c in args.contexts),
           "--decode-steps", str(args.decode_tokens), "--weights", weights, "--json"]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise Failure(f"fulgur bench inference (--weights {weights}) exited with {p.returncode}: "
                      f"{p.stderr.strip()[-2000:]}")
    try:
        rep = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        raise Failure(f"fulgur bench inference (--weights {weights}) printed no JSON ({e}): {p.stdout[:300]!r}")
    out = {"prefill": {}, "decode": {}, "seconds": round(time.perf_counter() - t0, 1), "raw": rep}
    for r in rep["results"]:
        out["prefill"][r["context"]] = r["prefill_tokens_per_s"]
        out["decode"][r["context"]] = r["decode_tokens_per_s"]
    return out


PAIRS = (("f32", "f32", "f32"), ("f16", "f16", "bf16"))  # (name, llama.cpp GGUF, Fulgur --weights)


def benchmark(args, bench, ggufs, fulgur, fdir):
    runs = []
    for rep in range(1, args.repeats + 1):
        llama_first = rep % 2 == 1
        for name, gp, fw in PAIRS:
            order = ("llama", "fulgur") if llama_first else ("fulgur", "llama")
            for side in order:
                la = " ".join(f"{x:.2f}" for x in load_average())
                log(f"run {rep}/{args.repeats}: {'llama.cpp ' + gp if side == 'llama' else 'Fulgur ' + fw} "
                    f"(load {la})…")
                r = run_llama(bench, ggufs[gp], gp, args) if side == "llama" else run_fulgur(fulgur, fdir, fw, args)
                runs.append({"repeat": rep, "pair": name, "side": side,
                             "precision": gp if side == "llama" else fw, "load_average_before": la, **r})
    return runs


def summarize(runs, args):
    """{pair: {metric: {context: {"llama": [...], "fulgur": [...], means, ratio}}}}"""
    out = {}
    for name, _, _ in PAIRS:
        out[name] = {}
        for metric in ("prefill", "decode"):
            out[name][metric] = {}
            for c in args.contexts:
                per = {}
                for side in ("llama", "fulgur"):
                    per[side] = [r[metric][c] for r in runs if r["pair"] == name and r["side"] == side]
                lm, fm = statistics.mean(per["llama"]), statistics.mean(per["fulgur"])
                ratios = [f / l for l, f in zip(per["llama"], per["fulgur"])]
                out[name][metric][c] = {"llama_cpp": per["llama"], "fulgur": per["fulgur"], "llama_cpp_mean": lm,
                                        "fulgur_mean": fm, "ratio_per_run": ratios, "ratio_of_means": fm / lm}
    return out


def fmt(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def print_tables(summary, args):
    for metric, title in (("decode", f"decode tok/s ({args.decode_tokens} tokens after a prefill of `context`)"),
                          ("prefill", "prefill tok/s (`context` tokens from an empty cache)")):
        headers = ["context", "run", "llama.cpp f32", "Fulgur f32", "ratio", "llama.cpp f16", "Fulgur bf16", "ratio"]
        rows = []
        for c in args.contexts:
            a, b = summary["f32"][metric][c], summary["f16"][metric][c]
            for i in range(args.repeats):
                rows.append([f"{c:,}", str(i + 1), fmt(a["llama_cpp"][i]), fmt(a["fulgur"][i]),
                             f"{a['ratio_per_run'][i]:.2f}×", fmt(b["llama_cpp"][i]), fmt(b["fulgur"][i]),
                             f"{b['ratio_per_run'][i]:.2f}×"])
            rows.append([f"{c:,}", "mean", fmt(a["llama_cpp_mean"]), fmt(a["fulgur_mean"]), f"{a['ratio_of_means']:.2f}×",
                         fmt(b["llama_cpp_mean"]), fmt(b["fulgur_mean"]), f"{b['ratio_of_means']:.2f}×"])
        log("")
        log(title + "; ratio = Fulgur / llama.cpp")
        log(table(headers, rows))


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default=DEFAULT_CONFIG,
                    help="model config.json, either dialect (default configs/bench/hybrid-25m.json)")
    ap.add_argument("--version", default="0.3.36", help="llama-cpp-python sdist version (default 0.3.36)")
    ap.add_argument("--threads", type=int, default=2, help="llama-bench -t and FULGUR_THREADS (default 2)")
    ap.add_argument("--repeats", type=int, default=2, help="alternating rounds of both peers (default 2)")
    ap.add_argument("--llama-reps", type=int, default=3, help="llama-bench -r per test, averaged (default 3)")
    ap.add_argument("--contexts", default="512,4096", help="prefill lengths and decode depths (default 512,4096)")
    ap.add_argument("--decode-tokens", type=int, default=128, help="generated tokens per decode test (default 128)")
    ap.add_argument("--llama-args", default="", metavar="ARGS",
                    help="extra llama-bench arguments, e.g. '--poll 0' (default: none, llama-bench's defaults)")
    ap.add_argument("--seed", type=int, default=0, help="fulgur init seed (default 0)")
    ap.add_argument("--fulgur", help="the fulgur binary (default: $FULGUR, .build/release/fulgur, PATH)")
    ap.add_argument("--build-jobs", type=int, default=2, help="parallel compile jobs for llama.cpp (default 2)")
    ap.add_argument("--pre", default="gpt-2", help="tokenizer.ggml.pre written into the GGUF (default gpt-2)")
    ap.add_argument("--no-install", action="store_true",
                    help="fail instead of pip-installing the converter's packages when missing")
    ap.add_argument("--setup-only", action="store_true", help="build, convert and check shapes; no benchmark")
    ap.add_argument("--json", metavar="PATH", help="also write the JSON result to PATH (atomically)")
    args = ap.parse_args()
    try:
        args.contexts = [int(c) for c in args.contexts.split(",")]
        assert all(c > 0 for c in args.contexts)
    except (ValueError, AssertionError):
        raise Failure(f"--contexts: {args.contexts!r} is not a list of positive lengths")
    for k in ("threads", "repeats", "llama_reps", "decode_tokens", "build_jobs"):
        if getattr(args, k) < 1:
            raise Failure(f"--{k.replace('_', '-')}: must be at least 1")
    if not os.path.isfile(args.config):
        raise Failure(f"{args.config}: no such config (pass --config PATH)")
    args.config = os.path.abspath(args.config)
    fulgur = os.path.abspath(fulgur_binary(args.fulgur))
    started = datetime.datetime.now(datetime.timezone.utc)
    commit = git_commit()
    timings = {}

    t0 = time.perf_counter()
    llama, bench = ensure_llamacpp(args, timings)
    shape, fdir, ggufs, notes = ensure_model(args, llama, fulgur, timings)
    gguf_params = {}
    for prec, path in ggufs.items():
        info = inspect_gguf(llama, path)
        gguf_params[prec] = check_shapes(shape, info, path)
        if prec == "f32":
            gguf_kv = {k: v for k, v in info["kv"].items() if k.startswith(("general.architecture", "minimax-01."))}
            gguf_kv["tokenizer.ggml.pre"] = info["kv"].get("tokenizer.ggml.pre")
    timings["setup_total_s"] = round(time.perf_counter() - t0, 1)
    if gguf_params["f32"] != gguf_params["f16"]:
        raise Failure(f"f32 and f16 GGUFs hold different parameter counts: {gguf_params}")
    log(f"model: {shape['num_hidden_layers']} layers (softmax at {shape['softmax_layers']}), hidden "
        f"{shape['hidden_size']}, heads {shape['num_attention_heads']}/{shape['num_key_value_heads']} × "
        f"{shape['head_dim']}, experts {shape['num_local_experts']} top-{shape['num_experts_per_tok']} × "
        f"{shape['intermediate_size']}, vocab {shape['vocab_size']}; GGUF parameters {gguf_params['f32']:,}")
    for n in notes:
        log(f"note: {n}")
    if args.setup_only:
        result = {"setup_only": True, "model": shape, "gguf_parameters": gguf_params["f32"], "gguf_kv": gguf_kv,
                  "notes": notes, "timings": timings, "llama_bench": bench, "ggufs": ggufs}
        emit_json(result)
        if args.json:
            write_atomically(args.json, json.dumps(result, indent=1, default=str) + "\n")
        return 0

    cpu, isa = cpu_info()
    load_before = load_average()
    runs = benchmark(args, bench, ggufs, fulgur, fdir)
    load_after = load_average()
    fulgur_params = next(r["raw"]["parameters"] for r in runs if r["side"] == "fulgur")
    llama_params = {r.get("llama_n_params") for r in runs if r["side"] == "llama"}
    if {fulgur_params} != llama_params or fulgur_params != gguf_params["f32"]:
        raise Failure(f"parameter counts differ: Fulgur {fulgur_params:,}, llama-bench {llama_params}, "
                      f"GGUF {gguf_params['f32']:,}")
    lr = next(r for r in runs if r["side"] == "llama")["raw"][0]
    summary = summarize(runs, args)
    machine = {
        "cpu": cpu, "isa": isa, "cores": os.cpu_count(), "threads": args.threads,
        "load_average_before": [round(x, 2) for x in load_before], "load_average_after": [round(x, 2) for x in load_after],
        "date": started.strftime("%Y-%m-%d %H:%M UTC"), "git_commit": commit,
    }
    versions = {"llama_cpp_python": args.version, "llama_cpp_commit": lr.get("build_commit"),
                "llama_cpp_build_number": lr.get("build_number"), "llama_bench_cpu_info": lr.get("cpu_info"),
                "llama_bench_backends": lr.get("backends"), "flash_attn": lr.get("flash_attn"),
                "n_batch": lr.get("n_batch"), "n_ubatch": lr.get("n_ubatch"), "kv_cache": lr.get("type_k"),
                "fulgur": fulgur}
    log("")
    log(f"machine: {cpu} · {os.cpu_count()} cores · ISA {' '.join(isa) or '-'}")
    log(f"threads {args.threads} · load average {' '.join(f'{x:.2f}' for x in load_before)} → "
        f"{' '.join(f'{x:.2f}' for x in load_after)} · {machine['date']} · repo commit {machine['git_commit']}")
    log(f"fulgur: {fulgur}")
    log(f"llama.cpp {versions['llama_cpp_commit']} (build {versions['llama_cpp_build_number']}, from llama-cpp-python "
        f"{args.version}){' · llama-bench ' + args.llama_args if args.llama_args else ''} · flash_attn {({-1: 'auto', 0: 'off', 1: 'on'}).get(versions['flash_attn'], versions['flash_attn'])} · ubatch {versions['n_ubatch']} · KV cache "
        f"{versions['kv_cache']}")
    log(f"model: {os.path.basename(args.config)}, {gguf_params['f32']:,} parameters on both sides "
        f"(shapes checked); repeats {args.repeats} (alternating), llama-bench -r {args.llama_reps}")
    for n in notes:
        log(f"note: {n}")
    print_tables(summary, args)
    result = {
        "machine": machine, "versions": versions, "config": args.config, "model": shape,
        "parameters": gguf_params["f32"], "gguf_kv": gguf_kv, "notes": notes, "timings": timings,
        "settings": {"threads": args.threads, "repeats": args.repeats, "llama_reps": args.llama_reps,
                     "contexts": args.contexts, "decode_tokens": args.decode_tokens, "llama_args": args.llama_args,
                     "pairs": {n: {"llama_cpp": g, "fulgur": w} for n, g, w in PAIRS}},
        "summary": summary,
        "runs": runs,
    }
    emit_json(result)
    if args.json:
        write_atomically(args.json, json.dumps(result, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    run_main(main)
