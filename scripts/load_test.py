#!/usr/bin/env python3
"""Bounded load test of `fulgur serve` on loopback (a script, not part of CI).

Creates a random-weight model from a config (default: the hybrid-25m bench config, configs/bench/hybrid-25m.json),
starts the server, measures one stream alone, then runs N concurrent streaming clients for a
fixed time. Each client sends streaming completions with random token-id prompts, back to
back; a 429 is counted and retried after a short pause, anything else non-200 is an error.
Samples the server's resident memory every second.

Prints (and with --out writes) requests/s, time to first token p50/p99, aggregate decode
tokens/s vs the single stream, 429s, errors and memory. Exits non-zero on any error other
than an explicit 429, on a crash, or if the server does not shut down cleanly.

Usage: scripts/load_test.py [--config configs/bench/hybrid-25m.json] [--clients 64] [--duration 60]
"""
import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


async def stream_completion(port, body):
    """One streaming POST /v1/completions over a raw connection.
    Returns (status, time to first token or None, token count, seconds)."""
    t0 = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        data = json.dumps(body).encode()
        writer.write(b"POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(data) + data)
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        headers = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            k, v = line.decode().split(":", 1)
            headers[k.strip().lower()] = v.strip()
        if status != 200:
            await reader.read()
            return status, None, 0, time.perf_counter() - t0
        ttft, tokens, buf, done = None, 0, b"", False
        while not done:
            size = int((await reader.readline()).strip() or b"0", 16)
            if size == 0:
                break
            buf += await reader.readexactly(size)
            await reader.readexactly(2)
            while b"\n\n" in buf:
                event, buf = buf.split(b"\n\n", 1)
                payload = event[len(b"data: "):]
                if payload == b"[DONE]":
                    done = True
                    break
                chunk = json.loads(payload)
                if "error" in chunk:
                    return 599, ttft, tokens, time.perf_counter() - t0
                n = sum(len(c.get("token_ids") or []) for c in chunk["choices"])
                if n and ttft is None:
                    ttft = time.perf_counter() - t0
                tokens += n
        return (200 if done else 598), ttft, tokens, time.perf_counter() - t0
    finally:
        writer.close()


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


async def run(args, port, pid, vocab):
    rng = random.Random(0)

    def body(max_tokens, prompt_len):
        return {"model": "model", "prompt": [rng.randrange(vocab) for _ in range(prompt_len)], "max_tokens": max_tokens,
                "temperature": 1.0, "stream": True, "ignore_eos": True}

    # Single stream alone: decode rate after the first token, median of 3.
    single = []
    for _ in range(3):
        st, ttft, n, secs = await stream_completion(port, body(args.single_tokens, args.prompt_max))
        assert st == 200, st
        single.append((n - 1) / (secs - ttft))
    single_rate = statistics.median(single)

    stats = {"ok": 0, "429": 0, "errors": 0, "ttft": [], "tokens": 0, "error_kinds": {}}
    rss = []
    stop_at = time.perf_counter() + args.duration

    async def client(i):
        crng = random.Random(i)
        while time.perf_counter() < stop_at:
            b = body(args.max_tokens, crng.randint(args.prompt_min, args.prompt_max))
            try:
                st, ttft, n, _ = await stream_completion(port, b)
            except (OSError, asyncio.IncompleteReadError, ValueError) as e:
                stats["errors"] += 1
                stats["error_kinds"][type(e).__name__] = stats["error_kinds"].get(type(e).__name__, 0) + 1
                await asyncio.sleep(0.1)
                continue
            stats["tokens"] += n
            if st == 200:
                stats["ok"] += 1
                stats["ttft"].append(ttft)
            elif st == 429:
                stats["429"] += 1
                await asyncio.sleep(0.1 + crng.random() * 0.2)
            else:
                stats["errors"] += 1
                stats["error_kinds"][str(st)] = stats["error_kinds"].get(str(st), 0) + 1

    async def memory():
        while time.perf_counter() < stop_at:
            rss.append(rss_bytes(pid))
            await asyncio.sleep(1)

    t0 = time.perf_counter()
    await asyncio.gather(memory(), *(client(i) for i in range(args.clients)))
    elapsed = time.perf_counter() - t0
    aggregate = stats["tokens"] / elapsed
    q = len(rss) // 4
    return {
        "config": args.config, "clients": args.clients, "duration_s": round(elapsed, 1),
        "max_batch": args.max_batch, "max_queue": args.max_queue, "max_tokens": args.max_tokens,
        "prompt_tokens": [args.prompt_min, args.prompt_max],
        "requests_completed": stats["ok"], "requests_per_s": round(stats["ok"] / elapsed, 2),
        "http_429": stats["429"], "errors": stats["errors"], "error_kinds": stats["error_kinds"],
        "ttft_p50_ms": round(1000 * percentile(stats["ttft"], 50), 1), "ttft_p99_ms": round(1000 * percentile(stats["ttft"], 99), 1),
        "aggregate_decode_tokens_per_s": round(aggregate, 1), "single_stream_tokens_per_s": round(single_rate, 1),
        "aggregate_vs_single": round(aggregate / single_rate, 2),
        "rss_mb": {"first_quarter_max": round(max(rss[:max(q, 1)]) / 2**20, 1), "last_quarter_max": round(max(rss[-max(q, 1):]) / 2**20, 1),
                   "max": round(max(rss) / 2**20, 1)},
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "fulgur"))
    ap.add_argument("--config", default=os.path.join(ROOT, "configs", "bench", "hybrid-25m.json"))
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--max-batch", type=int, default=32)
    ap.add_argument("--max-queue", type=int, default=16)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--prompt-min", type=int, default=16)
    ap.add_argument("--prompt-max", type=int, default=256)
    ap.add_argument("--single-tokens", type=int, default=128)
    ap.add_argument("--out", help="also write the JSON result here")
    args = ap.parse_args()
    with open(args.config) as f:
        vocab = json.load(f)["vocab_size"]
    with tempfile.TemporaryDirectory() as work:
        model = os.path.join(work, "model")
        subprocess.run([args.bin, "init", "--config", args.config, "--out", model], check=True, capture_output=True)
        port = free_port()
        log = tempfile.TemporaryFile()
        server = subprocess.Popen([args.bin, "serve", "--model", model, "--port", str(port), "--max-batch", str(args.max_batch),
                                   "--max-queue", str(args.max_queue)], stdout=log, stderr=subprocess.STDOUT)
        try:
            for _ in range(600):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if server.poll() is not None:
                        break
                    time.sleep(0.1)
            result = asyncio.run(run(args, port, server.pid, vocab))
            crashed = server.poll() is not None
            server.send_signal(signal.SIGTERM)
            result["clean_shutdown"] = server.wait(60) == 0 and not crashed
        finally:
            if server.poll() is None:
                server.kill()
            log.seek(0)
            tail = log.read().decode(errors="replace")[-2000:]
    print(json.dumps(result, indent=2))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=2)
    ok = result["errors"] == 0 and result["clean_shutdown"]
    if not ok:
        print("--- server output ---\n" + tail, file=sys.stderr)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
