"""What a user sees of the citations (issue 11): one citation per distinct evidence (a table
once, with every cell it cites), the reference entries the cited column itself cites, and a
reference entry's URL once. Real engine over the corpus (`corpus_engine`)."""

from __future__ import annotations

import orjson
import pytest

from service.schemas import AskResponse

BROADBAND = "What were Russia's fixed broadband subscriptions per 100 people in 2019?"
FB = "Fixed broadband subscriptions (per 100 people)"
# the paper's Table 6 cites [5; 6; 12; 13] in its caption: 5 and 6 are the World Bank's fixed
# broadband series (China, Russian Federation), 12 and 13 its mobile cellular series
BROADBAND_REFS = {5, 6}
MOBILE_REFS = {12, 13}


@pytest.fixture(scope="module")
def engine(corpus_engine):
    return corpus_engine


def table_citations(answer, label):
    return [c for c in answer.citations if c.kind == "table_row" and c.table == label]


def test_a_broadband_figure_cites_table_6_once_and_only_broadband_references(engine):
    r = engine.ask(BROADBAND)
    assert r.answered and r.value == 22.52
    first = r.citations[0]
    assert (first.table, first.row, first.column) == ("Table 6", "2019", f"{FB} / Russia")
    assert table_citations(r, "Table 6") == [first]  # not one more citation per row of Table 6
    cited = {ref.n for ref in first.refs}
    assert cited and cited <= BROADBAND_REFS and not cited & MOBILE_REFS
    assert cited == {6}  # the Russian Federation's series: the Russia column's own source
    china = engine.ask("What was China's fixed broadband subscription rate per 100 people in 2016?")
    assert {ref.n for ref in china.citations[0].refs} == {5}
    mobile = engine.ask("How many mobile cellular subscriptions per 100 people did Russia have in 2015?")
    assert {ref.n for ref in mobile.citations[0].refs} == {13}


def test_evidence_over_several_rows_lists_the_table_once_with_its_cells(engine):
    r = engine.ask("How much did Russia's fixed broadband subscriptions per 100 people grow from 2015 to 2020?")
    assert r.answered and r.value is not None and abs(r.value - 4.69) < 1e-6, r.answer
    tables = table_citations(r, "Table 6")
    assert len(tables) == 1, [c.locator for c in r.citations]
    cells = {(cell.row, cell.column) for cell in tables[0].cells}
    assert cells == {("2020", f"{FB} / Russia"), ("2015", f"{FB} / Russia")}
    assert (tables[0].cells[0].row, tables[0].cells[0].column) == (tables[0].row, tables[0].column)
    # the JSON keeps every field and adds `cells`
    as_json = orjson.loads(orjson.dumps(r))
    assert AskResponse.model_validate(as_json).model_dump(mode="json") == as_json
    assert as_json["citations"][0]["cells"] == [
        {"row": "2020", "column": f"{FB} / Russia"},
        {"row": "2015", "column": f"{FB} / Russia"},
    ]


def test_two_columns_of_one_row_are_one_citation_with_both_columns_references(engine):
    r = engine.ask("Which country had more fixed broadband subscriptions per 100 people in 2020, China or Russia?")
    assert r.answered and r.value == 33.6
    (table6,) = table_citations(r, "Table 6")
    assert [cell.column for cell in table6.cells] == [f"{FB} / China", f"{FB} / Russia"]
    assert {ref.n for ref in table6.refs} == BROADBAND_REFS


def test_a_passage_is_cited_once(engine):
    for question in (BROADBAND, "How large was China's digital economy in 2020?", "What was India's GDP in 2019?"):
        r = engine.ask(question)
        keys = [(c.doc_id, c.locator, c.snippet) for c in r.citations if c.kind == "passage"]
        assert len(keys) == len(set(keys)), question
        tables = [(c.doc_id, c.table) for c in r.citations if c.kind == "table_row"]
        assert len(tables) == len(set(tables)), question


def test_a_reference_entry_shows_its_url_once(engine):
    stored = engine.corpus.docs["song-2024"].references[5]
    assert stored.url and stored.url in stored.text  # the paper prints it: `Available at: <https://…>`
    r = engine.ask("What was China's fixed broadband subscription rate per 100 people in 2016?")
    refs = [ref for c in r.citations for ref in c.refs]
    assert any(ref.n == 5 for ref in refs)
    for ref in refs:
        assert ref.url is None or ref.url not in ref.text, ref
    entry = next(ref for ref in r.citations[0].refs if ref.n == 5)
    assert entry.url == stored.url
    assert entry.text == "Fixed Broadband Subscriptions (per 100 People) — China. (accessed 02.10.2022). (In Eng.)"
