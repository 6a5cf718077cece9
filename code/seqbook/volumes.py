"""Synthetic scan volumes: stacks of slices in which a lesion spans a few contiguous slices.

`lesion_volumes` draws volumes of `slices` slices of size x size pixels: a disc of "tissue"
with pixel noise, and in about half the volumes a lesion, a small bright blob at one place
in 3, 5 or 7 consecutive slices. Every volume also holds a few artefacts: blobs that look
exactly like a lesion's cross-section but sit in one slice only. One slice therefore cannot
tell a lesion from an artefact; its neighbours can (a lesion continues in the next slice,
an artefact does not). The data behind the medical-image demo of
chapters/07_video_cnn_rnn.ipynb (a CNN per slice, then a bidirectional GRU across slices).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqbook import checks as _checks


@dataclass
class Volumes:
    """volumes (N, D, S, S) float32 in [0, 1]; lesion (N, D) 1 where a slice shows the
    lesion; artefact (N, D) 1 where a slice holds an artefact blob; has_lesion (N,)."""

    volumes: np.ndarray
    lesion: np.ndarray
    artefact: np.ndarray

    @property
    def has_lesion(self) -> np.ndarray:
        """Volume labels (N,): 1 if any slice shows the lesion."""
        return self.lesion.max(1)


def _blob(size: int, cy: float, cx: float, width: float) -> np.ndarray:
    """A Gaussian bump of peak 1 centred at (cy, cx): (size, size)."""
    r = np.arange(size, dtype=float)
    return np.exp(-((r[:, None] - cy) ** 2 + (r[None, :] - cx) ** 2) / (2 * width ** 2))


def _artefact_slices(rng: np.random.Generator, slices: int, n: int,
                     blocked: np.ndarray) -> list[int]:
    """Up to n slice indices, none next to another chosen one or to a blocked slice."""
    taken = blocked.copy()  # (D,) slices an artefact may neither sit in nor touch
    chosen: list[int] = []
    for z in rng.permutation(slices):
        if len(chosen) == n:
            break
        if not taken[max(z - 1, 0):z + 2].any():
            chosen.append(int(z))
            taken[z] = True
    return chosen


def lesion_volumes(n: int, rng: np.random.Generator, *, slices: int = 16, size: int = 16,
                   max_artefacts: int = 3, noise: float = 0.08, brightness: float = 0.5,
                   blob_width: float = 1.0) -> Volumes:
    """n synthetic volumes of `slices` slices (size x size), half of them with a lesion.

    A lesion is a blob of peak `brightness` and width `blob_width` pixels at one place in
    3, 5 or 7 consecutive slices; each volume also holds 0..max_artefacts artefacts, the
    same blob in a single slice, never next to another artefact or to the lesion. The
    tissue is a disc of intensity 0.35 with Gaussian pixel noise of std `noise`.
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy Generator, e.g. seqbook.set_seed(0)")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive number of volumes; got {n!r}")
    if not isinstance(slices, (int, np.integer)) or slices < 9:
        raise ValueError(f"slices must be an integer >= 9, room for a 7-slice lesion and a "
                         f"slice on each side; got {slices!r}")
    if not isinstance(size, (int, np.integer)) or size < 8:
        raise ValueError(f"size must be an integer >= 8 pixels; got {size!r}")
    if not isinstance(max_artefacts, (int, np.integer)) or max_artefacts < 0:
        raise ValueError(f"max_artefacts must be a non-negative integer; got {max_artefacts!r}")
    for name, v in (("n", n), ("slices", slices), ("size", size),
                    ("max_artefacts", max_artefacts)):
        _checks.integer(name, v, minimum=None)
    _checks.number("noise", noise, hint=" (a pixel noise std >= 0)")
    _checks.number("brightness", brightness, hint=" (a peak > 0)")
    _checks.number("blob_width", blob_width, hint=" (pixels, > 0)")
    if not noise >= 0 or not brightness > 0 or not blob_width > 0:
        raise ValueError(f"noise must be >= 0 and brightness, blob_width > 0; got {noise}, "
                         f"{brightness}, {blob_width}")
    mid = (size - 1) / 2
    r = np.arange(size) - mid
    tissue = 0.35 * (r[:, None] ** 2 + r[None, :] ** 2 <= (0.42 * size) ** 2)  # (S, S) disc
    vols = np.repeat(tissue[None, None], n, axis=0).repeat(slices, axis=1)  # (N, D, S, S)
    lesion = np.zeros((n, slices), dtype=np.int64)
    artefact = np.zeros((n, slices), dtype=np.int64)
    reach = 0.25 * size  # blob centres within this distance of the middle

    def place() -> tuple[float, float]:
        r, a = reach * np.sqrt(rng.uniform()), rng.uniform(0, 2 * np.pi)
        return mid + r * np.sin(a), mid + r * np.cos(a)

    for i in range(n):
        if rng.uniform() < 0.5:
            half = int(rng.integers(1, 4))  # spans 2 half + 1 = 3, 5 or 7 slices
            centre = int(rng.integers(half + 1, slices - half - 1))
            cy, cx = place()
            lesion[i, centre - half:centre + half + 1] = 1
            vols[i, lesion[i] == 1] += brightness * _blob(size, cy, cx, blob_width)
        k = int(rng.integers(0, max_artefacts + 1))
        for z in _artefact_slices(rng, slices, k, lesion[i] == 1):
            cy, cx = place()
            artefact[i, z] = 1
            vols[i, z] += brightness * _blob(size, cy, cx, blob_width)
    vols += noise * rng.standard_normal(vols.shape)
    return Volumes(np.clip(vols, 0, 1).astype(np.float32), lesion, artefact)
