"""The stored notebooks are honest: executed top to bottom, error-free, and all in the book."""

from __future__ import annotations

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
    """Code cells and shown sources fit the HTML column (80 characters); printed output 90."""
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
                too_wide += _lines_over(out.text, 90)
    assert not too_wide, f"{path.name}: {len(too_wide)} lines too wide, e.g. {too_wide[:3]}"
