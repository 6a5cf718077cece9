"""`make bench`: execute each chapter on a fresh kernel and report wall time and peak memory.

Machines differ by a factor of 2-3, so time is also reported in *reference units*: the wall
time of a fixed workload, measured before and after the chapters (one unit is the mean of
the two readings, since a machine drifts during a run), 200 steps of a one-thread
``nn.LSTM(32, 64)`` forward and backward pass on a (64, 50, 32) batch (about 3.5 s on the
2-core CI machine). Each chapter runs in its own process, so the peak resident memory is that
of the largest process of that run (the kernel). Budgets are DESIGN.md decision 7.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_notebooks import chapters, execute  # noqa: E402

CHAPTER_UNITS, BOOK_UNITS_PER_CHAPTER, MEMORY_MB = 17.0, 17.0, 2048.0


def reference_seconds(steps: int = 200) -> float:
    """Wall seconds of the reference workload (one thread, fixed seed)."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(32, 64, batch_first=True)
    x = torch.randn(64, 50, 32)
    start = time.perf_counter()
    for _ in range(steps):
        out, _ = lstm(x)
        out.square().mean().backward()
    return time.perf_counter() - start


def one(path: str) -> None:
    seconds = execute(Path(path), store=False)
    peak_kb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024}))


def main(args: list[str]) -> int:
    ref = reference_seconds()
    runs, paths = [], chapters(args)
    for p in paths:
        out = subprocess.run([sys.executable, __file__, "--one", str(p)], capture_output=True,
                             text=True)
        if out.returncode:
            print(out.stderr[-3000:])
            return 1
        runs.append((p, json.loads(out.stdout.strip().splitlines()[-1])))
    ref_after = reference_seconds()
    unit = (ref + ref_after) / 2  # the machine can drift during the run: use both readings
    rows, total, ok = [], 0.0, True
    for p, r in runs:
        units = r["seconds"] / unit
        good = units <= CHAPTER_UNITS and r["peak_mb"] <= MEMORY_MB
        ok &= good
        total += r["seconds"]
        rows.append(f"| {p.name:<32} | {r['seconds']:7.1f} | {units:6.1f} | {r['peak_mb']:8.0f} | "
                    f"{'ok' if good else 'OVER'} |")
    print(f"reference workload: {ref:.2f} s before, {ref_after:.2f} s after the chapters; "
          f"one unit = their mean, {unit:.2f} s")
    print(f"| {'chapter':<32} | {'wall s':>7} | {'units':>6} | {'peak MB':>8} | "
          f"budget ({CHAPTER_UNITS:.0f} units, 2 GB) |")
    print(f"|{'-' * 34}|{'-' * 9}|{'-' * 8}|{'-' * 10}|------|")
    print("\n".join(rows))
    book_units, book_budget = total / unit, BOOK_UNITS_PER_CHAPTER * len(paths)
    book_ok = book_units <= book_budget
    print(f"| {'whole book':<32} | {total:7.1f} | {book_units:6.1f} | {'':>8} | "
          f"{'ok' if book_ok else 'OVER'} ({book_budget:.0f} units) |")
    return 0 if ok and book_ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one(sys.argv[2])
    else:
        sys.exit(main(sys.argv[1:]))
