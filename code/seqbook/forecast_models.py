"""Neural forecasters: direct, recursive and sequence-to-sequence, and the pinball loss.

Three ways to predict `horizon` steps from a window (B, window) of a normalised series:
*direct* (one network outputs all steps at once), *recursive* (a one-step network fed its own
predictions) and *seq2seq* (an encoder reads the window, a decoder unrolls one step at a time,
trained with teacher forcing). A quantile head trained with the pinball loss gives intervals.
Taught in chapters/11_forecasting.ipynb.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from seqbook import checks as _checks
from seqbook.models import SequenceModel
from seqbook.tcn import TCN
from seqbook.train import fit


def pinball_loss(pred: torch.Tensor, y: torch.Tensor,
                 quantiles: Sequence[float]) -> torch.Tensor:
    """Mean pinball loss of quantile forecasts pred (B, horizon, Q), targets y
    (B, horizon). For level q and error e = y - pred it is q e if e >= 0 and
    (q - 1) e otherwise; its minimiser is the q-quantile of y (q = 0.5 gives
    half the absolute error).
    """
    q = torch.as_tensor(list(quantiles), dtype=pred.dtype)
    _checks.tensor("pred", pred, 3, "(batch, horizon, quantiles)", kind="float")
    _checks.tensor("y", y, 2, "(batch, horizon)", kind="float")
    if q.ndim != 1 or len(q) == 0 or (q <= 0).any() or (q >= 1).any():
        raise ValueError(f"quantiles must be levels strictly between 0 and 1; "
                         f"got {quantiles}")
    if pred.shape != (*y.shape, len(q)):
        raise ValueError(f"pred must be (batch, horizon, {len(q)}) for y of shape "
                         f"{tuple(y.shape)}; got {tuple(pred.shape)}")
    e = y.unsqueeze(-1) - pred  # (B, horizon, Q)
    return torch.maximum(q * e, (q - 1) * e).mean()


class Direct(nn.Module):
    """A many-to-one network ('gru', 'lstm', 'rnn' or 'tcn') whose head outputs every step
    ahead at once, and `n_quantiles` values per step: x (B, window) -> (B, horizon, Q)."""

    def __init__(self, kind: str, hidden: int, horizon: int, n_quantiles: int = 1) -> None:
        super().__init__()
        _checks.choice("kind", kind, ("gru", "lstm", "rnn", "tcn"))
        _checks.integer("hidden", hidden, minimum=1)
        _checks.integer("horizon", horizon, minimum=1, hint=" (steps ahead)")
        _checks.integer("n_quantiles", n_quantiles, minimum=1)
        self.horizon, self.n_quantiles = horizon, n_quantiles
        out = horizon * n_quantiles
        self.net = (TCN(1, hidden, 4, out, kernel_size=3) if kind == "tcn"
                    else SequenceModel(kind, 1, hidden, out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _checks.tensor("x", x, 2, "(batch, window) of normalised values", kind="float")
        out = self.net(x.unsqueeze(-1))  # (B, horizon * Q)
        return out.view(len(x), self.horizon, self.n_quantiles)


class Seq2SeqForecaster(nn.Module):
    """GRU encoder over the window; a GRU-cell decoder whose input at step h
    is the value of step h - 1 (the last observed value at h = 1):
    x (B, window) -> (B, horizon)."""

    def __init__(self, hidden: int, horizon: int) -> None:
        super().__init__()
        self.horizon = horizon
        self.encoder = nn.GRU(1, hidden, batch_first=True)
        self.decoder = nn.GRUCell(1, hidden)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor,
                teacher: torch.Tensor | None = None) -> torch.Tensor:
        _, h = self.encoder(x.unsqueeze(-1))  # h (1, B, H)
        h, prev, outs = h[0], x[:, -1:], []  # (B, H), (B, 1)
        for step in range(self.horizon):
            h = self.decoder(prev, h)
            outs.append(self.head(h))  # (B, 1)
            prev = outs[-1] if teacher is None else teacher[:, step:step + 1]
        return torch.cat(outs, dim=1)  # (B, horizon)


def recursive(model: Direct, x: torch.Tensor, horizon: int) -> torch.Tensor:
    """Roll a one-step `Direct` model: append each forecast to the window."""
    _checks.instance("model", model, Direct, "a forecast_models.Direct model")
    _checks.tensor("x", x, 2, "(batch, window)", kind="float")
    _checks.integer("horizon", horizon, minimum=1, hint=" (steps ahead)")
    if model.horizon != 1 or model.n_quantiles != 1:
        raise ValueError("recursive forecasting needs a one-step point model (horizon=1, Q=1)")
    outs = []
    for _ in range(horizon):
        nxt = model(x)[:, 0]  # (B, 1)
        outs.append(nxt)
        x = torch.cat([x[:, 1:], nxt], dim=1)  # (B, window)
    return torch.cat(outs, dim=1)  # (B, horizon)


def _check_quantiles(quantiles: Sequence[float]) -> None:
    if isinstance(quantiles, (str, bytes)) or not hasattr(quantiles, "__len__") or not len(
            quantiles):
        raise TypeError(f"quantiles must be a non-empty list of levels such as (0.1, 0.5, 0.9); "
                        f"got {quantiles!r}")
    for q in quantiles:
        _checks.fraction("quantiles", q, hint=" (each level, such as 0.5)")


def train_forecaster(model: nn.Module, inputs: np.ndarray, targets: np.ndarray, *,
                     steps: int, batch: int = 128, lr: float = 1e-2, seed: int = 0,
                     quantiles: Sequence[float] = (0.5,), teacher: bool = False) -> list[float]:
    """Adam on random minibatches of windows, minimising the pinball loss (the absolute error
    up to a factor 2 for the default median). Returns the loss of every step.

    `inputs` (N, window) and `targets` (N, horizon') are normalised numpy arrays; horizon' is
    the model's horizon. A `Seq2SeqForecaster` gets the true previous values when `teacher`.
    """
    _checks.module("model", model)
    _checks.array("inputs", inputs, 2, "(N, window)", kind="number", finite=True)
    _checks.array("targets", targets, 2, "(N, horizon)", kind="number", finite=True)
    _checks.integer("steps", steps, minimum=1)
    _checks.integer("batch", batch, minimum=1)
    _checks.number("lr", lr, low=0.0, low_open=True, hint=" (a learning rate such as 1e-2)")
    _checks.integer("seed", seed, minimum=0)
    _check_quantiles(quantiles)
    inputs = np.asarray(inputs, dtype=np.float32)
    targets = np.asarray(targets, dtype=np.float32)
    if inputs.ndim != 2 or targets.ndim != 2 or len(inputs) != len(targets) or not len(inputs):
        raise ValueError(f"inputs must be (N, window) and targets (N, horizon) with the same N "
                         f"> 0; got {inputs.shape} and {targets.shape}")
    X, Y = torch.from_numpy(inputs), torch.from_numpy(targets)
    gen = torch.Generator().manual_seed(seed)

    def step_loss(step: int) -> torch.Tensor:
        idx = torch.randint(len(X), (min(batch, len(X)),), generator=gen)
        if isinstance(model, Seq2SeqForecaster):
            pred = model(X[idx], Y[idx] if teacher else None).unsqueeze(-1)
        else:
            pred = model(X[idx])
        return pinball_loss(pred, Y[idx], quantiles)

    return fit(model, step_loss, steps=steps, lr=lr, quiet=True).losses


METHODS = ("direct GRU", "recursive GRU", "seq2seq GRU", "direct TCN")


def fit_and_forecast(method: str, train: tuple[np.ndarray, np.ndarray], test_inputs: np.ndarray,
                     *, hidden: int = 24, steps: int = 300, seed: int = 0,
                     quantiles: Sequence[float] = (0.5,)) -> tuple[np.ndarray, int]:
    """Train one of `METHODS` on (inputs, targets) windows and forecast every test window.

    Returns the forecasts, (N, horizon) or (N, horizon, Q) for several quantiles (direct GRU
    only), in normalised units, and the model's parameter count.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}")
    if not (isinstance(train, (tuple, list)) and len(train) == 2):
        raise TypeError("train must be the pair (inputs, targets) that "
                        "forecasting.make_windows returns")
    _checks.array("train inputs", train[0], 2, "(N, window)", kind="number", finite=True)
    _checks.array("train targets", train[1], 2, "(N, horizon)", kind="number", finite=True)
    _checks.array("test_inputs", test_inputs, 2, "(N, window)", kind="number", finite=True)
    if np.shape(test_inputs)[1] != np.shape(train[0])[1]:
        raise ValueError(f"test_inputs must have the window of the training inputs "
                         f"({np.shape(train[0])[1]}); got {np.shape(test_inputs)[1]}")
    _checks.integer("hidden", hidden, minimum=2)
    _checks.integer("steps", steps, minimum=1)
    _checks.integer("seed", seed, minimum=0)
    _check_quantiles(quantiles)
    if len(quantiles) > 1 and method in ("recursive GRU", "seq2seq GRU"):
        raise ValueError(f"several quantiles need a direct method ('direct GRU' or 'direct "
                         f"TCN'); {method!r} forecasts one value per step")
    inputs, targets = train
    horizon = targets.shape[1]
    torch.manual_seed(seed)
    if method == "recursive GRU":
        model: nn.Module = Direct("gru", hidden, 1)
        train_forecaster(model, inputs, targets[:, :1], steps=steps, seed=seed)
    elif method == "seq2seq GRU":
        model = Seq2SeqForecaster(hidden, horizon)
        train_forecaster(model, inputs, targets, steps=steps, seed=seed, teacher=True)
    else:
        kind, width = ("gru", hidden) if method == "direct GRU" else ("tcn", hidden // 2)
        model = Direct(kind, width, horizon, len(quantiles))
        train_forecaster(model, inputs, targets, steps=steps, seed=seed, quantiles=quantiles)
    x = torch.tensor(np.asarray(test_inputs), dtype=torch.float32)  # (N, window)
    model.eval()
    with torch.no_grad():
        if method == "recursive GRU":
            pred = recursive(model, x, horizon)
        else:
            pred = model(x)
            pred = pred[..., 0] if len(quantiles) == 1 and pred.ndim == 3 else pred
    return pred.numpy().astype(np.float64), sum(p.numel() for p in model.parameters())
