#!/usr/bin/env python3
"""`code` and `swe` in RL, end to end (issue 20, Must 6; docs/rl.md "Code and SWE tasks in RL").

1. `fulgur train --config configs/sft-code-swe.json`: a 2M-parameter hybrid learns the answer
   formats from the built-in worked solutions of `code` (a ```python program) and `swe` (a unified
   diff in a ```diff block), about 65 s on 2 cores;
2. `fulgur rl --config configs/rl-code-swe.json` from it, 3 steps × 4 prompts × 4 samples: every
   response is scored by running tests in the sandbox (code: the task's tests on the program; swe:
   the patch applied to a fresh copy of the repository, then fail_to_pass and pass_to_pass);
3. checks that both environments earned rewards from executed tests, and prints the scoring rate.
Needs the sandbox (`fulgur sandbox check`: bubblewrap, root); skipped with a message otherwise.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fulgur", default=os.path.join(ROOT, ".build", "release", "fulgur"))
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.fulgur = os.path.abspath(args.fulgur)  # the runs below change directory
    check = subprocess.run([args.fulgur, "sandbox", "check"], capture_output=True, text=True)
    if check.returncode != 0:
        print(f"check_code_rl: skipped: the sandbox is not available here:\n{check.stderr[-500:]}", file=sys.stderr)
        return
    work = tempfile.mkdtemp(prefix="fulgur-code-rl-")
    try:
        t0 = time.time()
        sft = os.path.join(work, "sft")
        subprocess.run([args.fulgur, "train", "--config", os.path.join(ROOT, "configs", "sft-code-swe.json"), "--out", sft,
                        "--quiet"], check=True, capture_output=True, text=True, cwd=ROOT)
        t1 = time.time()
        with open(os.path.join(sft, "latest")) as f:
            model = os.path.join(sft, "checkpoints", f.read().strip())
        rl = os.path.join(work, "rl")
        p = subprocess.run([args.fulgur, "rl", "--config", os.path.join(ROOT, "configs", "rl-code-swe.json"), "--init-from", model,
                            "--out", rl, "--quiet"], capture_output=True, text=True, cwd=work)
        if p.returncode != 0:
            sys.exit(f"check_code_rl: FAIL: fulgur rl exited {p.returncode}:\n{p.stderr[-2000:]}")
        t2 = time.time()
        with open(os.path.join(rl, "metrics.jsonl")) as f:
            steps = [json.loads(line) for line in f if line.strip()]
        with open(os.path.join(rl, "transcripts.jsonl")) as f:
            transcripts = [json.loads(line) for line in f if line.strip()]
        swe_passed = [t for t in transcripts if t["env"] == "swe" and t["reward"] == 1 and "fail_to_pass" in t["reason"]]
        code_passed = [t for t in transcripts if t["env"] == "code" and t["reward"] == 1 and "tests" in t["reason"]]
        scored = sum(s["scored_per_s"] * s["scoring_s"] for s in steps)
        scoring = sum(s["scoring_s"] for s in steps)
        print(f"check_code_rl: SFT {t1 - t0:.0f} s, RL {len(steps)} steps {t2 - t1:.0f} s; reward/swe "
              f"{[round(s.get('reward/swe', 0), 3) for s in steps]}, reward/code {[round(s.get('reward/code', 0), 3) for s in steps]}; "
              f"{scored:.0f} responses scored in the sandbox in {scoring:.1f} s = {scored / scoring:.1f}/s")
        for t in (swe_passed[:1] + code_passed[:1]):
            print(f"  {t['env']} {t['task_id']}: reward {t['reward']}, {t['reason']}")
        if not swe_passed or not code_passed or len(steps) != 3:
            sys.exit("check_code_rl: FAIL: want a swe patch and a code program rewarded by executed tests")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
