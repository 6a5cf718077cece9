"""Bad arguments to seqbook.translation raise errors that name the argument (issue 10)."""

import numpy as np
import torch

from seqbook import translation as tr
from seqbook.text import Vocab

PAIRS = [tr.number_pair(21), tr.number_pair(3)]
SRC = Vocab.build([p[0] for p in PAIRS])
TGT = Vocab.build([p[1] for p in PAIRS])
BATCH = tr.batch_tensors(PAIRS, SRC, TGT)

CASES = [
    (tr.tokenize, dict(name=21), TypeError, "name"),
    (tr.number_pair, dict(n=-1), ValueError, "n"),
    (tr.number_pair, dict(n=2.0), TypeError, "n"),
    (tr.number_splits, dict(rng=0), TypeError, "rng"),
    (tr.number_splits, dict(rng=np.random.default_rng(0), sample=0), ValueError, "sample"),
    (tr.number_splits, dict(rng=np.random.default_rng(0), sample=10.5), TypeError, "sample"),
    (tr.batch_tensors, dict(pairs=[], src_vocab=SRC, tgt_vocab=TGT), ValueError, "pairs"),
    (tr.batch_tensors, dict(pairs=["vingt"], src_vocab=SRC, tgt_vocab=TGT), TypeError, "pairs"),
    (tr.batch_tensors, dict(pairs=[("vingt", "twenty")], src_vocab=SRC, tgt_vocab=TGT),
     TypeError, "source"),
    (tr.batch_tensors, dict(pairs=PAIRS, src_vocab=None, tgt_vocab=TGT), TypeError, "src_vocab"),
    (tr.batch_rows, dict(batch=BATCH[:3], rows=torch.tensor([0])), TypeError, "batch"),
    (tr.batch_rows, dict(batch=BATCH, rows=[0]), TypeError, "rows"),
    (tr.batch_rows, dict(batch=BATCH, rows=torch.tensor([5])), ValueError, "rows"),
    (tr.batch_rows, dict(batch=BATCH, rows=torch.tensor([], dtype=torch.long)), ValueError,
     "rows"),
    (tr.copy_source, dict(sources=["vingt"]), TypeError, "sources"),
    (tr.most_frequent_target, dict(train_pairs=PAIRS, n=-1), ValueError, "n"),
    (tr.most_frequent_target, dict(train_pairs=[], n=2), ValueError, "train_pairs"),
    (tr.nearest_neighbour, dict(train_pairs=PAIRS, sources=[[]]), ValueError, "sources"),
    (tr.nearest_neighbour, dict(train_pairs=PAIRS, sources="vingt"), TypeError, "sources"),
    (tr.anchor_alignment, dict(source="mille", target=["thousand"]), TypeError, "source"),
    (tr.anchor_alignment, dict(source=["mille"], target=[]), ValueError, "thousand"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    assert tr.batch_rows(BATCH, torch.tensor([1]))[0].shape[0] == 1
    assert tr.copy_source([("un",)]) == [["un"]]
    assert tr.nearest_neighbour(PAIRS, [PAIRS[0][0]]) == [PAIRS[0][1]]
    assert tr.anchor_alignment(("deux", "mille"), ("two", "thousand")) == [(1, 1)]
