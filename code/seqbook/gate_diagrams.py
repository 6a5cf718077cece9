"""Diagrams of the LSTM and GRU cells drawn by code, in the look of ``seqbook.diagrams``.

Rounded boxes are layers (a weight matrix followed by a sigmoid or tanh), circles are
element-wise operations, and the thick line along the top is the path a memory travels from
one step to the next. Taught in chapters/05_lstm_gru.ipynb.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from seqbook import checks as _checks
from seqbook.diagrams import COLORS
from seqbook.plots import PALETTE

GATE, MEMORY = PALETTE["orange"], PALETTE["purple"]


def _line(ax: Axes, points: list[tuple[float, float]], color: str = "black", lw: float = 1.3,
          arrow: bool = True, gap: float = 0.0) -> None:
    """A polyline through ``points``; the last segment shortened by ``gap`` and ends in an arrow."""
    (x0, y0), (x1, y1) = points[-2], points[-1]
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-9)
    end = (x1 - gap * (x1 - x0) / length, y1 - gap * (y1 - y0) / length)
    xs, ys = zip(*points[:-1], end, strict=True)
    ax.plot(xs, ys, color=color, lw=lw, solid_capstyle="butt")
    if arrow:
        ax.add_patch(FancyArrowPatch(points[-2], end, arrowstyle="-|>", mutation_scale=12,
                                     color=color, lw=lw, shrinkA=0, shrinkB=0))


def _box(ax: Axes, x: float, y: float, text: str, name: str, color: str = GATE) -> None:
    """A layer: rounded box with its nonlinearity, its output's name written beside it."""
    ax.add_patch(FancyBboxPatch((x - 0.3, y - 0.22), 0.6, 0.44,
                                boxstyle="round,pad=0.02,rounding_size=0.1", fc=color, ec="none"))
    ax.text(x, y, text, ha="center", va="center", color="white", fontsize=11)
    ax.text(x + 0.36, y + 0.28, name, ha="left", va="bottom", fontsize=10, color=color)


def _op(ax: Axes, x: float, y: float, text: str) -> None:
    """An element-wise operation: a small white circle with its symbol."""
    ax.add_patch(Circle((x, y), 0.2, fc="white", ec="black", lw=1.2, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=10, zorder=4)


def _state(ax: Axes, x: float, y: float, text: str, kind: str) -> None:
    ax.text(x, y, text, ha="center", va="center", fontsize=12, color=COLORS.get(kind, MEMORY))


def _check_ax(ax: object, title: object) -> None:
    _checks.instance("ax", ax, Axes, "a matplotlib Axes, e.g. from seqbook.plots.figure()")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None; got {type(title).__name__}")


def _frame(ax: Axes, width: float, title: str | None) -> Axes:
    ax.add_patch(FancyBboxPatch((0.5, -0.1), width, 4.0, fc="#f3f3f3", ec=PALETTE["grey"], lw=1.0,
                                boxstyle="round,pad=0.05,rounding_size=0.3", zorder=0))
    ax.set_xlim(-0.5, width + 1.6)
    ax.set_ylim(-1.1, 4.3)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=12)
    return ax


R, BOX = 0.2, 0.22  # radius of an operation circle, half-height of a layer box


def draw_lstm_cell(ax: Axes, title: str | None = "LSTM cell") -> Axes:
    """Draw one LSTM step: gates f, i, g, o read [h_{t-1}, x_t]; c_t = f c_{t-1} + i g."""
    _check_ax(ax, title)
    h, x = COLORS["h"], COLORS["x"]
    top, bus, row, mid = 3.4, 0.35, 1.4, 2.4
    gates = {"f": (1.8, r"$\sigma$"), "i": (3.0, r"$\sigma$"), "g": (4.1, "tanh"),
             "o": (5.3, r"$\sigma$")}
    # the memory line: c_{t-1} -> (x f) -> (+ i g) -> c_t, drawn thick
    _state(ax, 0.0, top, "$c_{t-1}$", "c")
    _line(ax, [(0.4, top), (1.8, top)], MEMORY, lw=3, gap=R)
    _line(ax, [(1.8 + R, top), (3.55, top)], MEMORY, lw=3, gap=R)
    _line(ax, [(3.55 + R, top), (7.6, top)], MEMORY, lw=3)
    _state(ax, 8.0, top, "$c_t$", "c")
    # the shared input bus: h_{t-1} from the left, x_t from below
    _state(ax, 0.0, bus, "$h_{t-1}$", "h")
    _line(ax, [(0.45, bus), (5.3, bus)], h, arrow=False)
    _state(ax, 1.1, -0.85, "$x_t$", "x")
    _line(ax, [(1.1, -0.6), (1.1, bus)], x, arrow=False)
    for name, (gx, text) in gates.items():
        _line(ax, [(gx, bus), (gx, row)], gap=BOX)
        _box(ax, gx, row, text, f"${name}_t$")
    _line(ax, [(1.8, row + BOX), (1.8, top)], gap=R)  # f scales the old memory
    _line(ax, [(3.0, row + BOX), (3.0, mid), (3.55, mid)], gap=R)  # i times g ...
    _line(ax, [(4.1, row + BOX), (4.1, mid), (3.55, mid)], gap=R)
    _line(ax, [(3.55, mid + R), (3.55, top)], gap=R)  # ... is added to the memory
    _line(ax, [(6.4, top), (6.4, mid)], gap=0.17)  # tanh(c_t) ...
    _line(ax, [(6.4, mid - 0.17), (6.4, row)], gap=R)
    _line(ax, [(5.3 + 0.3, row), (6.4, row)], gap=R)  # ... times o_t
    _op(ax, 1.8, top, r"$\times$")
    _op(ax, 3.55, mid, r"$\times$")
    _op(ax, 3.55, top, "+")
    ax.text(6.4, mid, "tanh", ha="center", va="center", fontsize=9,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "black", "lw": 1.0})
    _op(ax, 6.4, row, r"$\times$")
    _line(ax, [(6.4, row - R), (6.4, bus), (7.6, bus)], h)  # h_t leaves to the next step
    _state(ax, 8.0, bus, "$h_t$", "h")
    _line(ax, [(6.4 + R, row), (7.3, row), (7.3, 4.2)], h)  # ... and to the output layer
    ax.text(7.4, 4.2, "to $y_t$", fontsize=9, va="top", color=h)
    return _frame(ax, 7.3, title)


def draw_gru_cell(ax: Axes, title: str | None = "GRU cell (torch's form)") -> Axes:
    """Draw one GRU step: h_t = (1 - z) n + z h_{t-1}, n = tanh(W_in x + r (W_hn h + b_hn))."""
    _check_ax(ax, title)
    h, x = COLORS["h"], COLORS["x"]
    top, bus, row, mid, upper = 3.6, 0.35, 1.3, 2.2, 2.95
    # the memory line: h_{t-1} -> (x z) -> (+ (1 - z) n) -> h_t
    _state(ax, 0.0, top, "$h_{t-1}$", "h")
    _line(ax, [(0.45, top), (3.6, top)], MEMORY, lw=3, gap=R)
    _line(ax, [(3.6 + R, top), (6.4, top)], MEMORY, lw=3, gap=R)
    _line(ax, [(6.4 + R, top), (7.6, top)], MEMORY, lw=3)
    _state(ax, 8.0, top, "$h_t$", "h")
    hbus, xbus = bus + 0.15, bus - 0.15  # h_{t-1} and x_t on two buses: n reads them apart
    _line(ax, [(0.9, top), (0.9, hbus), (5.2, hbus)], h, arrow=False)
    _line(ax, [(1.5, -0.6), (1.5, xbus), (6.4, xbus)], x, arrow=False)
    _state(ax, 1.5, -0.85, "$x_t$", "x")
    for gx, name in ((3.6, "z"), (5.2, "r")):  # the gates read both buses (dots: junctions)
        _line(ax, [(gx, xbus), (gx, row)], gap=BOX)
        ax.plot([gx, gx], [xbus, hbus], "o", ms=4, color="black", zorder=3)
        _box(ax, gx, row, r"$\sigma$", f"${name}_t$")
    _line(ax, [(3.6, row + BOX), (3.6, top)], gap=R)  # z keeps the old state ...
    _line(ax, [(5.2, row + BOX), (5.2, mid)], gap=R)  # r scales W_hn h_{t-1} + b_hn
    _line(ax, [(4.6, hbus), (4.6, mid), (5.2, mid)], h, gap=R)
    ax.text(4.75, mid + 0.38, r"$W_{hn}h_{t-1} + b_{hn}$", fontsize=10, ha="center",
            va="center", color=h)  # what r_t scales, written beside the product
    _op(ax, 5.2, mid, r"$\times$")
    _line(ax, [(5.2 + R, mid), (6.4, mid)], gap=0.3)  # ... inside the candidate n
    _line(ax, [(6.4, xbus), (6.4, mid)], x, gap=BOX)  # W_in x_t + b_in
    _box(ax, 6.4, mid, "tanh", "$n_t$")
    _line(ax, [(3.6, upper), (6.4, upper)], gap=R)  # (1 - z) takes the candidate
    ax.text(4.5, upper, "1−", fontsize=9, ha="center", va="center",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "black", "lw": 1.0})
    _line(ax, [(6.4, mid + BOX), (6.4, upper)], gap=R)
    _op(ax, 6.4, upper, r"$\times$")
    _line(ax, [(6.4, upper + R), (6.4, top)], gap=R)
    _op(ax, 3.6, top, r"$\times$")
    _op(ax, 6.4, top, "+")
    return _frame(ax, 7.3, title)
