"""Bad arguments to seqbook.gradients raise errors that name the argument (issue 10)."""

import numpy as np
import torch

from seqbook import gradients as g

RNG = np.random.default_rng(0)
NAN = float("nan")
RNN = torch.nn.RNN(2, 3, batch_first=True)

CASES = [
    (g.orthogonal, dict(n=0, rng=RNG), ValueError, "n"),
    (g.orthogonal, dict(n=3, rng=None), TypeError, "rng"),
    (g.orthogonal, dict(n=3, rng=RNG, gain=NAN), ValueError, "gain"),
    (g.spectral_radius, dict(W=np.zeros((2, 3))), ValueError, "W"),
    (g.scale_to, dict(W=np.eye(2), target=NAN), ValueError, "target"),
    (g.scale_to, dict(W=np.eye(2), target=1.0, by="trace"), ValueError, "by"),
    (g.recurrent_params, dict(hidden=3, radius=np.inf, rng=RNG), ValueError, "radius"),
    (g.recurrent_params, dict(hidden=0, radius=0.9, rng=RNG), ValueError, "hidden"),
    (g.recurrent_params, dict(hidden=3, radius=0.9, rng=RNG, input_size=0), ValueError,
     "input_size"),
    (g.distance_setup, dict(radius=0.9, T=2.5), TypeError, "T"),
    (g.distance_setup, dict(radius=0.9, T=0), ValueError, "T"),
    (g.clip_by_norm, dict(grads=[np.ones(2)], max_norm=NAN), ValueError, "max_norm"),
    (g.clip_by_norm, dict(grads=np.ones(2), max_norm=1.0), ValueError, "grads"),
    (g.clip_by_value, dict(grads=[np.ones(2)], clip_value=np.inf), ValueError, "clip_value"),
    (g.clip_by_value, dict(grads=[np.ones(2)], clip_value="1"), TypeError, "clip_value"),
    (g.global_norm, dict(grads=np.ones(2)), ValueError, "grads"),
    (g.scalar_rnn, dict(w=1.0, b=0.0, T=0), ValueError, "T"),
    (g.scalar_rnn, dict(w=1.0, b=0.0, T=3, h0=NAN), ValueError, "h0"),
    (g.loss_along_direction, dict(loss_fn=None, theta=np.zeros(2), direction=np.ones(2),
                                  alphas=[0.0]), TypeError, "loss_fn"),
    (g.loss_along_direction, dict(loss_fn=np.sum, theta=np.zeros(2), direction=np.ones(3),
                                  alphas=[0.0]), ValueError, "direction"),
    (g.loss_along_direction, dict(loss_fn=np.sum, theta=np.zeros(2), direction=np.ones(2),
                                  alphas=[NAN]), ValueError, "alphas"),
    (g.descend, dict(loss_and_grad=lambda t: (0.0, t), theta0=np.zeros(2), lr=NAN, steps=2),
     ValueError, "lr"),
    (g.descend, dict(loss_and_grad=lambda t: (0.0, t), theta0=np.zeros(2), lr=0.1, steps=0),
     ValueError, "steps"),
    (g.descend, dict(loss_and_grad=lambda t: (0.0, t), theta0=np.zeros(2), lr=0.1, steps=2,
                     clip_norm=0.0), ValueError, "clip_norm"),
    (g.init_recurrent_, dict(rnn=RNN, kind="xavier"), ValueError, "kind"),
    (g.init_recurrent_, dict(rnn=RNN, kind="identity", gain=NAN), ValueError, "gain"),
    (g.init_recurrent_, dict(rnn=RNN, kind="orthogonal", rng=0), TypeError, "rng"),
    (g.init_recurrent_, dict(rnn=torch.nn.LSTM(2, 3), kind="identity"), ValueError, "RNN"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    assert g.orthogonal(np.int64(3), RNG, gain=np.float64(0.5)).shape == (3, 3)
    assert g.scalar_rnn(np.ones(3), 0.0, T=np.int64(2))[0].shape == (3,)
    assert g.clip_by_norm([np.ones(2)], 1)[0].shape == (2,)
    assert g.norm_vs_distance(np.float64(0.9), T=3, hidden=4, batch=2).shape == (4,)
