"""Recognizing an ask (``knowledge.asks.find_ask``) in long narrations: how long the event loop
is held, and how often the bench sets' narrations are taken for asks.

    .venv/bin/python -m benchmarks.asks_long_narrations            report
    .venv/bin/python -m benchmarks.asks_long_narrations --check    exit 1 if a target is missed

Every narration is read once when it is stored (blocker help), and each ranked person's
matching narrations again when a who-knows answer says who only asked. Narrations may be up to
``max_narration_chars`` (100,000) long. Before, "does anyone know " repeated to 4,000
characters took 160-230 ms and 16,000 characters about 3.5 s: every cue read its whole sentence
again. Target: every shape below, at 100,000 characters, in under 250 ms (the median of
``--repeat`` runs; the machine is shared), which a linear reading meets with a wide margin.

The trigger rates are reported for the bench sets in ``--bench`` (``*/narrations.jsonl``): the
Stack Exchange set's "asked: …" posts are questions, its "answered: …" posts are not.
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import time
from pathlib import Path

from narrate_bot.knowledge.asks import find_ask

SHAPES = (
    "does anyone know ",
    "stuck on it, ",
    "how do I, ",
    "how. ",
    "x. ",
    "anyone? thanks? ",
    "why, ",
)
SIZES = (4_000, 16_000, 100_000)
TARGET_MS = 250.0


def _timed(text: str, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        find_ask(text)
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def _rates(bench: Path) -> None:
    for path in sorted(bench.glob("*/narrations.jsonl")):
        total: collections.Counter[str] = collections.Counter()
        asks: collections.Counter[str] = collections.Counter()
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                text = json.loads(line)["text"]
                head = text.split(":", 1)[0]
                kind = head if head in {"asked", "answered"} else "narration"
                total[kind] += 1
                asks[kind] += find_ask(text) is not None
        counts = ", ".join(f"{kind} {asks[kind]}/{total[kind]}" for kind in sorted(total))
        print(f"{path.parent.name}: asks among {counts}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--bench", type=Path, default=Path("../shared/bench/expertise"))
    args = parser.parse_args()
    missed = []
    for shape in SHAPES:
        for size in SIZES:
            text = (shape * (size // len(shape) + 1))[:size] + "?"
            took = _timed(text, args.repeat)
            print(f"{shape!r:>20} x {size:>7,} chars: {took:8.1f} ms")
            if size == SIZES[-1] and took > TARGET_MS:
                missed.append(f"{shape!r} at {size:,} chars took {took:.0f} ms")
    if args.bench.is_dir():
        _rates(args.bench)
    for miss in missed:
        print(f"missed the {TARGET_MS:.0f} ms target: {miss}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
