"""Tests of seqbook.gate_diagrams: the cell diagrams draw, are labelled and pass the style check."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from seqbook.gate_diagrams import draw_gru_cell, draw_lstm_cell
from seqbook.plots import check_labelled, figure


@pytest.mark.parametrize("draw, names", [
    (draw_lstm_cell, ["$f_t$", "$i_t$", "$g_t$", "$o_t$", "$c_{t-1}$", "$c_t$", "$h_t$"]),
    (draw_gru_cell, ["$r_t$", "$z_t$", "$n_t$", "$h_{t-1}$", "$h_t$", "$x_t$"]),
])
def test_cell_diagram_shows_every_gate_and_state(draw, names):
    fig, ax = figure()
    assert draw(ax) is ax
    texts = {t.get_text() for t in ax.texts}
    assert set(names) <= texts
    assert not ax.axison and len(ax.patches) > 10  # a diagram, not a data plot
    check_labelled(fig)  # axis-off panels are exempt
    fig.canvas.draw()  # every artist renders (mathtext included)
    plt.close(fig)


def test_title_can_be_switched_off():
    fig, ax = figure()
    draw_lstm_cell(ax, title=None)
    assert ax.get_title() == ""
    draw_gru_cell(ax, title="mine")
    assert ax.get_title() == "mine"
    plt.close(fig)
