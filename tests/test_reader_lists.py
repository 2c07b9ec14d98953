"""Questions that ask for a list of a table's items or periods, on a results statement written
for these tests (tests/fixtures/tern-results-statement.md: an income statement with a subtotal,
revenue by region with its total). Asked inside its own document through the engine /ask uses
(real model, real FAISS, real BM25, the shipped reader and verifier)."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, in_its_own_document

STATEMENT = FIXTURES / "tern-results-statement.md"


@pytest.fixture(scope="module")
def statement(report_engines):
    return in_its_own_document(report_engines(STATEMENT)[STATEMENT.stem])


def test_the_regions_making_up_a_total_are_named_not_their_figures(statement):
    r = statement("What are the regions in the table making up the total revenue?")
    assert r.answered and r.spans == ["United Kingdom", "Netherlands"], r.answer


def test_the_components_of_a_subtotal_are_the_rows_above_it(statement):
    r = statement("What are the components of operating profit?")
    assert r.answered and r.spans == ["Revenue", "Cost of sales", "Administrative expenses"], r.answer


def test_the_years_a_table_covers(statement):
    r = statement("Which years does the income statement provide information for?")
    assert r.answered and sorted(r.spans) == ["2018", "2019"], r.answer
