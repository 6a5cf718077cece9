"""Bad arguments to seqbook.bptt raise errors that name the argument (issue 10)."""

import numpy as np
import pytest

from seqbook import bptt as b
from seqbook.numpy_rnn import init_params, rnn_backward, rnn_forward

RNG = np.random.default_rng(0)
P = init_params(1, 3, 1, RNG)
X = RNG.normal(size=(2, 4, 1))
YS, HS = rnn_forward(P, X)
DYS = np.ones_like(YS)
G = rnn_backward(P, X, HS, DYS)


def batch():
    return b.echo_task(2, 4, 1, RNG, np.float64)


CASES = [
    (b.echo_baseline, dict(T=5, delay=7), ValueError, "delay"),
    (b.echo_baseline, dict(T=5, delay=0), ValueError, "delay"),
    (b.echo_baseline, dict(T=0, delay=1), ValueError, "T"),
    (b.echo_baseline, dict(T=5.0, delay=1), TypeError, "T"),
    (b.echo_task, dict(batch=0, T=5, delay=1, rng=RNG), ValueError, "batch"),
    (b.echo_task, dict(batch=2, T=5, delay=5, rng=RNG), ValueError, "delay"),
    (b.echo_task, dict(batch=2, T=5, delay=1, rng=None), TypeError, "rng"),
    (b.echo_task, dict(batch=2, T=5, delay=1, rng=RNG, dtype=int), TypeError, "dtype"),
    (b.step_jacobian, dict(W_hh=np.zeros(3), h_next=np.zeros(3)), ValueError, "W_hh"),
    (b.step_jacobian, dict(W_hh=P.W_hh, h_next=np.zeros((1, 1, 3))), ValueError, "h_next"),
    (b.step_jacobian, dict(W_hh=P.W_hh, h_next=np.zeros(3), activation="relu6"),
     ValueError, "activation"),
    (b.numerical_step_jacobian, dict(params=P, x_next=X[:, 0], h_prev=HS[:, 0], eps=0.0),
     ValueError, "eps"),
    (b.numerical_step_jacobian, dict(params=P, x_next=X[:, 0], h_prev=HS[:, 0].astype("f4")),
     ValueError, "float64"),
    (b.jacobian_product, dict(params=P, hs=HS, t=2.0, s=1), TypeError, "t"),
    (b.jacobian_product, dict(params=P, hs=HS, t=1, s=2), ValueError, "s <= t"),
    (b.jacobian_product, dict(params=P, hs=HS[..., :2], t=2, s=1), ValueError, "hs"),
    (b.hidden_grad_by_paths, dict(params=P, hs=HS, dys=DYS, s=0), ValueError, "s must"),
    (b.hidden_grad_by_paths, dict(params=P, hs=HS, dys=DYS[:, :2], s=1), ValueError, "dys"),
    (b.hidden_grad_by_paths, dict(params=P, hs=HS[0], dys=DYS, s=1), ValueError, "hs"),
    (b.autograd_gradients, dict(params=P, x=X[0], targets=YS), ValueError, "x"),
    (b.autograd_gradients, dict(params=P, x=np.full_like(X, np.nan), targets=YS),
     ValueError, "x"),
    (b.autograd_gradients, dict(params=P, x=X, targets=YS, h0=np.zeros(3)), ValueError, "h0"),
    (b.train_numpy_rnn, dict(params=P, make_batch=batch, steps=2, lr=float("nan")),
     ValueError, "lr"),
    (b.train_numpy_rnn, dict(params=P, make_batch=batch, steps=0, lr=0.1), ValueError, "steps"),
    (b.train_numpy_rnn, dict(params=P, make_batch=batch(), steps=2, lr=0.1),
     TypeError, "make_batch"),
    (b.train_numpy_rnn, dict(params=P, make_batch=batch, steps=2, lr=0.1, truncate=0),
     ValueError, "truncate"),
    (b.train_numpy_rnn, dict(params=P, make_batch=batch, steps=2, lr=0.1, clip=-1.0),
     ValueError, "clip"),
    (b.flat_grad, dict(grads=G, names="W_hh"), TypeError, "names"),
    (b.flat_grad, dict(grads=G, names=("W_hx",)), ValueError, "names"),
    (b.truncation_gap, dict(params=P, x=X, targets=YS, ks=[2.5]), TypeError, "ks"),
    (b.truncation_gap, dict(params=P, x=X, targets=YS, ks=[]), ValueError, "ks"),
    (b.params_with_gain, dict(input_size=1, hidden_size=3, output_size=1, gain=float("inf"),
                              rng=RNG), ValueError, "gain"),
    (b.params_with_gain, dict(input_size=1, hidden_size=3, output_size=1, gain=float("nan"),
                              rng=RNG), ValueError, "gain"),
    (b.contribution_matrix, dict(params=P, x=X, dys=DYS[:, :2]), ValueError, "dys"),
    (b.bptt_cost, dict(params=P, lengths=[4, 0], batch=2, rng=RNG), ValueError, "lengths"),
    (b.bptt_cost, dict(params=P, lengths=[], batch=2, rng=RNG), ValueError, "lengths"),
    (b.bptt_cost, dict(params=P, lengths=[4], batch=0, rng=RNG), ValueError, "batch"),
    (b.bptt_cost, dict(params=P, lengths=[4], batch=2, rng=RNG, repeats=0), ValueError,
     "repeats"),
    (b.bptt_cost, dict(params=P, lengths=[4], batch=2, rng=RNG, chunk=1.5), TypeError, "chunk"),
    (b.TrainLog(np.zeros(3), np.zeros(3), 0.0).final_loss, dict(last=0), ValueError, "last"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    assert b.echo_baseline(np.int64(5), 2) == pytest.approx(0.6)
    assert b.step_jacobian(P.W_hh.astype(np.float32), HS[:, 1].tolist()).shape == (2, 3, 3)
    assert b.flat_grad(b.autograd_gradients(P, X, YS)[1]).ndim == 1
    log = b.train_numpy_rnn(P, batch, np.int64(2), 0.01, truncate=2, clip=1.0)
    assert log.losses.shape == (2,)
    assert b.truncation_gap(P, X, YS, np.array([1, 2]))["k"].tolist() == [1, 2]
