#!/usr/bin/env python3
"""Tool calling end to end through `fulgur serve` with the official `openai` client.

A small model supervised-fine-tuned on the built-in `tool_use` corpus (configs/sft-tool-use.json:
the user asks for the weather or a sum, the assistant calls `get_weather` or `add`, reads the
tool's result and answers; 1500 steps, ≈ 750 CPU-seconds) is served; for each question the client
  1. sends the question with the two tools and gets `tool_calls` back (finish_reason "tool_calls"),
  2. runs the tool locally and sends its result back as a `tool` message,
  3. gets the final answer, which should quote the result.
Questions are drawn with a seed the corpus did not use (cities from the corpus's list, other
numbers). Half of the rounds stream and rebuild the tool calls from the deltas.

Prints per-question outcomes and a summary. Exits non-zero unless the protocol works in every
round (tool_calls received with finish_reason "tool_calls" and the right function, the result sent,
a final answer received) and at least --min-correct of the rounds also have the right arguments
(the city, the two numbers, copied from the question) and an answer quoting the result (default
0.9; the configs/sft-tool-use.json model got 200/200 over 5 seeds, docs/server.md).

Usage:
  scripts/tool_calling_e2e.py [--bin .build/release/fulgur] [--model DIR]   # DIR: a trained model folder
  scripts/tool_calling_e2e.py --train                                       # trains one first (minutes)
Needs: pip install openai
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

import openai

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_server import ROOT, KEY, Server  # noqa: E402

# The same JSON (key order included) as ToolUseCorpus.toolsJSON: the prompt renders it verbatim.
TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "description": "Get the current weather in a city.",
                                      "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}},
    {"type": "function", "function": {"name": "add", "description": "Add two integers.",
                                      "parameters": {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                                                     "required": ["a", "b"]}}},
]
CITIES = ["Paris", "London", "Tokyo", "Berlin", "Madrid", "Rome", "Cairo", "Lima", "Oslo", "Sydney",
          "Dublin", "Vienna", "Prague", "Seoul", "Delhi", "Nairobi"]
CONDITIONS = ["sunny", "cloudy", "rainy", "windy", "snowy", "foggy"]


def run_tool(name, args, rng):
    """The client's side of the tools: returns (result text, text the final answer should quote)."""
    if name == "get_weather":
        t, c = rng.randint(-10, 35), rng.choice(CONDITIONS)
        return json.dumps({"temperature": t, "condition": c}), [str(t), c]
    if name == "add":
        s = int(args["a"]) + int(args["b"])
        return str(s), [str(s)]
    raise ValueError(f"unknown tool {name}")


def ask(client, model, messages, stream):
    """One assistant turn: (content, tool_calls as dicts, finish_reason)."""
    kw = dict(model=model, messages=messages, tools=TOOLS, temperature=0, max_tokens=80)
    if not stream:
        r = client.chat.completions.create(**kw)
        ch = r.choices[0]
        calls = [{"id": c.id, "type": "function", "function": {"name": c.function.name, "arguments": c.function.arguments}}
                 for c in ch.message.tool_calls or []]
        return ch.message.content or "", calls, ch.finish_reason
    content, calls, finish = "", {}, None
    for chunk in client.chat.completions.create(stream=True, **kw):
        for ch in chunk.choices:
            content += ch.delta.content or ""
            for d in ch.delta.tool_calls or []:
                c = calls.setdefault(d.index, {"id": "", "type": "function", "function": {"name": "", "arguments": ""}})
                c["id"] += d.id or ""
                c["function"]["name"] += d.function.name or ""
                c["function"]["arguments"] += d.function.arguments or ""
            finish = ch.finish_reason or finish
    return content, [calls[i] for i in sorted(calls)], finish


def round_trip(client, model, question, expected, stream, rng):
    """Returns a dict describing what happened in one question → call → result → answer round."""
    out = {"question": question, "stream": stream}
    messages = [{"role": "user", "content": question}]
    content, calls, finish = ask(client, model, messages, stream)
    out.update(first_content=content, tool_calls=[c["function"] for c in calls], first_finish=finish)
    if not calls:
        return out
    call = calls[0]
    try:
        args = json.loads(call["function"]["arguments"])
        result, quote = run_tool(call["function"]["name"], args, rng)
    except (ValueError, KeyError, TypeError) as e:
        out["tool_error"] = str(e)
        return out
    out["name_correct"] = call["function"]["name"] == expected[0]
    out["call_correct"] = out["name_correct"] and args == expected[1]
    messages += [{"role": "assistant", "content": content or None, "tool_calls": calls},
                 {"role": "tool", "tool_call_id": call["id"], "content": result}]
    answer, more_calls, finish2 = ask(client, model, messages, stream)
    out.update(tool_result=result, answer=answer, final_finish=finish2, answer_quotes_result=all(q in answer for q in quote))
    return out


def train(binary, work):
    out = os.path.join(work, "run")
    t0 = time.time()
    subprocess.run([binary, "train", "--config", os.path.join(ROOT, "configs", "sft-tool-use.json"), "--out", out, "--quiet"], check=True)
    print(f"trained in {time.time() - t0:.0f} s")
    with open(os.path.join(out, "latest")) as f:
        return os.path.join(out, "checkpoints", f.read().strip())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "fulgur"))
    ap.add_argument("--model", help="a model folder trained on the tool_use corpus")
    ap.add_argument("--train", action="store_true", help="train one with configs/sft-tool-use.json first")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--min-correct", type=float, default=0.9, help="fraction of fully correct rounds required")
    args = ap.parse_args()
    if not args.model and not args.train:
        ap.error("give --model DIR or --train")
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as work:
        model_dir = args.model or train(args.bin, work)
        server = Server(args.bin, model_dir, "--api-key", KEY, "--served-model-name", "tool-model")
        try:
            client = server.client()
            results = []
            for i in range(args.rounds):
                if i % 2 == 0:
                    city = rng.choice(CITIES)
                    q = rng.choice(["What is the weather in {}?", "How is the weather in {} today?"]).format(city)
                    expected = ("get_weather", {"city": city})
                else:
                    a, b = rng.randint(0, 999), rng.randint(0, 999)
                    q = rng.choice(["What is {} + {}?", "Add {} and {}."]).format(a, b)
                    expected = ("add", {"a": a, "b": b})
                r = round_trip(client, "tool-model", q, expected, stream=(i // 2) % 2 == 1, rng=rng)
                results.append(r)
                print(json.dumps(r, ensure_ascii=False))
        finally:
            server.stop()
    completed = [r for r in results if "answer" in r]
    with_calls = [r for r in results if r["tool_calls"]]
    finish_ok = [r for r in with_calls if r["first_finish"] == "tool_calls"]
    named = [r for r in completed if r.get("name_correct")]
    right_args = [r for r in completed if r.get("call_correct")]
    quoting = [r for r in completed if r.get("answer_quotes_result")]
    correct = [r for r in right_args if r.get("answer_quotes_result")]
    print(f"rounds {len(results)}: tool_calls returned {len(with_calls)} (finish_reason tool_calls {len(finish_ok)}), "
          f"round trips completed {len(completed)}, right function {len(named)}, right arguments {len(right_args)}, "
          f"answer quoting the result {len(quoting)}, both {len(correct)}")
    protocol = len(finish_ok) == len(completed) == len(named) == len(results)
    ok = protocol and len(correct) >= args.min_correct * len(results)
    print("OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
