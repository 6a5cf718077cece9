"""Tests of seqbook.stack (seeds trained as one wide model), seqbook.compare (equal budgets,
tasks) and seqbook.costs (timing and streaming)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from seqbook import compare, costs
from seqbook.models import SequenceModel, count_parameters
from seqbook.stack import BlockLayerNorm, SeedStack, stack_inputs
from seqbook.tasks import WHICH_FIRST_VOCAB, swap_markers, which_first
from seqbook.vision import DigitPool


def _stack_and_separate(task, kind, S=3):
    width = compare.matched_width(kind, 800, task.input_size, task.output_size,
                                  head=task.head, vocab_size=task.vocab_size)
    make = task.maker(kind, width)
    stack = SeedStack(make, width, list(range(S))).double()
    separate = []
    for s in range(S):
        torch.manual_seed(s)
        separate.append(make(width).double())
    return stack, separate


@pytest.mark.parametrize("kind", compare.KINDS)
@pytest.mark.parametrize("task", [compare.adding_task(12), compare.copy_task(4)],
                         ids=["floats", "tokens"])
def test_stack_equals_separate_models(kind, task):
    stack, separate = _stack_and_separate(task, kind)
    x, _ = task.batch(np.random.default_rng(0))
    x = x.double() if x.is_floating_point() else x
    out = stack(x)
    for s, model in enumerate(separate):
        assert (out[s] - model(x)).abs().max() < 1e-12
        assert (stack.unstack(s)(x) - model(x)).abs().max() < 1e-12


@pytest.mark.parametrize("kind", ["lstm", "transformer", "tcn"])
def test_stack_trains_like_separate_models(kind):
    """A few Adam steps on the stack = the same steps on each model alone."""
    task = compare.adding_task(10)
    stack, separate = _stack_and_separate(task, kind, S=2)
    rng = np.random.default_rng(0)
    batches = [task.batch(rng) for _ in range(4)]
    opt = torch.optim.Adam(stack.parameters(), lr=0.01)
    for x, y in batches:
        opt.zero_grad()
        sum(task.loss(o, y.double()) for o in stack(x.double())).backward()
        opt.step()
    for s, model in enumerate(separate):
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        for x, y in batches:
            opt.zero_grad()
            task.loss(model(x.double()), y.double()).backward()
            opt.step()
        x = batches[0][0].double()
        assert (stack.unstack(s)(x) - model(x)).abs().max() < 1e-9


def test_block_layer_norm_normalises_each_block():
    ln = BlockLayerNorm(3, 4)
    y = ln(torch.randn(2, 12) * 5 + 3).unflatten(-1, (3, 4))
    assert torch.allclose(y.mean(-1), torch.zeros(2, 3), atol=1e-5)


def test_matched_width_hits_the_budget():
    for kind in compare.KINDS:
        width = compare.matched_width(kind, 2000, 1, 10)
        n = count_parameters(compare.build(kind, width, 1, 10))
        assert abs(n - 2000) < 600, (kind, n)


def test_lstm_forget_bias_is_one():
    model = compare.build("lstm", 6, 2, 1)
    assert isinstance(model, SequenceModel)
    b = model.rnn.bias_ih_l0.detach()
    default = SequenceModel("lstm", 2, 6, 1).rnn.bias_ih_l0.detach()
    assert b[6:12].mean() > default[6:12].mean() + 0.5


def test_which_first_and_swap():
    x, y = which_first(200, 9, np.random.default_rng(0))
    A, B = WHICH_FIRST_VOCAB - 2, WHICH_FIRST_VOCAB - 1
    assert ((x == A).sum(1) == 1).all() and ((x == B).sum(1) == 1).all()
    first_a = (x == A).float().argmax(1) < (x == B).float().argmax(1)
    assert torch.equal(first_a.long(), y)
    sx = swap_markers(x)
    assert torch.equal(sorted_rows(sx), sorted_rows(x))
    assert torch.equal(((sx == A).float().argmax(1) < (sx == B).float().argmax(1)).long(), 1 - y)


def sorted_rows(x):
    return x.sort(dim=1).values


def test_order_task_is_exactly_half_for_an_order_blind_model():
    task = compare.order_task(8, n_test=50)
    bag = compare.build("transformer", 8, 8, 2, vocab_size=WHICH_FIRST_VOCAB, head="mean",
                        positions="none", causal=False)
    with torch.no_grad():
        assert task.metric(bag(task.x_test), task.y_test) == 0.5


def test_char_task_windows_score_every_held_out_character_once():
    rng = np.random.default_rng(0)
    train, test = rng.integers(0, 7, 300), rng.integers(0, 7, 101)
    task = compare.char_task(train, test, 7, window=10, warmup=3, batch=5)
    x, y = task.batch(rng)  # random training windows: y is x one character on
    assert x.shape == y.shape == (5, 10) and (x[:, 1:] == y[:, :-1]).all()
    starts = [next(i for i in range(291) if (train[i:i + 10] == row.numpy()).all())
              for row in x]
    assert all((train[s + 1:s + 11] == row.numpy()).all() for s, row in zip(starts, y, strict=True))
    assert (task.x_test[:, 1:] == task.y_test[:, :-1]).all()
    scored = task.y_test[:, 3:].flatten().numpy()  # the last 7 targets of each window
    assert len(scored) == 13 * 7 and (scored == test[4:4 + 91]).all()  # once, in order
    logits = torch.randn(13, 10, 7)
    picked = torch.log_softmax(logits, -1).gather(-1, task.y_test[..., None])[:, 3:]
    expected = -picked.mean().item() / np.log(2)
    assert task.metric(logits, task.y_test) == pytest.approx(expected, rel=1e-6)
    assert task.metric(torch.zeros(13, 10, 7), task.y_test) == pytest.approx(np.log2(7))
    sure = 50.0 * F.one_hot(task.y_test, 7).float()  # a model that always knows
    assert task.metric(sure, task.y_test) < 1e-6


@pytest.mark.parametrize("kind", ["lstm", "transformer"])
def test_char_task_trains_token_models(kind):
    rng = np.random.default_rng(1)
    task = compare.char_task(rng.integers(0, 6, 200), rng.integers(0, 6, 80), 6, window=8,
                             warmup=2, batch=4, embed=4)
    models, scores, _ = compare.train_seeds(task, kind, [0, 1], n_params=600, steps=3,
                                            lr=0.01)
    assert len(models) == 2 and all(1.5 < s < 4 for s in scores)  # near log2(6) = 2.58


def test_digits_task_and_train_seeds():
    rng = np.random.default_rng(0)
    pool = DigitPool(rng.random((40, 8, 8)), rng.integers(0, 10, 40))
    task = compare.digits_task(pool, pool, np.arange(64)[::-1], batch=4)
    x, y = task.batch(rng)
    assert x.shape == (4, 64, 1) and y.shape == (4,)
    models, scores, hists = compare.train_seeds(task, "gru", [0, 1], n_params=300, steps=3,
                                                lr=0.01)
    assert len(models) == 2 and len(scores) == 2 and all(0 <= s <= 1 for s in scores)
    _, scores2, _ = compare.train_seeds(task, "gru", [0, 1], n_params=300, steps=3, lr=0.01,
                                        together=False)
    np.testing.assert_allclose(scores, scores2, atol=1e-6)  # same batches: up to rounding


@pytest.mark.parametrize("together", [True, False])
def test_seen_batches_are_the_batches_every_seed_trains_on(together):
    task = compare.copy_task(3, batch=4, n_test=8)
    drawn, draw = [], task.batch

    def recording(rng):
        drawn.append(draw(rng))
        return drawn[-1]

    task.batch = recording
    compare.train_seeds(task, "gru", [2, 5], n_params=300, steps=4, lr=0.01,
                        together=together)
    task.batch = draw
    seen = compare.seen_batches(task, [2, 5], 4)
    assert len(drawn) == 4 * (1 if together else 2)
    for k, (x, y) in enumerate(drawn):  # every group of seeds: the same 4 batches
        assert torch.equal(x, seen[k % 4][0]) and torch.equal(y, seen[k % 4][1])
    assert not torch.equal(seen[0][0], seen[1][0])  # a new batch each step


@pytest.mark.parametrize("kind,stream", [("lstm", costs.stream_rnn), ("gru", costs.stream_rnn),
                                         ("tcn", costs.stream_tcn),
                                         ("transformer", costs.stream_transformer)])
def test_streams_match_the_full_forward(kind, stream):
    torch.manual_seed(0)
    model = compare.build(kind, 8, 2, 3, head="all").double()
    x = torch.randn(1, 30, 2, dtype=torch.float64)
    s = stream(model, x)
    with torch.no_grad():
        assert (s.outputs - model(x)[0]).abs().max() < 1e-12
    assert s.seconds.shape == (30,) and s.state_floats.shape == (30,)
    if kind == "transformer":  # keys and values of every step so far, per layer
        assert list(s.state_floats) == [2 * 8 * (t + 1) for t in range(30)]
    else:
        assert len(set(s.state_floats[-10:])) == 1


def test_step_seconds_and_slope():
    model = compare.build("tcn", 4, 2, 1, head="all")
    assert costs.step_seconds(model, torch.randn(2, 10, 2), repeats=2) > 0
    threads, x = torch.get_num_threads(), torch.randn(4, 200, 2)
    try:
        torch.set_num_threads(1)
        cpu = costs.step_seconds(model, x, repeats=3, cpu=True)
        wall = costs.step_seconds(model, x, repeats=3)
        assert wall / 20 < cpu < 2 * wall  # one thread: its CPU time is about the wall time
        torch.set_num_threads(2)
        with pytest.raises(ValueError, match="set_num_threads"):
            costs.step_seconds(model, x, cpu=True)
    finally:
        torch.set_num_threads(threads)  # leave the worker as it was
    assert costs.loglog_slope([1, 2, 4], [3, 12, 48]) == pytest.approx(2.0)


@pytest.mark.parametrize("call,words", [
    (lambda: compare.build("cnn", 8, 2, 1), "kind must"),
    (lambda: compare.build("rnn", 1, 2, 1), "width"),
    (lambda: compare.build("transformer", 10, 2, 1), "multiple of 4"),
    (lambda: compare.build("rnn", 8, 2, 1, positions="none"), "Transformer only"),
    (lambda: compare.matched_width("rnn", 10, 2, 1), "n_params"),
    (lambda: compare.digits_task(DigitPool(np.zeros((2, 8, 8)), np.zeros(2, int)),
                                 DigitPool(np.zeros((2, 8, 8)), np.zeros(2, int)),
                                 np.zeros(64, int)), "permutation"),
    (lambda: SeedStack(lambda w: compare.build("rnn", w, 2, 1), 4, [0, 0]), "distinct"),
    (lambda: SeedStack(lambda w: compare.build("rnn", w, 2, 1), 4, [0, 1]), "grows"),
    (lambda: SeedStack(lambda w: compare.build("tcn", w, 8, w // 4), 4, [0, 1]), "same layers"),
    (lambda: SeedStack(lambda w: compare.build("rnn", w, 2, w), 4, [0, 1]).unstack(2), "s must"),
    (lambda: costs.step_seconds(compare.build("rnn", 4, 2, 1), torch.zeros(1, 3, 2), 0),
     "repeats"),
    (lambda: costs.loglog_slope([1, 2], [1, 0]), "positive"),
    (lambda: costs.loglog_slope([1], [1]), "equal-length"),
    (lambda: costs.stream_rnn(compare.build("rnn", 4, 2, 1), torch.zeros(2, 3, 2)),
     "one sequence"),
    (lambda: costs.stream_transformer(compare.build("transformer", 8, 2, 1, causal=False),
                                      torch.zeros(1, 3, 2)), "causal"),
    (lambda: swap_markers(torch.zeros(3, dtype=torch.int64)), "x must be"),
    (lambda: which_first(0, 5, np.random.default_rng(0)), "batch"),
])
def test_bad_input_is_explained(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def _pools(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return DigitPool(rng.random((n, 8, 8)), rng.integers(0, 10, n))


@pytest.mark.parametrize("kind", compare.KINDS)
def test_stack_inputs_give_each_block_its_own_input(kind):
    """Per-block inputs: block s of the stack reads only xs[s], as its model alone would."""
    width = compare.matched_width(kind, 600, 2, 3)

    def make(w):
        return compare.build(kind, w, 2 * w // width, 3 * w // width)

    narrow = []
    for s in (0, 1, 0):
        torch.manual_seed(s)
        narrow.append(make(width).double())
    stack = SeedStack(make, width, models=narrow).double()
    xs = [torch.randn(4, 9, 2, dtype=torch.float64) for _ in narrow]
    out = stack(stack_inputs(xs))  # (3, 4, 3)
    for s, model in enumerate(narrow):
        assert (out[s] - model(xs[s])).abs().max() < 1e-12
    other = stack(stack_inputs([xs[0], xs[0], xs[2]]))  # change block 1's input only
    assert (other[0] - out[0]).abs().max() == 0 and (other[2] - out[2]).abs().max() == 0
    assert (other[1] - out[1]).abs().max() > 1e-6


@pytest.mark.parametrize("kind", ["gru", "tcn", "transformer"])
def test_train_tasks_trains_each_task_as_train_seeds_would(kind):
    train, test = _pools(), _pools(20, 1)
    tasks = [compare.digits_task(train, test, batch=4),
             compare.digits_task(train, test, np.arange(64)[::-1], batch=4)]
    models, scores, hist = compare.train_tasks(tasks, kind, [0, 1], n_params=300, steps=3,
                                               lr=0.01)
    assert len(models) == 2 and all(len(m) == 2 for m in models) and len(hist.losses) == 3
    for i, task in enumerate(tasks):
        alone, alone_scores, _ = compare.train_seeds(task, kind, [0, 1], n_params=300,
                                                     steps=3, lr=0.01)
        for j in range(2):
            a = dict(alone[j].named_parameters())
            for name, p in models[i][j].named_parameters():
                if name.endswith("attn.k.bias"):  # its true gradient is 0 (softmax is
                    continue  # shift-invariant), so Adam moves it by rounding noise alone
                assert (p - a[name]).abs().max() < 1e-5, name
        np.testing.assert_allclose(scores[i], alone_scores, atol=1e-9)


@pytest.mark.parametrize("call,error,words", [
    (lambda: stack_inputs([]), TypeError, "non-empty list"),
    (lambda: stack_inputs(torch.zeros(2, 3, 1)), TypeError, "non-empty list"),
    (lambda: stack_inputs([torch.zeros(2, 3, 1), torch.zeros(2, 4, 1)]), ValueError,
     r"xs\[1\] must have the shape"),
    (lambda: stack_inputs([torch.zeros(2, 3, 1, dtype=torch.int64)]), TypeError, "floating"),
    (lambda: stack_inputs([torch.full((2, 3, 1), float("nan"))]), ValueError, "NaN"),
    (lambda: stack_inputs([torch.zeros(3)]), ValueError, "feature axis"),
    (lambda: compare.train_tasks(compare.adding_task(5), "gru", [0], n_params=300, steps=1,
                                 lr=0.01), TypeError, "tasks must be"),
    (lambda: compare.train_tasks([compare.adding_task(5), "x"], "gru", [0], n_params=300,
                                 steps=1, lr=0.01), TypeError, r"tasks\[1\]"),
    (lambda: compare.train_tasks([compare.copy_task(3)], "gru", [0], n_params=300, steps=1,
                                 lr=0.01), ValueError, "token ids"),
    (lambda: compare.train_tasks([compare.adding_task(5), compare.digits_task(
        _pools(), _pools())], "gru", [0], n_params=300, steps=1, lr=0.01), ValueError,
     "input size"),
    (lambda: compare.train_tasks([compare.adding_task(5)], "gru", [0], n_params=300,
                                 steps=0, lr=0.01), ValueError, "steps"),
    (lambda: compare.train_tasks([compare.adding_task(5)], "cnn", [0], n_params=300,
                                 steps=1, lr=0.01), ValueError, "kind"),
])
def test_train_tasks_and_stack_inputs_reject_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_train_tasks_scores_test_sets_of_different_sizes():
    tasks = [compare.adding_task(6, batch=4, n_test=8), compare.adding_task(6, batch=4,
                                                                            n_test=12)]
    _, scores, _ = compare.train_tasks(tasks, "lstm", [0, 1], n_params=300, steps=2, lr=0.01)
    for task, got in zip(tasks, scores, strict=True):
        _, want, _ = compare.train_seeds(task, "lstm", [0, 1], n_params=300, steps=2,
                                         lr=0.01)
        np.testing.assert_allclose(got, want, rtol=1e-4)


def test_prepared_jobs_side_by_side_equal_the_sequential_runs():
    """prepare_seeds / prepare_tasks build every model before the threads start, so jobs
    run side by side (two threads) give bit for bit what train_seeds / train_tasks give."""
    from seqbook.stack import side_by_side
    train, test = _pools(), _pools(20, 1)
    digits = [compare.digits_task(train, test, batch=4),
              compare.digits_task(train, test, np.arange(64)[::-1], batch=4)]
    adding = compare.adding_task(6, batch=4, n_test=20)
    runs = [("gru", "seeds"), ("transformer", "seeds"), ("tcn", "tasks"), ("lstm", "tasks")]
    options = dict(n_params=300, steps=3, lr=0.01)

    def prepared(kind, how):
        if how == "seeds":
            return compare.prepare_seeds(adding, kind, [0, 1], **options)
        return compare.prepare_tasks(digits, kind, [0, 1], **options)

    jobs = [prepared(kind, how) for kind, how in runs]  # every model built here
    together = side_by_side(jobs, workers=2)
    for (kind, how), (models, scores, _) in zip(runs, together, strict=True):
        if how == "seeds":
            alone, alone_scores, _ = compare.train_seeds(adding, kind, [0, 1], **options)
        else:
            alone, alone_scores, _ = compare.train_tasks(digits, kind, [0, 1], **options)
            models, alone = sum(models, []), sum(alone, [])
        assert scores == alone_scores, kind
        for m, a in zip(models, alone, strict=True):
            for (name, p), q in zip(m.named_parameters(), a.parameters(), strict=True):
                assert torch.equal(p, q), (kind, name)
