"""Book-level fixtures: one fresh HTML build shared by the HTML and browser tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

# nbval's kernels inherit this environment: under MPLBACKEND=Agg they would show no figure,
# and the cells that draw would be executed without proving that they still draw.
os.environ.pop("MPLBACKEND", None)


def toc_chapters() -> list[str]:
    """The chapter files listed in _toc.yml, e.g. 'chapters/01_sequential_problems'."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [c["file"] for part in toc["parts"] for c in part["chapters"]]


@pytest.fixture(scope="session")
def build() -> subprocess.CompletedProcess:
    """Build the book with warnings as errors into a fresh _build (DESIGN: build test)."""
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    jb = Path(sys.executable).with_name("jupyter-book")
    return subprocess.run([str(jb), "build", str(ROOT), "--warningiserror", "--keep-going"],
                          capture_output=True, text=True, cwd=ROOT)


@pytest.fixture(scope="session")
def html(build) -> Path:
    """The built HTML folder; fails every dependent test if the build failed."""
    if build.returncode != 0:
        pytest.fail("jupyter-book build failed:\n" + (build.stdout + build.stderr)[-4000:])
    return ROOT / "_build" / "html"
