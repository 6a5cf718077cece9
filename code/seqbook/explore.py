"""Interactive figures that also work on the static HTML page (DESIGN decision 5).

`explore(make_figure, values)` draws one figure per parameter value up front, then links a
slider to a stack of the rendered frames in the browser (`ipywidgets.Stack` + `jslink`). Moving
the slider needs no kernel, so it works in JupyterLab, in the built book and with the network
off. The pure part, `render_frames`, is what the unit tests check. Used in every chapter.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from seqbook import checks as _checks
from seqbook.plots import check_labelled, use_style

MAX_FRAMES = 40


def _values_list(values: Sequence[Any]) -> list[Any]:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"values must be a list of parameter values such as [0.5, 1.0]; got "
                        f"{type(values).__name__}")
    return list(values)


def render_frames(make_figure: Callable[[Any], Figure], values: Sequence[Any]) -> list[bytes]:
    """Call `make_figure(v)` for each value and return the PNG bytes of each figure."""
    _checks.function("make_figure", make_figure)
    values = _values_list(values)
    if not values:
        raise ValueError("values must hold at least one parameter value to show")
    if len(values) > MAX_FRAMES:
        raise ValueError(
            f"{len(values)} frames would make the page heavy; use at most {MAX_FRAMES} values"
        )
    use_style()
    frames = []
    for v in values:
        fig = make_figure(v)
        if not isinstance(fig, Figure):
            raise ValueError(
                f"make_figure must return a matplotlib Figure; for value {v!r} it returned "
                f"{type(fig).__name__}"
            )
        check_labelled(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
        frames.append(buf.getvalue())
    return frames


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{alt}" style="max-width:100%">'


def explore(
    make_figure: Callable[[Any], Figure],
    values: Sequence[Any],
    *,
    name: str = "value",
    fmt: str = "{}",
    start: int = 0,
) -> widgets.VBox:
    """A slider over `values` that switches between precomputed figures, without a kernel.

    `name` labels the slider, `fmt` formats a value for the readout (e.g. "{:.2f}"), and
    `start` is the index shown first.
    """
    _checks.text("name", name, " labelling the slider")
    _checks.text("fmt", fmt, " such as '{:.2f}'")
    _checks.integer("start", start, minimum=None, hint=" (an index into values)")
    values = _values_list(values)
    if values and not 0 <= start < len(values):
        raise ValueError(f"start must be an index in 0..{len(values) - 1}; got {start}")
    try:
        readouts = [f"<b>{name} = {fmt.format(v)}</b>" for v in values]
    except (ValueError, KeyError, IndexError, TypeError) as err:
        raise ValueError(f"fmt must format one value, such as '{{:.2f}}'; {fmt!r} fails: "
                         f"{err}") from err
    frames = render_frames(make_figure, values)  # the slow part, once the arguments are right
    slider = widgets.IntSlider(
        value=start,
        min=0,
        max=len(values) - 1,
        step=1,
        description=name,
        readout=False,
        continuous_update=True,
        layout=widgets.Layout(width="420px"),
    )
    readout = widgets.Stack([widgets.HTML(r) for r in readouts], selected_index=start)
    images = widgets.Stack(
        [widgets.HTML(_img(png, f"{name} = {r}")) for png, r in zip(frames, values, strict=True)],
        selected_index=start,
    )
    widgets.jslink((slider, "value"), (readout, "selected_index"))
    widgets.jslink((slider, "value"), (images, "selected_index"))
    return widgets.VBox([widgets.HBox([slider, readout]), images])
