"""Unit tests of the seqbook core: seeding, show_source, plots, explore, sequences, diagrams."""

from __future__ import annotations

import random

import ipywidgets as widgets
import matplotlib
import numpy as np
import pytest
import torch
from ipywidgets.embed import embed_data

matplotlib.use("Agg")

from seqbook import set_seed, show_source  # noqa: E402
from seqbook.diagrams import CONNECTIONS, draw_connection, draw_unrolled, node_label  # noqa: E402
from seqbook.explore import MAX_FRAMES, explore, render_frames  # noqa: E402
from seqbook.plots import check_labelled, figure, label  # noqa: E402
from seqbook.sequences import masked_mean, pad_sequences  # noqa: E402


def _frame(k):
    fig, ax = figure(width=3, height=2)
    ax.plot(np.arange(5) * k)
    label(ax, "t", "value")
    return fig


def test_set_seed_makes_every_generator_repeat():
    def draw():
        rng = set_seed(7)
        return random.random(), np.random.rand(), torch.rand(1).item(), rng.random()

    assert draw() == draw()
    assert draw() != (set_seed(8), random.random())[1:]


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_set_seed_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="non-negative integer"):
        set_seed(bad)


def test_show_source_renders_markdown_code_block():
    shown = show_source(pad_sequences)
    md = shown._repr_markdown_()
    assert md.startswith("```python\ndef pad_sequences(")
    assert "seqbook.sequences.pad_sequences" in md
    assert show_source(pad_sequences, lines=(1, 1)).code.startswith("def pad_sequences")


def test_show_source_rejects_non_functions_and_bad_lines():
    with pytest.raises(ValueError, match="function, method or class"):
        show_source(3)
    with pytest.raises(ValueError, match="lines must satisfy"):
        show_source(pad_sequences, lines=(5, 2))


def test_label_refuses_empty_labels_and_check_labelled_finds_them():
    fig, ax = figure()
    ax.plot([1, 2])
    with pytest.raises(ValueError, match="needs both"):
        check_labelled(fig)
    with pytest.raises(ValueError, match="needs a label"):
        label(ax, "", "y")
    label(ax, "time step", "value")
    check_labelled(fig)  # no error now


def test_render_frames_gives_one_png_per_value_and_frames_differ():
    frames = render_frames(_frame, [1, 2, 3])
    assert len(frames) == 3
    assert all(f.startswith(b"\x89PNG") for f in frames)
    assert len(set(frames)) == 3


def test_render_frames_validates():
    with pytest.raises(ValueError, match="at least one"):
        render_frames(_frame, [])
    with pytest.raises(ValueError, match="at most"):
        render_frames(_frame, range(MAX_FRAMES + 1))
    with pytest.raises(ValueError, match="must return a matplotlib Figure"):
        render_frames(lambda v: None, [1])

    def unlabelled(v):
        fig, ax = figure()
        ax.plot([v, v])
        return fig

    with pytest.raises(ValueError, match="label"):
        render_frames(unlabelled, [1])


def test_explore_links_slider_to_frames_in_the_browser():
    box = explore(_frame, [1, 2, 3, 4], name="k", start=2)
    header, images = box.children
    slider, readout = header.children
    assert isinstance(slider, widgets.IntSlider) and (slider.min, slider.max) == (0, 3)
    assert slider.value == images.selected_index == readout.selected_index == 2
    assert len(images.children) == 4
    # what the page will hold: the widget state a notebook stores, with its browser-side links
    state = embed_data(views=[box])["manager_state"]["state"]
    links = [m["state"] for m in state.values() if m["model_name"] == "LinkModel"]
    targets = {(link["source"][0], link["target"][0]) for link in links}
    assert (f"IPY_MODEL_{slider.model_id}", f"IPY_MODEL_{images.model_id}") in targets
    assert (f"IPY_MODEL_{slider.model_id}", f"IPY_MODEL_{readout.model_id}") in targets
    assert "k = 3" in readout.children[2].value


def test_explore_rejects_bad_start():
    with pytest.raises(ValueError, match="start"):
        explore(_frame, [1, 2], start=2)


def test_pad_sequences_shapes_mask_and_values():
    seqs = [np.ones((3, 2)), 2 * np.ones((1, 2)), 3 * np.ones((2, 2))]
    padded, lengths, mask = pad_sequences(seqs, pad_value=-1.0)
    assert padded.shape == (3, 3, 2)
    assert lengths.tolist() == [3, 1, 2]
    assert mask.tolist() == [[True] * 3, [True, False, False], [True, True, False]]
    assert (padded[1, 1:] == -1).all() and (padded[2, :2] == 3).all()
    np.testing.assert_allclose(masked_mean(padded, mask), [[1, 1], [2, 2], [3, 3]])


def test_masked_mean_ignores_padding_but_plain_mean_does_not():
    padded, _, mask = pad_sequences([np.array([4.0]), np.array([1.0, 3.0])], pad_value=100.0)
    np.testing.assert_allclose(masked_mean(padded, mask), [4.0, 2.0])
    assert padded.mean(axis=1)[0] != 4.0


@pytest.mark.parametrize("bad, match", [([], "at least one"),
                                         ([np.ones((2, 2)), np.ones((2, 3))], "feature size"),
                                         ([np.ones((2, 2, 2))], "time"),
                                         ([np.ones(0)], "empty")])
def test_pad_sequences_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        pad_sequences(bad)


def test_masked_mean_shape_mismatch():
    with pytest.raises(ValueError, match="mask must be"):
        masked_mean(np.ones((2, 3)), np.ones((2, 4), dtype=bool))


@pytest.mark.parametrize("kind", list(CONNECTIONS))
def test_draw_connection_draws_every_kind(kind):
    fig, ax = figure()
    draw_connection(ax, kind, T=3)
    texts = [t.get_text() for t in ax.texts]
    assert "$h$" in texts and any(t.startswith("$x") for t in texts)
    outputs = [t for t in texts if "y" in t]
    assert outputs and all(t.startswith(r"$\hat{y}") for t in outputs)  # predictions
    assert not ax.axison


def test_draw_connection_and_unrolled_bad_input():
    fig, ax = figure()
    with pytest.raises(ValueError, match="kind must be one of"):
        draw_connection(ax, "two-to-two")
    with pytest.raises(ValueError, match="at least 2"):
        draw_connection(ax, "many-to-one", T=1)
    with pytest.raises(ValueError, match="positive"):
        draw_unrolled(ax, T=0)
    with pytest.raises(TypeError, match="T must be an int"):
        draw_unrolled(ax, T=2.5)
    with pytest.raises(TypeError, match="T must be an int"):
        draw_connection(ax, "many-to-one", T="3")


@pytest.mark.parametrize("kind, t, want", [
    ("x", 1, "$x_{1}$"), ("h", 0, "$h_{0}$"), ("h", None, "$h$"),
    ("y", 12, r"$\hat{y}_{12}$"), ("y", None, r"$\hat{y}$"),
])
def test_node_label_puts_the_hat_on_predictions(kind, t, want):
    assert node_label(kind, t) == want


@pytest.mark.parametrize("kind, t", [("z", 1), ("y", -1), ("x", 1.0), ("h", True)])
def test_node_label_bad_input(kind, t):
    with pytest.raises(ValueError):
        node_label(kind, t)


def test_draw_unrolled_has_T_steps():
    fig, ax = figure()
    draw_unrolled(ax, T=5)
    texts = {t.get_text() for t in ax.texts}
    assert {"$x_{1}$", "$x_{5}$", "$h_{0}$", "$h_{5}$", r"$\hat{y}_{5}$"} <= texts
    assert "$x_{6}$" not in texts and "$y_{5}$" not in texts  # outputs are predictions


def test_pad_sequences_keeps_integer_ids_integer():
    padded, _, _ = pad_sequences([np.array([3, 4]), np.array([5])])
    assert padded.dtype.kind == "i" and padded.tolist() == [[3, 4], [5, 0]]
    padded, _, _ = pad_sequences([np.array([3, 4]), np.array([5])], pad_value=-0.5)
    assert padded.dtype.kind == "f" and padded[1, 1] == -0.5


def test_check_labelled_exempts_colorbars():
    fig, ax = figure()
    im = ax.imshow(np.ones((2, 2)))
    ax.plot([0, 1])
    label(ax, "x", "y")
    fig.colorbar(im, ax=ax)
    check_labelled(fig)


def test_set_seed_uses_one_thread_unless_told_otherwise():
    set_seed(0)
    assert torch.get_num_threads() == 1
    set_seed(0, threads=None)
    assert torch.get_num_threads() == 1


def test_show_source_leaves_out_argument_checks_unless_asked():
    from seqbook.show import show_source, without_guards

    code = ("def f(x):\n    \"\"\"Doc.\"\"\"\n    if x < 0:\n        raise ValueError('x >= 0')\n"
            "    y = x + 1\n    if y > 9:\n        y = 9\n    return y")
    shown = without_guards(code)
    assert "raise" not in shown and "argument checks" in shown
    assert "y = x + 1" in shown and "if y > 9:" in shown  # ordinary ifs stay
    from seqbook.sequences import masked_mean

    assert "raise ValueError" not in show_source(masked_mean).code
    assert "raise ValueError" in show_source(masked_mean, checks=True).code
