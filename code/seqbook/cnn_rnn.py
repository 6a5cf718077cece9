"""Small CNN + RNN hybrids for video, captions and handwriting, sized for a laptop CPU.

- `FrameEncoder`: two conv layers that turn one image F_t into a feature vector f_t.
- `CNNRNNClassifier`: frames -> f_t -> RNN h_t -> label from h_T (or from attention over h_t).
- `MeanPoolClassifier`: the order-blind baseline that averages f_t over time.
- `C3DClassifier`: a tiny 3D CNN (convolutions over time and space at once, no RNN).
- `clip_classifier`: any of those three, S copies side by side (grouped convolutions), so
  that a `seqbook.stack.SeedStack` trains S seeds as one model.
- `AttentionPool`: a learned weighted average of states, returning its weights.
- `AttentionRNN`: an RNN over frame features read out by attention pooling instead of h_T.
- `SliceTagger`: a bidirectional GRU over the slice features of a volume, a label per slice.
- `CaptionModel`: CNN encoder with h_0 = f, GRU decoder with a softmax over words.
- `CRNN`: CNN column features -> bidirectional LSTM -> per-column log-probs for CTC.
- `check_images`, `check_words`: the input checks of the image and caption models.
Taught in chapters/07_video_cnn_rnn.ipynb and chapters/08_captioning_handwriting.ipynb.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from seqbook import checks as _checks
from seqbook.models import SequenceModel


def _conv_stack(channels: tuple[int, int], pools: tuple = (2, 2),
                groups: int = 1) -> nn.Sequential:
    """conv 3x3 -> ReLU -> max-pool, twice: the whole 'CNN' of this chapter.
    groups > 1: the second conv splits into `groups` independent convs."""
    c1, c2 = channels
    return nn.Sequential(nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(pools[0]),
                         nn.Conv2d(c1, c2, 3, padding=1, groups=groups), nn.ReLU(),
                         nn.MaxPool2d(pools[1]))


class FrameEncoder(nn.Module):
    """f = CNN(F): (N, S, S) images -> (N, feat) feature vectors, normalised
    to zero mean and unit variance over the features (a layer norm).

    groups > 1 builds `groups` CNNs side by side (one per seed of a
    SeedStack): the second conv is grouped, each group normalised alone."""

    def __init__(self, size: int, feat: int,
                 channels: tuple[int, int] = (8, 16), groups: int = 1) -> None:
        super().__init__()
        _check_size(size)
        _check_groups(groups, {"feat": feat, "channels[0]": channels[0],
                               "channels[1]": channels[1]})
        self.size = size
        self.conv = _conv_stack(channels, groups=groups)
        self.proj = nn.Linear(channels[1] * (size // 4) ** 2, feat)
        self.norm = (nn.LayerNorm(feat, elementwise_affine=False) if groups == 1
                     else SplitLayerNorm(groups))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        check_images(images, self.size)
        z = self.conv(images[:, None])  # (N, C, S/4, S/4)
        return self.norm(self.proj(z.flatten(1)))  # (N, feat)


def _check_size(size: int) -> None:
    _checks.integer("size", size, hint=" (pixels, a multiple of 4)")
    if size % 4:
        raise ValueError(f"size must be a positive multiple of 4 (two 2x2 poolings); "
                         f"got {size!r}")


def _check_groups(groups: int, sizes: dict[str, int]) -> None:
    _checks.integer("groups", groups, hint=" (1 for one CNN, S for S side by side)")
    for name, n in sizes.items():
        if n % groups:
            raise ValueError(f"{name} must be a multiple of groups={groups}; got {n}")


class SplitLayerNorm(nn.Module):
    """Layer norm (no learned scale) of each of `groups` equal slices of the
    last axis: the normalisation of `groups` FrameEncoders side by side."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        _check_groups(groups, {})
        self.groups = groups

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] % self.groups:
            raise ValueError(f"x's last axis must be a multiple of groups={self.groups}; "
                             f"got shape {tuple(x.shape)}")
        parts = x.unflatten(-1, (self.groups, -1))  # (..., groups, d)
        return F.layer_norm(parts, parts.shape[-1:]).flatten(-2)


def check_images(images: torch.Tensor, size: int) -> None:
    """Raise unless `images` is a (N, size, size) float tensor of square images, the input
    of a FrameEncoder built for `size` pixels."""
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"images must be a torch.Tensor of shape (N, {size}, {size}); "
                        f"got {type(images).__name__}")
    if images.ndim != 3 or images.shape[1:] != (size, size):
        raise ValueError(f"images must be (N, {size}, {size}); got {tuple(images.shape)}")
    if not images.is_floating_point():
        raise TypeError(f"images must be a float tensor (pixel values); got {images.dtype}")


_check_images = check_images  # the old private name, still imported by captions.py


def _check_clip(frames: torch.Tensor) -> None:
    if frames.ndim != 4:
        raise ValueError(f"frames must be (batch, time, height, width); got {tuple(frames.shape)}")


def encode_frames(encoder: nn.Module, frames: torch.Tensor) -> torch.Tensor:
    """Apply the same CNN to every frame: (B, T, S, S) -> (B, T, feat).

    A frame identical to the one before it (a digit at rest) gives the same
    features, so the CNN runs only on the frames that differ from their
    predecessor and the others reuse those features: the same result (and
    gradient) for less work."""
    _check_clip(frames)
    B, T = frames.shape[:2]
    flat = frames.flatten(0, 1)  # (B T, S, S)
    new = torch.ones(B, T, dtype=torch.bool, device=frames.device)
    new[:, 1:] = (frames[:, 1:] != frames[:, :-1]).flatten(2).any(-1)
    new = new.flatten()  # (B T,) True where a frame differs from the last
    if new.all():
        return encoder(flat).unflatten(0, (B, T))  # (B, T, F)
    which = torch.cumsum(new, 0) - 1  # each frame -> its distinct frame
    return encoder(flat[new])[which].unflatten(0, (B, T))  # (B, T, F)


class AttentionPool(nn.Module):
    """alpha_t = softmax_t(v . tanh(W_a h_t + b_a)); returns
    (c = sum_t alpha_t h_t, alpha)."""

    def __init__(self, hidden: int, attn: int = 16, heads: int = 1) -> None:
        super().__init__()
        if heads < 1 or hidden % heads:
            raise ValueError(f"heads must be a positive divisor of hidden={hidden}; got {heads}")
        self.heads = heads  # heads > 1: each pools its own slice of h_t (for SeedStack)
        self.score = nn.Sequential(nn.Linear(hidden, attn), nn.Tanh(),
                                   nn.Linear(attn, heads, bias=False))

    def forward(self, states: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        if self.heads > 1:
            return self._forward_heads(states)
        e = self.score(states).squeeze(-1)  # (B, T) scores e_t
        alpha = torch.softmax(e, dim=1)  # (B, T)
        return (alpha[..., None] * states).sum(1), alpha  # (B, H), (B, T)

    def _forward_heads(self, states: torch.Tensor
                       ) -> tuple[torch.Tensor, torch.Tensor]:
        alpha = torch.softmax(self.score(states), dim=1)  # (B, T, heads)
        parts = states.unflatten(-1, (self.heads, -1))  # (B, T, heads, H / heads)
        context = (alpha[..., None] * parts).sum(1).flatten(1)  # (B, H)
        return context, alpha.transpose(1, 2)  # (B, H), (B, heads, T)


class AttentionRNN(nn.Module):
    """x_t (B, T, input_size) -> RNN states h_t -> attention pooling
    c = sum_t alpha_t h_t -> class logits (B, C).

    The gradient from the label reaches every h_t directly through c,
    not only through h_T. `heads` > 1 pools equal slices of h_t
    separately (one per seed of a SeedStack). Taught in
    chapters/07_video_cnn_rnn.ipynb (attention over a plain RNN).
    """

    def __init__(self, cell: str, input_size: int, hidden: int,
                 n_classes: int, *, attn: int = 16, heads: int = 1) -> None:
        super().__init__()
        self.seq = SequenceModel(cell, input_size, hidden, n_classes,
                                 head="all")
        self.attend = AttentionPool(hidden, attn * heads, heads)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 3:
            raise ValueError(f"x must be (batch, time, features); "
                             f"got {tuple(x.shape)}")
        out, _ = self.seq.rnn(x)  # (B, T, H)
        return self.seq.head(self.attend(out)[0])  # (B, C)

    def attention(self, x: torch.Tensor) -> torch.Tensor:
        """The attention weights alpha over time: (B, T)."""
        return self.attend(self.seq.rnn(x)[0])[1]


class CNNRNNClassifier(nn.Module):
    """frames F_t -> CNN f_t -> RNN h_t -> class logits from h_T
    (readout='last') or from attention over all h_t (readout='attention')."""

    def __init__(self, size: int, n_classes: int, *, feat: int = 32,
                 hidden: int = 32, cell: str = "lstm",
                 readout: str = "last", channels: tuple[int, int] = (8, 16),
                 groups: int = 1) -> None:
        super().__init__()
        _check_readout(readout)
        self.readout = readout
        self.encoder = FrameEncoder(size, feat, channels, groups)
        self.seq = SequenceModel(cell, feat, hidden, n_classes, head="last")
        self.attend = AttentionPool(hidden) if readout == "attention" else None

    def states(self, frames: torch.Tensor) -> torch.Tensor:
        """Hidden states h_1..h_T: (B, T, hidden)."""
        out, _ = self.seq.rnn(encode_frames(self.encoder, frames))
        return out

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        if self.attend is None:  # logits (B, C) from h_T
            return self.seq(encode_frames(self.encoder, frames))
        context, _ = self.attend(self.states(frames))
        return self.seq.head(context)

    def attention(self, frames: torch.Tensor) -> torch.Tensor:
        """The attention weights alpha (B, T) over frames (readout='attention' only)."""
        if self.attend is None:
            raise ValueError("this model reads h_T; build it with readout='attention'")
        return self.attend(self.states(frames))[1]

    def running_logits(self, frames: torch.Tensor) -> torch.Tensor:
        """The head applied to every h_t: what the model would answer after t frames (B, T, C)."""
        return self.seq.head(self.states(frames))


def _check_readout(readout: str) -> None:
    if readout not in ("last", "attention"):
        raise ValueError(f"readout must be 'last' or 'attention'; got {readout!r}")


class MeanPoolClassifier(nn.Module):
    """Order-blind baseline: logits = W mean_t f_t + b; shuffling the frames changes nothing.
    `channels` and `groups` are passed to the FrameEncoder."""

    def __init__(self, size: int, n_classes: int, *, feat: int = 32,
                 channels: tuple[int, int] = (8, 16), groups: int = 1) -> None:
        super().__init__()
        self.encoder = FrameEncoder(size, feat, channels, groups)
        self.head = nn.Linear(feat, n_classes)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        return self.head(encode_frames(self.encoder, frames).mean(1))  # (B, C)


CLIP_MODELS = ("mean", "cnn_rnn", "c3d")
PER_MODEL = 32  # features and hidden units of one clip classifier in clip_classifier


def clip_classifier(kind: str, width: int = PER_MODEL, *, cell: str = "gru",
                    n_classes: int = 2, size: int = 16) -> nn.Module:
    """width // 32 copies side by side of one of the chapter's clip classifiers
    ('mean': MeanPoolClassifier, 'cnn_rnn': CNNRNNClassifier, 'c3d': C3DClassifier),
    each with 32 features (and hidden units), CNN channels (8, 16) and n_classes outputs.
    `make = functools.partial(clip_classifier, kind)` lets a SeedStack train several seeds
    as one model: its convolutions are grouped by seed, not masked block-diagonal ones."""
    _checks.choice("kind", kind, CLIP_MODELS)
    _checks.integer("width", width, minimum=PER_MODEL, hint=f" (a multiple of {PER_MODEL})")
    _checks.integer("n_classes", n_classes, minimum=2)
    if width % PER_MODEL:
        raise ValueError(f"width must be a multiple of {PER_MODEL} (one model per "
                         f"{PER_MODEL} units); got {width}")
    k = width // PER_MODEL
    channels = (8 * k, 16 * k)
    if kind == "mean":
        return MeanPoolClassifier(size, k * n_classes, feat=width, channels=channels, groups=k)
    if kind == "cnn_rnn":
        return CNNRNNClassifier(size, k * n_classes, feat=width, hidden=width, cell=cell,
                                channels=channels, groups=k)
    return C3DClassifier(k * n_classes, channels=channels, groups=k)


class C3DClassifier(nn.Module):
    """A tiny 3D CNN: 3x3x3 convolutions slide over time as well as space, then max-pool.
    groups > 1: `groups` such CNNs side by side (the second conv grouped), for a SeedStack."""

    def __init__(self, n_classes: int, channels: tuple[int, int] = (8, 16),
                 groups: int = 1) -> None:
        super().__init__()
        c1, c2 = channels
        _check_groups(groups, {"channels[0]": c1, "channels[1]": c2})
        self.conv = nn.Sequential(
            nn.Conv3d(1, c1, 3, padding=1), nn.ReLU(), nn.MaxPool3d((1, 2, 2)),
            nn.Conv3d(c1, c2, 3, padding=1, groups=groups), nn.ReLU(),
            nn.AdaptiveMaxPool3d(1))
        self.head = nn.Linear(c2, n_classes)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        _check_clip(frames)
        return self.head(self.conv(frames[:, None]).flatten(1))  # (B, C)


class SliceTagger(nn.Module):
    """Features of the slices of a volume (B, D, input_size) -> bidirectional GRU ->
    logits (B, D, n_classes) for every slice, from both directions' states at that slice.

    blocks > 1 holds `blocks` taggers side by side, for a SeedStack (make(width) =
    SliceTagger(2 * width, width, 2 * k, blocks=k), k = width // hidden of one): block s
    reads the s-th slice of the features, and its head reads its own forward and backward
    states. Taught in chapters/07_video_cnn_rnn.ipynb (medical image sequences).
    """

    def __init__(self, input_size: int, hidden: int, n_classes: int,
                 blocks: int = 1) -> None:
        super().__init__()
        for name, n in (("input_size", input_size), ("hidden", hidden),
                        ("n_classes", n_classes)):
            _checks.integer(name, n, hint=" (a positive size)")
        _check_groups(blocks, {"input_size": input_size, "hidden": hidden,
                               "n_classes": n_classes})
        self.input_size, self.blocks = input_size, blocks
        self.rnn = nn.GRU(input_size, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, n_classes)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        if (not isinstance(features, torch.Tensor) or features.ndim != 3
                or features.shape[-1] != self.input_size):
            got = tuple(features.shape) if isinstance(features, torch.Tensor) else features
            raise ValueError(f"features must be (batch, slices, {self.input_size}); got {got}")
        out, _ = self.rnn(features)  # (B, D, 2 H): [forward | backward]
        if self.blocks > 1:  # -> [forward_s, backward_s] for each block s
            out = out.unflatten(-1, (2, self.blocks, -1)).transpose(-3, -2).flatten(-3)
        return self.head(out)  # (B, D, C)


class CaptionModel(nn.Module):
    """Show and Tell in miniature: f = CNN(image), h_0 = f,
    h_t = GRU(x_t, h_{t-1}), y-hat_t = softmax(W_hy h_t + b_y): next word."""

    def __init__(self, vocab_size: int, size: int = 24, *,
                 hidden: int = 96, embed: int = 24) -> None:
        super().__init__()
        self.encoder = FrameEncoder(size, hidden, channels=(16, 32))
        self.embed = nn.Embedding(vocab_size, embed)
        self.rnn = nn.GRU(embed, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab_size)  # W_hy, b_y

    def init_state(self, images: torch.Tensor) -> torch.Tensor:
        """h_0 = f = CNN(image): (B, hidden)."""
        return self.encoder(images)

    def forward(self, images: torch.Tensor,
                inputs: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: logits (B, L, V) of the word after each input."""
        check_words(inputs, images)
        h0 = self.init_state(images)[None]  # (1, B, H)
        out, _ = self.rnn(self.embed(inputs), h0)  # (B, L, H)
        return self.out(out)

    def step(self, tokens: torch.Tensor, state: torch.Tensor
             ) -> tuple[torch.Tensor, torch.Tensor]:
        """One decoding step: last words (K,) and states (K, H)
        -> log-probs of the next word (K, V) and new states (K, H)."""
        x = self.embed(tokens)[:, None]  # (K, 1, E)
        out, h = self.rnn(x, state[None].contiguous())
        return torch.log_softmax(self.out(out[:, 0]), dim=-1), h[0]


def check_words(inputs: torch.Tensor, images: torch.Tensor) -> None:
    """Raise unless `inputs` is a (batch, length) tensor of integer word ids with one row
    per image of `images`, as a caption decoder reads them under teacher forcing."""
    if not isinstance(inputs, torch.Tensor):
        raise TypeError(f"inputs must be a torch.Tensor of word ids, shape (batch, length); "
                        f"got {type(inputs).__name__}")
    if inputs.ndim != 2 or inputs.shape[0] != images.shape[0]:
        raise ValueError(f"inputs must be (batch, length) word ids for {images.shape[0]} "
                         f"images; got {tuple(inputs.shape)}")
    if inputs.is_floating_point() or inputs.is_complex() or inputs.dtype == torch.bool:
        raise TypeError(f"inputs must hold integer word ids (torch.long); got {inputs.dtype}")


_check_words = check_words  # the old private name, still imported by captions.py


class CRNN(nn.Module):
    """CNN over a text line -> a feature vector per column -> BiLSTM ->
    log-probs (B, T, C), class 0 the CTC blank, 1..n_symbols the symbols."""

    def __init__(self, n_symbols: int = 10, height: int = 10, *,
                 hidden: int = 48,
                 channels: tuple[int, int] = (16, 32)) -> None:
        super().__init__()
        self.height = height
        # pools 2x2 then 2x1: the height shrinks 4-fold, the width 2-fold
        self.conv = _conv_stack(channels, pools=(2, (2, 1)))
        cols = channels[1] * (height // 4)  # numbers per column
        self.norm = nn.LayerNorm(cols, elementwise_affine=False)
        self.rnn = nn.LSTM(cols, hidden, batch_first=True,
                           bidirectional=True)
        self.out = nn.Linear(2 * hidden, n_symbols + 1)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        _check_line(images, self.height)
        z = self.conv(images[:, None])  # (B, C, height/4, W/2)
        cols = z.flatten(1, 2).transpose(1, 2)  # (B, T=W/2, C*height/4)
        out, _ = self.rnn(self.norm(cols))  # (B, T, 2*hidden)
        return torch.log_softmax(self.out(out), dim=-1)  # (B, T, C)


def _check_line(images: torch.Tensor, height: int) -> None:
    if images.ndim != 3 or images.shape[1] != height:
        raise ValueError(f"images must be (batch, {height}, width); got {tuple(images.shape)}")

