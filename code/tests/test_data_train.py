"""Unit tests of shipped-data verification and of the training loop."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from seqbook import data, set_seed
from seqbook.train import History, fit

ROOT = Path(__file__).resolve().parents[2]


def test_every_shipped_file_matches_its_checksum():
    for name in data.CHECKSUMS:
        assert data.verified_path(name).is_file()


def test_readme_lists_the_same_checksums():
    readme = (ROOT / "data" / "README.md").read_text()
    listed = dict(re.findall(r"`([\w.]+)`[^\n]*?`([0-9a-f]{64})`", readme))
    assert listed == data.CHECKSUMS


def test_missing_and_altered_files_raise_clear_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQBOOK_DATA", str(tmp_path))
    with pytest.raises(data.DataError, match="missing.*git checkout -- data/sunspots_yearly.csv"):
        data.load_sunspots()
    shutil.copy(ROOT / "data" / "sunspots_yearly.csv", tmp_path / "sunspots_yearly.csv")
    assert len(data.load_sunspots()[0]) == 309
    with open(tmp_path / "sunspots_yearly.csv", "a") as f:
        f.write("2009,3\n")
    with pytest.raises(data.DataError, match="altered or corrupted"):
        data.load_sunspots()


def test_unknown_file_is_a_value_error():
    with pytest.raises(ValueError, match="unknown data file"):
        data.verified_path("mnist.csv")


def test_loaders_return_documented_shapes():
    years, counts = data.load_sunspots()
    assert years[0] == 1700 and years[-1] == 2008 and counts.shape == (309,)
    dates, ppm = data.load_co2()
    assert dates.dtype == np.dtype("datetime64[D]") and np.isnan(ppm).sum() == 59
    assert 310 < np.nanmin(ppm) < np.nanmax(ppm) < 380
    images, labels = data.load_digits()
    assert images.shape == (1797, 8, 8) and 0 <= images.min() and images.max() == 1.0
    assert set(labels.tolist()) == set(range(10))


def _regression_problem():
    set_seed(0)
    model = torch.nn.Linear(3, 1)
    w = torch.tensor([[1.0, -2.0, 0.5]])

    def step_loss(step):
        x = torch.randn(32, 3)
        return ((model(x) - x @ w.T) ** 2).mean()

    return model, step_loss


def test_fit_reduces_loss_and_records_history(capsys):
    model, step_loss = _regression_problem()
    hist = fit(model, step_loss, steps=200, lr=0.05, name="linear")
    assert isinstance(hist, History) and len(hist.losses) == len(hist.grad_norms) == 200
    assert hist.final_loss() < 0.01 * hist.losses[0]
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("linear: 200 steps")


def test_fit_clipping_bounds_the_update():
    model, step_loss = _regression_problem()
    before = [p.detach().clone() for p in model.parameters()]
    fit(model, step_loss, steps=1, lr=1.0, optimizer="sgd", clip_norm=1e-3, progress=False)
    moved = math.sqrt(sum(((p.detach() - b) ** 2).sum().item()
                          for p, b in zip(model.parameters(), before, strict=True)))
    assert moved <= 1e-3 + 1e-9


def test_fit_stops_on_divergence():
    model = torch.nn.Linear(1, 1)
    hist = fit(model, lambda s: model.weight.sum() * float("nan"), steps=5, progress=False)
    assert hist.diverged_at == 0 and math.isnan(hist.final_loss())
    assert "diverged" in hist.summary()


@pytest.mark.parametrize("kwargs, match", [({"steps": 0}, "steps"), ({"steps": 1, "lr": 0}, "lr"),
                                           ({"steps": 1, "lr": float("nan")}, "lr"),
                                           ({"steps": 1, "lr": float("inf")}, "lr"),
                                           ({"steps": 1, "optimizer": "adagrad"}, "optimizer")])
def test_fit_bad_arguments(kwargs, match):
    model, step_loss = _regression_problem()
    with pytest.raises(ValueError, match=match):
        fit(model, step_loss, **kwargs)


def test_fit_stop_when_ends_the_run_early():
    model, step_loss = _regression_problem()
    hist = fit(model, step_loss, steps=500, lr=0.05, quiet=True,
               stop_when=lambda h: h.losses[-1] < 0.5 * h.losses[0])
    assert hist.stopped_at == len(hist.losses) < 500
    assert hist.losses[-1] < 0.5 * hist.losses[0] <= min(hist.losses[:-1])
    full = fit(*_regression_problem(), steps=20, quiet=True)
    assert full.stopped_at is None and len(full.losses) == 20
    with pytest.raises(TypeError, match="stop_when"):
        fit(model, step_loss, steps=1, stop_when=0.1)


def test_fit_needs_a_scalar_loss():
    model = torch.nn.Linear(2, 2)
    with pytest.raises(ValueError, match="scalar"):
        fit(model, lambda s: model(torch.ones(1, 2)), steps=1, progress=False)


def test_fit_quiet_prints_nothing(capsys):
    model, step_loss = _regression_problem()
    hist = fit(model, step_loss, steps=3, quiet=True)
    assert len(hist.losses) == 3 and capsys.readouterr().out == ""
