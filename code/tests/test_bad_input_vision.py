"""Bad arguments to seqbook.vision raise errors that name the argument (issue 10)."""

import numpy as np

from seqbook import vision as v

RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(size=(20, 8, 8))
LABELS = np.arange(20) % 10
POOL = v.DigitPool(IMAGES, LABELS)
ONE = np.ones(2)

CASES = [
    (v.DigitPool, dict(images=IMAGES * 16, labels=LABELS), ValueError, "images"),
    (v.DigitPool, dict(images=IMAGES.tolist(), labels=LABELS), TypeError, "images"),
    (v.DigitPool, dict(images=IMAGES, labels=LABELS.astype(float)), TypeError, "labels"),
    (v.split_digits, dict(images=IMAGES, labels=LABELS, test_fraction=np.nan, rng=RNG),
     ValueError, "test_fraction"),
    (v.split_digits, dict(images=IMAGES, labels=LABELS[:5], test_fraction=0.2, rng=RNG),
     ValueError, "labels"),
    (v.render_digits, dict(images=IMAGES[:2], size=0, cy=ONE, cx=ONE, angle=ONE, scale=ONE),
     ValueError, "size"),
    (v.render_digits, dict(images=IMAGES[:2], size=16, cy=ONE[:1], cx=ONE, angle=ONE,
                           scale=ONE), ValueError, "cy"),
    (v.render_digits, dict(images=IMAGES[:2], size=16, cy=ONE, cx=ONE, angle=ONE,
                           scale=0 * ONE), ValueError, "scale"),
    (v.render_digits, dict(images=IMAGES[:2, :4], size=16, cy=ONE, cx=ONE, angle=ONE,
                           scale=ONE), ValueError, "images"),
    (v.digit_clips, dict(pool=IMAGES, batch=2, rng=RNG), TypeError, "pool"),
    (v.digit_clips, dict(pool=POOL, batch=0, rng=RNG), ValueError, "batch"),
    (v.digit_clips, dict(pool=POOL, batch=2, rng=RNG, T=4.0), TypeError, "T"),
    (v.digit_clips, dict(pool=POOL, batch=2, rng=RNG, motions="move"), TypeError, "motions"),
    (v.digit_clips, dict(pool=POOL, batch=2, rng=None), ValueError, "rng"),
    (v.placed_digits, dict(pool=POOL, n=2, rng=RNG, size=4), ValueError, "size"),
    (v.VOCAB.decode, dict(ids=[99]), ValueError, "ids"),
    (v.VOCAB.decode, dict(ids=[-1]), ValueError, "ids"),
    (v.VOCAB.encode, dict(caption="a 3"), TypeError, "caption"),
    (v.describe, dict(digits=[12], layout="row"), ValueError, "digits"),
    (v.describe, dict(digits=[1], layout="grid"), ValueError, "layout"),
    (v.caption_canvases, dict(pool=POOL, batch=2, rng=RNG, max_digits=4), ValueError,
     "max_digits"),
    (v.encode_captions, dict(captions=[["a", "3"]], vocab=None), TypeError, "vocab"),
    (v.encode_captions, dict(captions=[]), ValueError, "captions"),
    (v.digit_strings, dict(pool=POOL, batch=2, rng=RNG, lengths=(2.5,)), TypeError, "lengths"),
    (v.digit_strings, dict(pool=POOL, batch=2, rng=RNG, gap=1), TypeError, "gap"),
    (v.digit_strings, dict(pool=POOL, batch=2, rng=RNG, width=0), ValueError, "width"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    assert v.digit_clips(POOL, 2, RNG, T=np.int64(6)).frames.shape == (2, 6, 16, 16)
    assert v.describe(np.array([3, 7]), "row") == ["a", "3", "left", "of", "a", "7"]
    assert v.VOCAB.decode([v.VOCAB.start, 3, v.VOCAB.end]) == [v.WORDS[0]]
    assert v.digit_strings(POOL, 2, RNG).images.shape[0] == 2
