"""More bad arguments to seqbook.seq2seq, tcn and numpy_gated: types, ids, lengths, NaN/inf
(issue 10; the first table is test_bad_input_gated_tcn_seq2seq.py)."""

import numpy as np
import torch

from seqbook import numpy_gated as ng
from seqbook import seq2seq as s2s
from seqbook import tcn
from seqbook.text import Vocab

torch.manual_seed(0)
MODEL = s2s.Seq2Seq(6, 7, embed=4, hidden=8)
SRC, LENGTHS = torch.tensor([[1, 2, 3], [4, 5, 0]]), torch.tensor([3, 2])
INPUTS = torch.tensor([[1, 4, 5], [1, 6, 0]])
STATE = MODEL.start(SRC, LENGTHS)
Q, K, M = torch.zeros(2, 3, 8), torch.zeros(2, 4, 8), torch.ones(2, 4, dtype=torch.bool)
VOCAB = Vocab(["<pad>", "<bos>", "<eos>", "a", "b", "c", "d"])
RNG = np.random.default_rng(0)
LSTM = ng.init_params("lstm", 2, 3, RNG)
TRACE = ng.lstm_forward(LSTM, np.zeros((1, 4, 2)))
TCN = tcn.TCN(2, 4, 2, 1, head="all")
NAN = np.full((3, 2), np.nan)

CASES = [
    (s2s.dot_attention, dict(query=np.zeros((2, 3, 8)), keys=K, mask=M), TypeError, "query"),
    (s2s.dot_attention, dict(query=Q, keys=K.long(), mask=M), TypeError, "keys"),
    (s2s.dot_attention, dict(query=Q, keys=K[:1], mask=M[:1]), ValueError, "keys"),
    (s2s.masked_softmax, dict(scores=Q, mask=M.float()), ValueError, "mask"),
    (s2s.masked_softmax, dict(scores=[[1.0]], mask=M), TypeError, "scores"),
    (s2s.AdditiveAttention, dict(query_size=8, key_size=0, hidden=4), ValueError, "key_size"),
    (s2s.Encoder, dict(vocab_size=6, embed=4.0, hidden=8), TypeError, "embed"),
    (s2s.Seq2Seq, dict(src_vocab=1, tgt_vocab=7), ValueError, "src_vocab"),
    (MODEL.encode, dict(src=SRC.float(), lengths=LENGTHS), TypeError, "src"),
    (MODEL.encode, dict(src=SRC + 5, lengths=LENGTHS), ValueError, "src"),
    (MODEL.encode, dict(src=SRC, lengths=torch.tensor([3, 4])), ValueError, "lengths"),
    (MODEL.encode, dict(src=SRC, lengths=torch.tensor([3.0, 2.0])), TypeError, "lengths"),
    (MODEL.encode, dict(src=SRC, lengths=[3]), ValueError, "lengths"),
    (MODEL, dict(src=SRC, src_lengths=LENGTHS, inputs=INPUTS + 7), ValueError, "inputs"),
    (MODEL, dict(src=SRC, src_lengths=LENGTHS, inputs=INPUTS[:1]), ValueError, "inputs"),
    (MODEL.step, dict(tokens=torch.tensor([1]), state=STATE), ValueError, "tokens"),
    (MODEL.step, dict(tokens=torch.tensor([1, 1]), state=STATE.h), TypeError, "state"),
    (s2s.seq2seq_loss, dict(logits=np.zeros((1, 2, 3)), targets=torch.zeros(1, 2)),
     TypeError, "logits"),
    (s2s.seq2seq_loss, dict(logits=torch.zeros(1, 2, 3), targets=torch.zeros(1, 2)),
     TypeError, "targets"),
    (s2s.teacher_forced_accuracy, dict(logits=torch.zeros(1, 2, 3, dtype=torch.long),
                                       targets=torch.zeros(1, 2, dtype=torch.long)),
     TypeError, "logits"),
    (s2s.translate, dict(model=None, src=SRC, src_lengths=LENGTHS, vocab=VOCAB), TypeError,
     "model"),
    (s2s.translate, dict(model=MODEL, src=SRC, src_lengths=LENGTHS, vocab=["a"]), TypeError,
     "vocab"),
    (s2s.translate, dict(model=MODEL, src=SRC, src_lengths=LENGTHS, vocab=VOCAB, max_len=0),
     ValueError, "max_len"),
    (s2s.attention_map, dict(model=MODEL, src=[1, 2], output=["a"], vocab=VOCAB), TypeError,
     "src"),
    (s2s.attention_map, dict(model=MODEL, src=SRC[0], output="a b", vocab=VOCAB), TypeError,
     "output"),
    (tcn.receptive_field, dict(kernel_size=3, dilations=[1, True]), TypeError, "dilations"),
    (tcn.receptive_field, dict(kernel_size=3, dilations=4), TypeError, "dilations"),
    (tcn.receptive_field, dict(kernel_size=2.0, dilations=[1]), TypeError, "kernel_size"),
    (tcn.causal_conv1d_numpy, dict(x=[[1.0]], w=np.zeros((1, 1, 2)), b=np.zeros(1)),
     TypeError, "x"),
    (tcn.causal_conv1d_numpy, dict(x=NAN, w=np.zeros((1, 2, 2)), b=np.zeros(1)), ValueError,
     "x"),
    (tcn.causal_conv1d_numpy, dict(x=np.zeros((3, 2)), w=np.zeros((1, 2, 2)), b=np.zeros(1),
                                   dilation=1.0), ValueError, "dilation"),
    (tcn.CausalConv1d, dict(in_channels=2, out_channels=2.5, kernel_size=2), TypeError,
     "out_channels"),
    (tcn.CausalConv1d(2, 3, 2), dict(x=torch.zeros(1, 3, 5)), ValueError, "x"),
    (tcn.CausalConv1d(2, 3, 2), dict(x=np.zeros((1, 2, 5))), TypeError, "x"),
    (tcn.TCN, dict(input_size=2, channels=4, levels=2.0, output_size=1), TypeError, "levels"),
    (tcn.TCN, dict(input_size=2, channels=4, levels=2, output_size=1, vocab_size=0),
     ValueError, "vocab_size"),
    (TCN, dict(x=torch.zeros(1, 5, 3)), ValueError, "x"),
    (tcn.input_gradient, dict(model=None, x=torch.zeros(1, 5, 2), t=1), TypeError, "model"),
    (tcn.input_gradient, dict(model=TCN, x=np.zeros((1, 5, 2)), t=1), TypeError, "x"),
    (ng.init_params, dict(kind="gru", input_size=True, hidden_size=3, rng=RNG), TypeError,
     "input_size"),
    (ng.init_params, dict(kind="gru", input_size=2, hidden_size=0, rng=RNG), ValueError,
     "hidden_size"),
    (ng.lstm_forward, dict(p=LSTM, x=np.full((1, 2, 2), np.inf)), ValueError, "x"),
    (ng.lstm_forward, dict(p=LSTM, x=np.zeros((1, 0, 2))), ValueError, "x"),
    (ng.lstm_forward, dict(p=LSTM, x=np.zeros((1, 2, 2)), h0=np.full((1, 3), np.nan)),
     ValueError, "h0"),
    (ng.gru_forward, dict(p=ng.init_params("gru", 2, 3, RNG), x=np.zeros((1, 2, 2)),
                          h0=[["a", "b", "c"]]), TypeError, "h0"),
    (ng.lstm_backward, dict(p=LSTM, trace=TRACE, dh_out=np.full((1, 4, 3), np.nan)),
     ValueError, "dh_out"),
    (ng.gate, dict(params=LSTM, trace=None, name="f"), TypeError, "trace"),
    (ng.gru_backward, dict(p=LSTM, trace=TRACE, dh_out=np.zeros((1, 4, 3))), TypeError, "p"),
    (ng.gru_backward, dict(p=ng.init_params("gru", 2, 3, RNG), trace=None,
                           dh_out=np.zeros((1, 4, 3))), TypeError, "trace"),
    (ng.gate, dict(params=ng.init_params("lstm", 2, 5, RNG), trace=TRACE, name="f"),
     ValueError, "trace"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    logits, weights = MODEL(SRC, LENGTHS, INPUTS)
    assert logits.shape == (2, 3, 7) and weights.shape == (2, 3, 3)
    assert MODEL.encode(SRC, [3, 2])[1].shape == (2, 3, 8)
    log_probs, state = MODEL.step(torch.tensor([1, 1]), STATE)
    assert log_probs.shape == (2, 7) and state.h.shape == (2, 8)
    assert len(s2s.translate(MODEL, SRC, LENGTHS, VOCAB, max_len=np.int64(2))) == 2
    assert tcn.receptive_field(3, (d for d in (1, 2))) == 7
    assert tcn.receptive_field(2, []) == 1
    assert ng.gate(LSTM, TRACE, "f").shape == (1, 4, 3)
    assert ng.lstm_forward(LSTM, np.zeros((1, 2, 2)), h0=[[0, 0, 0]]).hs.shape == (1, 3, 3)
