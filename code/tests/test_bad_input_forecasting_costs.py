"""Bad arguments to seqbook.forecasting, forecast_models, costs and compare name the argument
and say what to pass (issue 10)."""

import numpy as np
import torch

from seqbook import compare, costs
from seqbook import forecast_models as fm
from seqbook import forecasting as fc
from seqbook.attention import Transformer
from seqbook.models import SequenceModel
from seqbook.tcn import TCN

X = np.sin(np.arange(40.0))
ORIGINS = np.array([10, 20])
TRAIN = fc.make_windows(X, fc.window_origins(40, 6, 2), 6, 2)
DIRECT = fm.Direct("gru", 4, 1)
PRED = torch.zeros(2, 3, 1)
RNN = SequenceModel("gru", 2, 4, 1, head="all")
TCN2 = TCN(2, 4, 2, 1, head="all")
CAUSAL = Transformer(2, 8, 2, 1, 1, head="all", causal=True)
SEQ = torch.zeros(1, 5, 2)

CASES = [
    (fc.window_origins, dict(n=40.0, window=3, horizon=1), TypeError, "n"),
    (fc.window_origins, dict(n=40, window=3, horizon=1, stop=30.5), TypeError, "stop"),
    (fc.window_origins, dict(n=40, window=3, horizon=1, start="0"), TypeError, "start"),
    (fc.Scaler, dict(mean=0.0, std=0.0), ValueError, "std"),
    (fc.Scaler, dict(mean=float("nan"), std=1.0), ValueError, "mean"),
    (fc.Scaler(0.0, 1.0).transform, dict(x="ab"), TypeError, "x"),
    (fc.Scaler(0.0, 1.0).inverse, dict(z=None), TypeError, "z"),
    (fc.ar_recursive, dict(coef=[0.0, np.nan], x=X, origins=ORIGINS, horizon=2), ValueError,
     "coef"),
    (fc.mae_by_horizon, dict(pred=np.full((2, 3), np.inf), truth=np.zeros((2, 3))),
     ValueError, "pred"),
    (fc.mae_by_horizon, dict(pred=np.zeros((2, 3)), truth=[["a"] * 3] * 2), TypeError,
     "truth"),
    (fc.coverage, dict(lower=np.zeros(3), upper=np.ones(3), truth=[0.0, np.nan, 1.0]),
     ValueError, "truth"),
    (fm.pinball_loss, dict(pred=PRED.long(), y=torch.zeros(2, 3), quantiles=[0.5]),
     TypeError, "pred"),
    (fm.pinball_loss, dict(pred=PRED[0], y=torch.zeros(2, 3), quantiles=[0.5]), ValueError,
     "pred"),
    (fm.pinball_loss, dict(pred=PRED, y=torch.zeros(2, 3, dtype=torch.long), quantiles=[0.5]),
     TypeError, "y"),
    (fm.Direct, dict(kind="cnn", hidden=4, horizon=1), ValueError, "kind"),
    (fm.Direct, dict(kind="gru", hidden=0, horizon=1), ValueError, "hidden"),
    (fm.Direct, dict(kind="gru", hidden=4, horizon=1.0), TypeError, "horizon"),
    (fm.Direct, dict(kind="gru", hidden=4, horizon=1, n_quantiles=0), ValueError,
     "n_quantiles"),
    (DIRECT, dict(x=torch.zeros(3, 6, 1)), ValueError, "x"),
    (DIRECT, dict(x=np.zeros((3, 6))), TypeError, "x"),
    (fm.recursive, dict(model=fm.Seq2SeqForecaster(4, 2), x=torch.zeros(3, 6), horizon=2),
     TypeError, "model"),
    (fm.recursive, dict(model=DIRECT, x=torch.zeros(3, 6), horizon=0), ValueError, "horizon"),
    (fm.train_forecaster, dict(model=DIRECT, inputs=TRAIN[0], targets=TRAIN[1][:, :1],
                               steps=0), ValueError, "steps"),
    (fm.train_forecaster, dict(model=DIRECT, inputs=TRAIN[0], targets=TRAIN[1][:, :1],
                               steps=1, lr=float("nan")), ValueError, "lr"),
    (fm.train_forecaster, dict(model=DIRECT, inputs=np.full((4, 6), np.nan),
                               targets=np.zeros((4, 1)), steps=1), ValueError, "inputs"),
    (fm.train_forecaster, dict(model=DIRECT, inputs=TRAIN[0], targets=TRAIN[1][:, :1],
                               steps=1, quantiles=(0.5, 1.0)), ValueError, "quantiles"),
    (fm.train_forecaster, dict(model=DIRECT, inputs=TRAIN[0], targets=TRAIN[1][:, :1],
                               steps=1, quantiles=()), TypeError, "quantiles"),
    (fm.train_forecaster, dict(model="gru", inputs=TRAIN[0], targets=TRAIN[1][:, :1],
                               steps=1), TypeError, "model"),
    (fm.fit_and_forecast, dict(method="direct GRU", train=TRAIN[0], test_inputs=TRAIN[0]),
     TypeError, "train"),
    (fm.fit_and_forecast, dict(method="direct GRU", train=TRAIN, test_inputs=TRAIN[0][:, :3]),
     ValueError, "test_inputs"),
    (fm.fit_and_forecast, dict(method="seq2seq GRU", train=TRAIN, test_inputs=TRAIN[0],
                               quantiles=(0.1, 0.9)), ValueError, "quantiles"),
    (fm.fit_and_forecast, dict(method="direct GRU", train=TRAIN, test_inputs=TRAIN[0],
                               steps=2.5), TypeError, "steps"),
    (costs.stream_rnn, dict(model=TCN2, x=SEQ), TypeError, "model"),
    (costs.stream_rnn, dict(model=RNN, x=torch.zeros(1, 5, 3)), ValueError, "x"),
    (costs.stream_rnn, dict(model=RNN, x=SEQ.long()), TypeError, "x"),
    (costs.stream_tcn, dict(model=RNN, x=SEQ), TypeError, "model"),
    (costs.stream_tcn, dict(model=TCN2, x=torch.full((1, 5, 2), float("nan"))), ValueError,
     "x"),
    (costs.stream_transformer, dict(model=TCN2, x=SEQ), TypeError, "model"),
    (compare.build, dict(kind="gru", width=8.0, input_size=2, output_size=1), TypeError,
     "width"),
    (compare.build, dict(kind="gru", width=8, input_size=0, output_size=1), ValueError,
     "input_size"),
    (compare.matched_width, dict(kind="cnn", n_params=500, input_size=2, output_size=1),
     ValueError, "kind"),
    (compare.matched_width, dict(kind="gru", n_params="500", input_size=2, output_size=1),
     TypeError, "n_params"),
    (compare.copy_task, dict(T=5, n_symbols=0), ValueError, "n_symbols"),
    (compare.copy_task, dict(T=5, length=2.0), TypeError, "length"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    assert fc.window_origins(np.int64(20), 3, 2, stop=np.int64(10)).tolist() == [3, 4, 5, 6, 7, 8]
    assert fc.mae_by_horizon([[1.0, 2.0]], [[0.0, 0.0]]).tolist() == [1.0, 2.0]
    assert fc.coverage([0.0], [1.0], [0.5]) == 1.0
    assert fm.recursive(DIRECT, torch.zeros(3, 6), np.int64(2)).shape == (3, 2)
    for stream, model in ((costs.stream_rnn, RNN), (costs.stream_tcn, TCN2),
                          (costs.stream_transformer, CAUSAL)):
        out = stream(model, SEQ).outputs
        assert torch.allclose(out, model(SEQ)[0], atol=1e-5)

