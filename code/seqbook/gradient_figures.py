"""Figures for vanishing and exploding gradients: the cliff, eigenvalues, gradient-norm
histograms, and the test errors and learning curves of the remedies.

Taught in chapters/04_vanishing_exploding.ipynb. The numbers they draw come from
``seqbook.gradients`` (``scalar_rnn``, ``descend``, ``loss_along_direction``) and from the
chapter's training runs; this module only draws them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from seqbook.gradients import scalar_rnn
from seqbook.plots import PALETTE, check_labelled, figure, label


def _path(name: str, theta: object) -> np.ndarray:
    theta = np.asarray(theta, dtype=float)
    if theta.ndim != 2 or theta.shape[1] != 2 or len(theta) < 1:
        raise ValueError(f"{name} must be a (steps + 1, 2) array of (w, b) points from descend; "
                         f"got shape {theta.shape}")
    return theta


def cliff_figure(alphas: np.ndarray, slice_loss: np.ndarray, slice_grad: np.ndarray,
                 unclipped: np.ndarray, clipped: np.ndarray, wall_step: int,
                 clip_norm: float) -> Figure:
    """The cliff of the one-unit RNN (``scalar_rnn``): a loss slice and the (w, b) surface.

    Left: ``slice_loss`` and ``slice_grad`` (the gradient norm, log axis) at the points
    ``alphas`` along the direction of the unclipped run's step number ``wall_step``, whose
    start is alpha = 0. Right: the loss over a (w, b) grid with both gradient-descent paths
    (``unclipped`` and ``clipped``, (steps + 1, 2) arrays from ``descend``); the unclipped
    path is drawn up to the wall, with an arrow saying where its next step lands.
    """
    alphas, slice_loss, slice_grad = (np.asarray(a, dtype=float)
                                      for a in (alphas, slice_loss, slice_grad))
    if alphas.ndim != 1 or slice_loss.shape != alphas.shape or slice_grad.shape != alphas.shape:
        raise ValueError("alphas, slice_loss and slice_grad must be 1-D arrays of one length; "
                         f"got {alphas.shape}, {slice_loss.shape}, {slice_grad.shape}")
    unclipped, clipped = _path("unclipped", unclipped), _path("clipped", clipped)
    if not 0 <= wall_step < len(unclipped) - 1:
        raise ValueError("wall_step must index a step of the unclipped path, "
                         f"0..{len(unclipped) - 2}; got {wall_step}")
    if not clip_norm > 0:
        raise ValueError("clip_norm must be the positive threshold of the clipped run; "
                         f"got {clip_norm}")
    at = int(np.argmin(np.abs(alphas)))  # the wall point, alpha = 0
    fig, (ax1, ax2) = figure(1, 2, width=10, height=3.6)
    ax1.plot(alphas, slice_loss, color=PALETTE["blue"], label="loss (left axis)")
    ax1.plot(alphas[at], slice_loss[at], "o", color=PALETTE["red"],
             label="where the step was taken")
    label(ax1, "distance along the step direction", "loss L", "the loss along the thrown step")
    ax1b = ax1.twinx()
    ax1b.semilogy(alphas, slice_grad, color=PALETTE["orange"], lw=1,
                  label="gradient norm (right axis)")
    label(ax1b, "distance along the step direction", "||dL/d(w, b)|| (log)")
    ax1b.grid(False)
    handles = ax1.get_legend_handles_labels()[0] + ax1b.get_legend_handles_labels()[0]
    ax1.legend(handles=handles, loc="upper left", fontsize=9, frameon=True)
    ax1.set_ylim(-0.1, 3.4)
    w_grid, b_grid = np.linspace(-0.5, 4, 300), np.linspace(-1.5, 1.5, 300)
    surface = scalar_rnn(w_grid[None, :], b_grid[:, None])[0]  # (300, 300)
    im = ax2.imshow(surface, origin="lower", aspect="auto", cmap="viridis",
                    extent=(w_grid[0], w_grid[-1], b_grid[0], b_grid[-1]))
    fig.colorbar(im, ax=ax2, label="loss L")
    ax2.plot(*clipped.T, "o-", ms=3, lw=1.2, color="white", label=f"norm clipped to {clip_norm:g}")
    ax2.plot(*unclipped[: wall_step + 1].T, "s-", ms=4, lw=1.2, color="#ff2d95", mec="black",
             mew=0.5, label="no clipping")
    ax2.plot(*unclipped[0], "*", ms=14, color="#00e5ff", mec="black", label="start")
    land = unclipped[wall_step + 1]
    ax2.annotate(f"next step lands at ({land[0]:.0f}, {land[1]:.0f})",
                 xy=unclipped[wall_step], xytext=(-0.4, -1.3),
                 bbox={"fc": "white", "ec": "none", "alpha": 0.85},
                 arrowprops={"color": "black", "arrowstyle": "<-"})
    ax2.set_xlim(w_grid[0], w_grid[-1])
    ax2.set_ylim(b_grid[0], b_grid[-1])
    ax2.legend(loc="upper right", fontsize=9, frameon=True)
    label(ax2, "recurrent weight w", "bias b", "gradient descent near the cliff")
    check_labelled(fig)
    return fig


def eigenvalue_figure(panels: Mapping[str, Mapping[str, np.ndarray]]) -> Figure:
    """Eigenvalues of recurrent matrices in the complex plane, against the unit circle.

    ``panels`` maps a panel title to ``{legend label: W_hh}``, each W_hh a square matrix
    (an (H, H) array); one panel per title, sharing both axes. Eigenvalues outside the
    circle are directions that W_hh^k stretches, those inside directions that it shrinks.
    """
    if not isinstance(panels, Mapping) or not panels:
        raise TypeError("panels must be a non-empty dict {title: {label: W_hh}}")
    eigs: dict[str, dict[str, np.ndarray]] = {}
    for title, mats in panels.items():
        if not isinstance(mats, Mapping) or not mats:
            raise TypeError(f"panels[{title!r}] must be a non-empty dict {{label: W_hh}}")
        eigs[title] = {}
        for name, W in mats.items():
            W = np.asarray(W, dtype=float)
            if W.ndim != 2 or W.shape[0] != W.shape[1] or W.size == 0:
                raise ValueError(f"panels[{title!r}][{name!r}] must be a square (H, H) matrix; "
                                 f"got shape {W.shape}")
            eigs[title][name] = np.linalg.eigvals(W)
    lim = 1.15 * max(1.0, *(np.abs(e).max() for m in eigs.values() for e in m.values()))
    fig, axes = figure(1, len(eigs), width=3.6 * len(eigs), height=4.6, sharex=True,
                       sharey=True)
    axes = np.atleast_1d(axes)
    circle = np.exp(1j * np.linspace(0, 2 * np.pi, 400))
    styles = [dict(marker="o", mfc="none", mec=PALETTE["blue"], ms=5),
              dict(marker=".", color=PALETTE["red"], ms=7),
              dict(marker="x", color=PALETTE["green"], ms=5)]
    for ax, (title, mats) in zip(axes, eigs.items(), strict=True):
        ax.plot(circle.real, circle.imag, color="black", lw=0.8, label="unit circle")
        for (name, e), st in zip(mats.items(), styles * len(mats), strict=False):
            ax.plot(e.real, e.imag, ls="none", label=name, **st)
        ax.set_aspect("equal")
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1,
                  frameon=False)  # below the panel, off the eigenvalues
        label(ax, "real part", "imaginary part", title)
    return fig


def norm_histogram(norms: Mapping[str, Sequence[float]], threshold: float,
                   threshold_label: str) -> Figure:
    """Histograms (log x axis) of recorded gradient norms, with a clipping threshold marked.

    ``norms`` maps a run's name to its per-step gradient norms before clipping (for
    instance ``History.grad_norms``); ``threshold`` is drawn as a vertical line.
    """
    if not isinstance(norms, Mapping) or not norms:
        raise TypeError("norms must be a non-empty dict {run name: gradient norms}")
    arrays = {}
    for name, g in norms.items():
        g = np.asarray(g, dtype=float)
        if g.ndim != 1 or g.size == 0 or not np.all(np.isfinite(g)) or np.any(g <= 0):
            raise ValueError(f"norms[{name!r}] must be a 1-D array of positive, finite norms")
        arrays[name] = g
    if not threshold > 0:
        raise ValueError(f"threshold must be a positive gradient norm; got {threshold}")
    lo = min(g.min() for g in arrays.values())
    hi = max(max(g.max() for g in arrays.values()), threshold)
    bins = np.geomspace(lo / 1.2, hi * 1.2, 50)
    fig, ax = figure(width=7.5, height=3.2)
    colors = [PALETTE[c] for c in ("grey", "blue", "red", "green")]
    for (name, g), c in zip(arrays.items(), colors * len(arrays), strict=False):
        ax.hist(g, bins=bins, color=c, alpha=0.6, label=name)
    ax.axvline(threshold, color="black", ls="--", lw=1.2, label=threshold_label)
    ax.set_xscale("log")
    ax.legend(fontsize=9)
    label(ax, "gradient norm before clipping (log scale)", "training steps",
          "recorded gradient norms")
    return fig


def remedies_figure(mse: Mapping[str, float], losses: Mapping[str, Sequence[float]],
                    baseline: float, title: str, window: int = 20,
                    baseline_label: str = "best constant answer") -> Figure:
    """Test errors and learning curves of several models trained on one task.

    Left: ``mse`` (model name -> test MSE) as log-scale bars, with ``baseline`` (the MSE of
    the best constant answer, legend ``baseline_label``) as a dashed line. Right: each
    model's training losses (``losses``, the same names, e.g. ``History.losses``), as a
    running mean over ``window`` steps, in the colours of the bars.
    """
    if not isinstance(mse, Mapping) or not mse:
        raise TypeError("mse must be a non-empty dict {model name: test MSE}")
    if not isinstance(losses, Mapping) or list(losses) != list(mse):
        raise ValueError("losses must be a dict with the same model names as mse, in the same "
                         f"order; got {list(losses) if isinstance(losses, Mapping) else losses!r}")
    values = np.array([float(v) for v in mse.values()])
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise ValueError(f"every test MSE must be positive and finite; got {values.tolist()}")
    if not baseline > 0:
        raise ValueError(f"baseline must be the positive MSE of a constant answer; got {baseline}")
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be a positive number of steps such as 20; got {window!r}")
    curves = {}
    for name, run in losses.items():
        run = np.asarray(run, dtype=float)
        if run.ndim != 1 or len(run) < window or not np.all(np.isfinite(run)):
            raise ValueError(f"losses[{name!r}] must be a 1-D array of finite losses, at least "
                             f"window = {window} steps long")
        curves[name] = np.convolve(run, np.ones(window) / window, "valid")
    colors = [PALETTE[c] for c in ("blue", "orange", "grey", "red", "purple", "green")]
    colors = (colors * len(mse))[: len(mse)]
    fig, (ax1, ax2) = figure(1, 2, width=10, height=3.4)
    bars = ax1.barh(list(mse), values, color=colors)
    ax1.bar_label(bars, fmt="%.4f", fontsize=9, padding=3,  # a white box: readable on the line
                  bbox=dict(facecolor="white", edgecolor="none", pad=0.6), zorder=4)
    ax1.set_xscale("log")
    ax1.set_xlim(min(1e-4, values.min() / 3), max(3.0, 10 * values.max()))
    ax1.invert_yaxis()
    ax1.axvline(baseline, color="black", ls="--", lw=0.8, label=baseline_label)
    ax1.legend(fontsize=9, loc="lower right")
    label(ax1, "test MSE (log scale)", "model", title)
    for (name, curve), c in zip(curves.items(), colors, strict=True):
        ax2.semilogy(curve, color=c, lw=1.2, label=name)
    label(ax2, "training step", f"training MSE (mean of {window} steps)",
          "learning curves (colours as on the left)")
    return fig
