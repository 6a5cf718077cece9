"""Figures for backpropagation through time: the gradient-flow diagram and the truncation view.

Taught in chapters/03_bptt.ipynb. The numbers they draw come from ``seqbook.bptt``
(``contribution_matrix``, ``truncation_gap``); this module only draws them.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Polygon

from seqbook import checks as _checks
from seqbook.plots import PALETTE, figure, label


def draw_gradient_flow(ax: Axes, T: int = 4) -> Axes:
    """The unrolled RNN with the backward pass in red: from each L_t down, and from h_{t+1} back."""
    from seqbook.diagrams import draw_unrolled  # imported here: diagrams is only for drawing

    _checks.instance("ax", ax, Axes, "a matplotlib Axes, e.g. from seqbook.plots.figure()")
    _checks.integer("T", T, minimum=1, hint=" (steps to draw)")

    def back(a: tuple[float, float], b: tuple[float, float], rad: float) -> None:
        style = dict(arrowstyle="-|>", mutation_scale=12, lw=1.4, color=PALETTE["red"])
        ax.add_patch(
            FancyArrowPatch(a, b, linestyle="--", shrinkA=15, shrinkB=15,
                            connectionstyle=f"arc3,rad={rad}", **style)
        )

    draw_unrolled(ax, T=T, show_weights=False)
    for t in range(T):
        ax.text(t, 3.0, f"$L_{t + 1}$", ha="center", va="center", color=PALETTE["red"])
        back((t, 3.0), (t, 2), -0.6)  # dL_t/dy_t
        back((t, 2), (t, 1), -0.6)  # through W_hy into h_t
        back((t, 1), (t - 1, 1), -0.5)  # the term from the future, through W_hh (t = 1: to h_0)
    ax.set_ylim(-0.6, 3.3)
    return ax


def dropped_region(T: int, k: int) -> np.ndarray:
    """Outline of the cells (t, s) with s <= t - k that window k drops, as image coordinates.

    Returns the (n, 2) vertices (x = column s, y = row t, cells centred on integers) of the
    staircase polygon, or an empty (0, 2) array when k >= T drops nothing.
    """
    _checks.integer("T", T, minimum=1, hint=" (the number of steps)")
    _checks.integer("k", k, minimum=None, hint=" (a window length >= 1)")
    if not 1 <= k:
        raise ValueError(f"k must be a window length >= 1; got {k}")
    if k >= T:
        return np.zeros((0, 2))
    pts = [(-0.5, k - 0.5)]
    for t in range(k, T):  # row t keeps columns t-k+1..t; columns 0..t-k are dropped
        pts += [(t - k + 0.5, t - 0.5), (t - k + 0.5, t + 0.5)]
    pts.append((-0.5, T - 0.5))
    return np.array(pts)


def truncation_figure(
    maps: dict[float, np.ndarray], gaps: dict[float, dict[str, np.ndarray]], k: int
) -> Figure:
    """One frame of the truncation explorer: which paths window k keeps, and the gradient gap.

    ``maps`` holds two ``contribution_matrix`` results keyed by gain, ``gaps`` the matching
    ``truncation_gap`` results. Top: log10 ||dL_t/dh_s|| with the dropped paths hatched;
    bottom: the relative gradient error of every window, with ``k`` marked.
    """
    if not (isinstance(maps, dict) and isinstance(gaps, dict)):
        raise TypeError(f"maps and gaps must be dicts keyed by gain; got "
                        f"{type(maps).__name__} and {type(gaps).__name__}")
    if len(maps) != 2 or set(maps) != set(gaps):
        raise ValueError("maps and gaps must both be dicts keyed by the same two gains")
    for gain, C in maps.items():
        _checks.array(f"maps[{gain}]", C, 2, "(T, T) as contribution_matrix returns",
                      kind="number")
        if np.shape(C)[0] != np.shape(C)[1]:
            raise ValueError(f"maps[{gain}] must be square (T, T); got shape {np.shape(C)}")
    for gain, gap in gaps.items():
        if not isinstance(gap, dict) or not {"k", "rel_diff"} <= set(gap):
            raise TypeError(f"gaps[{gain}] must be the dict truncation_gap returns (with 'k' "
                            f"and 'rel_diff'); got {type(gap).__name__}")
    _checks.integer("k", k, minimum=1, hint=" (the window shown)")
    T = next(iter(maps.values())).shape[0]
    t_idx, s_idx = np.indices((T, T))
    logs = {g: np.where(s_idx <= t_idx, np.log10(C + 1e-30), np.nan) for g, C in maps.items()}
    vmax = np.ceil(max(np.nanmax(v) for v in logs.values()))
    vmin = max(np.floor(min(np.nanmin(v) for v in logs.values())), vmax - 10)
    fig, axes = figure(2, 2, width=9, height=7.4, gridspec_kw={"height_ratios": [1.5, 1]})
    for ax, (gain, lg) in zip(axes[0], logs.items(), strict=True):
        im = ax.imshow(lg, vmin=vmin, vmax=vmax, cmap="viridis")
        outline = dropped_region(T, k)
        if len(outline):
            ax.add_patch(Polygon(outline, closed=True, fill=False, hatch="//",
                                 edgecolor="white", alpha=0.6, lw=0))
            ax.add_patch(Polygon(outline, closed=True, fill=False, edgecolor=PALETTE["red"],
                                 lw=2.2))
        ax.grid(False)
        label(ax, "state h_s (step s)", "loss L_t (step t)", f"radius ~ {gain}: ||dL_t/dh_s||")
    cbar = fig.colorbar(im, ax=axes[0], shrink=0.9)
    cbar.set_label("log10 ||dL_t / dh_s||")
    gs = axes[1, 0].get_gridspec()
    axes[1, 0].remove()
    axes[1, 1].remove()
    ax = fig.add_subplot(gs[1, :])
    for (gain, gap), color in zip(gaps.items(), [PALETTE["blue"], PALETTE["red"]], strict=True):
        ax.plot(gap["k"], gap["rel_diff"], "o-", ms=3, color=color, label=f"radius ~ {gain}")
        at = np.flatnonzero(gap["k"] == k)
        if len(at):
            ax.plot(k, gap["rel_diff"][at[0]], "o", ms=9, mfc="none", color=color)
    ax.axvline(k, color=PALETTE["grey"], ls="--")
    label(ax, "window k (steps)", "||g_k - g|| / ||g||",
          f"Window k = {k}: red outline and hatching = paths truncation drops")
    ax.legend(fontsize=9)
    return fig
