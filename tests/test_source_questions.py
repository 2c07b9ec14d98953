"""Source questions answered from the source check (issue 12), and figures of passages that
carry a citation marker checked like table cells."""

from __future__ import annotations

import json

import pytest

from index.store import DB_NAME, Store
from service.answering.question import parse_question
from service.cli import main
from service.verification import verify
from tests.test_verification import widget_manifest, write_widget_corpus

FIXED_BROADBAND = "Where does the 22.52 figure for Russia's fixed broadband in 2019 come from?"
MOBILE = "Does the World Bank data agree with the paper's 2019 mobile subscriptions figure for Russia?"


# -- which questions ask for the check ---------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        FIXED_BROADBAND,
        MOBILE,
        "Does the 22.52 figure match the source data?",
        "Is Russia's 2019 fixed broadband figure consistent with the World Bank series?",
        "Do the cited statistics confirm China's 2020 mobile subscriptions?",
    ],
)
def test_source_questions_ask_for_the_check(question):
    assert parse_question(question).checks


@pytest.mark.parametrize(
    "question",
    [
        "What was Russia's fixed broadband subscriptions per 100 people in 2019?",
        "Which source do the EGDI and EPI rankings come from?",  # a source, no figure: the references
        "Did the shares of China and Russia match in 2019?",  # agreement, but of no source data
        "How many mobile subscriptions did Russia have in 2019?",
    ],
)
def test_other_questions_do_not(question):
    assert not parse_question(question).checks


# -- answers on the real corpus ----------------------------------------------------------
def test_where_a_figure_comes_from_is_said_with_its_check(corpus_engine):
    answer = corpus_engine.ask(FIXED_BROADBAND)
    assert answer.answered
    assert answer.answer == (
        "Table 6 gives 22.52; the World Bank WDI's series IT.NET.BBND.P2 [6] gives 22.52 "
        "in its OWID_WDI_2023-04 release — agrees."
    )
    assert answer.value == 22.52 and answer.unit == "per 100 people"  # the cell's
    check = answer.source_check
    assert check["verdict"] == "agrees" and check["vintage"] == "OWID_WDI_2023-04" and check["refs"] == [6]


def test_whether_the_source_agrees_is_said_with_its_check(corpus_engine):
    answer = corpus_engine.ask(MOBILE)
    assert answer.answer.startswith("Table 6 gives 164; the World Bank WDI's series IT.CEL.SETS.P2 [13] gives 164 ")
    assert answer.answer.endswith(f"in its {answer.source_check['vintage']} release — agrees.")
    assert answer.source_check["verdict"] == "agrees" and answer.source_check["vintage"].startswith("OWID_WDI_")
    assert answer.value == 164 and answer.unit == "per 100 people"
    assert answer.citations[0].table == "Table 6"


def test_a_figure_without_source_data_says_so(corpus_engine):
    answer = corpus_engine.ask("Where does the 45.5 trillion yuan figure come from?")
    assert answer.answer.startswith("Table 1 (Digital economy, 2021) gives 45.5 trillion yuan")
    assert answer.answer.endswith(
        "No dataset in the corpus stands for [20, 21, 22]: the figure cannot be checked against source data."
    )
    assert answer.value == 45.5 and answer.source_check is None


def test_an_ordinary_question_is_answered_as_before(corpus_engine):
    answer = corpus_engine.ask("What was Russia's fixed broadband subscriptions per 100 people in 2019?")
    assert answer.answer.startswith("Russia's fixed broadband subscriptions were 22.52 per 100 people in 2019 (Table 6")
    assert "agrees" not in answer.answer and answer.value == 22.52
    assert answer.source_check["verdict"] == "agrees"  # the check rides along, unsaid


def test_the_paper_s_internet_user_shares_agree_in_its_text(corpus_data):
    store = Store(corpus_data.data_dir / DB_NAME, readonly=True)
    try:
        result = verify(store, ["song-2024"])
    finally:
        store.close()
    passages = [c for c in result.cells if c.kind == "passage"]
    got = {(c.country, c.year, c.raw): c.verdict for c in passages}
    assert got == {
        ("CHN", 2010, "34"): "agrees",
        ("CHN", 2020, "70"): "agrees",
        ("RUS", 2010, "49"): "agrees",
        ("RUS", 2020, "85"): "agrees",
    }
    for c in passages:
        assert c.table is None and c.refs == [9] and c.indicator_code == "IT.NET.USER.ZS"
        assert c.source_id == "wb-internet-users" and c.vintage and c.locator and c.context
    assert sum(result.summary.values()) == len(result.cells)


# -- a constructed report ----------------------------------------------------------------
REPORT = """# Widget report

## Take-up

From 2019 to 2021, widget subscriptions in Russia grew from 25.31 to 29.9 per 100 people [2]. In 2020, widget
subscriptions in China reached 11.9 per 100 people [1]. China's widget subscriptions were 8.5 per 100 people in
2019 [1]. In 2021, widget subscriptions in Russia were 41.27 per 100 people [2]. In 2021, Russia had 3 widget
plants (not cited).

## REFERENCES

1. *Widget Subscriptions (per 100 People) — China*. Available at: <https://example.org/indicator/WGT.SUB.P2?locations=CN> (accessed 01.02.2024).
2. *Widget Subscriptions (per 100 People) — Russian Federation*. Available at: <https://example.org/indicator/WGT.SUB.P2?locations=RU> (accessed 01.02.2024).
"""
WIDGETS = [
    ("REL_A", "China", 2018, "8.5"),
    ("REL_A", "China", 2019, "9.9"),
    ("REL_A", "China", 2020, "11.35"),
    ("REL_A", "China", 2021, "12.8"),
    ("REL_A", "Russian Federation", 2019, "25.31"),
    ("REL_A", "Russian Federation", 2020, "27.46"),
    ("REL_A", "Russian Federation", 2021, "29.9"),
]
GADGETS = [("GADGETS_2024", "Russian Federation", 2021, "41.27")]


@pytest.fixture(scope="module")
def widget_text(tmp_path_factory, ingest):
    folder = tmp_path_factory.mktemp("widget-text")
    manifest = widget_manifest("widget-text", "Widget Office: Widget subscriptions, WGT.SUB.P2")
    write_widget_corpus(folder, REPORT, WIDGETS, GADGETS, manifest)
    data_dir = tmp_path_factory.mktemp("widget-text-data")
    report = ingest([folder], data_dir)
    assert not report.failed, report.failed
    return data_dir


def test_passage_figures_get_the_verdicts_of_cells(widget_text):
    store = Store(widget_text / DB_NAME, readonly=True)
    try:
        result = verify(store, ["widget-text"])
    finally:
        store.close()
    got = {(c.country, c.year, c.raw): c.verdict for c in result.cells}
    assert got == {
        ("RUS", 2019, "25.31"): "agrees",  # from 2019 to 2021 … from 25.31 to 29.9: the first year
        ("RUS", 2021, "29.9"): "agrees",  # … the last
        ("CHN", 2020, "11.9"): "differs",
        ("CHN", 2019, "8.5"): "other-period",  # 2018's figure
        ("RUS", 2021, "41.27"): "other-indicator",  # the gadgets' figure
    }, got
    by = {c.raw: c for c in result.cells}
    assert by["11.9"].source_value == 11.35 and by["11.9"].refs == [1]
    assert by["8.5"].matched_year == 2018
    assert by["41.27"].source_id == "gadgets" and by["41.27"].cited_indicator_code == "WGT.SUB.P2"
    for c in result.cells:
        assert c.kind == "passage" and c.table is None and c.locator == "Take-up" and c.passage_id
        assert c.context and c.raw in c.context


def test_cli_verify_json_lists_passage_figures(widget_text, capsys):
    assert main(["verify", "widget-text", "--data-dir", str(widget_text), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    cells = payload["cells"]
    assert len(cells) == 5 and all(c["table"] is None and c["kind"] == "passage" for c in cells)
    for c in cells:  # the contract's fields
        assert {
            "doc_id",
            "table",
            "row",
            "column",
            "value",
            "verdict",
            "source_value",
            "source_id",
            "vintage",
            "refs",
        } <= set(c)
    assert payload["summary"]["agrees"] == 2 and payload["summary"]["differs"] == 1


def test_a_source_question_about_a_passage_figure_keeps_its_answer(widget_text, embedder):
    """No table cell: the answer is as a source answer always was (the check of passage
    figures is in the verification list, not yet in answers)."""
    from service.answering.engine import Engine

    engine = Engine.load(widget_text, embedder)
    try:
        answer = engine.ask("Where does the 11.9 figure for China's widget subscriptions in 2020 come from?")
    finally:
        engine.store.close()
    assert "agrees" not in answer.answer and answer.source_check is None
