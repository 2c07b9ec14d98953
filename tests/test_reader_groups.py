"""A report table whose rows come in groups (tests/fixtures/harbor-pay-note.md, written for
these tests: pay of executive management and of non-executive directors, each group headed by
a row without figures and closed by an unlabelled subtotal, the same item label in both
groups). Asked inside its own document through the engine /ask uses (real model, real FAISS,
real BM25, the shipped reader and verifier)."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, in_its_own_document

PAY = FIXTURES / "harbor-pay-note.md"


@pytest.fixture(scope="module")
def pay(report_engines):
    return in_its_own_document(report_engines(PAY)[PAY.stem])


@pytest.mark.parametrize(
    ("question", "value", "row"),
    [
        # `Share-based payments` is a row of both groups: the group the question names is the one
        (
            "What were the share-based payments of the non-executive directors in 2019?",
            95,
            "Non-executive directors · Share-based payments",
        ),
        (
            "What were the share-based payments for executive management in 2018?",
            455,
            "Executive management · Share-based payments",
        ),
        ("What were the fees paid to non-executive directors in 2017?", 340, "Non-executive directors · Fees"),
    ],
)
def test_a_grouped_row_is_read_under_its_group(pay, question, value, row):
    r = pay(question)
    assert r.answered and r.value == pytest.approx(value), r.answer
    assert r.citations[0].row == row, r.citations[0]


def test_an_unlabelled_subtotal_is_its_group_s_figure(pay):
    r = pay("What was the total compensation of the non-executive directors in 2019?")
    assert r.answered and r.value == pytest.approx(480), r.answer
    assert r.citations[0].row == "Non-executive directors"


def test_a_list_of_items_stays_within_the_group_asked(pay):
    r = pay("What are the components of executive management compensation?")
    assert r.answered and r.spans == ["Salaries and benefits", "Share-based payments"], r.answer


def test_an_average_over_a_range_of_years_takes_the_years_between(pay):
    r = pay("What was the average salaries and benefits from 2017 to 2019?")
    assert r.answered and r.value == pytest.approx((2140 + 1985 + 1870) / 3), r.answer
    assert r.answer.startswith("The average of Executive management, Salaries and benefits"), r.answer
