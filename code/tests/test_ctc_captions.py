"""Tests for seqbook.ctc (alpha recursion vs torch's CTCLoss and brute force) and
seqbook.captions (references, digit reading, multi-reference BLEU, attention captioner)."""

import numpy as np
import pytest
import torch

from seqbook.captions import (
    CAPTION_VOCAB,
    DIGIT_OF,
    NUMBER_WORDS,
    AttentionCaptioner,
    digit_accuracy,
    exact_match_any,
    read_digits,
    references,
)
from seqbook.ctc import ctc_extend, ctc_labelling_probs, ctc_log_likelihood
from seqbook.decoding import corpus_bleu, corpus_bleu_multi


@pytest.mark.parametrize("labels", [[1, 2], [1, 1], [3], [2, 2, 2], [], [1, 2, 1]])
def test_alpha_matches_ctcloss_and_brute_force(labels):
    rng = np.random.default_rng(len(labels))
    T, C = 6, 4
    lp = np.log(rng.dirichlet(np.ones(C), size=T))
    ctc = torch.nn.CTCLoss(blank=0, reduction="sum")
    targets = torch.tensor([labels], dtype=torch.long).reshape(1, len(labels))
    ref = -ctc(torch.tensor(lp)[:, None], targets, torch.tensor([T]),
               torch.tensor([len(labels)])).item()
    assert ctc_log_likelihood(lp, labels) == pytest.approx(ref, abs=1e-9)
    brute = ctc_labelling_probs(np.exp(lp)).get(tuple(labels), 0.0)
    assert np.log(brute) == pytest.approx(ref, abs=1e-9)


def test_extend_and_best_path_is_not_most_probable():
    assert ctc_extend([1, 1]) == [0, 1, 0, 1, 0]
    probs = np.array([[0.6, 0.4], [0.6, 0.4]])  # best path "--" reads "", p = 0.36
    p = ctc_labelling_probs(probs)
    assert p[()] == pytest.approx(0.36) and p[(1,)] == pytest.approx(0.64)


@pytest.mark.parametrize("bad, err", [(np.zeros(3), TypeError), ([[0.0]], TypeError)])
def test_ctc_bad_input(bad, err):
    with pytest.raises(err):
        ctc_log_likelihood(bad, [1])


def test_ctc_bad_labels():
    with pytest.raises(ValueError, match="labels"):
        ctc_log_likelihood(np.zeros((3, 3)), [0])


def test_references_and_reading():
    refs = references([5, 3], "column")
    assert len(refs) == 8 and ["a", "5", "above", "a", "3"] in refs
    assert ["a", "three", "below", "a", "five"] in refs
    assert all(read_digits(r) == [5, 3] for r in refs)
    assert ["an", "8"] in references([8], "row")
    acc = digit_accuracy([[5, 3]], [["a", "3", "under", "a", "5"]])
    assert acc == {(2, 0): 1.0, (2, 1): 1.0}
    assert exact_match_any([refs], [refs[3]]) == 1.0


@pytest.mark.parametrize("layout, digits", [("diagonal", [1]), ("row", []), ("row", [12])])
def test_references_bad_input(layout, digits):
    with pytest.raises(ValueError):
        references(digits, layout)


def test_varied_canvases_samples_from_the_references():
    from seqbook.captions import varied_canvases
    from seqbook.vision import DigitPool

    pool = DigitPool(np.random.default_rng(0).random((20, 8, 8)).astype(np.float32),
                     np.arange(20) % 10)
    for backward in (True, False):
        x, sampled, refs, digits = varied_canvases(pool, 200, np.random.default_rng(1),
                                                   backward=backward)
        assert x.shape == (200, 24, 24) and len(sampled) == len(refs) == len(digits) == 200
        assert all(s in r and read_digits(s) == d for s, r, d in
                   zip(sampled, refs, digits, strict=True))
        assert all(len(r) == (2 if len(d) == 1 else 8) for r, d in zip(refs, digits, strict=True))
        reversed_ = [s for s in sampled if {"right", "below", "under"} & set(s)]
        assert (len(reversed_) > 40) if backward else not reversed_
    assert len({" ".join(s) for s in sampled}) > 100  # phrasings and digits vary
    with pytest.raises(TypeError, match="backward"):
        varied_canvases(pool, 2, np.random.default_rng(0), backward="no")


def test_multi_bleu_reduces_to_single_reference():
    refs = [["a", "3", "above", "a", "7"], ["a", "1", "left", "of", "a", "2"]]
    hyps = [["a", "3", "above", "a", "1"], ["a", "1", "left", "of", "a", "2"]]
    assert corpus_bleu_multi([[r] for r in refs], hyps) == pytest.approx(corpus_bleu(refs, hyps))
    assert corpus_bleu_multi([[refs[0], hyps[0]], [refs[1]]], hyps) == pytest.approx(1.0)


def test_attention_captioner_shapes_and_step_matches_forward():
    torch.manual_seed(0)
    m = AttentionCaptioner(len(CAPTION_VOCAB), hidden=16, embed=8, attn=8)
    images = torch.rand(2, 24, 24)
    inputs = torch.tensor([[1, 3, 20], [1, 3, 21]])
    logits, alphas = m.run(images, inputs)
    assert logits.shape == (2, 3, len(CAPTION_VOCAB)) and alphas.shape == (2, 3, 36)
    assert torch.allclose(alphas.sum(-1), torch.ones(2, 3))
    state = m.init_state(images)
    for t in range(3):
        lp, state = m.step(inputs[:, t], state)
        assert torch.allclose(lp, torch.log_softmax(logits[:, t], -1), atol=1e-5)


def test_written_digits_and_template_floor():
    from seqbook.captions import template_floor, written_digits

    caption = ["a", "8", "left", "of", "a", "three"]
    assert written_digits(caption) == [8, 3]
    refs = [[caption], [["a", "5"]]] * 50
    floors = template_floor(refs, np.random.default_rng(0), fix_articles=False)
    for r, f in zip(refs, floors, strict=True):
        assert len(f) == len(r[0])
        assert [w for w in f if w not in DIGIT_OF] == [w for w in r[0] if w not in DIGIT_OF]
    # numerals stay numerals, words stay words, and the digits vary
    assert all(f[1].isdigit() and f[5] in NUMBER_WORDS for f in floors[::2])
    assert len({f[1] for f in floors}) > 5
    fixed = template_floor([[["a", "8"]]] * 40, np.random.default_rng(1))
    assert all((f[0] == "an") == (f[1] == "8") for f in fixed)
    assert any(f[0] == "an" for f in fixed)


def test_error_after_error_counts_pairs():
    from seqbook.captions import error_after_error

    truth = [[1, 2, 3], [4, 5], [6, 7]]
    said = [[9, 9, 3], [4, 0], [6]]  # the last caption has a digit missing: skipped
    e = error_after_error(truth, said)
    assert e["n_after_wrong"] == 2 and e["p_wrong_after_wrong"] == 0.5
    assert e["n_after_right"] == 1 and e["p_wrong_after_right"] == 1.0
    assert e["p_wrong"] == pytest.approx(4 / 7)  # 9, 9, 0 and the missing 7


def test_teacher_forced_digits_reads_the_best_word_at_digit_positions():
    from seqbook.captions import teacher_forced_digits
    from seqbook.vision import VOCAB

    class Says7(torch.nn.Module):  # always finds '7' most likely, except after 'a 3': 'of'
        def forward(self, images, inputs):
            logits = torch.zeros(*inputs.shape, len(VOCAB))
            logits[..., VOCAB.words.index("7")] = 1.0
            logits[:, 2, VOCAB.words.index("of")] = 2.0
            return logits

    caps = [["a", "3", "above", "a", "7"], ["a", "1", "left", "of", "a", "2"]]
    got = teacher_forced_digits(Says7(), torch.zeros(2, 24, 24), caps, vocab=VOCAB)
    assert got == [[7, 7], [7, 7]]
    got = teacher_forced_digits(Says7(), torch.zeros(1, 24, 24), [["a", "3"]], vocab=VOCAB)
    assert got == [[7]]


def test_draw_canvas_draws_the_grid():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from seqbook.captions import draw_canvas
    from seqbook.plots import check_labelled

    fig, ax = plt.subplots()
    draw_canvas(ax, np.zeros((24, 24)), "a 3")
    assert list(ax.get_xticks()) == [7.5, 15.5] == list(ax.get_yticks())
    assert all(g.get_visible() for g in ax.get_xgridlines() + ax.get_ygridlines())
    assert ax.get_title() == "a 3" and len(ax.images) == 1 and not ax.lines
    check_labelled(fig)  # a picture: needs no axis labels
    plt.close(fig)


def _bad_caption_cases():
    from seqbook import captions as c

    refs = [[["a", "3"]]]
    rng = np.random.default_rng(0)
    imgs = torch.zeros(2, 24, 24)
    caps = [["a", "3"], ["a", "4"]]
    return [
        (c.written_digits, dict(caption="a 3 above a 7"), TypeError, "caption"),
        (c.template_floor, dict(refs=[], rng=rng), ValueError, "refs"),
        (c.template_floor, dict(refs=[[]], rng=rng), ValueError, "refs"),
        (c.template_floor, dict(refs=[["a 3"]], rng=rng), TypeError, "reference"),
        (c.template_floor, dict(refs=refs, rng=0), TypeError, "rng"),
        (c.error_after_error, dict(truth=[[1]], said=[]), ValueError, "said"),
        (c.error_after_error, dict(truth=[], said=[]), ValueError, "truth"),
        (c.teacher_forced_digits, dict(model=None, images=np.zeros((2, 24, 24)),
                                       captions=caps), TypeError, "images"),
        (c.teacher_forced_digits, dict(model=None, images=imgs, captions=caps[:1]),
         ValueError, "captions"),
        (c.draw_canvas, dict(ax=None, canvas=np.zeros((8, 8))), ValueError, "canvas"),
        (c.digit_accuracy, dict(digits=[[1]], captions=[]), ValueError, "caption"),
        (c.exact_match_any, dict(refs=[], hyps=[]), ValueError, "reference"),
        (c.draw_attention, dict(ax=None, canvas=np.zeros((24, 24)), alpha=np.ones(35)),
         ValueError, "alpha"),
        (c.draw_attention, dict(ax=None, canvas=np.zeros((24, 24)),
                                alpha=np.full(36, np.nan)), ValueError, "alpha"),
        (c.draw_attention, dict(ax=None, canvas=np.zeros((24, 24)), alpha=np.zeros(36)),
         ValueError, "alpha"),
        (c.draw_attention, dict(ax=None, canvas=np.zeros((24, 24)), alpha=-np.ones(36)),
         ValueError, "alpha"),
    ]


def test_draw_attention_shades_the_attended_region():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from seqbook.captions import draw_attention

    alpha = np.zeros(36)
    alpha[6 * 2 + 4] = 0.5  # region row 2, column 4: pixels 8..11 down, 16..19 across
    alpha[0] = 0.25
    fig, ax = plt.subplots()
    draw_attention(ax, np.zeros((24, 24)), torch.tensor(alpha), "a 3")
    assert ax.get_title() == "a 3" and len(ax.images) == 2
    shade = ax.images[1]
    assert shade.get_extent() == [-0.5, 23.5, 23.5, -0.5]
    grid = np.asarray(shade.get_array())
    assert grid.shape == (6, 6) and grid[2, 4] == 1.0 and grid[0, 0] == 0.5
    assert grid.sum() == 1.5  # every other region unshaded
    plt.close(fig)


@pytest.mark.parametrize("i", range(16))
def test_caption_helpers_reject_bad_input(i):
    fn, kwargs, err, word = _bad_caption_cases()[i]
    with pytest.raises(err, match=word):
        fn(**kwargs)
