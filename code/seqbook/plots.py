"""The book's one plotting style: readable sizes, a fixed palette, labelled axes.

Every figure in the book goes through `figure()` and `label()`, so a plot without axis labels
is an error rather than a silent defect (see `check_labelled`). Used in every chapter.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from seqbook import checks as _checks

PALETTE = {
    "blue": "#1f5fa8",
    "orange": "#d9730d",
    "green": "#2e8540",
    "red": "#c0392b",
    "purple": "#6c4f9e",
    "grey": "#7f7f7f",
}
"""Named colours; chapters refer to them by meaning (e.g. data = blue, model = orange)."""

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "savefig.bbox": "tight",
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "axes.prop_cycle": matplotlib.cycler(color=list(PALETTE.values())),
}


def use_style() -> None:
    """Apply the house style to matplotlib (idempotent)."""
    matplotlib.rcParams.update(STYLE)


def figure(
    nrows: int = 1, ncols: int = 1, *, width: float = 7.0, height: float = 3.2, **kwargs
) -> tuple[Figure, Axes | list]:
    """Create a figure in the house style; returns (fig, axes) like `plt.subplots`."""
    _checks.integer("nrows", nrows, minimum=None)
    _checks.integer("ncols", ncols, minimum=None)
    if nrows < 1 or ncols < 1:
        raise ValueError(f"nrows and ncols must be at least 1; got {nrows}, {ncols}")
    _checks.number("width", width, low=0.0, low_open=True, hint=" (inches, such as 7.0)")
    _checks.number("height", height, low=0.0, low_open=True, hint=" (inches, such as 3.2)")
    use_style()
    return plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", **kwargs)


def label(ax: Axes, x: str, y: str, title: str | None = None) -> Axes:
    """Label both axes (and optionally title) of `ax`; empty labels are refused."""
    _checks.instance("ax", ax, Axes, "a matplotlib Axes, as figure() returns")
    for name, value in (("x", x), ("y", y)):
        if value and not isinstance(value, str):
            raise TypeError(f"{name} must be an axis label str such as 'time step'; got "
                            f"{type(value).__name__}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None; got {type(title).__name__}")
    if not x or not y:
        raise ValueError("every plotted axis needs a label: pass x='...' and y='...' with units")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if title:
        ax.set_title(title)
    return ax


def check_labelled(fig: Figure) -> None:
    """Raise ValueError if an axes of `fig` that shows data lacks an x or y label.

    Axes drawn with ``ax.axis("off")`` (diagrams, images) and colour bars are exempt.
    """
    _checks.instance("fig", fig, Figure, "a matplotlib Figure")
    for i, ax in enumerate(fig.axes):
        if not ax.axison or not (ax.lines or ax.collections or ax.patches or ax.images):
            continue
        if ax.get_label() == "<colorbar>":
            continue
        if ax.images and not (ax.lines or ax.collections):
            continue  # an image panel (heatmap with a colourbar or a picture)
        if not ax.get_xlabel() or not ax.get_ylabel():
            raise ValueError(f"axes {i} ('{ax.get_title()}') needs both an x and a y label")
