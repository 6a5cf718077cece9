"""A learner's wrong-type answer gets a clear message from the exercise checks (issue 10)."""

import pytest

from seqbook.exercises import call_learner
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
