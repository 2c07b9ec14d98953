"""A segment note (tests/fixtures/kestrel-segments-note.md, written for these tests: revenue by
segment with its total, operating margins as percentages, a sentence of two rates for two years
"respectively", and a sentence pointing at a table and a note by number). Asked inside its own
document through the engine /ask uses (real model, real FAISS, real BM25, the shipped reader and
verifier)."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, in_its_own_document

SEGMENTS = FIXTURES / "kestrel-segments-note.md"


@pytest.fixture(scope="module")
def segments(report_engines):
    return in_its_own_document(report_engines(SEGMENTS)[SEGMENTS.stem])


@pytest.mark.parametrize(
    ("question", "segment", "year", "figure"),
    [
        # the total is the largest figure of each column, and no segment
        ("Which segment had the largest net revenue in fiscal 2019?", "Test and measurement", 2019, "$412,530"),
        ("Which segment had the largest net revenue in fiscal 2018?", "Test and measurement", 2018, "$398,114"),
        # the row the answer names is cited under its group (`Net revenue: · Test and
        # measurement`): the question need not have said it
        ("Which segment had the highest net revenue in fiscal 2019?", "Test and measurement", 2019, "$412,530"),
    ],
)
def test_which_segment_is_one_of_the_items_not_their_total(segments, question, segment, year, figure):
    r = segments(question)
    assert r.answered and r.spans == [segment], r.answer
    assert r.answer.startswith(f"{segment} — the highest Net revenue in {year}: {figure}"), r.answer


def test_a_total_asked_about_is_read_as_a_total(segments):
    r = segments("What was the total net revenue in fiscal 2019?")
    assert r.answered and r.value == pytest.approx(817677), r.answer
    assert r.citations[0].row == "Net revenue: · Total net revenue", r.citations[0]


def test_the_percentage_change_of_a_rate_is_its_change_in_points(segments):
    r = segments(
        "What was the percentage change in the operating margin of industrial sensors from fiscal 2018 to fiscal 2019?"
    )
    assert r.answered and r.value == pytest.approx(12.6 - 14.0), r.answer


def test_of_two_rates_for_two_years_respectively_the_one_of_the_year_asked(segments):
    r = segments("What was the weighted average interest rate on the revolving credit facility in fiscal 2018?")
    assert r.answered and r.spans == ["3.65%"], r.answer


@pytest.mark.parametrize(
    ("question", "segment"),
    [
        # `fiscal` of "in fiscal 2018" says when, with the year; the table names no `revenue` … `fiscal`
        ("Which segment had the highest revenue in fiscal 2018?", "Test and measurement"),
        # the group's heading row (`Operating margin:`, no figures) ranks nothing; the items ranked
        # are that group's, not the revenue group's
        ("Which segment had the lowest operating margin in fiscal 2019?", "Medical devices"),
    ],
)
def test_which_segment_in_a_fiscal_year(segments, question, segment):
    r = segments(question)
    assert r.answered and r.spans == [segment], r.answer


def test_the_items_ranked_are_the_asked_groups_only(segments):
    r = segments("Which segment had the lowest operating margin in fiscal 2019?")
    assert r.answered and "9.8%" in r.answer and "412,530" not in r.answer, r.answer
