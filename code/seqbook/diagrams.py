"""Diagrams drawn by code: the five connection types and the unrolled RNN.

Boxes are nodes (x = input, h = hidden state, y-hat = the model's output, a prediction) and
arrows are the computation between them; the same weights sit on every horizontal arrow. The
outputs carry the hat because they are predictions (the book's convention, see intro.md): a
target, without the hat, is never drawn. Taught in
chapters/01_sequential_problems.ipynb and chapters/02_rnn.ipynb.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from seqbook.plots import PALETTE

COLORS = {"x": PALETTE["blue"], "h": PALETTE["green"], "y": PALETTE["orange"]}

# kind -> (which steps get an input, which get an output, number of steps, encoder steps)
CONNECTIONS = {
    "one-to-one": "x -> y-hat: one input, one output (h is an ordinary hidden layer)",
    "one-to-many": "x -> y-hat_1..y-hat_T: one input, a sequence out",
    "many-to-one": "x_1..x_T -> y-hat: a sequence in, one output at the end",
    "many-to-many (aligned)": "x_1..x_T -> y-hat_1..y-hat_T: one output per input step",
    "many-to-many (unaligned)": "x_1..x_S -> y-hat_1..y-hat_T: read everything, then write",
}


def node_label(kind: str, t: int | None = None) -> str:
    """The mathtext label of a node: ``node_label("y", 2)`` is the prediction y-hat_2.

    ``kind`` is "x" (input), "h" (hidden state) or "y" (output, drawn with a hat because it is
    the model's prediction); ``t`` is the time step, or None for a node without an index.
    """
    if kind not in COLORS:
        raise ValueError(f"kind must be one of {list(COLORS)}; got {kind!r}")
    if t is not None and (not isinstance(t, int) or isinstance(t, bool) or t < 0):
        raise ValueError(f"t must be a time step 0, 1, 2, ... or None; got {t!r}")
    symbol = r"\hat{y}" if kind == "y" else kind
    return f"${symbol}$" if t is None else f"${symbol}_{{{t}}}$"


def _integer_steps(T: object) -> None:
    if not isinstance(T, int) or isinstance(T, bool):
        raise TypeError(f"T must be an int, the number of time steps to draw; got {T!r}")


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
    in as the next step's input: dashed arrows from y-hat_t to h_{t+1}. Nodes are labelled
    by ``node_label``.
    """
    _integer_steps(T)
    if T < 2:
        raise ValueError(f"T must be at least 2 to show a sequence; got {T}")
    has_x, has_y, n = _steps(kind, T)
    xi = yi = 0
    for t in range(n):
        _node(ax, t, 1, node_label("h"), "h")
        if has_x[t]:
            xi += 1
            _node(ax, t, 0, node_label("x", None if sum(has_x) == 1 else xi), "x")
            _arrow(ax, (t, 0), (t, 1))
        if has_y[t]:
            yi += 1
            _node(ax, t, 2, node_label("y", None if sum(has_y) == 1 else yi), "y")
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
    """Draw a vanilla RNN unrolled over T steps, labelling the shared weights on the arrows.

    Inputs x_t below, states h_t (from h_0) in the middle, predictions y-hat_t on top; node
    labels come from ``node_label``.
    """
    _integer_steps(T)
    if T < 1:
        raise ValueError(f"T must be a positive number of time steps; got {T}")
    _node(ax, -1, 1, node_label("h", 0), "h")
    for t in range(T):
        _node(ax, t, 0, node_label("x", t + 1), "x")
        _node(ax, t, 1, node_label("h", t + 1), "h")
        _node(ax, t, 2, node_label("y", t + 1), "y")
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
