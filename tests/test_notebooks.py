"""The stored notebooks are honest: executed top to bottom, error-free, and all in the book."""

from __future__ import annotations

import ast
import os
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, toc_chapters

NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_execution_counts_run_in_order(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for c in code]
    assert None not in counts, f"{path.name}: unexecuted code cells; run `make notebooks`"
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..{len(code)}: re-run it top to bottom "
        "with `make notebooks`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_stored_errors(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{path.name}: a cell stored an error: {out.ename}"
            if out.output_type == "stream" and out.name == "stderr":
                assert "Traceback" not in out.text, f"{path.name}: traceback in stderr output"


def test_every_chapter_is_in_the_toc() -> None:
    listed = {f"{f}.ipynb" for f in toc_chapters()}
    present = {f"chapters/{p.name}" for p in NOTEBOOKS}
    assert present == listed, f"in chapters/ but not _toc.yml: {present - listed}; " \
                              f"in _toc.yml but missing: {listed - present}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_widget_state_is_stored_for_widgets(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    views = [o for c in nb.cells for o in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    if views:
        state = nb.metadata.get("widgets", {}).get(
            "application/vnd.jupyter.widget-state+json", {}).get("state", {})
        for v in views:
            model = v["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
            assert model in state, f"{path.name}: widget {model} has no stored state; " \
                                   "run `make notebooks` (it stores widget state)"


def _lines_over(text: str, limit: int) -> list[str]:
    return [line for line in text.splitlines() if len(line) > limit]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_fits_the_page(path: Path) -> None:
    """Code cells, shown sources and printed output fit the HTML code column (80 characters)."""
    nb = nbformat.read(path, as_version=4)
    too_wide = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        too_wide += _lines_over(cell.source, 80)
        for out in cell.get("outputs", []):
            shown = out.get("data", {}).get("text/markdown", "")
            too_wide += [x for x in _lines_over(shown, 80) if not x.startswith("<small>")]
            if out.output_type == "stream":
                too_wide += _lines_over(out.text, 80)
    assert not too_wide, f"{path.name}: {len(too_wide)} lines too wide, e.g. {too_wide[:3]}"


DRAWS = re.compile(
    r"\b(figure|subplots|draw_\w+|plot_\w+|imshow|explore|show_\w+_frames)\s*\(|\bplt\.")
PICTURES = {"image/png", "image/svg+xml", "application/vnd.jupyter.widget-view+json"}


def drawing_cells_without_picture(nb) -> list[int]:
    """Indices of code cells that call a plotting helper or matplotlib but store no picture."""
    blank = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        try:  # top-level statements only: a function that draws is not a drawing yet
            body = ast.parse(cell.source).body
        except SyntaxError:  # IPython magics: scan the lines instead
            body = None
        if body is None:
            top = cell.source
        else:
            top = "\n".join(ast.get_source_segment(cell.source, s) or "" for s in body
                            if not isinstance(s, ast.FunctionDef | ast.ClassDef))
        if not DRAWS.search(top):
            continue
        kinds = {k for out in cell.get("outputs", []) for k in out.get("data", {})}
        if not kinds & PICTURES:
            blank.append(i)
    return blank


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_drawing_cell_stores_its_picture(path: Path) -> None:
    """A reader of the HTML page sees only stored outputs: a cell that draws must store it."""
    blank = drawing_cells_without_picture(nbformat.read(path, as_version=4))
    assert not blank, (f"{path.name}: cells {blank} draw but store no image; re-run with "
                       "`make notebooks` (a kernel under MPLBACKEND=Agg shows no figure)")


def test_make_notebooks_stores_figures(tmp_path: Path) -> None:
    """`make notebooks` on a tiny notebook that draws stores an image/png, even when the
    caller's environment says MPLBACKEND=Agg (as a headless machine's often does)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([0, 1], [1, 0])")]
    path = tmp_path / "draws.ipynb"
    nbformat.write(nb, path)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    run = subprocess.run(["make", "-s", "notebooks", f"NB={path}"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    outputs = nbformat.read(path, as_version=4).cells[0].outputs
    assert any("image/png" in o.get("data", {}) for o in outputs), outputs


def test_no_scaffolding_comment_in_cells() -> None:
    """nbval reads the `nbval-check-output` cell tag: the reader never sees the marker."""
    marked = [f"{p.name} cell {i}" for p in NOTEBOOKS
              for i, c in enumerate(nbformat.read(p, as_version=4).cells)
              if "NBVAL_" in c.source]
    assert not marked, f"use the nbval-check-output cell tag instead of a comment: {marked}"


HARD_NUMBER = re.compile(r"\b[Cc]hapters?[ \u00a0]+\d")
ROLE = re.compile(r"\{(doc|numref|ref|eq|cite(:\w+)?)\}`[^`]*`")


@pytest.mark.parametrize("path", NOTEBOOKS + [ROOT / "intro.md"], ids=lambda p: p.name)
def test_no_hard_coded_chapter_numbers(path: Path) -> None:
    """'chapter 6' in prose breaks when chapters move: use {doc}, {numref} or {ref}."""
    if path.suffix == ".md":
        texts = [path.read_text()]
    else:
        texts = [c.source for c in nbformat.read(path, as_version=4).cells
                 if c.cell_type == "markdown"]
    found = [m.group(0) for t in texts for m in HARD_NUMBER.finditer(ROLE.sub("", t))]
    assert not found, f"{path.name}: hard-coded chapter numbers {found[:5]}; use a {{doc}} role"


FILE_LINK = re.compile(r"\]\([^)]*\.(ipynb|md)\)")


@pytest.mark.parametrize("path", NOTEBOOKS + [ROOT / "intro.md"], ids=lambda p: p.name)
def test_chapter_links_are_doc_roles(path: Path) -> None:
    """A Markdown link to a notebook file shows its file name's topic, not the book's title and
    number, and breaks silently on a rename: {doc} checks the target at build time."""
    if path.suffix == ".md":
        texts = [path.read_text()]
    else:
        texts = [c.source for c in nbformat.read(path, as_version=4).cells
                 if c.cell_type == "markdown"]
    found = [m.group(0) for t in texts for m in FILE_LINK.finditer(t)]
    assert not found, f"{path.name}: Markdown links to chapter files {found[:5]}; use {{doc}}"


def _has_assert(source: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics: not plain Python, and no assert to find
        return False
    return any(isinstance(n, ast.Assert) for n in ast.walk(tree))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_asserts_sit_in_collapsed_cells(path: Path) -> None:
    """The checks that prove a claim stay in the chapter, out of the reader's way: a code cell
    a reader sees holds no assert; the asserts go in a cell of their own tagged hide-input."""
    cells = nbformat.read(path, as_version=4).cells
    shown = [i for i, c in enumerate(cells) if c.cell_type == "code"
             and "hide-input" not in c.metadata.get("tags", []) and _has_assert(c.source)]
    assert not shown, (f"{path.name}: cells {shown} show asserts; move them to the next cell, "
                       "tagged hide-input")


SHOWN = re.compile(r"\A```python\n(?P<code>.*)\n```\n<small>source: <code>(?P<where>[\w.]+)</code>",
                   re.S)


def stale_shown_sources(nb) -> list[str]:
    """Names of the `show_source` outputs whose stored code is no longer what the package holds.

    A stored output is current if it is the function's shown source (checks left out), or, in
    a cell that asks for `lines=(a, b)` or `checks=True`, a run of lines of its full source."""
    import importlib

    from seqbook.show import show_source

    stale = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            match = SHOWN.match(out.get("data", {}).get("text/markdown", ""))
            if not match:
                continue
            where, code = match["where"], match["code"]
            parts, obj = where.split("."), None
            for cut in range(len(parts) - 1, 0, -1):  # the longest prefix that is a module
                try:
                    obj = importlib.import_module(".".join(parts[:cut]))
                except ModuleNotFoundError:
                    continue
                for name in parts[cut:]:
                    obj = getattr(obj, name, None)
                break
            if obj is None:
                stale.append(f"{where} (gone)")
            elif code == show_source(obj).code:
                continue
            elif not ("lines=" in cell.source or "checks=True" in cell.source):
                stale.append(where)  # a plain call shows the whole function, checks left out
            elif code not in show_source(obj, checks=True).code:
                stale.append(where)
    return stale


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_shown_sources_are_current(path: Path) -> None:
    """A page shows the package's code as it is now: a change to a shown helper needs the
    chapter re-executed, or the page teaches code that no longer exists."""
    stale = stale_shown_sources(nbformat.read(path, as_version=4))
    assert not stale, f"{path.name}: re-execute it, these shown sources changed: {stale}"
