"""Give a chapter's citations its own key prefix, so each chapter can list its references.

sphinxcontrib-bibtex warns about a duplicate citation when two pages with a local
bibliography (`:filter: docname in docnames`) cite the same paper. The documented cure is a
key prefix per page: `{cite}`c2-elman1990finding`` with `:keyprefix: c2-` on that page's
bibliography. This rewrites a notebook's markdown cells to that form (idempotent; outputs and
execution counts are untouched). Usage: python tools/prefix_citations.py chapters/02_rnn.ipynb
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROLE = re.compile(r"(\{cite(?::\w+)?\}`)([^`]+)(`)")


def prefix_for(path: Path) -> str:
    """'c2-' for chapters/02_rnn.ipynb, 'c6-' for 06a_... (chapter number, no zero pad)."""
    m = re.match(r"(\d+)([a-z]?)_", path.name)
    if not m:
        raise ValueError(f"{path.name}: chapter files start with their number, e.g. 02_rnn.ipynb")
    return f"c{int(m.group(1))}{m.group(2)}-"


def rewrite(text: str, prefix: str) -> str:
    """Prefix every key of every {cite} role and add :keyprefix: to bibliography directives."""
    def keys(m: re.Match) -> str:
        ks = [k.strip() for k in m.group(2).split(",")]
        ks = [k if k.startswith(prefix) else prefix + k for k in ks]
        return m.group(1) + ",".join(ks) + m.group(3)

    text = ROLE.sub(keys, text)
    if ":keyprefix:" not in text:
        text = text.replace(":filter: docname in docnames",
                            f":filter: docname in docnames\n:keyprefix: {prefix}")
    return text


def main(paths: list[str]) -> None:
    for name in paths:
        path = Path(name)
        nb = nbformat.read(path, as_version=4)
        prefix = prefix_for(path)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = rewrite(cell.source, prefix)
        nbformat.write(nb, path)
        print(f"{path}: citations prefixed with {prefix}")


if __name__ == "__main__":
    main(sys.argv[1:])
