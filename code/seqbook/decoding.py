"""Turning a sequence model's scores into output sequences, and scoring those sequences.

- Caption decoding drives a `step(tokens (K,), state (K, ...)) -> (log_probs (K, V), state)`
  function: `greedy_decode` takes the most likely word at every step; `beam_search` keeps the
  `beam_size` most likely prefixes and returns the most likely finished sequence it saw
  (`beam_search_batch` runs it for a whole batch with one `step` call per time step).
- CTC decoding: `ctc_greedy_decode` takes the best class per frame, collapses repeats and drops
  blanks (`ctc_collapse`).
- Metrics on token lists: `exact_match`, `token_accuracy`, `corpus_bleu` (Papineni et al. 2002),
  and `corpus_bleu_multi` with several references per hypothesis.
- `table_step` makes a step function from a hand-written table of next-word probabilities, for
  worked examples whose answer is known by construction.
Taught in chapters/08_captioning_handwriting.ipynb.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

import torch

from seqbook import checks as _checks

StepFn = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


def _check_decode_args(start_id: int, end_id: int, max_len: int) -> None:
    _checks.integer("start_id", start_id, minimum=0, hint=" (a token id)")
    _checks.integer("end_id", end_id, minimum=0, hint=" (a token id)")
    _checks.integer("max_len", max_len, minimum=None, hint=" (words to decode at most)")
    if max_len < 1:
        raise ValueError(f"max_len must be at least 1 word; got {max_len}")
    if start_id == end_id:
        raise ValueError("start_id and end_id must be different tokens")


def table_step(table: dict[tuple[int, ...], Sequence[float]], vocab_size: int) -> StepFn:
    """A step function whose next-word probabilities are looked up by the prefix so far.

    `table` maps a prefix of word ids (without <start>) to probabilities over all `vocab_size`
    ids; missing prefixes get a uniform distribution. The decoder state is the (K, t) tensor of
    ids fed so far, so beam search can reorder it like a real hidden state. Start from
    `torch.zeros((batch, 0), dtype=torch.long)`.
    """
    _checks.integer("vocab_size", vocab_size, minimum=1)
    if not isinstance(table, dict):
        raise TypeError(f"table must be a dict from prefix tuples to probabilities; got "
                        f"{type(table).__name__}")
    for prefix, probs in table.items():
        if not isinstance(prefix, tuple):
            raise TypeError(f"table keys must be tuples of word ids such as (3, 1); got "
                            f"{prefix!r}")
        if any(not math.isfinite(p) or p < 0 for p in probs):
            raise ValueError(f"table[{prefix}] must hold finite probabilities >= 0; got "
                             f"{list(probs)}")
        if len(probs) != vocab_size or abs(sum(probs) - 1.0) > 1e-6:
            raise ValueError(f"table[{prefix}] must hold {vocab_size} probabilities summing to 1; "
                             f"got {list(probs)}")
    uniform = [1.0 / vocab_size] * vocab_size

    def step(tokens: torch.Tensor, state: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        state = torch.cat([state, tokens[:, None]], dim=1)  # (K, t+1), starts with <start>
        probs = [table.get(tuple(row[1:]), uniform) for row in state.tolist()]
        return torch.tensor(probs, dtype=torch.float64).clamp(min=1e-300).log(), state

    return step


@torch.no_grad()
def greedy_decode(step: StepFn, state: torch.Tensor, start_id: int, end_id: int,
                  max_len: int) -> tuple[list[list[int]], torch.Tensor]:
    """Most likely word at each step, for a batch of B states: returns the B sequences (without
    <start> and <end>) and their log-probabilities (B,) including the <end> word if emitted."""
    _checks.function("step", step)
    _check_state(state)
    _check_decode_args(start_id, end_id, max_len)
    B = state.shape[0]
    tokens = torch.full((B,), start_id, dtype=torch.long)
    logp = torch.zeros(B, dtype=torch.float64)
    done = torch.zeros(B, dtype=torch.bool)
    seqs: list[list[int]] = [[] for _ in range(B)]
    for _ in range(max_len):
        log_probs, state = step(tokens, state)  # (B, V)
        best, tokens = log_probs.max(dim=-1)
        logp += torch.where(done, 0.0, best.double())
        for b in range(B):
            if not done[b] and tokens[b] != end_id:
                seqs[b].append(int(tokens[b]))
        done |= tokens == end_id
        if done.all():
            break
    return seqs, logp


@torch.no_grad()
def beam_search(step: StepFn, state: torch.Tensor, start_id: int,
                end_id: int, max_len: int,
                beam_size: int = 3) -> tuple[list[int], float]:
    """The most likely sequence found by keeping `beam_size` live prefixes.

    For ONE input (state (1, ...)). At every step each live prefix is
    extended by every word. An extension by <end> that ranks among the
    `beam_size` best is a finished sequence and is set aside; the
    `beam_size` best other extensions form the next beam, so it stays
    full. Returns the best finished sequence (without <start>/<end>) and
    its log-probability, which includes log p(<end>). If no <end> ranked
    among the best by `max_len`, the best <end> extension of any rank is
    returned instead: an unfinished prefix is never returned.
    """
    _check_beam_args(state, start_id, end_id, max_len, beam_size)
    prefixes: list[list[int]] = [[]]
    scores = torch.zeros(1, dtype=torch.float64)  # (K,) live log-probs
    tokens = torch.tensor([start_id])
    best_seq, best_score = None, -math.inf  # best finished so far
    spare_seq, spare_score = None, -math.inf  # best <end>, any rank
    for _ in range(max_len):
        log_probs, state = step(tokens, state)  # (K, V)
        total = scores[:, None] + log_probs.double()  # (K, V)
        V = total.shape[1]
        k = int(total[:, end_id].argmax())  # best <end> now, any rank
        if total[k, end_id] > spare_score:
            spare_seq, spare_score = prefixes[k], float(total[k, end_id])
        n = min(2 * beam_size, total.numel())  # <= K of them are <end>
        top, flat = total.flatten().topk(n)
        keep = []  # (score, prefix row, word) of the next beam
        for rank, (s, f) in enumerate(zip(top.tolist(), flat.tolist(),
                                          strict=True)):
            k, w = divmod(f, V)
            if w != end_id:
                keep.append((s, k, w))
            elif rank < beam_size and s > best_score:  # finished: set aside
                best_seq, best_score = prefixes[k], s
        keep = keep[:beam_size]
        if not keep or keep[0][0] <= best_score:
            break  # log-probs only fall: no live prefix can win now
        rows = torch.tensor([k for _, k, _ in keep])
        prefixes = [prefixes[k] + [w] for _, k, w in keep]
        scores = torch.tensor([s for s, _, _ in keep], dtype=torch.float64)
        tokens, state = torch.tensor([w for _, _, w in keep]), state[rows]
    if best_seq is None:  # no <end> in the beam: the best one of any rank
        if spare_seq is None or spare_score == -math.inf:
            raise ValueError(f"no sequence reached <end> (id {end_id}) "
                             f"within max_len={max_len} steps: raise max_len")
        return spare_seq, spare_score
    return best_seq, best_score


@torch.no_grad()
def beam_search_batch(step: StepFn, state: torch.Tensor, start_id: int, end_id: int,
                      max_len: int, beam_size: int = 3) -> list[tuple[list[int], float]]:
    """`beam_search` for each of the B inputs of a batch state (B, ...), at once.

    Every time step makes ONE call of `step` for the live hypotheses of all inputs (their
    rows side by side), instead of one call per input; the search of each input is that of
    `beam_search(step, state[i:i + 1], ...)`, so input i gets the (sequence, log-probability)
    that call returns (up to the rounding of a batched `step`).
    """
    _check_state(state)
    _check_decode_args(start_id, end_id, max_len)
    _checks.function("step", step)
    _checks.integer("beam_size", beam_size, minimum=None, hint=" (1 is greedy)")
    if beam_size < 1:
        raise ValueError(f"beam_size must be at least 1 (1 is greedy); got {beam_size}")
    B = state.shape[0]
    if B < 1:
        raise ValueError("state must hold at least one input (batch size >= 1)")
    prefixes: list[list[list[int]]] = [[[]] for _ in range(B)]
    scores = [torch.zeros(1, dtype=torch.float64) for _ in range(B)]  # live log-probs
    best: list[tuple[list[int] | None, float]] = [(None, -math.inf)] * B
    spare: list[tuple[list[int] | None, float]] = [(None, -math.inf)] * B
    live, tokens = list(range(B)), torch.full((B,), start_id, dtype=torch.long)
    for _ in range(max_len):
        log_probs, state = step(tokens, state)  # (live rows, V)
        rows, words, still, offset = [], [], [], 0
        for i in live:
            K = len(prefixes[i])
            total = scores[i][:, None] + log_probs[offset:offset + K].double()  # (K, V)
            V = total.shape[1]
            k = int(total[:, end_id].argmax())  # best <end> now, any rank
            if total[k, end_id] > spare[i][1]:
                spare[i] = prefixes[i][k], float(total[k, end_id])
            n = min(2 * beam_size, total.numel())  # <= K of them are <end>
            top, flat = total.flatten().topk(n)
            keep = []  # (score, prefix row, word) of input i's next beam
            for rank, (s, f) in enumerate(zip(top.tolist(), flat.tolist(), strict=True)):
                k, w = divmod(f, V)
                if w != end_id:
                    keep.append((s, k, w))
                elif rank < beam_size and s > best[i][1]:  # finished: set aside
                    best[i] = prefixes[i][k], s
            keep = keep[:beam_size]
            if keep and keep[0][0] > best[i][1]:  # some live prefix can still win
                rows += [offset + k for _, k, _ in keep]
                words += [w for _, _, w in keep]
                prefixes[i] = [prefixes[i][k] + [w] for _, k, w in keep]
                scores[i] = torch.tensor([s for s, _, _ in keep], dtype=torch.float64)
                still.append(i)
            offset += K
        live = still
        if not live:
            break
        tokens, state = torch.tensor(words), state[torch.tensor(rows)]
    out = []
    for i in range(B):
        seq, score = best[i] if best[i][0] is not None else spare[i]
        if seq is None or score == -math.inf:
            raise ValueError(f"no sequence reached <end> (id {end_id}) within max_len={max_len} "
                             f"steps for input {i}: raise max_len")
        out.append((seq, score))
    return out


def _check_state(state: object) -> None:
    shape = getattr(state, "shape", None)  # a tensor, or a state object such as DecoderState
    if shape is None or len(shape) < 1 or not hasattr(state, "__getitem__"):
        raise TypeError(f"state must be a tensor (or indexable state) whose first axis is the "
                        f"batch; got "
                        f"{type(state).__name__} of shape {tuple(getattr(state, 'shape', ()))}")


def _check_beam_args(state: torch.Tensor, start_id: int, end_id: int,
                     max_len: int, beam_size: int) -> None:
    _check_state(state)
    _check_decode_args(start_id, end_id, max_len)
    _checks.integer("beam_size", beam_size, minimum=None, hint=" (1 is greedy)")
    if beam_size < 1:
        raise ValueError(f"beam_size must be at least 1 (1 is greedy); got {beam_size}")
    if state.shape[0] != 1:
        raise ValueError(f"beam_search decodes one input: state must have batch size 1; got "
                         f"{state.shape[0]} (loop over the batch)")


@torch.no_grad()
def sequence_log_prob(step: StepFn, state: torch.Tensor, start_id: int, end_id: int,
                      sequence: Sequence[int]) -> float:
    """log P(sequence, then <end>) under the model, for one input (state (1, ...))."""
    _checks.function("step", step)
    _check_state(state)
    if state.shape[0] != 1:
        raise ValueError(f"state must have batch size 1 (one input); got {state.shape[0]}")
    _checks.integer("start_id", start_id, minimum=0, hint=" (a token id)")
    _checks.integer("end_id", end_id, minimum=0, hint=" (a token id)")
    if isinstance(sequence, (str, bytes)) or not all(
            isinstance(w, int) and not isinstance(w, bool) and w >= 0 for w in list(sequence)):
        raise TypeError(f"sequence must be a list of token ids >= 0 (without <start>/<end>); "
                        f"got {sequence!r}")
    tokens = [start_id] + list(sequence)
    targets = list(sequence) + [end_id]
    total = 0.0
    for x, y in zip(tokens, targets, strict=True):
        log_probs, state = step(torch.tensor([x]), state)
        total += float(log_probs[0, y])
    return total


def ctc_collapse(path: Sequence[int], blank: int = 0) -> list[int]:
    """CTC's many-to-one map: merge runs of the same class, then drop blanks."""
    _checks.integer("blank", blank, minimum=0, hint=" (the blank class id)")
    _checks.array("path", path, 1, "(a 1-D sequence of class ids)",
                  kind="int", min_size=0)
    out, prev = [], None
    for c in path:
        if c != prev and c != blank:
            out.append(int(c))
        prev = c
    return out


def ctc_greedy_decode(log_probs: torch.Tensor, blank: int = 0,
                      lengths: Sequence[int] | None = None) -> list[list[int]]:
    """Best path decoding: argmax class per frame of (B, T, C) scores, then `ctc_collapse`."""
    if not isinstance(log_probs, torch.Tensor):
        raise TypeError(f"log_probs must be a (batch, time, classes) torch tensor; got "
                        f"{type(log_probs).__name__}")
    if log_probs.ndim != 3:
        raise ValueError(f"log_probs must be (batch, time, classes); got {tuple(log_probs.shape)}")
    _checks.array("log_probs", log_probs, 3, "(batch, time, classes)", kind="float")
    _checks.integer("blank", blank, minimum=None, hint=" (the blank class id)")
    if not 0 <= blank < log_probs.shape[2]:
        raise ValueError(f"blank={blank} is not a class index below {log_probs.shape[2]}")
    best = log_probs.argmax(-1).tolist()  # (B, T)
    if lengths is None:
        lengths = [log_probs.shape[1]] * log_probs.shape[0]
    lengths = _checks.lengths("lengths", lengths, len(best), log_probs.shape[1], minimum=0)
    return [ctc_collapse(path[:n], blank) for path, n in zip(best, lengths, strict=True)]


def _check_pairs(refs: Sequence, hyps: Sequence) -> None:
    for name, seqs in (("refs", refs), ("hyps", hyps)):
        if isinstance(seqs, (str, bytes)) or not hasattr(seqs, "__len__"):
            raise TypeError(f"{name} must be a list of token sequences; got {type(seqs).__name__}")
        for s in seqs:  # a str is a fine sequence of characters (digit strings in chapter 8)
            if not hasattr(s, "__len__") or not hasattr(s, "__getitem__"):
                raise TypeError(f"{name} must be a list of token sequences (lists of tokens or "
                                f"strings); got an element {s!r}")
    if len(refs) != len(hyps) or not len(refs):
        raise ValueError(f"need as many hypotheses as references (and at least one); got "
                         f"{len(refs)} references, {len(hyps)} hypotheses")


def exact_match(refs: Sequence[Sequence], hyps: Sequence[Sequence]) -> float:
    """Fraction of hypotheses identical to their reference."""
    _check_pairs(refs, hyps)
    return sum(list(r) == list(h) for r, h in zip(refs, hyps, strict=True)) / len(refs)


def token_accuracy(refs: Sequence[Sequence], hyps: Sequence[Sequence]) -> float:
    """Fraction of reference positions whose token the hypothesis has at the same position."""
    _check_pairs(refs, hyps)
    if not any(max(len(r), len(h)) for r, h in zip(refs, hyps, strict=True)):
        raise ValueError("refs and hyps hold no tokens at all: pass at least one non-empty "
                         "reference or hypothesis")
    pairs = zip(refs, hyps, strict=True)
    hits = sum(sum(a == b for a, b in zip(r, h, strict=False)) for r, h in pairs)  # unequal lengths
    return hits / sum(max(len(r), len(h)) for r, h in zip(refs, hyps, strict=True))


def _ngrams(tokens: Sequence, n: int) -> Counter:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu(refs: Sequence[Sequence], hyps: Sequence[Sequence], max_n: int = 4) -> float:
    """Corpus BLEU with one reference each: geometric mean of clipped n-gram precisions
    (n = 1..max_n, counts summed over the corpus) times the brevity penalty."""
    _check_pairs(refs, hyps)
    _checks.integer("max_n", max_n, minimum=None, hint=" (longest n-gram, usually 4)")
    if max_n < 1:
        raise ValueError(f"max_n must be at least 1; got {max_n}")
    log_p = 0.0
    for n in range(1, max_n + 1):
        hit = total = 0
        for r, h in zip(refs, hyps, strict=True):
            hn, rn = _ngrams(list(h), n), _ngrams(list(r), n)
            hit += sum(min(c, rn[g]) for g, c in hn.items())  # clipped counts
            total += sum(hn.values())
        if hit == 0:
            return 0.0
        log_p += math.log(hit / total) / max_n
    ref_len, hyp_len = sum(len(r) for r in refs), sum(len(h) for h in hyps)
    brevity = 1.0 if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
    return brevity * math.exp(log_p)


def corpus_bleu_multi(refs: Sequence[Sequence[Sequence]], hyps: Sequence[Sequence],
                      max_n: int = 4) -> float:
    """Corpus BLEU with SEVERAL references per hypothesis (Papineni et al. 2002): an n-gram is
    credited at most as often as the reference that has it most often, and the brevity penalty
    uses, per hypothesis, the reference length closest to its length."""
    _check_pairs(refs, hyps)
    if max_n < 1:
        raise ValueError(f"max_n must be at least 1; got {max_n}")
    if any(len(rs) == 0 for rs in refs):
        raise ValueError("every hypothesis needs at least one reference")
    log_p = 0.0
    for n in range(1, max_n + 1):
        hit = total = 0
        for rs, h in zip(refs, hyps, strict=True):
            hn, most = _ngrams(list(h), n), Counter()
            for r in rs:
                most |= _ngrams(list(r), n)  # max count of each n-gram over the references
            hit += sum(min(c, most[g]) for g, c in hn.items())
            total += sum(hn.values())
        if hit == 0:
            return 0.0
        log_p += math.log(hit / total) / max_n
    hyp_len = sum(len(h) for h in hyps)
    ref_len = sum(min((abs(len(r) - len(h)), len(r)) for r in rs)[1]
                  for rs, h in zip(refs, hyps, strict=True))
    brevity = 1.0 if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
    return brevity * math.exp(log_p)
