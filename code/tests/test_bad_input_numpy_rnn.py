"""Bad arguments to seqbook.numpy_rnn raise errors that name the argument (issue 10)."""

import numpy as np

from seqbook import numpy_rnn as r

RNG = np.random.default_rng(0)
P = r.init_params(2, 3, 1, RNG)
X = np.zeros((2, 4, 2))
YS, HS = r.rnn_forward(P, X)
G = r.rnn_backward(P, X, HS, np.ones((2, 4, 1)))
NAN_X = X.copy()
NAN_X[0, 0, 0] = np.nan

CASES = [
    (r.sgd_step, dict(params=P, grads=G, lr=float("nan")), ValueError, "lr"),
    (r.sgd_step, dict(params=P, grads=G, lr=float("inf")), ValueError, "lr"),
    (r.sgd_step, dict(params=P, grads=G, lr=-0.1), ValueError, "lr"),
    (r.sgd_step, dict(params=P, grads=G, lr="0.1"), TypeError, "lr"),
    (r.sgd_step, dict(params=P, grads=G, lr=0.1, clip=float("nan")), ValueError, "clip"),
    (r.sgd_step, dict(params=P, grads=G, lr=0.1, clip=0.0), ValueError, "clip"),
    (r.sgd_step, dict(params=r.init_params(2, 4, 1, RNG), grads=G, lr=0.1), ValueError, "grads"),
    (r.init_params, dict(input_size=0, hidden_size=3, output_size=1, rng=RNG), ValueError, "sizes"),
    (r.init_params, dict(input_size=2, hidden_size=3, output_size=1, rng=0), TypeError, "rng"),
    (r.init_params, dict(input_size=2, hidden_size=3, output_size=1, rng=RNG, scale=np.nan),
     ValueError, "scale"),
    (r.init_params, dict(input_size=2, hidden_size=3, output_size=1, rng=RNG, scale=-1.0),
     ValueError, "scale"),
    (r.rnn_forward, dict(params=P, x=NAN_X), ValueError, "x"),
    (r.rnn_forward, dict(params=P, x=np.zeros((2, 0, 2))), ValueError, "x"),
    (r.rnn_backward, dict(params=P, x=X, hs=HS, dys=np.ones((2, 4, 1)), truncate=-1),
     ValueError, "truncate"),
    (r.hidden_grad_norms, dict(grads=np.zeros(3)), TypeError, "grads"),
    (r.softmax, dict(z="abc"), TypeError, "z"),
    (r.softmax, dict(z=np.zeros((2, 3)), axis=2), ValueError, "axis"),
    (r.softmax, dict(z=np.zeros((0, 3))), ValueError, "z"),
    (r.mse_loss, dict(ys=YS, targets=YS[:, :2]), ValueError, "targets"),
    (r.softmax_cross_entropy, dict(logits=YS, labels=np.full((2, 4), -1)), ValueError, "labels"),
    (r.RNNParams.from_torch, dict(rnn=None, linear=None), ValueError, "from_torch"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    p = r.init_params(2, 3, 1, RNG, dtype=np.float32)
    x = np.zeros((2, 4, 2), np.float32)
    ys, hs = r.rnn_forward(p, x.tolist())
    g = r.rnn_backward(p, x, hs, np.ones((2, 4, 1), np.float32), truncate=np.int64(2))
    assert r.sgd_step(p, g, lr=np.float32(0.1), clip=1) >= 0
    assert r.softmax([1.0, 2.0]).shape == (2,)
