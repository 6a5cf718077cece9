"""Head-to-head comparisons at an equal parameter budget: RNN, LSTM, GRU, TCN and Transformer.

`matched_model(kind, ...)` picks the width of each architecture whose parameter count comes
closest to a target, so that every contender gets the same budget; `KINDS` lists them.
Taught in chapters/09_beyond_recurrence.ipynb.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from seqbook import checks as _checks
from seqbook.attention import Transformer
from seqbook.charlm import check_ids
from seqbook.models import SequenceModel, count_parameters
from seqbook.stack import SeedStack, stack_inputs
from seqbook.tasks import WHICH_FIRST_VOCAB, adding_problem, copy_memory, swap_markers, which_first
from seqbook.tcn import TCN
from seqbook.train import History, fit
from seqbook.vision import DigitPool

KINDS = ("rnn", "lstm", "gru", "tcn", "transformer")


def build(kind: str, width: int, input_size: int, output_size: int, *, head: str = "last",
          vocab_size: int | None = None, tcn_levels: int = 4, layers: int = 1,
          max_len: int = 1024, **transformer_kwargs) -> nn.Module:
    """One model of `kind` with `width` hidden units (channels for the TCN, d_model for the
    Transformer, which uses heads of size 4, d_ff = 2 d_model and `transformer_kwargs`
    such as positions='none' or causal=False)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")
    _checks.integer("width", width, minimum=None, hint=" (hidden units, at least 2)")
    _checks.integer("input_size", input_size, minimum=1)
    _checks.integer("output_size", output_size, minimum=1)
    if width < 2:
        raise ValueError(f"width must be at least 2; got {width}")
    if kind == "tcn":
        return TCN(input_size, width, tcn_levels, output_size, head=head,
                   vocab_size=vocab_size)
    if kind == "transformer":
        if width % 4:
            raise ValueError(f"a Transformer's width must be a multiple of 4; got {width}")
        return Transformer(input_size, width, width // 4, layers, output_size, head=head,
                           vocab_size=vocab_size, max_len=max_len, **transformer_kwargs)
    if transformer_kwargs:
        raise ValueError(f"{sorted(transformer_kwargs)} apply to the Transformer only")
    model = SequenceModel(kind, input_size, width, output_size, head=head,
                          vocab_size=vocab_size)
    if kind == "lstm":  # forget-gate bias 1, as chapters/06 recommends (rows H:2H)
        with torch.no_grad():
            model.rnn.bias_ih_l0[width:2 * width] += 1.0
    return model


def matched_width(kind: str, n_params: int, input_size: int, output_size: int,
                  **kwargs) -> int:
    """The width of `kind` whose parameter count is closest to `n_params` (keyword arguments
    as for `build`)."""
    _checks.choice("kind", kind, KINDS)
    _checks.integer("n_params", n_params, minimum=None, hint=" (a parameter budget)")
    if n_params < 50:
        raise ValueError(f"n_params must be a budget of at least 50 parameters; got {n_params}")
    best, gap = 0, None
    for width in range(4, 1025, 4) if kind == "transformer" else range(2, 1025):
        n = count_parameters(build(kind, width, input_size, output_size, **kwargs))
        if gap is None or abs(n - n_params) < gap:
            best, gap = width, abs(n - n_params)
        if n > n_params:
            break
    return best


@dataclass
class Task:
    """A training task: `batch(rng)` draws (x, y), `loss(out, y)` is the training loss and
    `metric(out, y)` the held-out score on (x_test, y_test); `embed` is the embedding size
    of token tasks (None: float inputs of `input_size` features)."""

    name: str
    input_size: int
    output_size: int
    head: str
    batch: Callable[[np.random.Generator], tuple[torch.Tensor, torch.Tensor]]
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    metric: Callable[[torch.Tensor, torch.Tensor], float]
    x_test: torch.Tensor
    y_test: torch.Tensor
    metric_name: str
    higher_is_better: bool
    vocab_size: int | None = None

    def maker(self, kind: str, width: int, **kwargs) -> Callable[[int], nn.Module]:
        """make(w) for `SeedStack`: the model at width w, embedding scaled with w / width."""
        def make(w: int) -> nn.Module:
            size = self.input_size * w // width if self.vocab_size else self.input_size
            options = {"head": self.head, "vocab_size": self.vocab_size} | kwargs
            return build(kind, w, size, self.output_size * w // width, **options)
        return make


def _mse(out: torch.Tensor, y: torch.Tensor) -> float:
    return F.mse_loss(out, y).item()


def _check_task_sizes(T: int, batch: int, n_test: int) -> None:
    _checks.integer("T", T, minimum=1, hint=" (a sequence length)")
    _checks.integer("batch", batch, minimum=1)
    _checks.integer("n_test", n_test, minimum=1, hint=" (held-out examples)")


def adding_task(T: int, batch: int = 32, n_test: int = 1000) -> Task:
    """The adding problem at length T; metric: held-out MSE (always answering 1: 0.167)."""
    _check_task_sizes(T, batch, n_test)
    x_test, y_test = adding_problem(n_test, T, np.random.default_rng(10_000 + T))
    return Task(f"adding T={T}", 2, 1, "last", lambda rng: adding_problem(batch, T, rng),
                F.mse_loss, _mse, x_test, y_test, "test MSE", False)


def copy_task(T: int, batch: int = 32, n_test: int = 1000, n_symbols: int = 8,
              length: int = 5) -> Task:
    """Copy memory with T blank steps; metric: accuracy on the recalled symbols (chance 1/8)."""
    _check_task_sizes(T, batch, n_test)
    _checks.integer("n_symbols", n_symbols, minimum=1, hint=" (symbols to remember)")
    _checks.integer("length", length, minimum=1, hint=" (symbols per sequence)")
    x_test, y_test = copy_memory(n_test, T, np.random.default_rng(20_000 + T), n_symbols,
                                 length)

    def loss(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(out.flatten(0, 1), y.flatten())  # every step, as Bai et al.

    def recall(out: torch.Tensor, y: torch.Tensor) -> float:
        guess = out[:, -length:].argmax(-1)  # (B, length)
        return (guess == y[:, -length:]).double().mean().item()

    return Task(f"copy T={T}", 8, n_symbols + 2, "all",
                lambda rng: copy_memory(batch, T, rng, n_symbols, length), loss, recall,
                x_test, y_test, "recall accuracy", True, vocab_size=n_symbols + 2)


def _accuracy(out: torch.Tensor, y: torch.Tensor) -> float:
    return (out.argmax(-1) == y).double().mean().item()


def digits_task(train: DigitPool, test: DigitPool, permutation: np.ndarray | None = None,
                batch: int = 32) -> Task:
    """UCI digits read one pixel per step (64 steps), optionally in a fixed permuted order."""
    for name, pool in (("train", train), ("test", test)):
        if not isinstance(pool, DigitPool):
            raise TypeError(f"{name} must be a DigitPool (see vision.split_digits); got "
                            f"{type(pool).__name__}")
    _checks.integer("batch", batch, minimum=1)
    if permutation is not None:
        _checks.array("permutation", permutation, 1, "(64,) pixel indices", kind="int")
    order = np.arange(64) if permutation is None else np.asarray(permutation)
    if sorted(order.tolist()) != list(range(64)):
        raise ValueError("permutation must be a permutation of the 64 pixel indices 0..63")

    def as_sequence(images: np.ndarray) -> torch.Tensor:
        return torch.tensor(images.reshape(len(images), 64)[:, order, None],
                            dtype=torch.float32)  # (N, 64, 1)

    x_train, y_train = as_sequence(train.images), torch.tensor(train.labels)

    def draw(rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        idx = torch.from_numpy(rng.integers(0, len(x_train), size=batch))
        return x_train[idx], y_train[idx]

    name = "digits" if permutation is None else "permuted digits"
    return Task(name, 1, 10, "last", draw, F.cross_entropy, _accuracy,
                as_sequence(test.images), torch.tensor(test.labels), "test accuracy", True)


def order_task(T: int, batch: int = 32, n_test: int = 500) -> Task:
    """Which comes first, A or B? (`seqbook.tasks.which_first`); metric: test accuracy.

    The test set holds each sequence twice, once with A and B swapped, so an order-blind
    model scores exactly 0.5."""
    _check_task_sizes(T, batch, n_test)
    x, y = which_first(n_test, T, np.random.default_rng(30_000 + T))
    x_test, y_test = torch.cat([x, swap_markers(x)]), torch.cat([y, 1 - y])
    return Task(f"which first T={T}", 8, 2, "last", lambda rng: which_first(batch, T, rng),
                F.cross_entropy, _accuracy, x_test, y_test, "test accuracy", True,
                vocab_size=WHICH_FIRST_VOCAB)


def char_task(train_ids: np.ndarray, test_ids: np.ndarray, vocab_size: int, *,
              window: int = 32, warmup: int = 8, batch: int = 16, embed: int = 16) -> Task:
    """Next-character prediction on id arrays (`charlm.CharVocab.encode`, `charlm.split`).

    Training draws `batch` random windows of `window` characters and scores every position;
    the metric is held-out bits per character. The held-out text is read in windows of the
    same length, starting `window - warmup` apart; only each window's last `window - warmup`
    predictions count, so every scored character has at least `warmup` + 1 characters of history,
    no model is asked about a position it never saw in training, and each character is scored
    once (all but the first `warmup` + 1 of the text, and a remainder shorter than a window).
    `embed` is the embedding size of the recurrent models and the TCN; the Transformer embeds
    each character straight into its width.
    """
    _checks.integer("vocab_size", vocab_size, minimum=2, hint=" (the alphabet size, vocab.size)")
    _checks.integer("window", window, minimum=1, hint=" (characters per training window)")
    _checks.integer("warmup", warmup, minimum=0, hint=" (characters of history before the "
                    "first scored one)")
    if warmup >= window:
        raise ValueError(f"warmup must be smaller than window, so that each window scores "
                         f"something; got warmup={warmup}, window={window}")
    _checks.integer("batch", batch, minimum=1)
    _checks.integer("embed", embed, minimum=1, hint=" (the size of a character embedding)")
    train = check_ids("train_ids", train_ids, vocab_size, min_len=window + 1)
    test = check_ids("test_ids", test_ids, vocab_size, min_len=window + 1)
    train_t = torch.from_numpy(train.astype(np.int64))
    scored = window - warmup
    starts = np.arange(0, len(test) - window, scored)  # (N,) window starts
    rows = torch.from_numpy(test.astype(np.int64)[starts[:, None] + np.arange(window + 1)])
    offsets = torch.arange(window + 1)

    def draw(rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        s = torch.from_numpy(rng.integers(0, len(train) - window, size=batch))
        ids = train_t[s[:, None] + offsets]  # (B, window + 1)
        return ids[:, :-1], ids[:, 1:]

    def loss(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(out.flatten(0, 1), y.flatten())  # every position

    def bpc(out: torch.Tensor, y: torch.Tensor) -> float:
        last = out[:, -scored:]  # (N, scored, V): after the warm-up
        nats = F.cross_entropy(last.flatten(0, 1), y[:, -scored:].flatten())
        return nats.item() / np.log(2.0)

    return Task("characters", embed, vocab_size, "all", draw, loss, bpc, rows[:, :-1],
                rows[:, 1:], "held-out bits per character", False, vocab_size=vocab_size)


def prepare_seeds(task: Task, kind: str, seeds: list[int], *, n_params: int, steps: int,
                  lr: float, clip_value: float = 1.0, together: bool = True, **kwargs
                  ) -> Callable[[], tuple[list[nn.Module], list[float], list[History]]]:
    """`train_seeds` in two halves: build and seed every model now, train when the returned
    job (a function of no argument) is called.

    The job draws nothing from torch's global random generator, so jobs of different kinds
    or tasks can run at the same time in threads (`stack.side_by_side`), each computing
    exactly what it computes alone.
    """
    if not isinstance(task, Task):
        raise TypeError(f"task must be a compare.Task such as adding_task(50); got "
                        f"{type(task).__name__}")
    _check_runs(kind, seeds, n_params, steps, lr, clip_value)
    options = {"head": task.head, "vocab_size": task.vocab_size} | kwargs
    width = matched_width(kind, n_params, task.input_size, task.output_size, **options)
    groups = [list(seeds)] if together else [[s] for s in seeds]
    stacks = [SeedStack(task.maker(kind, width, **kwargs), width, group) for group in groups]

    def job() -> tuple[list[nn.Module], list[float], list[History]]:
        models, scores, hists = [], [], []
        for group, stack in zip(groups, stacks, strict=True):
            score, hist = _train_stack(task, kind, stack, _batch_rng(seeds), steps, lr,
                                       clip_value)
            models += [stack.unstack(s) for s in range(len(group))]
            scores += score
            hists.append(hist)
        return models, scores, hists
    return job


def train_seeds(task: Task, kind: str, seeds: list[int], *, n_params: int, steps: int,
                lr: float, clip_value: float = 1.0, together: bool = True, **kwargs
                ) -> tuple[list[nn.Module], list[float], list[History]]:
    """Train `kind` at the parameter budget on `task` from each seed; every seed sees the same
    batches and the same optimiser (Adam, element-wise clipping at `clip_value`).

    `together` trains all seeds as one `SeedStack` (fast for recurrent layers, whose cost
    is per-step overhead); otherwise one seed at a time. Returns (the trained narrow model
    of each seed, held-out metric per seed, training histories).
    """
    return prepare_seeds(task, kind, seeds, n_params=n_params, steps=steps, lr=lr,
                         clip_value=clip_value, together=together, **kwargs)()


def train_tasks(tasks: list[Task], kind: str, seeds: list[int], *, n_params: int, steps: int,
                lr: float, clip_value: float = 1.0, **kwargs
                ) -> tuple[list[list[nn.Module]], list[list[float]], History]:
    """`train_seeds` on several float-input tasks of the same shapes at once, as ONE model
    (`prepare_tasks`, then its job)."""
    return prepare_tasks(tasks, kind, seeds, n_params=n_params, steps=steps, lr=lr,
                         clip_value=clip_value, **kwargs)()


def prepare_tasks(tasks: list[Task], kind: str, seeds: list[int], *, n_params: int,
                  steps: int, lr: float, clip_value: float = 1.0, **kwargs
                  ) -> Callable[[], tuple[list[list[nn.Module]], list[list[float]], History]]:
    """`train_seeds` on several float-input tasks of the same shapes at once, as ONE model;
    built and seeded now, trained when the returned job is called (as `prepare_seeds`).

    One `SeedStack` holds a block per (task, seed); block (i, s) starts from seed s, reads
    task i's input (`stack.stack_inputs`) and sees task i's batches, so it trains as
    `train_seeds(tasks[i], kind, seeds, ...)` would train seed s alone (up to rounding);
    only the per-operation overhead is shared. Returns (models[i][j], metric[i][j] of task
    i and seed j, one training history).
    """
    if isinstance(tasks, Task) or not isinstance(tasks, (list, tuple)) or not tasks:
        raise TypeError("tasks must be a non-empty list of compare.Task, such as [digits_task("
                        f"...), digits_task(..., permutation=p)]; got {type(tasks).__name__}")
    for i, t in enumerate(tasks):
        if not isinstance(t, Task):
            raise TypeError(f"tasks[{i}] must be a compare.Task; got {type(t).__name__}")
        if t.vocab_size is not None:
            raise ValueError(f"tasks[{i}] ({t.name}) reads token ids: train_tasks stacks "
                             "float-input tasks only (use train_seeds)")
        if (t.input_size, t.output_size, t.head) != (tasks[0].input_size,
                                                     tasks[0].output_size, tasks[0].head):
            raise ValueError(f"tasks[{i}] ({t.name}) must have the input size, output size "
                             f"and head of tasks[0] ({tasks[0].name})")
    _check_runs(kind, seeds, n_params, steps, lr, clip_value)
    first = tasks[0]
    width = matched_width(kind, n_params, first.input_size, first.output_size,
                          head=first.head, **kwargs)

    def make(w: int) -> nn.Module:  # the input grows with w too: one input per block
        return build(kind, w, first.input_size * w // width, first.output_size * w // width,
                     head=first.head, **kwargs)

    narrow = []
    for _ in tasks:
        for s in seeds:
            torch.manual_seed(s)  # block (i, s) starts as train_seeds' seed s
            narrow.append(make(width))
    stack, n = SeedStack(make, width, models=narrow), len(seeds)
    rngs = [_batch_rng(seeds) for _ in tasks]  # train_seeds' batches

    def step_loss(step: int) -> torch.Tensor:
        batches = [t.batch(r) for t, r in zip(tasks, rngs, strict=True)]
        out = stack(stack_inputs([x for x, _ in batches for _ in seeds]))  # (S, B, O)
        return sum(t.loss(out[i * n + j], y) for i, (t, (_, y)) in
                   enumerate(zip(tasks, batches, strict=True)) for j in range(n))

    def job() -> tuple[list[list[nn.Module]], list[list[float]], History]:
        hist = fit(stack, step_loss, steps=steps, lr=lr, clip_value=clip_value, quiet=True,
                   name=f"{kind} on {', '.join(t.name for t in tasks)}")
        models = [[stack.unstack(i * n + j) for j in range(n)] for i in range(len(tasks))]
        with torch.inference_mode():
            if len({t.x_test.shape for t in tasks}) == 1:  # one pass, each block its own test
                outs = [stack(stack_inputs([t.x_test for t in tasks for _ in seeds]))
                        ] * len(tasks)
            else:  # every block reads task i's test set in pass i
                outs = [stack(stack_inputs([t.x_test] * stack.S)) for t in tasks]
        scores = [[t.metric(out[i * n + j], t.y_test) for j in range(n)]
                  for i, (t, out) in enumerate(zip(tasks, outs, strict=True))]
        return models, scores, hist
    return job


def _check_runs(kind: str, seeds: list[int], n_params: int, steps: int, lr: float,
                clip_value: float) -> None:
    """The checks `train_seeds` and `train_tasks` share."""
    if isinstance(seeds, (int, str)) or not len(seeds):
        raise TypeError(f"seeds must be a non-empty list of integer seeds such as [0, 1, 2]; got "
                        f"{seeds!r}")
    for s in seeds:
        _checks.integer("seeds", s, minimum=0, hint=" (each seed)")
    _checks.integer("n_params", n_params, minimum=None, hint=" (a parameter budget)")
    _checks.integer("steps", steps, minimum=1)
    _checks.number("lr", lr, low=0.0, low_open=True, hint=" (a learning rate such as 0.01)")
    _checks.number("clip_value", clip_value, low=0.0, low_open=True)
    _checks.choice("kind", kind, KINDS)


def _batch_rng(seeds: list[int]) -> np.random.Generator:
    """The generator of a run's batches: one per run, so every seed (and every group of
    seeds, and every kind) sees the same batches."""
    return np.random.default_rng(1000 + seeds[0])


def seen_batches(task: Task, seeds: list[int], steps: int
                 ) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The `steps` training batches (x, y) that `train_seeds(task, kind, seeds, steps=steps,
    ...)` shows each seed, in order, for every kind: the data a baseline may fairly be
    given when it is to see no more than the models saw (chapter 9)."""
    if not isinstance(task, Task):
        raise TypeError(f"task must be a compare.Task such as adding_task(50); got "
                        f"{type(task).__name__}")
    _check_runs("lstm", seeds, 100, steps, 0.01, 1.0)
    rng = _batch_rng(seeds)
    return [task.batch(rng) for _ in range(steps)]


def _train_stack(task: Task, kind: str, stack: SeedStack, rng: np.random.Generator,
                 steps: int, lr: float, clip_value: float) -> tuple[list[float], History]:
    def step_loss(step: int) -> torch.Tensor:
        x, y = task.batch(rng)
        out = stack(x)  # (S, B, ...)
        return sum(task.loss(o, y) for o in out)

    hist = fit(stack, step_loss, steps=steps, lr=lr, clip_value=clip_value, quiet=True,
               name=f"{kind} on {task.name}")
    with torch.inference_mode():
        out = stack(task.x_test)
    return [task.metric(o, task.y_test) for o in out], hist
