"""Re-execute chapter notebooks in place on a fresh kernel, storing outputs and widget state.

`make notebooks` runs every chapter; `make notebooks NB=chapters/02_rnn.ipynb` runs one.
Execution counts then run 1..N, which tests/test_notebooks.py checks.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent

# A kernel inherits this process's environment. With MPLBACKEND=Agg (a common setting on a
# headless machine) matplotlib displays nothing inline and the stored notebook loses every
# figure, so the kernels started here always use the notebook's inline backend.
os.environ.pop("MPLBACKEND", None)


def chapters(args: list[str]) -> list[Path]:
    """The notebooks named on the command line, or every chapter."""
    paths = [Path(a) for a in " ".join(args).split()] if args else []
    return paths or sorted((ROOT / "chapters").glob("[0-9]*.ipynb"))


def execute(path: Path, store: bool = True) -> float:
    """Execute one notebook top to bottom on a fresh kernel; returns wall seconds."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", store_widget_state=True,
                            record_timing=False, resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    if store:
        for cell in nb.cells:  # drop editor noise, keep outputs and execution counts
            for key in ("collapsed", "scrolled", "jp-MarkdownHeadingCollapsed"):
                cell.metadata.pop(key, None)
        nbformat.write(nb, path)
    return seconds


if __name__ == "__main__":
    for p in chapters(sys.argv[1:]):
        print(f"{p.name}: {execute(p):.1f} s", flush=True)
