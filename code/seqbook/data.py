"""The real datasets shipped in `data/`, each verified by its SHA-256 before use.

Provenance and licences are in `data/README.md`; `CHECKSUMS` here is the single list of files
the book reads (a unit test checks that the README lists the same hashes). Nothing downloads:
a missing or altered file raises `DataError` saying which file and how to restore it.
Taught in chapters/01_sequential_problems.ipynb.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import os
from pathlib import Path

import numpy as np

from seqbook import checks as _checks

CHECKSUMS: dict[str, str] = {
    "sunspots_yearly.csv": "f67889b1d9002cd5227f0e0ef54e35b419cdd85a31279adef6f73fb41e5c0a9b",
    "co2_weekly.csv": "16695fa2786e53414e5a6b54767a3fdf5de99cfbc68617f69d1362d92776a92f",
    "optdigits.csv.gz": "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22",
    "seattle_weather.csv": "62f0609f787158128aa2bd102967173a4953122dd4f872bf1d502cae1037df0b",
}


class DataError(RuntimeError):
    """A shipped data file is missing or does not match its recorded SHA-256."""


def data_dir() -> Path:
    """The folder holding the shipped data (override with the SEQBOOK_DATA variable)."""
    env = os.environ.get("SEQBOOK_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "data"


def sha256(path: Path) -> str:
    """The hex SHA-256 of a file."""
    _checks.instance("path", path, (str, os.PathLike), "a file path (str or pathlib.Path)")
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def verified_path(name: str) -> Path:
    """Return the path of shipped file `name` after checking it exists and is unaltered."""
    _checks.text("name", name, f" naming a shipped file, one of {sorted(CHECKSUMS)}")
    if name not in CHECKSUMS:
        raise ValueError(f"unknown data file {name!r}; the book ships {sorted(CHECKSUMS)}")
    path = data_dir() / name
    if not path.is_file():
        raise DataError(
            f"data file {path} is missing. It ships with the book's repository: restore it "
            f"with `git checkout -- data/{name}` (or clone the repository again)."
        )
    digest = sha256(path)
    if digest != CHECKSUMS[name]:
        raise DataError(
            f"data file {path} has SHA-256 {digest[:12]}..., expected {CHECKSUMS[name][:12]}...: "
            f"it was altered or corrupted. Restore it with `git checkout -- data/{name}`."
        )
    return path


def load_sunspots() -> tuple[np.ndarray, np.ndarray]:
    """Yearly mean sunspot numbers 1700-2008: returns (years int (309,), counts float (309,))."""
    with open(verified_path("sunspots_yearly.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    years = np.array([int(float(r["YEAR"])) for r in rows])
    counts = np.array([float(r["SUNACTIVITY"]) for r in rows])
    return years, counts


def load_co2() -> tuple[np.ndarray, np.ndarray]:
    """Weekly Mauna Loa CO2 1958-2001: returns (dates datetime64[D], ppm with NaN where missing)."""
    with open(verified_path("co2_weekly.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    dates = np.array(
        [f"{r['date'][:4]}-{r['date'][4:6]}-{r['date'][6:]}" for r in rows], dtype="datetime64[D]"
    )
    ppm = np.array([float(r["co2"]) if r["co2"] else np.nan for r in rows])
    return dates, ppm


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """UCI handwritten digits: returns (images float (1797, 8, 8) in [0, 1], labels int (1797,))."""
    with gzip.open(verified_path("optdigits.csv.gz"), "rt") as f:
        table = np.loadtxt(f, delimiter=",")
    images = table[:, :64].reshape(-1, 8, 8) / 16.0
    return images, table[:, 64].astype(int)


def load_seattle_weather() -> tuple[np.ndarray, np.ndarray]:
    """Daily Seattle weather 2012-2015: returns (dates datetime64[D] (1461,), max temp in C).

    Taught in chapters/11_forecasting.ipynb (the daily series of the forecasting chapter).
    """
    with open(verified_path("seattle_weather.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    dates = np.array([r["date"].replace("/", "-") for r in rows], dtype="datetime64[D]")
    return dates, np.array([float(r["temp_max"]) for r in rows])
