"""Tests of seqbook.cnn_rnn: shapes, order (in)sensitivity, h_0 = f, teacher forcing vs steps."""

from __future__ import annotations

from functools import partial

import pytest
import torch
import torch.nn.functional as F

from seqbook.cnn_rnn import (
    CRNN,
    PER_MODEL,
    AttentionPool,
    C3DClassifier,
    CaptionModel,
    CNNRNNClassifier,
    FrameEncoder,
    MeanPoolClassifier,
    SliceTagger,
    SplitLayerNorm,
    _check_images,
    _check_words,
    check_images,
    check_words,
    clip_classifier,
    encode_frames,
)
from seqbook.models import SequenceModel
from seqbook.stack import SeedStack

B, T, S = 3, 6, 16


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models run fastest on one thread (and do not thrash a busy CPU)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def clip() -> torch.Tensor:
    torch.manual_seed(0)
    return torch.rand(B, T, S, S)


def test_frame_encoder_shapes_and_bad_input():
    enc = FrameEncoder(S, 20)
    f = enc(torch.rand(5, S, S))
    assert f.shape == (5, 20)
    torch.testing.assert_close(f.mean(1), torch.zeros(5), atol=1e-5, rtol=0)  # layer-normalised
    with pytest.raises(ValueError, match="multiple of 4"):
        FrameEncoder(14, 8)
    with pytest.raises(ValueError, match=r"\(N, 16, 16\)"):
        enc(torch.rand(5, 12, 12))


def test_encode_frames_applies_the_same_cnn_to_every_frame(clip):
    enc = FrameEncoder(S, 8)
    f = encode_frames(enc, clip)  # (B, T, F)
    assert f.shape == (B, T, 8)
    torch.testing.assert_close(f[1, 4], enc(clip[1, 4][None])[0])
    with pytest.raises(ValueError, match="batch, time, height, width"):
        encode_frames(enc, clip[0])


def test_mean_pool_is_blind_to_order_and_cnn_rnn_is_not(clip):
    torch.manual_seed(1)
    blind, rnn, c3d = MeanPoolClassifier(S, 2), CNNRNNClassifier(S, 2, cell="gru"), C3DClassifier(2)
    perm = torch.randperm(T)
    with torch.no_grad():
        torch.testing.assert_close(blind(clip), blind(clip[:, perm]), atol=1e-5, rtol=1e-5)
        assert not torch.allclose(rnn(clip), rnn(clip.flip(1)), atol=1e-4)
        assert not torch.allclose(c3d(clip), c3d(clip.flip(1)), atol=1e-5)
        assert c3d(clip).shape == (B, 2)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_label_comes_from_the_last_state(clip, cell):
    model = CNNRNNClassifier(S, 4, cell=cell)
    with torch.no_grad():
        out = model(clip)
        running = model.running_logits(clip)
    assert out.shape == (B, 4) and running.shape == (B, T, 4)
    torch.testing.assert_close(running[:, -1], out)
    # h_t depends only on frames 1..t: changing the last frame keeps h_1..h_{T-1}
    with torch.no_grad():
        later = clip.clone()
        later[:, -1] = 0
        torch.testing.assert_close(model.running_logits(later)[:, :-1], running[:, :-1])
    with pytest.raises(ValueError, match="readout='attention'"):
        model.attention(clip)


def test_attention_weights_are_a_distribution(clip):
    model = CNNRNNClassifier(S, 2, readout="attention")
    with torch.no_grad():
        alpha = model.attention(clip)
        out = model(clip)
    assert alpha.shape == (B, T) and out.shape == (B, 2)
    torch.testing.assert_close(alpha.sum(1), torch.ones(B))
    assert (alpha > 0).all()
    with pytest.raises(ValueError, match="readout"):
        CNNRNNClassifier(S, 2, readout="mean")


def test_attention_pool_of_equal_scores_is_the_mean():
    pool = AttentionPool(4)
    states = torch.ones(2, 5, 4) * torch.arange(5.0)[None, :, None]  # distinct states ...
    torch.nn.init.zeros_(pool.score[2].weight)  # ... but every score equal
    context, alpha = pool(states)
    torch.testing.assert_close(alpha, torch.full((2, 5), 0.2))
    torch.testing.assert_close(context, states.mean(1))


def test_caption_model_starts_from_h0_equal_f_and_steps_match_teacher_forcing():
    torch.manual_seed(2)
    model = CaptionModel(vocab_size=9, hidden=16, embed=6).eval()
    images = torch.rand(2, 24, 24)
    inputs = torch.tensor([[1, 4, 5, 6], [1, 7, 3, 3]])
    with torch.no_grad():
        logits = model(images, inputs)  # (B, L, V)
        state = model.init_state(images)
        # h_0 = f: the first GRU step from f gives the same first output
        gru_out, _ = model.rnn(model.embed(inputs[:, :1]), state[None])
        torch.testing.assert_close(model.out(gru_out[:, 0]), logits[:, 0])
        for t in range(inputs.shape[1]):
            log_probs, state = model.step(inputs[:, t], state)
            want = logits[:, t].log_softmax(-1)
            torch.testing.assert_close(log_probs, want, atol=1e-5, rtol=1e-5)
    assert logits.shape == (2, 4, 9)
    with pytest.raises(ValueError, match="batch, length"):
        model(images, inputs[:1])


def test_crnn_gives_per_column_log_probs_and_learns_ctc():
    torch.manual_seed(3)
    model = CRNN(n_symbols=3, height=10, hidden=8, channels=(4, 8))
    images = torch.rand(4, 10, 24)
    lp = model(images)
    assert lp.shape == (4, 12, 4)  # width halves once
    torch.testing.assert_close(lp.exp().sum(-1), torch.ones(4, 12))
    targets = torch.tensor([[1, 2], [3, 3], [2, 1], [1, 1]])
    ctc = torch.nn.CTCLoss(blank=0)
    lengths = torch.full((4,), 12)

    def loss() -> torch.Tensor:
        return ctc(model(images).transpose(0, 1), targets, lengths, torch.full((4,), 2))

    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = loss().item()
    for _ in range(30):
        opt.zero_grad()
        value = loss()
        value.backward()
        opt.step()
    assert loss().item() < 0.8 * first
    with pytest.raises(ValueError, match=r"\(batch, 10, width\)"):
        model(torch.rand(2, 8, 24))


@pytest.mark.parametrize("kind", ["mean", "cnn_rnn", "c3d"])
def test_clip_classifiers_stacked_by_seed_equal_the_separate_models(clip, kind):
    """A SeedStack of clip_classifier (grouped convolutions, one layer norm per seed)
    computes and trains exactly like the per-seed models, on the same batches."""
    seeds = [0, 1, 2]
    make = partial(clip_classifier, kind)
    stack = SeedStack(make, PER_MODEL, seeds).double()
    separate = []
    for seed in seeds:
        torch.manual_seed(seed)
        separate.append(make(PER_MODEL).double())
    x, y = clip.double(), torch.tensor([0, 1, 1])
    torch.testing.assert_close(stack(x), torch.stack([m(x) for m in separate]))
    opts = [torch.optim.Adam(m.parameters(), lr=1e-2) for m in [stack, *separate]]
    for _ in range(3):  # train both ways on the same batches
        for opt in opts:
            opt.zero_grad()
        sum(F.cross_entropy(out, y) for out in stack(x)).backward()
        for m in separate:
            F.cross_entropy(m(x), y).backward()
        for opt in opts:
            opt.step()
    with torch.no_grad():
        torch.testing.assert_close(stack(x), torch.stack([m(x) for m in separate]))
        for s, m in enumerate(separate):  # unstack gives back the per-seed model
            torch.testing.assert_close(stack.unstack(s)(x), m(x))


def test_grouped_frame_encoder_is_side_by_side_encoders():
    torch.manual_seed(0)
    wide = FrameEncoder(S, 2 * 6, channels=(2 * 4, 2 * 8), groups=2)
    images = torch.rand(5, S, S)
    f = wide(images)  # (5, 12): two 6-feature halves, each layer-normalised
    torch.testing.assert_close(f.unflatten(1, (2, 6)).mean(2), torch.zeros(5, 2),
                               atol=1e-5, rtol=0)
    # half 0 depends only on group 0's channels: zero group 1's weights, half 0 stays
    with torch.no_grad():
        wide.conv[3].weight[8:] = 0
        wide.proj.weight[:6, 8 * 4 * 4:] = 0
        before = wide(images)[:, :6]
        wide.conv[0].weight[4:] = 0
        torch.testing.assert_close(wide(images)[:, :6], before)


@pytest.mark.parametrize("call, error, words", [
    (lambda: FrameEncoder(14, 8), ValueError, "multiple of 4"),
    (lambda: FrameEncoder(16.0, 8), TypeError, "size must be an integer"),
    (lambda: FrameEncoder(16, 10, groups=4), ValueError, "feat must be a multiple of groups"),
    (lambda: FrameEncoder(16, 8, groups=0), ValueError, "groups must be"),
    (lambda: C3DClassifier(2, channels=(6, 16), groups=4), ValueError, r"channels\[0\]"),
    (lambda: SplitLayerNorm(2)(torch.rand(3, 5)), ValueError, "multiple of groups=2"),
    (lambda: clip_classifier("lstm"), ValueError, "kind"),
    (lambda: clip_classifier("mean", 48), ValueError, "width must be a multiple of 32"),
    (lambda: clip_classifier("mean", 16), ValueError, "width"),
    (lambda: clip_classifier("c3d", n_classes=1), ValueError, "n_classes"),
])
def test_stackable_helpers_reject_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_encode_frames_reuses_features_of_repeated_frames():
    """Frames equal to their predecessor are encoded once: the same features and the
    same gradient as encoding every frame, with fewer frames through the CNN."""
    torch.manual_seed(4)
    enc = FrameEncoder(S, 8).double()
    seen = []
    enc.register_forward_hook(lambda m, args, out: seen.append(len(args[0])))
    clips = torch.rand(3, 6, S, S, dtype=torch.float64)
    clips[0, 1:3] = clips[0, 0]  # clip 0 rests for its first three frames
    clips[2, 4:] = clips[2, 3]   # clip 2 rests for its last three frames
    clips[1, 5] = clips[2, 5]    # equal to a frame of ANOTHER clip: still encoded
    f = encode_frames(enc, clips)
    assert seen == [18 - 4]  # 4 repeats skipped
    every = enc(clips.flatten(0, 1)).unflatten(0, (3, 6))
    torch.testing.assert_close(f, every)
    w = torch.randn_like(f)
    g1 = torch.autograd.grad((f * w).sum(), enc.proj.weight)[0]
    g2 = torch.autograd.grad((enc(clips.flatten(0, 1)).unflatten(0, (3, 6)) * w).sum(),
                             enc.proj.weight)[0]
    torch.testing.assert_close(g1, g2)


def test_slice_tagger_is_a_bidirectional_sequence_model_with_a_head_per_slice():
    """blocks=1: the same numbers as SequenceModel(bidirectional=True, head='all')."""
    torch.manual_seed(0)
    tagger = SliceTagger(6, 5, 2).double()
    ref = SequenceModel("gru", 6, 5, 2, head="all", bidirectional=True).double()
    ref.load_state_dict(tagger.state_dict())
    x = torch.randn(4, 7, 6, dtype=torch.float64)
    out = tagger(x)
    assert out.shape == (4, 7, 2)
    torch.testing.assert_close(out, ref(x))
    y = x.clone()
    y[:, -1] += 1.0  # the last slice reaches the first slice's answer (backward)
    assert not torch.allclose(tagger(y)[:, 0], out[:, 0])


def test_slice_taggers_stacked_by_seed_equal_the_separate_taggers():
    """In a SeedStack, block s reads feature slice s and its own two directions."""
    def make(width):
        return SliceTagger(2 * width, width, 2 * (width // 4), blocks=width // 4)

    seeds = [0, 1, 2]
    stack = SeedStack(make, 4, seeds).double()
    separate = []
    for seed in seeds:
        torch.manual_seed(seed)
        separate.append(make(4).double())
    x = torch.randn(3, 5, 3 * 8, dtype=torch.float64)  # (B, D, 3 seeds x 8 features)
    y = torch.randint(0, 2, (3, 5))
    parts = x.split(8, dim=-1)
    each = [m(p) for m, p in zip(separate, parts, strict=True)]
    torch.testing.assert_close(stack(x), torch.stack(each))
    opts = [torch.optim.Adam(m.parameters(), lr=1e-2) for m in [stack, *separate]]
    for _ in range(3):
        for opt in opts:
            opt.zero_grad()
        sum(F.cross_entropy(out.flatten(0, 1), y.flatten()) for out in stack(x)).backward()
        for m, p in zip(separate, parts, strict=True):
            F.cross_entropy(m(p).flatten(0, 1), y.flatten()).backward()
        for opt in opts:
            opt.step()
    with torch.no_grad():
        for s, (m, p) in enumerate(zip(separate, parts, strict=True)):
            torch.testing.assert_close(stack(x)[s], m(p))
            torch.testing.assert_close(stack.unstack(s)(p), m(p))


@pytest.mark.parametrize("call, error, words", [
    (lambda: SliceTagger(0, 4, 2), ValueError, "input_size"),
    (lambda: SliceTagger(8, 4.0, 2), TypeError, "hidden must be an integer"),
    (lambda: SliceTagger(8, 4, 3, blocks=2), ValueError, "n_classes must be a multiple"),
    (lambda: SliceTagger(8, 4, 2, blocks=0), ValueError, "groups must be"),
    (lambda: SliceTagger(8, 4, 2)(torch.rand(3, 8)), ValueError, r"\(batch, slices, 8\)"),
    (lambda: SliceTagger(8, 4, 2)(torch.rand(3, 5, 6)), ValueError, r"\(batch, slices, 8\)"),
    (lambda: SliceTagger(8, 4, 2)([[0.0] * 8]), ValueError, "features must be"),
])
def test_slice_tagger_rejects_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()


@pytest.mark.parametrize("images, error, words", [
    (torch.rand(2, 12, 12), ValueError, r"\(N, 16, 16\)"),
    (torch.rand(16, 16), ValueError, r"\(N, 16, 16\)"),
    (torch.zeros(2, 16, 16, dtype=torch.long), TypeError, "float"),
    ([[0.0] * 16] * 16, TypeError, "torch.Tensor"),
])
def test_check_images_rejects_bad_images(images, error, words):
    with pytest.raises(error, match=words):
        check_images(images, 16)
    check_images(torch.rand(3, 16, 16), 16)  # a good batch passes
    assert _check_images is check_images  # the old private name still works


@pytest.mark.parametrize("inputs, error, words", [
    (torch.zeros(2, 5, dtype=torch.long), ValueError, "for 3 images"),
    (torch.zeros(3, dtype=torch.long), ValueError, r"\(batch, length\)"),
    (torch.zeros(3, 5), TypeError, "integer word ids"),
    ([[1, 2]] * 3, TypeError, "torch.Tensor"),
])
def test_check_words_rejects_bad_word_ids(inputs, error, words):
    images = torch.rand(3, 24, 24)
    with pytest.raises(error, match=words):
        check_words(inputs, images)
    check_words(torch.zeros(3, 5, dtype=torch.long), images)
    assert _check_words is check_words
