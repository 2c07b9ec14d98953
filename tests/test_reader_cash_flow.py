"""A cash-flow note (tests/fixtures/osprey-cash-flow-note.md, written for these tests: a table
whose second row gives its scale, `$ million`; figures in parentheses; rows named "Revenue from
…"; three years; and sentences that print two of the table's figures with their scale). Asked
inside its own document through the engine /ask uses (real model, real FAISS, real BM25, the
shipped reader and verifier)."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, in_its_own_document

CASH_FLOW = FIXTURES / "osprey-cash-flow-note.md"


@pytest.fixture(scope="module")
def cash_flow(report_engines):
    return in_its_own_document(report_engines(CASH_FLOW)[CASH_FLOW.stem])


@pytest.mark.parametrize(
    ("question", "printed", "row"),
    [
        ("What was the free cash flow in 2019?", "$112.5 million", "Free cash flow"),
        ("What was the amount of tax paid in 2019?", "$6.2 million", "Tax paid"),
    ],
)
def test_a_figure_the_text_prints_is_given_as_printed_and_cited_to_its_cell(cash_flow, question, printed, row):
    r = cash_flow(question)
    assert r.answered and r.spans == [printed], r.answer
    assert r.citations[0].kind == "table_row" and r.citations[0].row == row, r.citations[0]


def test_a_figure_the_text_does_not_print_is_given_as_the_table_prints_it(cash_flow):
    r = cash_flow("What was the net capital expenditure in 2018?")
    assert r.answered and r.spans == ["(11.0)"], r.answer


def test_from_in_a_row_label_is_no_change_asked(cash_flow):
    # "Revenue from freight services … in 2019 and 2018": the two figures, not their change
    r = cash_flow("What are the respective revenue from freight services in 2019 and 2018?")
    assert r.answered and r.spans == ["402.6", "377.1"], r.answer


def test_a_change_from_one_year_to_another_is_still_a_change(cash_flow):
    r = cash_flow("What was the change in revenue from warehousing from 2018 to 2019?")
    assert r.answered and r.value == pytest.approx(104.3 - 101.7), r.answer


def test_which_year_among_the_years_named(cash_flow):
    # 2019 is the largest of the row, but the question asks between 2017 and 2018
    r = cash_flow("Between 2017 and 2018, which year had the higher revenue from warehousing?")
    assert r.answered and r.spans == ["2018"], r.answer
    r = cash_flow("In which year was revenue from warehousing the highest?")
    assert r.answered and r.spans == ["2019"], r.answer


def test_a_figure_of_a_year_not_asked_is_never_given(cash_flow):
    # two years asked: a cell of a third year answers neither (it was the latest year's, 2019's)
    r = cash_flow("What were the tax paid in 2017 and 2018?")
    assert r.answered and "2019" not in (r.citations[0].column or ""), r.answer
    assert set(r.spans) <= {"(4.4)", "(5.9)"}, r.answer


@pytest.mark.parametrize(
    ("question", "years"),
    [
        # every year past the figure the question names, not the largest or smallest alone
        ("In which years was revenue from warehousing more than 100?", {"2019", "2018"}),
        ("In which year was revenue from freight services less than 380?", {"2018", "2017"}),
        # a sign word names 0
        ("In which year was the foreign exchange gain (loss) negative?", {"2019"}),
    ],
)
def test_which_years_pass_a_threshold(cash_flow, question, years):
    r = cash_flow(question)
    assert r.answered and set(r.spans) == years, r.answer


def test_a_figure_a_label_prints_sets_no_threshold(cash_flow):
    # the `90` of "over 90 days overdue" names the row: the largest year is asked
    r = cash_flow("In which year were receivables over 90 days overdue the highest?")
    assert r.answered and r.spans == ["2018"], r.answer
