"""Captions with real variation, per-digit scores, and attention over the CNN's feature map.

- `CAPTION_VOCAB`, `references`: every way our captions may say what is drawn ("a 5 above a 3",
  "a three below a five", ...): two directions x two phrasings of the relation x numerals or
  number words, 8 references per canvas.
- `varied_canvases`: the canvases of `vision.caption_canvases`, each with one caption sampled
  from its references (for training), all its references (for scoring) and its digits.
- `read_digits`, `digit_accuracy`, `template_floor`: what a caption says about the digits, and
  per-digit accuracy by position and by digit count; the "right template, random digits" floor.
- `teacher_forced_digits`, `error_after_error`: exposure bias, measured as P(digit k+1 wrong |
  digit k wrong or right) under free running and under teacher forcing.
- `AttentionCaptioner`: Show, Attend and Tell in miniature (Xu et al. 2015): at each step the
  GRU decoder scores the 6 x 6 positions of the CNN's last feature map from its state, and reads
  their weighted average with the previous word.
- `draw_canvas`, `draw_attention`: a canvas with its faint 3 x 3 grid of cells, and with the
  attention weights of one step over its 6 x 6 regions.
Taught in chapters/08_captioning_handwriting.ipynb.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from seqbook.cnn_rnn import FrameEncoder, check_images, check_words
from seqbook.plots import PALETTE
from seqbook.vision import SPECIALS, DigitPool, Vocab, caption_canvases

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
DIGIT_OF = {**{str(d): d for d in range(10)}, **{w: d for d, w in enumerate(NUMBER_WORDS)}}
# relation words in reading order (left -> right, top -> bottom) and reversed
FORWARD = {"row": (("left", "of"), ("to", "the", "left", "of")),
           "column": (("above",), ("over",))}
BACKWARD = {"row": (("right", "of"), ("to", "the", "right", "of")),
            "column": (("below",), ("under",))}
REVERSING = {"right", "below", "under"}
CAPTION_VOCAB = Vocab(SPECIALS + ("a", "an", "left", "right", "of", "to", "the", "above",
                                  "over", "below", "under")
                      + tuple(str(d) for d in range(10)) + NUMBER_WORDS)


def _say(digit: int, words: bool) -> list[str]:
    name = NUMBER_WORDS[digit] if words else str(digit)
    return ["an" if digit == 8 else "a", name]


def references(digits: Sequence[int], layout: str) -> list[list[str]]:
    """All 8 captions of digits drawn in reading order along a 'row' or a 'column': forwards
    ("a 5 above a 3") or backwards ("a 3 below a 5"), two phrasings of the relation, numerals
    or number words. One digit has 2 captions ("a 5", "a five")."""
    if layout not in FORWARD:
        raise ValueError(f"layout must be 'row' or 'column'; got {layout!r}")
    digits = [int(d) for d in digits]
    if not digits or not all(0 <= d <= 9 for d in digits):
        raise ValueError(f"digits must be a non-empty list of 0..9; got {digits}")
    out = []
    for order, relations in ((digits, FORWARD[layout]), (digits[::-1], BACKWARD[layout])):
        for relation in relations:
            for words in (False, True):
                caption: list[str] = []
                for i, d in enumerate(order):
                    caption += (list(relation) if i else []) + _say(d, words)
                if caption not in out:
                    out.append(caption)
    return out


def varied_canvases(pool: DigitPool, batch: int, rng: np.random.Generator, *,
                    backward: bool = True
                    ) -> tuple[np.ndarray, list[list[str]], list[list[list[str]]], list[list[int]]]:
    """Canvases (B, 24, 24) of `caption_canvases`, one caption per canvas drawn uniformly from
    its `references` (what a training step sees), all references, and the digits in reading
    order. With backward=False the sampled caption is one of the references that name the
    digits in reading order (no 'right', 'below', 'under'); all references are still returned."""
    if not isinstance(backward, bool):
        raise TypeError(f"backward must be True or False; got {backward!r}")
    canvases, templated = caption_canvases(pool, batch, rng)
    sampled, refs, digits = [], [], []
    for caption in templated:
        ds = [DIGIT_OF[w] for w in caption if w in DIGIT_OF]
        layout = "column" if "above" in caption else "row"
        r = references(ds, layout)
        refs.append(r)
        choices = r if backward else [c for c in r if not REVERSING & set(c)]
        sampled.append(choices[int(rng.integers(len(choices)))])
        digits.append(ds)
    return canvases, sampled, refs, digits


def _check_caption(caption: object, name: str = "caption") -> None:
    if isinstance(caption, str) or not isinstance(caption, Sequence):
        raise TypeError(f"{name} must be a list of words such as ['a', '3', 'above', 'a', '7']; "
                        f"got {type(caption).__name__} {caption!r:.40}")


def written_digits(caption: Sequence[str]) -> list[int]:
    """The digits of a caption in the order it writes them."""
    _check_caption(caption)
    return [DIGIT_OF[w] for w in caption if w in DIGIT_OF]


def read_digits(caption: Sequence[str]) -> list[int]:
    """The digits a caption says are drawn, in reading order (left to right, top to bottom):
    a caption with 'right', 'below' or 'under' lists them backwards."""
    ds = written_digits(caption)
    return ds[::-1] if REVERSING & set(caption) else ds


def digit_accuracy(digits: Sequence[Sequence[int]], captions: Sequence[Sequence[str]]
                   ) -> dict[tuple[int, int], float]:
    """Per-digit accuracy: {(n, k): fraction of canvases with n digits whose caption names the
    k-th digit in reading order right (k = 0..n-1)}; a missing digit counts as wrong."""
    if len(digits) != len(captions) or not digits:
        raise ValueError(f"need one caption per canvas (and at least one); got {len(digits)} "
                         f"digit lists and {len(captions)} captions")
    hits: dict[tuple[int, int], list[bool]] = {}
    for truth, caption in zip(digits, captions, strict=True):
        said = read_digits(caption)
        for k, d in enumerate(truth):
            hits.setdefault((len(truth), k), []).append(k < len(said) and said[k] == d)
    return {key: float(np.mean(v)) for key, v in sorted(hits.items())}


def template_floor(refs: Sequence[Sequence[Sequence[str]]], rng: np.random.Generator, *,
                   fix_articles: bool = True) -> list[list[str]]:
    """The 'right template, random digits' baseline: each canvas's first reference with every
    digit replaced by a uniformly random one (in the same form, numeral or word). With
    `fix_articles` the article follows the new digit ('an 8'); without, every article is kept,
    as in the fixed grammar of `vision.describe` ('a 8')."""
    if isinstance(refs, str) or not isinstance(refs, Sequence) or len(refs) == 0:
        raise ValueError("refs must be a non-empty list with, per canvas, a list of reference "
                         "captions (word lists)")
    for r in refs:
        if isinstance(r, str) or not isinstance(r, Sequence) or len(r) == 0:
            raise ValueError(f"refs must hold, per canvas, a non-empty list of captions; got "
                             f"{r!r:.40}")
        _check_caption(r[0], "each reference")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy Generator, e.g. np.random.default_rng(0)")
    out = []
    for r in refs:
        caption = []
        for w in r[0]:
            if w in DIGIT_OF:
                d = int(rng.integers(10))
                w = NUMBER_WORDS[d] if w in NUMBER_WORDS else str(d)
            caption.append(w)
        if fix_articles:
            caption = [("an" if c == "a" and i + 1 < len(caption)
                        and caption[i + 1] in ("8", "eight")
                        else "a" if c == "an" else c) for i, c in enumerate(caption)]
        out.append(caption)
    return out


def exact_match_any(refs: Sequence[Sequence[Sequence[str]]],
                    hyps: Sequence[Sequence[str]]) -> float:
    """Fraction of captions equal to one of their references."""
    if len(refs) != len(hyps) or not refs:
        raise ValueError(f"need one reference list per caption; got {len(refs)} and {len(hyps)}")
    return float(np.mean([list(h) in [list(r) for r in rs] for rs, h in zip(refs, hyps,
                                                                              strict=True)]))


@torch.no_grad()
def teacher_forced_digits(model: nn.Module, images: torch.Tensor,
                          captions: Sequence[Sequence[str]], vocab: Vocab = CAPTION_VOCAB
                          ) -> list[list[int]]:
    """Under teacher forcing (the true caption so far as input), the digit the model finds most
    likely at each digit position of the caption, in written order (-1 if its best word there
    is not a digit)."""
    from seqbook.vision import encode_captions

    if not isinstance(images, torch.Tensor) or images.ndim != 3:
        raise TypeError("images must be a tensor (B, height, width) of canvases; got "
                        f"{type(images).__name__} {tuple(getattr(images, 'shape', ()))}")
    if isinstance(captions, str) or len(captions) != len(images):
        raise ValueError(f"captions must be a list with one caption per image ({len(images)}); "
                         f"got {len(captions)}")
    inputs, targets = (torch.tensor(a) for a in encode_captions(captions, vocab))
    best = model(images, inputs).argmax(-1)  # (B, L)
    out = []
    for b, caption in enumerate(captions):
        row = []
        for t, w in enumerate(caption):
            if w in DIGIT_OF:
                guess = vocab.words[int(best[b, t])]
                row.append(DIGIT_OF.get(guess, -1))
        out.append(row)
    return out


def error_after_error(truth: Sequence[Sequence[int]], said: Sequence[Sequence[int]]
                      ) -> dict[str, float]:
    """Over consecutive digit pairs (k, k+1) in written order of canvases whose caption has the
    right number of digits: P(k+1 wrong | k wrong), P(k+1 wrong | k right), and the counts;
    and P(wrong), the error rate over every digit of every canvas (a missing digit is wrong)."""
    if len(truth) != len(said) or len(truth) == 0:
        raise ValueError(f"truth and said must be equally long, non-empty lists of digit lists; "
                         f"got {len(truth)} and {len(said)}")
    after_wrong, after_right = [], []
    for t, s in zip(truth, said, strict=True):
        if len(t) != len(s):
            continue
        for k in range(len(t) - 1):
            (after_wrong if s[k] != t[k] else after_right).append(s[k + 1] != t[k + 1])
    wrong = [k >= len(s) or s[k] != d
             for t, s in zip(truth, said, strict=True) for k, d in enumerate(t)]
    return {"p_wrong": float(np.mean(wrong)) if wrong else float("nan"),
            "p_wrong_after_wrong": float(np.mean(after_wrong)) if after_wrong else float("nan"),
            "p_wrong_after_right": float(np.mean(after_right)) if after_right else float("nan"),
            "n_after_wrong": len(after_wrong), "n_after_right": len(after_right)}


class AttentionCaptioner(nn.Module):
    """Show, Attend and Tell in miniature. The CNN's last map (B, 32, 6, 6) is kept as 36 region
    vectors R_j; h_0 = f as in CaptionModel; at step t
        e_tj = v^T tanh(W_r R_j + p_j + W_h h_{t-1}),  alpha_t = softmax_j(e_tj),
        c_t = sum_j alpha_tj R_j,  h_t = GRU([x_t; c_t], h_{t-1}),
        y_t = softmax(W_hy [h_t; c_t] + b_y),
    with p_j a learned vector per position (so a score can depend on where region j is)."""

    def __init__(self, vocab_size: int, size: int = 24, *, hidden: int = 128,
                 embed: int = 24, attn: int = 32,
                 channels: tuple[int, int] = (16, 32)) -> None:
        super().__init__()
        self.encoder = FrameEncoder(size, hidden, channels=channels)
        self.size, self.hidden, self.channels = size, hidden, channels[1]
        n_regions = (size // 4) ** 2
        self.embed = nn.Embedding(vocab_size, embed)
        self.w_r = nn.Linear(self.channels, attn)
        self.pos = nn.Parameter(torch.zeros(n_regions, attn))  # p_j
        self.w_h = nn.Linear(hidden, attn, bias=False)
        self.v = nn.Linear(attn, 1, bias=False)
        self.cell = nn.GRUCell(embed + self.channels, hidden)
        self.out = nn.Linear(hidden + self.channels, vocab_size)  # W_hy, b_y

    def init_state(self, images: torch.Tensor) -> torch.Tensor:
        """[h_0; R flattened]: (B, hidden + 36 * 32), the state beam search reorders."""
        check_images(images, self.size)
        z = self.encoder.conv(images[:, None])  # (B, 32, 6, 6)
        h0 = self.encoder.norm(self.encoder.proj(z.flatten(1)))  # f: (B, hidden)
        regions = z.flatten(2).transpose(1, 2)  # (B, 36, 32)
        return torch.cat([h0, regions.flatten(1)], dim=1)

    def keys(self, regions: torch.Tensor) -> torch.Tensor:
        """W_r R_j + p_j for every region: (B, 36, 32) -> (B, 36, attn)."""
        return self.w_r(regions) + self.pos  # once per image

    def attend(self, h: torch.Tensor, regions: torch.Tensor,
               keys: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Context c_t (B, 32) and weights alpha_t (B, 36) from h_{t-1}."""
        query = self.w_h(h)[:, None]  # W_h h_{t-1}: (B, 1, attn)
        scores = self.v(torch.tanh(keys + query))[..., 0]  # e_tj: (B, 36)
        alpha = torch.softmax(scores, dim=-1)  # over the 36 regions
        context = (alpha[..., None] * regions).sum(1)  # sum_j a_tj R_j
        return context, alpha

    def _step(self, x: torch.Tensor, h: torch.Tensor, regions: torch.Tensor,
              keys: torch.Tensor
              ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One word: x_t (K, E), h_{t-1} (K, H) -> logits (K, V), h_t, alpha_t."""
        c, alpha = self.attend(h, regions, keys)  # look before the word
        h = self.cell(torch.cat([x, c], dim=1), h)  # h_t: (K, H)
        return self.out(torch.cat([h, c], dim=1)), h, alpha

    def _split(self, state: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        regions = state[:, self.hidden:].reshape(len(state), -1, self.channels)
        return state[:, :self.hidden], regions  # (K, H), (K, 36, 32)

    def forward(self, images: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
        """Teacher forcing, step by step: logits (B, L, V) of the word after each input."""
        return self.run(images, inputs)[0]

    def run(self, images: torch.Tensor, inputs: torch.Tensor
            ) -> tuple[torch.Tensor, torch.Tensor]:
        """Teacher forcing: logits (B, L, V) and attention weights (B, L, 36)."""
        check_words(inputs, images)
        h, regions = self._split(self.init_state(images))
        keys, x = self.keys(regions), self.embed(inputs)  # x: (B, L, E)
        logits, alphas = [], []
        for t in range(inputs.shape[1]):
            out, h, alpha = self._step(x[:, t], h, regions, keys)
            logits.append(out)
            alphas.append(alpha)
        return torch.stack(logits, 1), torch.stack(alphas, 1)

    def step(self, tokens: torch.Tensor, state: torch.Tensor
             ) -> tuple[torch.Tensor, torch.Tensor]:
        """One decoding step: last words (K,), states (K, H + 36*32) -> log-probs (K, V), states."""
        h, regions = self._split(state)
        logits, h, _ = self._step(self.embed(tokens), h, regions, self.keys(regions))
        return torch.log_softmax(logits, dim=-1), torch.cat([h, state[:, self.hidden:]], 1)


def draw_canvas(ax, canvas: np.ndarray, title: str = "", **title_kw) -> None:
    """A 24 x 24 canvas with the faint lines of its 3 x 3 grid of 8 x 8 cells."""
    if np.shape(canvas) != (24, 24):
        raise ValueError(f"canvas must be (24, 24); got {np.shape(canvas)}")
    ax.imshow(canvas, cmap="gray_r", vmin=0, vmax=1)
    # the grid as tick gridlines (not plotted lines): the panel stays a picture
    ax.set_xticks([7.5, 15.5], labels=["", ""])
    ax.set_yticks([7.5, 15.5], labels=["", ""])
    ax.tick_params(length=0)
    ax.grid(True, color=PALETTE["grey"], lw=0.6, alpha=0.5)
    for spine in ax.spines.values():  # a frame on all four sides
        spine.set_visible(True)
        spine.set_color(PALETTE["grey"])
        spine.set_alpha(0.5)
    if title:
        ax.set_title(title, **title_kw)


def draw_attention(ax, canvas: np.ndarray, alpha: np.ndarray | torch.Tensor, title: str = "",
                   **title_kw) -> None:
    """A canvas (`draw_canvas`) with attention weights alpha over its 6 x 6 regions drawn on
    top: region j covers the 4 x 4 pixels of row j // 6 and column j % 6 (the CNN pools twice
    by 2), shaded in proportion to alpha_j / max(alpha)."""
    a = np.asarray(alpha.detach() if isinstance(alpha, torch.Tensor) else alpha, dtype=float)
    if a.shape not in ((36,), (6, 6)):
        raise ValueError(f"alpha must hold 36 weights, (36,) or (6, 6); got {a.shape}")
    if not np.all(np.isfinite(a)) or (a < 0).any() or a.max() <= 0:
        raise ValueError("alpha must be finite, non-negative weights with a positive maximum "
                         "(the softmax weights of one step)")
    draw_canvas(ax, canvas, title, **title_kw)
    ax.imshow(a.reshape(6, 6) / a.max(), cmap="Oranges", vmin=0, vmax=1, alpha=0.6,
              extent=(-0.5, 23.5, 23.5, -0.5), interpolation="nearest")
