#!/usr/bin/env python3
"""Checks that the repository stands alone: no file under scripts/, Sources/ or Tests/ refers to a
path in the sibling folder `shared` next to the checkout (bench configs live in configs/bench/, fixtures in
Tests/Fixtures/).

Flags a relative path up into that folder, a path through a `shared/` folder (`shared/bench/x.json`, `/work/shared/…`;
not `shared_intermediate_size`, `URLSession.shared` or "a shared prompt") and
`os.path.join(..., "..", "shared", ...)`.
Prints `file:line: text` for each hit on stderr and exits 1; exits 0 when there is none.
Standard library only; runs in well under a second. Used by scripts/test.
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDERS = ("scripts", "Sources", "Tests")
PATTERN = re.compile(
    r"\.\./shared\b"                              # up one level into shared, shared/bench/…
    r"|(?<![\w.-])shared/[\w.-]"                  # shared/bench/README.md, /work/shared/… (a path, not a word)
    r"|['\"]\.\.['\"]\s*,\s*['\"]shared['\"]"     # os.path.join(ROOT, "..", "shared", …)
)
SKIP_DIRS = {".build", ".git", "__pycache__", ".swiftpm"}
SELF = os.path.join("scripts", "check_standalone.py")  # its own docstring names the patterns


def hits(root):
    for folder in FOLDERS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, folder)):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                if os.path.relpath(path, root) == SELF:
                    continue
                try:
                    with open(path, "rb") as f:
                        data = f.read()
                except OSError as e:
                    yield os.path.relpath(path, root), 0, f"cannot read: {e}"
                    continue
                if b"shared" not in data or b"\0" in data[:8192]:
                    continue  # fast path; binary files skipped
                for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
                    if PATTERN.search(line):
                        yield os.path.relpath(path, root), number, line.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=ROOT, help="repository root (default: this script's parent folder)")
    args = ap.parse_args()
    found = list(hits(args.root))
    for path, number, text in found:
        print(f"{path}:{number}: path into the sibling shared folder: {text[:200]}", file=sys.stderr)
    if found:
        print(f"check_standalone: {len(found)} reference(s) to the sibling shared folder; use configs/bench/ or "
              "Tests/Fixtures/ instead", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
