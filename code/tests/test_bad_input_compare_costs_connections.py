"""Bad arguments to seqbook.compare, costs and connections name the argument (issue 10)."""

import numpy as np
import pytest
import torch
from torch import nn

from seqbook import compare, connections, costs

CELL, HEAD = nn.RNNCell(2, 4), nn.Linear(4, 2)
TASK = compare.adding_task(5, batch=4, n_test=8)
IDS = np.arange(100) % 5  # character ids of an alphabet of 5

CASES = [
    (compare.adding_task, dict(T=0), ValueError, "T"),
    (compare.adding_task, dict(T=5, batch=0), ValueError, "batch"),
    (compare.copy_task, dict(T=5, n_test=2.5), TypeError, "n_test"),
    (compare.order_task, dict(T=5.0), TypeError, "T"),
    (compare.digits_task, dict(train=np.zeros((2, 8, 8)), test=None), TypeError, "train"),
    (compare.char_task, dict(train_ids=IDS, test_ids=IDS, vocab_size=5, window=8, warmup=8),
     ValueError, "warmup"),
    (compare.char_task, dict(train_ids=IDS, test_ids=IDS[:8], vocab_size=5, window=8,
                             warmup=2),
     ValueError, "test_ids"),
    (compare.char_task, dict(train_ids=IDS, test_ids=IDS, vocab_size=4), ValueError,
     "train_ids"),
    (compare.char_task, dict(train_ids=IDS.astype(float), test_ids=IDS, vocab_size=5),
     ValueError, "train_ids"),
    (compare.char_task, dict(train_ids=IDS, test_ids=IDS, vocab_size=1), ValueError,
     "vocab_size"),
    (compare.char_task, dict(train_ids=IDS, test_ids=IDS, vocab_size=5, window=0), ValueError,
     "window"),
    (compare.seen_batches, dict(task="adding", seeds=[0], steps=2), TypeError, "task"),
    (compare.seen_batches, dict(task=TASK, seeds=[0], steps=0), ValueError, "steps"),
    (compare.seen_batches, dict(task=TASK, seeds=3, steps=2), TypeError, "seeds"),
    (compare.train_seeds, dict(task="adding", kind="lstm", seeds=[0], n_params=500, steps=2,
                               lr=0.01), TypeError, "task"),
    (compare.train_seeds, dict(task=TASK, kind="lstm", seeds=0, n_params=500, steps=2,
                               lr=0.01), TypeError, "seeds"),
    (compare.train_seeds, dict(task=TASK, kind="lstm", seeds=[0.5], n_params=500, steps=2,
                               lr=0.01), TypeError, "seeds"),
    (compare.train_seeds, dict(task=TASK, kind="lstm", seeds=[0], n_params=500, steps=0,
                               lr=0.01), ValueError, "steps"),
    (compare.train_seeds, dict(task=TASK, kind="lstm", seeds=[0], n_params=500, steps=2,
                               lr=float("nan")), ValueError, "lr"),
    (costs.step_seconds, dict(model=None, x=torch.zeros(1, 2, 2)), TypeError, "model"),
    (costs.step_seconds, dict(model=HEAD, x=np.zeros((1, 4))), TypeError, "x"),
    (costs.step_seconds, dict(model=HEAD, x=torch.zeros(1, 4), repeats=0), ValueError,
     "repeats"),
    (costs.loglog_slope, dict(lengths=[1, 2], seconds=[1.0, np.nan]), ValueError, "seconds"),
    (costs.loglog_slope, dict(lengths=[1, 2], seconds=[1.0]), ValueError, "lengths"),
    (costs.stream_rnn, dict(model=None, x=np.zeros((1, 3, 2))), TypeError, "x"),
    (connections.unroll_decoder, dict(cell=CELL, head=HEAD, h=torch.zeros(3, 5), steps=2),
     ValueError, "h"),
    (connections.unroll_decoder, dict(cell=CELL, head=nn.Linear(4, 3), h=torch.zeros(3, 4),
                                      steps=2), ValueError, "head"),
    (connections.unroll_decoder, dict(cell=HEAD, head=HEAD, h=torch.zeros(3, 4), steps=2),
     TypeError, "cell"),
    (connections.unroll_decoder, dict(cell=CELL, head=HEAD, h=torch.zeros(3, 4), steps=2.0),
     TypeError, "steps"),
    (connections.unroll_decoder, dict(cell=CELL, head=HEAD, h=torch.zeros(3, 4), steps=0),
     ValueError, "steps"),
    (connections.OneToMany(3, 4, 2), dict(x=np.zeros((2, 3)), steps=2), TypeError, "x"),
    (connections.EncoderDecoder(3, 4, 2), dict(x=torch.zeros(2, 3), steps=2), ValueError, "x"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    assert connections.unroll_decoder(CELL, HEAD, torch.zeros(3, 4), np.int64(2)).shape == (3, 2, 2)
    assert connections.EncoderDecoder(3, 4, 2)(torch.zeros(2, 5, 3), 4).shape == (2, 4, 2)
    assert costs.loglog_slope([1, 2, 4], [1.0, 2.0, 4.0]) == pytest.approx(1.0)
