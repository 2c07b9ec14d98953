"""A note whose total row is printed without a label (tests/fixtures/heron-deferred-income-note.md,
written for these tests: `| | 51.2 | 49.5 |` under `Current` and `Non-current`, as annual reports
print a note's total). Asked inside its own document through the engine /ask uses (real model,
real FAISS, real BM25, the shipped reader and verifier)."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, in_its_own_document

NOTE = FIXTURES / "heron-deferred-income-note.md"


@pytest.fixture(scope="module")
def note(report_engines):
    return in_its_own_document(report_engines(NOTE)[NOTE.stem])


def test_the_unlabelled_total_is_the_total(note):
    r = note("What is the total amount of deferred income in 2019?")
    assert r.answered and r.spans == ["51.2"], r.answer
    assert r.citations[0].kind == "table_row" and r.citations[0].row == "Total", r.citations[0]


def test_the_last_item_is_not_the_total(note):
    # the unlabelled row was read as more of `Non-current` (a row span): 51.2 was its figure too
    r = note("What was the non-current deferred income in 2018?")
    assert r.answered and r.spans == ["11.3"], r.answer
    assert r.citations[0].row == "Non-current", r.citations[0]
