"""Diagrams drawn by code: the five connection types and the unrolled RNN.

Boxes are nodes (x = input, h = hidden state, y = output) and arrows are the computation
between them; the same weights sit on every horizontal arrow. Taught in
chapters/01_sequential_problems.ipynb and chapters/02_rnn.ipynb.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from seqbook.plots import PALETTE

COLORS = {"x": PALETTE["blue"], "h": PALETTE["green"], "y": PALETTE["orange"]}

# kind -> (which steps get an input, which get an output, number of steps, encoder steps)
CONNECTIONS = {
    "one-to-one": "x -> y: one input, one output (h is an ordinary hidden layer)",
    "one-to-many": "x -> y_1..y_T: one input, a sequence out",
    "many-to-one": "x_1..x_T -> y: a sequence in, one output at the end",
    "many-to-many (aligned)": "x_1..x_T -> y_1..y_T: one output per input step",
    "many-to-many (unaligned)": "x_1..x_S -> y_1..y_T: read everything, then write",
}


def _node(ax: Axes, x: float, y: float, text: str, kind: str) -> None:
    ax.add_patch(FancyBboxPatch((x - 0.32, y - 0.32), 0.64, 0.64,
                                boxstyle="round,pad=0.02,rounding_size=0.12",
                                fc=COLORS[kind], ec="none", alpha=0.9))
    ax.text(x, y, text, ha="center", va="center", color="white", fontsize=11)


def _arrow(ax: Axes, a: tuple[float, float], b: tuple[float, float], color: str = "black",
           text: str | None = None, dashed: bool = False) -> None:
    ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=12, color=color, lw=1.3,
                                 shrinkA=14, shrinkB=14, linestyle="--" if dashed else "-"))
    if text:
        ax.text((a[0] + b[0]) / 2, (a[1] + b[1]) / 2 + 0.12, text, ha="center", va="bottom",
                fontsize=8, color=color)


def _steps(kind: str, T: int) -> tuple[list[bool], list[bool], int]:
    if kind == "one-to-one":
        return [True], [True], 1
    if kind == "one-to-many":
        return [True] + [False] * (T - 1), [True] * T, T
    if kind == "many-to-one":
        return [True] * T, [False] * (T - 1) + [True], T
    if kind == "many-to-many (aligned)":
        return [True] * T, [True] * T, T
    if kind == "many-to-many (unaligned)":
        S = max(T - 1, 2)
        return [True] * S + [False] * T, [False] * S + [True] * T, S + T
    raise ValueError(f"kind must be one of {list(CONNECTIONS)}; got {kind!r}")


def draw_connection(ax: Axes, kind: str, T: int = 3, title: bool = True) -> Axes:
    """Draw one connection type as an unrolled network on `ax` (inputs below, outputs above).

    Models that generate a sequence (one-to-many, unaligned many-to-many) feed each output back
    in as the next step's input: dashed arrows from y_t to h_{t+1}.
    """
    if T < 2:
        raise ValueError(f"T must be at least 2 to show a sequence; got {T}")
    has_x, has_y, n = _steps(kind, T)
    xi = yi = 0
    for t in range(n):
        _node(ax, t, 1, "h", "h")
        if has_x[t]:
            xi += 1
            _node(ax, t, 0, "x" if n == 1 or sum(has_x) == 1 else f"x{xi}", "x")
            _arrow(ax, (t, 0), (t, 1))
        if has_y[t]:
            yi += 1
            _node(ax, t, 2, "y" if n == 1 or sum(has_y) == 1 else f"y{yi}", "y")
            _arrow(ax, (t, 1), (t, 2))
        if t > 0:
            _arrow(ax, (t - 1, 1), (t, 1), color=COLORS["h"])
        generates = kind in ("one-to-many", "many-to-many (unaligned)")
        if generates and has_y[t] and t + 1 < n:
            _arrow(ax, (t, 2), (t + 1, 1), color=COLORS["y"], dashed=True)
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylim(-0.6, 2.6)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(kind, fontsize=11)
    return ax


def draw_unrolled(ax: Axes, T: int = 4, show_weights: bool = True) -> Axes:
    """Draw a vanilla RNN unrolled over T steps, labelling the shared weights on the arrows."""
    if T < 1:
        raise ValueError(f"T must be a positive number of time steps; got {T}")
    _node(ax, -1, 1, "h0", "h")
    for t in range(T):
        _node(ax, t, 0, f"x{t + 1}", "x")
        _node(ax, t, 1, f"h{t + 1}", "h")
        _node(ax, t, 2, f"y{t + 1}", "y")
        _arrow(ax, (t, 0), (t, 1), text=None)
        _arrow(ax, (t, 1), (t, 2), text=None)
        _arrow(ax, (t - 1, 1), (t, 1), color=COLORS["h"],
               text="$W_{hh}$" if show_weights else None)
        if show_weights:
            ax.text(t + 0.08, 0.5, "$W_{xh}$", fontsize=8, va="center")
            ax.text(t + 0.08, 1.5, "$W_{hy}$", fontsize=8, va="center")
    ax.set_xlim(-1.6, T - 0.4)
    ax.set_ylim(-0.6, 2.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
