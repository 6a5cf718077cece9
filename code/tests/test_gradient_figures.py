"""Tests of seqbook.gradient_figures: each figure draws, labelled, and rejects bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from seqbook.gradient_figures import (  # noqa: E402
    cliff_figure,
    eigenvalue_figure,
    norm_histogram,
    remedies_figure,
)
from seqbook.gradients import descend, orthogonal, scalar_rnn  # noqa: E402
from seqbook.plots import check_labelled  # noqa: E402


def _loss_and_grad(theta):
    L, dw, db = scalar_rnn(*theta)
    return L, np.array([dw, db])


@pytest.fixture
def cliff_inputs():
    start = np.array([1.8, -0.5])
    unclipped = descend(_loss_and_grad, start, lr=0.3, steps=20)[0]
    clipped = descend(_loss_and_grad, start, lr=0.3, steps=20, clip_norm=0.5)[0]
    alphas = np.linspace(-0.4, 0.4, 51)
    return dict(alphas=alphas, slice_loss=np.abs(alphas), slice_grad=1 + alphas**2,
                unclipped=unclipped, clipped=clipped, wall_step=3, clip_norm=0.5)


def test_cliff_figure_draws_two_labelled_panels(cliff_inputs):
    fig = cliff_figure(**cliff_inputs)
    check_labelled(fig)
    titles = [ax.get_title() for ax in fig.axes]
    assert "the loss along the thrown step" in titles
    assert "gradient descent near the cliff" in titles
    surface = [ax for ax in fig.axes if ax.get_title() == "gradient descent near the cliff"][0]
    assert surface.get_xlabel() == "recurrent weight w" and len(surface.images) == 1
    assert "norm clipped to 0.5" in [t.get_text() for t in surface.get_legend().get_texts()]
    plt.close(fig)


@pytest.mark.parametrize("change, match", [
    (dict(slice_loss=np.zeros(5)), "one length"),
    (dict(unclipped=np.zeros((4, 3))), "unclipped must be"),
    (dict(clipped=np.zeros(4)), "clipped must be"),
    (dict(wall_step=20), "wall_step"),
    (dict(wall_step=-1), "wall_step"),
    (dict(clip_norm=0.0), "clip_norm"),
])
def test_cliff_figure_rejects_bad_input(cliff_inputs, change, match):
    with pytest.raises(ValueError, match=match):
        cliff_figure(**(cliff_inputs | change))


def test_eigenvalue_figure_draws_every_eigenvalue_and_the_circle():
    rng = np.random.default_rng(0)
    W = orthogonal(6, rng)
    fig = eigenvalue_figure({"start": {"orthogonal": W}, "trained": {"a": 2 * W, "b": 0.5 * W}})
    check_labelled(fig)
    assert len(fig.axes) == 2
    ax = fig.axes[1]
    assert ax.get_xlabel() == "real part" and ax.get_title() == "trained"
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"unit circle", "a", "b"} and len(lines["a"].get_xdata()) == 6
    assert ax.get_xlim()[1] >= 2.0  # the axes make room for |eigenvalue| = 2
    plt.close(fig)


@pytest.mark.parametrize("panels, error", [
    ({}, TypeError),
    ([np.eye(2)], TypeError),
    ({"p": {}}, TypeError),
    ({"p": {"W": np.zeros((2, 3))}}, ValueError),
    ({"p": {"W": np.zeros(4)}}, ValueError),
])
def test_eigenvalue_figure_rejects_bad_input(panels, error):
    with pytest.raises(error):
        eigenvalue_figure(panels)


def test_norm_histogram_draws_runs_and_threshold():
    rng = np.random.default_rng(1)
    fig = norm_histogram({"healthy": rng.lognormal(size=200), "other": rng.lognormal(2, 1, 50)},
                         threshold=4.0, threshold_label="threshold 4")
    check_labelled(fig)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert "threshold 4" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(fig)


@pytest.mark.parametrize("norms, threshold, error", [
    ({}, 1.0, TypeError),
    ({"a": [1.0, -2.0]}, 1.0, ValueError),
    ({"a": [1.0, np.nan]}, 1.0, ValueError),
    ({"a": []}, 1.0, ValueError),
    ({"a": [1.0, 2.0]}, 0.0, ValueError),
])
def test_norm_histogram_rejects_bad_input(norms, threshold, error):
    with pytest.raises(error):
        norm_histogram(norms, threshold, "t")


def _remedies_inputs():
    rng = np.random.default_rng(2)
    mse = {"tanh RNN": 0.19, "IRNN": 0.0012, "LSTM": 0.0004}
    losses = {n: np.abs(rng.normal(v, 0.01, size=60)) + 1e-4 for n, v in mse.items()}
    return mse, losses


def test_remedies_figure_draws_bars_and_smoothed_curves():
    mse, losses = _remedies_inputs()
    fig = remedies_figure(mse, losses, baseline=1 / 6, title="T = 25", window=20,
                          baseline_label="always answer 1")
    check_labelled(fig)
    bars_ax, curves_ax = fig.axes
    assert [t.get_text() for t in bars_ax.get_yticklabels()] == list(mse)
    assert [p.get_width() for p in bars_ax.patches] == pytest.approx(list(mse.values()))
    assert "always answer 1" in [t.get_text() for t in bars_ax.get_legend().get_texts()]
    lines = curves_ax.get_lines()
    assert [line.get_label() for line in lines] == list(mse)
    assert len(lines[0].get_ydata()) == 60 - 20 + 1  # a running mean over 20 steps
    assert lines[1].get_ydata()[0] == pytest.approx(losses["IRNN"][:20].mean())
    for line, bar in zip(lines, bars_ax.patches, strict=True):  # colours as on the left
        assert matplotlib.colors.to_rgb(line.get_color()) == pytest.approx(bar.get_facecolor()[:3])
    plt.close(fig)


@pytest.mark.parametrize("change, error", [
    (dict(mse={}), TypeError),
    (dict(losses={"IRNN": np.ones(60)}), ValueError),  # names differ from mse
    (dict(mse={"tanh RNN": 0.19, "IRNN": -1.0, "LSTM": 0.1}), ValueError),
    (dict(mse={"tanh RNN": 0.19, "IRNN": np.nan, "LSTM": 0.1}), ValueError),
    (dict(baseline=0.0), ValueError),
    (dict(window=0), ValueError),
    (dict(window=100), ValueError),  # longer than the runs
])
def test_remedies_figure_rejects_bad_input(change, error):
    mse, losses = _remedies_inputs()
    args = dict(mse=mse, losses=losses, baseline=1 / 6, title="t") | change
    with pytest.raises(error):
        remedies_figure(**args)
