"""Bad arguments to seqbook.data, plots, explore, show, gate_diagrams and bptt_figures name
the argument and say what to pass (issue 10)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from seqbook import bptt_figures, data, explore, gate_diagrams, plots, show  # noqa: E402
from seqbook.sequences import masked_mean  # noqa: E402


def _frame(v):
    fig, ax = plots.figure(width=2, height=2)
    ax.plot([0, v])
    plots.label(ax, "t", "value")
    return fig


FIG, AX = plt.subplots()
GAPS = {g: {"k": np.arange(1, 4), "rel_diff": np.ones(3)} for g in (0.9, 1.1)}
MAPS = {g: np.ones((4, 4)) for g in (0.9, 1.1)}

CASES = [
    (data.verified_path, dict(name=3), TypeError, "name"),
    (data.verified_path, dict(name=""), ValueError, "name"),
    (data.sha256, dict(path=None), TypeError, "path"),
    (plots.figure, dict(nrows=1.5), TypeError, "nrows"),
    (plots.figure, dict(ncols=True), TypeError, "ncols"),
    (plots.figure, dict(width=0), ValueError, "width"),
    (plots.figure, dict(height=float("nan")), ValueError, "height"),
    (plots.label, dict(ax=None, x="t", y="v"), TypeError, "ax"),
    (plots.label, dict(ax=AX, x=3, y="v"), TypeError, "x"),
    (plots.label, dict(ax=AX, x="t", y="v", title=5), TypeError, "title"),
    (plots.check_labelled, dict(fig=AX), TypeError, "fig"),
    (explore.render_frames, dict(make_figure=3, values=[1]), TypeError, "make_figure"),
    (explore.render_frames, dict(make_figure=_frame, values=5), TypeError, "values"),
    (explore.render_frames, dict(make_figure=_frame, values="ab"), TypeError, "values"),
    (explore.explore, dict(make_figure=_frame, values=[1], start=0.0), TypeError, "start"),
    (explore.explore, dict(make_figure=_frame, values=[1], name=""), ValueError, "name"),
    (explore.explore, dict(make_figure=_frame, values=[1], fmt=None), TypeError, "fmt"),
    (explore.explore, dict(make_figure=_frame, values=[1.5], fmt="{:d}"), ValueError, "fmt"),
    (explore.explore, dict(make_figure=_frame, values=[1, 2], start=2), ValueError, "start"),
    (show.show_source, dict(obj=masked_mean, lines=(1,)), TypeError, "lines"),
    (show.show_source, dict(obj=masked_mean, lines=(1.0, 2)), TypeError, "lines"),
    (show.show_source, dict(obj=masked_mean, checks="yes"), TypeError, "checks"),
    (gate_diagrams.draw_lstm_cell, dict(ax=FIG), TypeError, "ax"),
    (gate_diagrams.draw_gru_cell, dict(ax=AX, title=3), TypeError, "title"),
    (bptt_figures.draw_gradient_flow, dict(ax=None), TypeError, "ax"),
    (bptt_figures.draw_gradient_flow, dict(ax=AX, T=0), ValueError, "T"),
    (bptt_figures.dropped_region, dict(T=5, k=1.5), TypeError, "k"),
    (bptt_figures.dropped_region, dict(T=0, k=1), ValueError, "T"),
    (bptt_figures.truncation_figure, dict(maps=[], gaps={}, k=1), TypeError, "maps"),
    (bptt_figures.truncation_figure, dict(maps={0.9: np.ones((4, 3)), 1.1: np.ones((4, 4))},
                                          gaps=GAPS, k=1), ValueError, "maps[0.9]"),
    (bptt_figures.truncation_figure, dict(maps=MAPS, gaps={0.9: [], 1.1: []}, k=1),
     TypeError, "gaps[0.9]"),
    (bptt_figures.truncation_figure, dict(maps=MAPS, gaps=GAPS, k=0), ValueError, "k"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    fig, axes = plots.figure(np.int64(1), 2, width=3, height=2)
    assert len(axes) == 2
    plots.label(axes[0], "t", "v", title=None)
    assert len(explore.render_frames(_frame, (v for v in (1, 2)))) == 2
    assert len(explore.explore(_frame, range(3), fmt="{:.1f}", start=np.int64(1)).children) == 2
    assert show.show_source(masked_mean, lines=[1, 1]).code.startswith("def masked_mean")
    assert bptt_figures.dropped_region(4, np.int64(2)).shape == (6, 2)
    gate_diagrams.draw_lstm_cell(AX, title=None)
    plt.close("all")


def test_without_guards_leaves_out_checks_calls_and_loops_of_checks():
    code = ("def f(x, ys):\n    \"\"\"Doc.\"\"\"\n    _checks.integer('x', x)\n"
            "    for y in ys:\n        _checks.number('ys', y)\n"
            "    if x is not None:\n        _checks.integer('x', x)\n"
            "    total = x + sum(ys)\n    for y in ys:\n        total += y\n    return total")
    shown = show.without_guards(code)
    assert "_checks" not in shown and shown.count("argument checks") == 1
    assert "total = x + sum(ys)" in shown and "total += y" in shown  # ordinary loops stay
    assert shown.splitlines()[2].strip().startswith("# ... argument checks")


@pytest.mark.parametrize("bad", [None, 3])
def test_label_still_refuses_empty_labels(bad):
    with pytest.raises((ValueError, TypeError), match="label"):
        plots.label(AX, "" if bad is None else "t", "")
