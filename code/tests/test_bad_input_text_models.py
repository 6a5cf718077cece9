"""Bad arguments to seqbook.prefix_translator, wordlm, volumes, translation, domains and
sequential name the argument and say what to pass (issue 10)."""

import numpy as np
import torch

from seqbook import domains as d
from seqbook import prefix_translator as pt
from seqbook import sequential as s
from seqbook import translation as tr
from seqbook import wordlm
from seqbook.models import SequenceModel
from seqbook.text import Vocab
from seqbook.volumes import lesion_volumes

PAIRS = [tr.number_pair(n) for n in (21, 3, 97, 5)]
SRC = Vocab.build([p[0] for p in PAIRS])
TGT = Vocab.build([p[1] for p in PAIRS])
GROUPS = pt.length_batches(PAIRS, SRC, TGT)
torch.manual_seed(0)
NET = pt.PrefixTranslator(len(SRC), len(TGT), d_model=8, n_heads=2, n_layers=1)
S_IDS, T_IDS = torch.tensor([[4, 5]]), torch.tensor([[1, 4]])
RNG = np.random.default_rng(0)
LM = SequenceModel("gru", 4, 8, len(TGT), head="all", vocab_size=len(TGT))
LOGITS = torch.zeros(1, 2, 5)
SENTS = [p[1] for p in PAIRS]

CASES = [
    (pt.PrefixTranslator, dict(src_vocab=10.0, tgt_vocab=10), TypeError, "src_vocab"),
    (NET, dict(src=S_IDS.float(), inputs=T_IDS), TypeError, "src"),
    (NET, dict(src=S_IDS + len(SRC), inputs=T_IDS), ValueError, "src"),
    (NET, dict(src=S_IDS, inputs=T_IDS + len(TGT)), ValueError, "inputs"),
    (NET.step, dict(tokens=torch.tensor([1.0]), prefix=S_IDS), TypeError, "tokens"),
    (NET.step, dict(tokens=torch.tensor([1, 1]), prefix=S_IDS), ValueError, "prefix"),
    (pt.length_batches, dict(pairs="deux", src_vocab=SRC, tgt_vocab=TGT), TypeError, "pairs"),
    (pt.length_batches, dict(pairs=PAIRS, src_vocab=SRC, tgt_vocab=None), TypeError,
     "tgt_vocab"),
    (pt.sample_batch, dict(groups=[], batch=2, rng=RNG), TypeError, "groups"),
    (pt.sample_batch, dict(groups=GROUPS, batch=2.0, rng=RNG), TypeError, "batch"),
    (pt.sample_batch, dict(groups=GROUPS, batch=2, rng=0), TypeError, "rng"),
    (pt.translate_prefix, dict(model=LM, sources=[["un"]], src_vocab=SRC, tgt_vocab=TGT),
     TypeError, "model"),
    (pt.translate_prefix, dict(model=NET, sources="un", src_vocab=SRC, tgt_vocab=TGT),
     TypeError, "sources"),
    (pt.translate_prefix, dict(model=NET, sources=[[]], src_vocab=SRC, tgt_vocab=TGT),
     ValueError, "sources"),
    (pt.translate_prefix, dict(model=NET, sources=[["un"]], src_vocab=SRC, tgt_vocab=TGT,
                               max_len=0), ValueError, "max_len"),
    (wordlm.perplexity, dict(logits=np.zeros((1, 2, 5)), targets=torch.zeros(1, 2)),
     TypeError, "logits"),
    (wordlm.perplexity, dict(logits=LOGITS, targets=torch.tensor([[1, 5]])), ValueError,
     "targets"),
    (wordlm.perplexity, dict(logits=LOGITS, targets=torch.tensor([[-3, 1]])), ValueError,
     "targets"),
    (wordlm.ngram_perplexity, dict(train=SENTS, test=SENTS, vocab=TGT, order=1, alpha="1"),
     TypeError, "alpha"),
    (wordlm.ngram_perplexity, dict(train=SENTS, test=SENTS, vocab=TGT, order=1,
                                   alpha=float("nan")), ValueError, "alpha"),
    (wordlm.ngram_perplexity, dict(train=SENTS, test=SENTS, vocab=None, order=1), TypeError,
     "vocab"),
    (wordlm.generate, dict(model=None, vocab=TGT, prefix=["<bos>"]), TypeError, "model"),
    (wordlm.generate, dict(model=LM, vocab=TGT, prefix=["<bos>"], max_words=True), TypeError,
     "max_words"),
    (wordlm.generate, dict(model=LM, vocab=TGT, prefix=["<bos>"], temperature=float("nan")),
     ValueError, "temperature"),
    (wordlm.generate, dict(model=LM, vocab=TGT, prefix=["<bos>"], temperature=1.0,
                           generator=RNG), TypeError, "generator"),
    (lesion_volumes, dict(n=True, rng=RNG), TypeError, "n"),
    (lesion_volumes, dict(n=2, rng=RNG, noise=float("nan")), ValueError, "noise"),
    (lesion_volumes, dict(n=2, rng=RNG, brightness="1"), TypeError, "brightness"),
    (lesion_volumes, dict(n=2, rng=RNG, blob_width=float("inf")), ValueError, "blob_width"),
    (tr.copy_source, dict(sources=3), TypeError, "sources"),
    (tr.nearest_neighbour, dict(train_pairs=PAIRS, sources=None), TypeError, "sources"),
    (d.dna_with_motif, dict(length=10, motif="TATA", rng=RNG, pos=1.5), TypeError, "pos"),
    (d.find_motif, dict(seq=None, motif="TATA"), TypeError, "seq"),
    (d.build_vocab, dict(sentences=None), TypeError, "sentences"),
    (d.build_vocab, dict(sentences=[["a"], 3]), TypeError, "sentences"),
    (d.find_motif, dict(seq="ACGT", motif=3), TypeError, "motif"),
    (s.lookup_accuracy, dict(keys_train="ab", y_train=[1, 2], keys_test=[1], y_test=[1]),
     TypeError, "keys_train"),
    (s.lookup_accuracy, dict(keys_train=[1, 2], y_train=np.zeros((2, 1, 1)), keys_test=[1],
                             y_test=[1]), ValueError, "y_train"),
    (s.ar_roots, dict(coef=[0.0, np.inf]), ValueError, "coef"),
    (s.ar_roots, dict(coef="ab"), TypeError, "coef"),
    (s.turning_points, dict(x=np.arange(20.0), half_width=2.5), TypeError, "half_width"),
    (s.rise_and_fall, dict(peaks=["a"], troughs=[1]), TypeError, "peaks"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    assert NET(S_IDS, T_IDS).shape == (1, 2, len(TGT))
    src, inputs, targets = pt.sample_batch(GROUPS, np.int64(3), RNG)
    assert len(src) == len(inputs) == len(targets) == 3
    assert len(pt.translate_prefix(NET, [PAIRS[0][0]], SRC, TGT, max_len=2)) == 1
    assert wordlm.perplexity(LOGITS, torch.tensor([[1, -100]])) == np.float32(5.0)
    assert wordlm.generate(LM, TGT, ["<bos>"], max_words=np.int64(2))[0] == "<bos>"
    assert lesion_volumes(np.int64(2), RNG, noise=0).volumes.shape == (2, 16, 16, 16)
    assert tr.copy_source((("un",),)) == [["un"]]
    assert d.find_motif("TATATA", "TATA") == [0, 2]
    assert s.rise_and_fall([5], np.array([2, 9]))[0].tolist() == [3]
