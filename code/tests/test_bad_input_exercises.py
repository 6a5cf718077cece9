"""A learner's wrong-type answer gets a clear message from the exercise checks (issue 10):
feedback that says what to pass or return, never a deep numpy or torch traceback."""

import importlib
import inspect

import numpy as np
import pytest
import torch

from seqbook.exercises import call_learner, learner_array, learner_number
from seqbook.exercises.ch08 import check_ctc_collapse


def test_call_learner_reports_a_non_function():
    result, message = call_learner([1, 2], 3)
    assert result is None and "pass your function" in message


@pytest.mark.parametrize("answer", [lambda p, b: ["1"], lambda p, b: [[1]], lambda p, b: [1.5]])
def test_ctc_check_rejects_non_integer_classes(answer, capsys):
    assert check_ctc_collapse(answer) is False
    assert "integer classes" in capsys.readouterr().out


def test_ctc_check_accepts_a_correct_collapse():
    def collapse(path, blank):
        out, prev = [], None
        for c in path:
            if c != prev and c != blank:
                out.append(c)
            prev = c
        return out

    assert check_ctc_collapse(collapse) is True


# ----------------------------------------- every check_ helper of chapters 1-3, 5-7, 9-11

CHAPTERS = ["ch01", "ch02", "ch03", "ch05", "ch06", "ch07", "ch09", "ch10", "ch11"]
NOT_FUNCTIONS = {"check_activation_bytes"}  # takes the learner's number, tested below


def _checks_taking_a_function():
    for ch in CHAPTERS:
        module = importlib.import_module(f"seqbook.exercises.{ch}")
        for name, check in inspect.getmembers(module, inspect.isfunction):
            if (name.startswith("check_") and check.__module__ == module.__name__
                    and name not in NOT_FUNCTIONS
                    and list(inspect.signature(check).parameters) == ["fn"]):
                yield pytest.param(check, id=f"{ch}.{name}")


WRONG_ANSWERS = {  # what a learner may pass, and words the feedback must contain
    "a value, not the function": (np.zeros(3), "pass your function"),
    "returns None": (lambda *a: None, "return"),
    "returns a string": (lambda *a: "abc", ""),
    "returns a dict": (lambda *a: {"x": 1}, ""),
    "returns NaN": (lambda *a: float("nan"), ""),
    "returns an empty array": (lambda *a: np.zeros(0), ""),
    "returns (None, None)": (lambda *a: (None, None), ""),
    "raises": (lambda *a: 1 / 0, "ZeroDivisionError"),
}


@pytest.mark.parametrize("check", list(_checks_taking_a_function()))
@pytest.mark.parametrize("answer", list(WRONG_ANSWERS), ids=list(WRONG_ANSWERS))
def test_check_gives_feedback_not_a_traceback(check, answer, capsys):
    fn, words = WRONG_ANSWERS[answer]
    assert check(fn) is False
    out = capsys.readouterr().out
    assert out.strip(), "the check must say what went wrong"
    assert words.lower() in out.lower()


def test_every_chapter_has_function_checks():
    assert len(list(_checks_taking_a_function())) >= 20


@pytest.mark.parametrize(("check", "args"), [
    ("ch07.check_order_blind", ("1",)),
    ("ch07.check_order_blind", (None,)),
    ("ch07.check_receptive_field", (2.5,)),
    ("ch07.check_receptive_field", (True,)),
    ("ch07.check_cnn_passes", ("16000", 320000)),
    ("ch07.check_cnn_passes", (16000, [320000])),
    ("ch01.check_connection_types", (["one-to-one"],)),
    ("ch01.check_connection_types", ("many-to-one",)),
    ("ch03.check_activation_bytes", ("abc", 3, 2, 4, 8)),
    ("ch03.check_activation_bytes", (None, 3, 2, 4, 8)),
])
def test_answer_of_the_wrong_type_gets_feedback(check, args, capsys):
    ch, name = check.split(".")
    assert getattr(importlib.import_module(f"seqbook.exercises.{ch}"), name)(*args) is False
    out = capsys.readouterr().out.lower()
    assert "give" in out or "pass" in out


def test_right_numbers_still_pass(capsys):
    from seqbook.exercises import ch07

    assert ch07.check_order_blind(1) and ch07.check_order_blind(np.int64(1))
    assert ch07.check_receptive_field(5.0)
    assert ch07.check_cnn_passes(16_000, 320_000)


@pytest.mark.parametrize(("value", "result", "words"), [
    (None, None, "forget `return`"),
    ("3", None, "got '3'"),
    (True, None, "got True"),
    (np.zeros(2), None, "one value"),
    (float("inf"), None, "inf"),
    (np.float32(2.5), 2.5, None),
    (torch.tensor([3]), 3.0, None),
])
def test_learner_number(value, result, words):
    got, message = learner_number(value, "the count")
    assert got == result
    assert (message is None) if words is None else (words in message)


@pytest.mark.parametrize(("value", "shape", "words"), [
    (None, (2,), "forget `return`"),
    ("ab", (2,), "numbers"),
    ([["a", "b"]], None, "not numeric"),
    ([1.0, 2.0, 3.0], (2,), "shape (3,)"),
    ([1.0, np.nan], (2,), "NaN"),
    ({"a": 1}, None, "dict"),
])
def test_learner_array_says_what_to_return(value, shape, words):
    got, message = learner_array(value, shape, "h_t")
    assert got is None and words in message


def test_learner_array_accepts_lists_and_tensors():
    got, message = learner_array(torch.ones(2, requires_grad=True), (2,))
    assert message is None and got.dtype == np.float64 and got.tolist() == [1.0, 1.0]
    assert learner_array([[1, 2]], (1, 2))[0].tolist() == [[1.0, 2.0]]
