"""Unit tests of the chapter-1 helpers added for issue 10: AR roots, turning points, held-out
errors by phase, prose sentences, motif search, and the embedding-fed token decoder."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqbook.connections import unroll_token_decoder
from seqbook.domains import dna_with_motif, find_motif, prose_sentences
from seqbook.sequential import (
    ar_roots,
    fit_ar,
    heldout_errors,
    heldout_r2,
    rise_and_fall,
    turning_points,
)


def test_ar_roots_of_a_damped_oscillator():
    r, w = 0.9, 2 * np.pi / 10  # modulus and angle: a 10-step cycle
    coef = [0.0, 2 * r * np.cos(w), -r * r]  # x_t = 2 r cos(w) x_{t-1} - r^2 x_{t-2}
    roots = ar_roots(coef)
    np.testing.assert_allclose(np.abs(roots), [r, r])
    np.testing.assert_allclose(sorted(np.abs(np.angle(roots))), [w, w])


def test_ar_roots_of_an_ar1_is_its_coefficient():
    np.testing.assert_allclose(ar_roots([3.0, 0.5]), [0.5])


def test_turning_points_and_rise_and_fall_of_a_sawtooth():
    # rises in 3 steps, falls in 7: a period of 10, peaks at 3, 13, 23, ...
    one = np.r_[np.linspace(0, 1, 4)[:-1], np.linspace(1, 0, 8)[:-1]]  # 3 up, 7 down
    x = np.tile(one, 6)
    peaks, troughs = turning_points(x, half_width=4)
    assert np.all(np.diff(peaks) == 10) and np.all(np.diff(troughs) == 10)
    rises, falls = rise_and_fall(peaks, troughs)
    assert set(rises.tolist()) == {3} and set(falls.tolist()) == {7}


def test_heldout_errors_match_heldout_r2():
    rng = np.random.default_rng(0)
    x = np.sin(np.arange(300) * 0.6) + 0.1 * rng.normal(size=300)
    err, rising = heldout_errors(x, 2, 200)
    target = x[200:]
    assert err.shape == rising.shape == (100,)
    np.testing.assert_allclose(1 - np.mean(err**2) / target.var(), heldout_r2(x, 2, 200))
    np.testing.assert_array_equal(rising, target > x[199:-1])


def test_fit_ar_roots_on_a_simulated_cycle():
    rng = np.random.default_rng(1)
    r, w = 0.85, 2 * np.pi / 11
    x = np.zeros(5000)
    for t in range(2, len(x)):
        x[t] = 2 * r * np.cos(w) * x[t - 1] - r * r * x[t - 2] + rng.normal()
    roots = ar_roots(fit_ar(x, 2))
    assert abs(2 * np.pi / abs(np.angle(roots[0])) - 11) < 0.5
    assert abs(abs(roots[0]) - r) < 0.03


def test_prose_sentences_drops_tables_code_headings_and_numbers():
    text = ("Heading\n=======\n\nThis is prose. E.g. a second sentence, i.e. a long one!\n\n"
            "   code = 1.\n\n+-----+\n| a b |\n+-----+\n\n>>> 1 + 1.\n\n2.\n\n"
            "Ends with a colon:\n\nlowercase start.")
    assert prose_sentences(text) == ["This is prose.",
                                     "E.g. a second sentence, i.e. a long one!"]


def test_dna_with_motif_at_a_chosen_position_and_find_motif():
    dna, pos = dna_with_motif(40, "TATAAA", np.random.default_rng(0), pos=17)
    assert pos == 17 and dna[17:23] == "TATAAA" and 17 in find_motif(dna, "TATAAA")
    assert find_motif("AAAA", "AA") == [0, 1, 2]  # overlapping matches count
    assert find_motif("ACGT", "TT") == []


def token_decoder(V=5, E=3, H=4, seed=0):
    torch.manual_seed(seed)
    return torch.nn.Embedding(V, E), torch.nn.RNNCell(E, H), torch.nn.Linear(H, V)


def test_token_decoder_teacher_forcing_feeds_the_true_previous_tokens():
    embed, cell, head = token_decoder()
    h = torch.randn(2, 4)
    targets = torch.tensor([[1, 2, 3], [4, 4, 0]])
    logits, fed = unroll_token_decoder(embed, cell, head, h, 3, start_id=0, targets=targets)
    assert logits.shape == (2, 3, 5)
    torch.testing.assert_close(fed, torch.tensor([[0, 1, 2], [0, 4, 4]]))
    h1 = cell(embed(torch.tensor([0, 0])), h)  # by hand: step 0 reads <start>
    h2 = cell(embed(targets[:, 0]), h1)  # step 1 reads the true first token
    torch.testing.assert_close(logits[:, 1], head(h2))


def test_token_decoder_greedy_feeds_its_own_choice():
    embed, cell, head = token_decoder(seed=1)
    logits, fed = unroll_token_decoder(embed, cell, head, torch.randn(3, 4), 4, start_id=2)
    assert torch.all(fed[:, 0] == 2)
    torch.testing.assert_close(fed[:, 1:], logits[:, :-1].argmax(dim=-1))


@pytest.mark.parametrize("call, match", [
    (lambda: ar_roots([1.0]), "coef"),
    (lambda: turning_points(np.arange(10.0), 0), "half_width"),
    (lambda: turning_points(np.arange(10.0), 5), "half_width"),
    (lambda: rise_and_fall(np.array([]), np.array([1])), "at least one"),
    (lambda: heldout_errors(np.arange(10.0), 2, 9), "split"),
    (lambda: prose_sentences(b"bytes"), "str"),
    (lambda: dna_with_motif(10, "TATAAA", np.random.default_rng(0), pos=5), "pos"),
    (lambda: find_motif("ACGT", ""), "non-empty"),
])
def test_additions_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


@pytest.mark.parametrize("kwargs, match", [
    (dict(steps=0), "steps"),
    (dict(start_id=5), "start_id"),
    (dict(h=torch.randn(2, 3)), "h must be"),
    (dict(targets=torch.zeros(2, 2, dtype=torch.int64)), "targets"),
    (dict(targets=torch.zeros(2, 3)), "targets"),
    (dict(targets=torch.full((2, 3), 7)), "targets"),
    (dict(head=torch.nn.Linear(4, 6)), "head"),
])
def test_token_decoder_bad_input(kwargs, match):
    embed, cell, head = token_decoder()
    args = dict(embed=embed, cell=cell, head=head, h=torch.randn(2, 4), steps=3, start_id=0)
    with pytest.raises(ValueError, match=match):
        unroll_token_decoder(**{**args, **kwargs})
