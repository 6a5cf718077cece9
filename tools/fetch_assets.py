"""Fetch the book's offline JavaScript assets from the npm registry into _vendor/.

MathJax (math), RequireJS and @jupyter-widgets/html-manager (widgets on the static page) are
served from the book itself, so a reader with the network off still sees math and sliders.
Run by `make book` and `make test`; idempotent (a stamp records what was fetched).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "npm"
VENDOR = ROOT / "_vendor"

MATHJAX = "3.2.2"  # Sphinx 7 speaks the MathJax 3 API
REQUIREJS = "2.3.7"
HTML_MANAGER = "1.0.15"  # must satisfy the range that the installed ipywidgets declares


def caret_satisfied(version: str, spec: str) -> bool:
    """Whether `version` satisfies an npm range of the form '^X.Y.Z' or 'X.Y.Z'."""
    want = tuple(int(p) for p in re.findall(r"\d+", spec)[:3])
    have = tuple(int(p) for p in version.split(".")[:3])
    if not spec.startswith("^"):
        return have == want
    lead = 0 if want[0] else (1 if want[1] else 2)
    return have[: lead + 1] == want[: lead + 1] and have >= want


def pack(spec: str) -> Path:
    """Download one npm package tarball into the cache (or reuse it) and return its path."""
    CACHE.mkdir(parents=True, exist_ok=True)
    name, version = spec.rsplit("@", 1)
    expected = CACHE / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
    if expected.exists():
        return expected
    if shutil.which("npm") is None:
        sys.exit("npm is needed once to fetch MathJax and the widget manager: install Node.js")
    out = subprocess.run(
        ["npm", "pack", spec, "--pack-destination", str(CACHE), "--json", "--silent"],
        check=True, capture_output=True, text=True,
    )
    return CACHE / json.loads(out.stdout)[0]["filename"]


def extract(tgz: Path, member_prefix: str, dest: Path) -> None:
    """Extract the files under `package/<member_prefix>` of an npm tarball into `dest`."""
    prefix = f"package/{member_prefix}"
    with tarfile.open(tgz) as tar, tempfile.TemporaryDirectory() as tmp:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix) and m.isfile()]
        tar.extractall(tmp, members=members, filter="data")
        src = Path(tmp) / prefix
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dest, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dest)


def main() -> None:
    import ipywidgets._version as wv

    wanted = wv.__html_manager_version__
    if not caret_satisfied(HTML_MANAGER, wanted):
        sys.exit(f"html-manager {HTML_MANAGER} does not match ipywidgets' {wanted}: "
                 "update HTML_MANAGER")
    versions = {"mathjax": MATHJAX, "requirejs": REQUIREJS, "html-manager": HTML_MANAGER}
    stamp = VENDOR / "VERSIONS.json"
    if stamp.exists() and json.loads(stamp.read_text()) == versions:
        return
    shutil.rmtree(VENDOR, ignore_errors=True)
    extract(pack(f"mathjax@{MATHJAX}"), "es5", VENDOR / "mathjax")
    extract(pack(f"requirejs@{REQUIREJS}"), "require.js", VENDOR / "require.js")
    extract(pack(f"@jupyter-widgets/html-manager@{HTML_MANAGER}"), "dist", VENDOR / "html-manager")
    for junk in (VENDOR / "html-manager").glob("*.map"):
        junk.unlink()
    stamp.write_text(json.dumps(versions, indent=1))
    print(f"offline assets in {VENDOR.relative_to(ROOT)}: {versions}")


if __name__ == "__main__":
    main()
