"""`make bench`: execute each chapter on a fresh kernel and report wall time and peak memory.

Each chapter runs in its own process, so the peak resident memory reported is that of the
largest process of that run (the kernel). Budgets are DESIGN.md decision 7.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_notebooks import chapters, execute  # noqa: E402

CHAPTER_S, BOOK_S, MEMORY_MB = 60.0, 480.0, 2048.0


def one(path: str) -> None:
    seconds = execute(Path(path), store=False)
    peak_kb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024}))


def main(args: list[str]) -> int:
    rows, total, ok = [], 0.0, True
    for p in chapters(args):
        out = subprocess.run([sys.executable, __file__, "--one", str(p)], capture_output=True,
                             text=True)
        if out.returncode:
            print(out.stderr[-3000:])
            return 1
        r = json.loads(out.stdout.strip().splitlines()[-1])
        good = r["seconds"] <= CHAPTER_S and r["peak_mb"] <= MEMORY_MB
        ok &= good
        total += r["seconds"]
        rows.append(f"| {p.name:<32} | {r['seconds']:7.1f} | {r['peak_mb']:8.0f} | "
                    f"{'ok' if good else 'OVER'} |")
    print(f"| {'chapter':<32} | {'wall s':>7} | {'peak MB':>8} | budget (60 s, 2 GB) |")
    print(f"|{'-' * 34}|{'-' * 9}|{'-' * 10}|------|")
    print("\n".join(rows))
    book_ok = total <= BOOK_S
    print(f"| {'whole book':<32} | {total:7.1f} | {'':>8} | "
          f"{'ok' if book_ok else 'OVER'} (8 min) |")
    return 0 if ok and book_ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one(sys.argv[2])
    else:
        sys.exit(main(sys.argv[1:]))
