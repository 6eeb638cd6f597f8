#!/usr/bin/env python3
"""Data parallelism over MPI, end to end (issue 17; docs/distributed.md).

Runs `fulgur train` alone and under `mpirun -np 2` and checks, printing the figures:
  1. equivalence: the same 20 steps of configs/sft-addition.json on 1 and on 2 ranks — step-1
     loss within 1e-6 relative, every step within 1e-4, final parameters within 1e-4 (relative
     L2 of all parameters; the worst tensor is printed too);
  2. resume with another rank count: 2 ranks to step 10, then 1 rank to 20 (and 1 → 2), ending
     at the same parameters;
  3. a batch that does not divide over the ranks is refused before any work;
  4. kill -9: a rank killed mid-run ends the whole job non-zero within 30 s, and `--resume`
     continues from the last checkpoint — every step in metrics.jsonl exactly once, the same final
     parameters as the uninterrupted run;
  5. two "hosts": the 2-rank run across two network namespaces joined by a veth pair, MPI over
     TCP, launched through `ip netns exec` (as root; skipped where namespaces cannot be made);
  6. `fulgur rl` for 5 steps (dynamic sampling on) on 1 and 2 ranks: the same rollouts, rewards
     and transcripts, losses within 1e-4 of max(|loss|, 0.1), final parameters within 1e-4; `fulgur eval` sharded over 2 ranks
     gives the same report.
Needs Open MPI (`mpirun`); standard library only. Exits 1 on the first failed check.
"""
import argparse
import json
import math
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from array import array

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Containers often forbid the cross-memory attach Open MPI's shared-memory transport uses for large
# messages ("Read -1, expected …, errno = 1"): copy through the shared segment instead.
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none",
          "--mca", "btl_vader_single_copy_mechanism", "none"]


def fail(msg):
    print(f"check_mpi: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        lo, hi = info["data_offsets"]
        raw = data[lo:hi]
        if info["dtype"] == "F32":
            a = array("f")
            a.frombytes(raw)
        elif info["dtype"] == "BF16":
            h = array("H")
            h.frombytes(raw)
            a = array("f", struct.unpack(f"<{len(h)}f", b"".join(struct.pack("<I", x << 16) for x in h)))
        else:
            fail(f"{path}: {name}: unexpected dtype {info['dtype']}")
        out[name] = a
    return out


def compare_params(a_dir, b_dir, tol, label):
    """Relative L2 distance of all parameters as one vector (asserted ≤ tol), and the worst tensor.
    AdamW with eps 1e-15 turns rounding noise in a near-zero gradient entry into a full ±lr step,
    so a rarely routed expert can move by a few lr in one run and not the other; the whole vector
    is what the acceptance bounds, the worst tensor is printed to show where the difference is."""
    a = read_safetensors(os.path.join(a_dir, "model.safetensors"))
    b = read_safetensors(os.path.join(b_dir, "model.safetensors"))
    if a.keys() != b.keys():
        fail(f"{label}: the checkpoints hold different tensors")
    num = den = 0.0
    worst, worst_name = 0.0, ""
    for name in a:
        d2 = sum((x - y) ** 2 for x, y in zip(a[name], b[name]))
        n2 = sum(y * y for y in b[name])
        num += d2
        den += n2
        r = math.sqrt(d2 / n2) if n2 > 0 else math.sqrt(d2)
        if r > worst:
            worst, worst_name = r, name
    total = math.sqrt(num / den)
    print(f"  {label}: final parameters, relative L2 {total:.2e} (worst tensor {worst:.2e}: {worst_name})")
    if not total <= tol:
        fail(f"{label}: parameters differ by {total:.2e} > {tol:g} (relative L2)")


def metrics(out):
    with open(os.path.join(out, "metrics.jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


def losses(out):
    return {int(r["step"]): r["loss"] for r in metrics(out) if "loss" in r}


def latest(out):
    ckpts = sorted(os.listdir(os.path.join(out, "checkpoints")))
    return os.path.join(out, "checkpoints", ckpts[-1])


class Runner:
    def __init__(self, fulgur, work):
        self.fulgur = fulgur
        self.work = work
        with open(os.path.join(ROOT, "configs", "sft-addition.json")) as f:
            base = json.load(f)
        # every step logged; small held-out eval so the runs stay short
        base.update({"log_every": 1, "eval_every": 10, "eval_batches": 2, "checkpoint_every": 5, "keep": 100})
        base["data"]["builtin"]["count"] = 2000
        self.config = os.path.join(work, "train.json")
        with open(self.config, "w") as f:
            json.dump(base, f)

    def command(self, ranks, out, steps, extra=()):
        cmd = [self.fulgur, "train", "--config", self.config, "--out", out, "--steps", str(steps), "--quiet", *extra]
        env = dict(os.environ)
        env.setdefault("FULGUR_THREADS", "1" if ranks > 1 else "2")
        return (MPIRUN + ["-np", str(ranks)] + cmd if ranks > 1 else cmd), env

    def train(self, ranks, out, steps, extra=(), expect_ok=True):
        cmd, env = self.command(ranks, out, steps, extra)
        t0 = time.time()
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        if expect_ok and p.returncode != 0:
            fail(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr[-2000:]}")
        return p, time.time() - t0


def check_equivalence(r):
    a, b = os.path.join(r.work, "two"), os.path.join(r.work, "one")
    _, t1 = r.train(1, b, 20)
    _, t2 = r.train(2, a, 20)
    la, lb = losses(a), losses(b)
    if sorted(la) != list(range(1, 21)) or sorted(lb) != list(range(1, 21)):
        fail(f"steps logged: {sorted(la)} vs {sorted(lb)}")
    first = abs(la[1] - lb[1]) / abs(lb[1])
    worst = max(abs(la[s] - lb[s]) / abs(lb[s]) for s in lb)
    print(f"  1 vs 2 ranks, 20 steps: step-1 loss {lb[1]:.6f} vs {la[1]:.6f} (rel {first:.1e}); worst step rel {worst:.1e}"
          f"; wall {t1:.1f} s vs {t2:.1f} s")
    if not first <= 1e-6:
        fail(f"step-1 loss differs by {first:.2e} relative (> 1e-6)")
    if not worst <= 1e-4:
        fail(f"a step's loss differs by {worst:.2e} relative (> 1e-4)")
    ev = [(x.get("eval_loss"), y.get("eval_loss")) for x, y in zip(metrics(a), metrics(b)) if "eval_loss" in y]
    for x, y in ev:
        if x is None or abs(x - y) / abs(y) > 1e-4:
            fail(f"eval loss {x} vs {y}")
    rec = metrics(a)[-1]
    if rec.get("ranks") != 2 or "allreduce_s" not in rec:
        fail(f"2-rank metrics lack ranks/allreduce_s: {rec}")
    print(f"  allreduce per step (rank 0): {rec['allreduce_s'] * 1000:.1f} ms; eval loss {ev[-1][1]:.6f} vs {ev[-1][0]:.6f}")
    compare_params(latest(a), latest(b), 1e-4, "1 vs 2 ranks")
    return b


def check_resume_across_ranks(r, reference):
    for first, second in ((2, 1), (1, 2)):
        out = os.path.join(r.work, f"resume-{first}-{second}")
        r.train(first, out, 10)
        r.train(second, out, 20, extra=("--resume",))
        steps = [int(x["step"]) for x in metrics(out)]
        if steps != list(range(1, 21)):
            fail(f"resume {first}→{second} ranks: metrics steps {steps}")
        compare_params(latest(out), latest(reference), 1e-4, f"{first} ranks to step 10, then {second} to 20, vs 1 rank")


def check_indivisible(r):
    out = os.path.join(r.work, "indivisible")
    p, _ = r.train(2, out, 2, extra=("--batch-size", "3"), expect_ok=False)
    if p.returncode == 0 or "does not divide" not in p.stderr:
        fail(f"batch 3 on 2 ranks: exit {p.returncode}, stderr {p.stderr[-500:]}")
    if os.path.exists(os.path.join(out, "metrics.jsonl")):
        fail("batch 3 on 2 ranks: a run started before the error")
    print(f"  batch_size 3 on 2 ranks: refused before any work (exit {p.returncode}): "
          + next(l for l in p.stderr.splitlines() if "does not divide" in l).strip())


def rank_pid(rank, marker):
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read()
            if marker.encode() not in cmd or b"mpirun" in cmd.split(b"\0")[0]:
                continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = f.read().split(b"\0")
            if f"OMPI_COMM_WORLD_RANK={rank}".encode() in env:
                return int(pid)
        except OSError:
            continue
    return None


def check_kill(r, steps=30):
    reference = os.path.join(r.work, "kill-reference")
    r.train(1, reference, steps)
    out = os.path.join(r.work, "kill")
    cmd, env = r.command(2, out, steps)
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while time.time() < deadline and not os.path.isdir(os.path.join(out, "checkpoints", "step-000010")):
        if p.poll() is not None:
            fail(f"the run ended before its step-10 checkpoint: {p.stderr.read()[-1000:]}")
        time.sleep(0.05)
    pid = rank_pid(1, out)
    if pid is None:
        p.kill()
        fail("cannot find rank 1's process")
    os.kill(pid, signal.SIGKILL)
    killed = time.time()
    try:
        p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("the job still runs 60 s after rank 1 was killed")
    ended = time.time() - killed
    done = len(metrics(out))
    print(f"  kill -9 rank 1 after {done} steps: mpirun exited {p.returncode} after {ended:.1f} s")
    if p.returncode == 0 or ended > 30:
        fail(f"after kill -9: exit {p.returncode} after {ended:.1f} s (want non-zero within 30 s)")
    if done >= steps:
        fail("the run finished before the kill: make it longer")
    r.train(2, out, steps, extra=("--resume",))
    logged = [int(x["step"]) for x in metrics(out)]
    if logged != list(range(1, steps + 1)):
        fail(f"after the resume, metrics.jsonl holds steps {logged}")
    print(f"  --resume from {os.path.basename(sorted(os.listdir(os.path.join(out, 'checkpoints')))[0])}...: "
          f"steps 1..{steps} each once")
    compare_params(latest(out), latest(reference), 1e-4, "killed and resumed vs uninterrupted")


def run_ranks(ranks, args, timeout=600):
    env = dict(os.environ)
    env.setdefault("FULGUR_THREADS", "1" if ranks > 1 else "2")
    cmd = (MPIRUN + ["-np", str(ranks)] if ranks > 1 else []) + args
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        fail(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr[-2000:]}")
    return p


def check_rl_and_eval(r):
    """5 RL steps (dynamic sampling on) on 1 and 2 ranks: the same rollouts and rewards, losses
    within 1e-4, final parameters within 1e-4; `fulgur eval` gives the same report on 1 and 2 ranks."""
    # configs/sft-addition.json's model, 120 steps on 1-digit sums: ~14% right, so groups are mixed
    with open(os.path.join(ROOT, "configs", "sft-addition.json")) as f:
        sft = json.load(f)
    sft["data"]["builtin"].update(count=3000, min_difficulty=1, max_difficulty=1)
    sft.update(seq_len=128, steps=120, lr=0.002, eval_every=0, checkpoint_every=120, schedule={"warmup": 10},
               out=os.path.join(r.work, "sft-small"))
    sft_config = os.path.join(r.work, "sft-small.json")
    with open(sft_config, "w") as f:
        json.dump(sft, f)
    run_ranks(1, [r.fulgur, "train", "--config", sft_config, "--quiet"])
    model = latest(sft["out"])
    rl_config = os.path.join(r.work, "rl.json")
    with open(rl_config, "w") as f:
        json.dump({"init_from": model, "environments": [{"name": "addition", "min_difficulty": 1, "max_difficulty": 1}],
                   "steps": 5, "prompts_per_step": 4, "group_size": 8, "updates_per_batch": 2, "max_tokens": 96,
                   "lr": 0.001, "dynamic_sampling": True, "max_sampling_rounds": 3, "checkpoint_every": 5,
                   "transcripts_per_step": 4, "seed": 9}, f)
    outs = {}
    for ranks in (1, 2):
        out = os.path.join(r.work, f"rl-{ranks}")
        run_ranks(ranks, [r.fulgur, "rl", "--config", rl_config, "--out", out, "--quiet"])
        outs[ranks] = out
    one, two = metrics(outs[1]), metrics(outs[2])
    if [x["step"] for x in one] != [1, 2, 3, 4, 5] or len(two) != 5:
        fail(f"RL steps logged: {[x['step'] for x in one]} vs {[x['step'] for x in two]}")
    same = ("reward", "accuracy", "groups", "dropped_groups", "response_length_mean", "response_length_p99", "truncated")
    for x, y in zip(one, two):
        for k in same:
            if x[k] != y[k]:
                fail(f"RL step {x['step']}: {k} {x[k]} (1 rank) vs {y[k]} (2 ranks)")
    # A CISPO loss is a sum of advantage-weighted terms that cancel (Σ A = 0 in each group): its value
    # can be ~1e-3 while each term is ~0.1, so it is compared relative to max(|loss|, 0.1).
    worst = max(abs(x["loss"] - y["loss"]) / max(abs(x["loss"]), 0.1) for x, y in zip(one, two))
    worst_abs = max(abs(x["loss"] - y["loss"]) for x, y in zip(one, two))
    rewards = [round(x["reward"], 4) for x in one]
    if not any(rewards):
        fail("RL: every reward is 0, so the check would compare nothing")
    print(f"  RL 1 vs 2 ranks, 5 steps: rewards {rewards} on both; worst loss difference {worst_abs:.1e} "
          f"({worst:.1e} of max(|loss|, 0.1)); "
          f"allreduce+wait per step (rank 0) {sum(y['allreduce_s'] for y in two) / 5 * 1000:.0f} ms")
    if not worst <= 1e-4:
        fail(f"RL losses differ by {worst_abs:.2e} ({worst:.2e} of max(|loss|, 0.1), > 1e-4)")
    with open(os.path.join(outs[1], "transcripts.jsonl")) as a, open(os.path.join(outs[2], "transcripts.jsonl")) as b:
        if a.read() != b.read():
            fail("RL transcripts differ between 1 and 2 ranks")
    compare_params(latest(outs[2]), latest(outs[1]), 1e-4, "RL 1 vs 2 ranks")
    reports = [json.loads(run_ranks(n, [r.fulgur, "eval", "--model", model, "--suite", "addition", "--samples", "2",
                                        "--max-tokens", "96", "--json"]).stdout) for n in (1, 2)]
    for rep in reports:
        rep.pop("seconds", None)
    if reports[0] != reports[1]:
        fail(f"eval reports differ: {reports[0]} vs {reports[1]}")
    print(f"  eval addition (200 tasks × 2 samples) sharded over 2 ranks: the same report, pass rate "
          f"{reports[0]['overall_pass_rate']:.3f}")


AGENT = """#!/bin/sh
# Open MPI's plm_rsh_agent, used like ssh ("agent HOST 'command line'"): runs the command line in
# the network namespace (and with the hostname) of HOST.
host="$1"; shift
case "$host" in
  {a_ip}) ns={a_ns}; name=node-a ;;
  {b_ip}) ns={b_ns}; name=node-b ;;
  *) echo "agent: unknown host $host" >&2; exit 1 ;;
esac
exec ip netns exec "$ns" unshare --uts sh -c "hostname $name; $*"
"""


def check_two_namespaces(r, reference):
    """Two ranks on two 'hosts': network namespaces joined by a veth pair, MPI over TCP between
    them (shared memory off), Open MPI's rsh launcher going through `ip netns exec` instead of
    ssh. The same 20 steps as the one-process reference."""
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("unshare"):
        print("  two namespaces: skipped (needs root, ip and unshare)")
        return
    a_ns, b_ns, a_ip, b_ip, net = "fulgur-mpi-a", "fulgur-mpi-b", "10.231.0.1", "10.231.0.2", "10.231.0.0/24"

    def sh(*cmd, check=True):
        return subprocess.run(cmd, capture_output=True, text=True, check=check)

    for ns in (a_ns, b_ns):
        sh("ip", "netns", "del", ns, check=False)
    if sh("ip", "netns", "add", a_ns, check=False).returncode != 0:
        print("  two namespaces: skipped (cannot create network namespaces here)")
        return
    try:
        sh("ip", "netns", "add", b_ns)
        sh("ip", "link", "add", "fmpi-a", "netns", a_ns, "type", "veth", "peer", "name", "fmpi-b", "netns", b_ns)
        for ns, dev, ip in ((a_ns, "fmpi-a", a_ip), (b_ns, "fmpi-b", b_ip)):
            sh("ip", "netns", "exec", ns, "ip", "addr", "add", ip + "/24", "dev", dev)
            sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
            sh("ip", "netns", "exec", ns, "ip", "link", "set", dev, "up")
        agent = os.path.join(r.work, "netns-agent.sh")
        with open(agent, "w") as f:
            f.write(AGENT.format(a_ip=a_ip, b_ip=b_ip, a_ns=a_ns, b_ns=b_ns))
        os.chmod(agent, 0o755)
        hosts = os.path.join(r.work, "hosts")
        with open(hosts, "w") as f:
            f.write(f"{a_ip} slots=1\n{b_ip} slots=1\n")

        def tx_bytes():
            out = sh("ip", "netns", "exec", a_ns, "cat", "/sys/class/net/fmpi-a/statistics/tx_bytes").stdout
            return int(out.strip())

        before = tx_bytes()
        out = os.path.join(r.work, "two-hosts")
        cmd = ["ip", "netns", "exec", a_ns, "unshare", "--uts", "sh", "-c", 'hostname node-a; exec "$@"', "mpirun",
               "mpirun", "--allow-run-as-root", "--hostfile", hosts, "-np", "2", "--map-by", "node",
               "--mca", "plm_rsh_agent", agent, "--mca", "btl", "tcp,self", "--mca", "btl_tcp_if_include", net,
               "--mca", "oob_tcp_if_include", net, "-x", "FULGUR_THREADS=1",
               r.fulgur, "train", "--config", r.config, "--out", out, "--steps", "20", "--quiet"]
        t0 = time.time()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            fail(f"two namespaces: exit {p.returncode}:\n{p.stderr[-2000:]}")
        sent = tx_bytes() - before
        la, lb = losses(out), losses(reference)
        worst = max(abs(la[k] - lb[k]) / abs(lb[k]) for k in lb)
        print(f"  two namespaces ({a_ip} ↔ {b_ip}, MPI over TCP on a veth pair): 20 steps in {time.time() - t0:.1f} s, "
              f"{sent / 1e6:.1f} MB sent by node-a ({sent / 20 / 1e6:.2f} MB/step); worst step loss rel {worst:.1e}")
        if not worst <= 1e-4:
            fail(f"two namespaces: losses differ by {worst:.2e} relative")
        if sent < 20 * 4 * 100_000:
            fail(f"two namespaces: only {sent} bytes crossed the veth pair: the ranks did not talk over TCP")
        compare_params(latest(out), latest(reference), 1e-4, "two namespaces vs 1 rank")
    finally:
        for ns in (a_ns, b_ns):
            sh("ip", "netns", "del", ns, check=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fulgur", default=os.path.join(ROOT, ".build", "release", "fulgur"))
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()
    if shutil.which("mpirun") is None:
        print("check_mpi: mpirun not found; install Open MPI (apt-get install -y openmpi-bin libopenmpi-dev)", file=sys.stderr)
        sys.exit(1)
    work = tempfile.mkdtemp(prefix="fulgur-mpi-")
    t0 = time.time()
    try:
        r = Runner(os.path.abspath(args.fulgur), work)
        print("check_mpi: train")
        reference = check_equivalence(r)
        check_two_namespaces(r, reference)
        check_resume_across_ranks(r, reference)
        check_indivisible(r)
        check_kill(r)
        print("check_mpi: rl and eval")
        check_rl_and_eval(r)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"check_mpi: all passed in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
