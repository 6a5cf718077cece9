"""Book-level fixtures: one fresh HTML build shared by the HTML and browser tests."""

from __future__ import annotations

import fcntl
import json
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
    """Build the book with warnings as errors into a fresh _build (DESIGN: build test).

    Under pytest-xdist several workers ask for the build: the first one builds (under a file
    lock) and records the result for this test run; the others wait and read it.
    """
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"pid{os.getpid()}")
    record = ROOT / ".cache" / "build-result.json"
    record.parent.mkdir(exist_ok=True)
    with open(ROOT / ".cache" / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if record.exists():
            done = json.loads(record.read_text())
            if done["run"] == run:
                return subprocess.CompletedProcess(done["args"], done["returncode"],
                                                   done["stdout"], done["stderr"])
        shutil.rmtree(ROOT / "_build", ignore_errors=True)
        jb = Path(sys.executable).with_name("jupyter-book")
        result = subprocess.run([str(jb), "build", str(ROOT), "--warningiserror",
                                 "--keep-going"], capture_output=True, text=True, cwd=ROOT)
        record.write_text(json.dumps({"run": run, "args": result.args,
                                      "returncode": result.returncode,
                                      "stdout": result.stdout, "stderr": result.stderr}))
        return result


@pytest.fixture(scope="session")
def html(build) -> Path:
    """The built HTML folder; fails every dependent test if the build failed."""
    if build.returncode != 0:
        pytest.fail("jupyter-book build failed:\n" + (build.stdout + build.stderr)[-4000:])
    return ROOT / "_build" / "html"
