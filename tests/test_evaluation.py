"""Scoring rules of `citeqa eval` (pure functions on hand-written responses) and one run of
the command end to end. No accuracy targets here: the answerer is judged by `make eval`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from service.evaluation import (
    EvalInputError,
    Report,
    judge,
    load_questions,
    numbers_in,
    render,
    retrieval_hits,
    score_answer,
    score_citation,
)
from tests.conftest import ROOT


def cite(table=None, refs=(), snippet="", doc_id="song-2024", locator=""):
    return {
        "doc_id": doc_id,
        "kind": "table_row" if table else "passage",
        "locator": locator or table or "",
        "table": table,
        "refs": [{"n": n, "text": f"reference {n}", "url": None} for n in refs],
        "snippet": snippet,
    }


def response(answer="", value=None, answered=True, citations=()):
    return {"answered": answered, "answer": answer, "value": value, "unit": None, "citations": list(citations)}


CELL = {
    "id": "t1",
    "kind": "table_cell",
    "question": "q",
    "numbers": [22.52],
    "text": [],
    "table": "Table 6",
    "refs": [5, 6],
}


# -- answers -------------------------------------------------------------------------
def test_right_value():
    assert score_answer(CELL, response("Russia had 22.52 subscriptions per 100 people in 2019.", value=22.52))


def test_wrong_value_even_if_the_sentence_names_the_gold_number():
    assert not score_answer(CELL, response("22.52 in 2018, 25.1 in 2019.", value=25.1))


def test_value_within_half_a_percent():
    assert score_answer(CELL, response("about 22.6", value=22.6))  # 0.36 % off
    assert not score_answer(CELL, response("about 22.7", value=22.7))  # 0.8 % off


def test_number_in_sentence_without_value():
    assert score_answer(CELL, response("Russia: 22.52 per 100 people in 2019 (Table 6) [5]."))


def test_number_in_sentence_with_too_many_figures():
    listing = "Figures: 18.5, 19.7, 21.2, 22.52 and 23.1 in 2019."
    assert not score_answer(CELL, response(listing))
    years_do_not_count = "From 2015 to 2019 and 2020: 18.5, 19.7, 21.2, 22.52."
    assert score_answer(CELL, response(years_do_not_count))


def test_thousand_separators():
    item = {**CELL, "numbers": [108381]}
    assert score_answer(item, response("The figure was 108 381 in 2020."))
    assert score_answer(item, response("The figure was 108,381 in 2020."))
    assert score_answer({**CELL, "numbers": [153181]}, response("USA: US$153,181 billion in 2021."))
    assert [f.value for f in numbers_in("108 381 in 2020, 22.52%, 1,396.5")] == [108381, 2020, 22.52, 1396.5]
    assert [f.is_year for f in numbers_in("In 2019 it was 5G and B2C 1,361")] == [True, False]


def test_not_answered_is_wrong_for_a_figure():
    assert not score_answer(CELL, response("The documents do not say.", answered=False))


def test_compare_may_match_in_sentence():
    item = {"kind": "compare", "question": "q", "numbers": [33.6], "text": ["China"], "table": "Table 6", "refs": []}
    assert score_answer(item, response("China had more: 33.6 against 22.5 per 100 people in 2020.", value=11.1))
    assert not score_answer(item, response("Russia had more: 33.6 against 22.5.", value=11.1))


def test_text_found_in_snippet_or_reference():
    item = {"kind": "source", "question": "q", "numbers": [], "text": ["UNCTAD"], "table": "Table 12", "refs": [3, 4]}
    in_snippet = cite("Table 12", snippet="Source: UNCTAD B2C E-commerce Index")
    assert score_answer(item, response("Table 12 cites [3] and [4].", citations=[in_snippet]))
    in_ref = {**cite("Table 12"), "refs": [{"n": 3, "text": "UNCTAD (2021). B2C index.", "url": None}]}
    assert score_answer(item, response("See the references.", citations=[in_ref]))
    assert not score_answer(item, response("See the references.", citations=[cite("Table 12", refs=[3])]))


def test_source_needs_the_citation_too():
    item = {"kind": "source", "question": "q", "numbers": [], "text": ["UNCTAD"], "table": "Table 12", "refs": [3]}
    wrong_place = cite("Table 7", refs=[1], snippet="UNCTAD")
    assert not score_answer(item, response("UNCTAD", citations=[wrong_place]))


def test_abstain_right_and_wrong():
    item = {"kind": "abstain", "question": "q", "numbers": [], "text": [], "table": None, "refs": []}
    assert score_answer(item, response("The documents do not say.", answered=False))
    assert not score_answer(item, response("It was 3.2 trillion.", value=3.2))


def test_missing_value():
    item = {"kind": "missing", "question": "q", "numbers": [], "text": [], "table": "Table 9", "refs": []}
    assert score_answer(item, response("The documents do not say.", answered=False))
    assert score_answer(item, response("Table 9 has no value for Russia in 2018: the cell is missing."))
    assert not score_answer(item, response("Russia scored 41.2 in 2018.", value=41.2))


# -- citations -----------------------------------------------------------------------
def test_citation_by_table():
    assert score_citation(CELL, response(citations=[cite(None), cite("Table 6")]))
    assert score_citation({**CELL, "table": "table  6"}, response(citations=[cite("Table 6")]))
    assert not score_citation(CELL, response(citations=[cite("Table 5")]))


def test_citation_by_ref():
    assert score_citation(CELL, response(citations=[cite(None, refs=[9]), cite(None, refs=[6])]))
    assert not score_citation(CELL, response(citations=[cite(None, refs=[9])]))


def test_citation_only_top_three_count():
    late = [cite("Table 1"), cite("Table 2"), cite("Table 3"), cite("Table 6")]
    assert not score_citation(CELL, response(citations=late))


def test_citation_not_judged_without_gold():
    item = {"kind": "prose", "question": "q", "numbers": [1.396], "text": [], "table": None, "refs": []}
    assert score_citation(item, response(citations=[cite("Table 6")])) is None
    assert retrieval_hits(item, [cite("Table 6")]) is None


def test_retrieval_hits():
    results = [cite("Table 5"), cite(None, refs=[5]), cite("Table 6")]
    assert retrieval_hits(CELL, results) == {1: False, 5: True}
    assert retrieval_hits(CELL, [cite("Table 6")]) == {1: True, 5: True}


# -- summary -------------------------------------------------------------------------
@pytest.mark.unit
def test_summary_by_language():
    ru = {**CELL, "lang": "ru"}
    zh = {"kind": "abstain", "lang": "zh", "question": "q", "numbers": [], "text": [], "table": None, "refs": []}
    report = Report(
        [
            judge(ru, response("22,52", value=22.52, citations=[cite("Table 6")])),  # right and cited
            judge(ru, response("22.52", value=22.52, citations=[cite("Table 5")])),  # right, wrong citation
            judge(zh, response("", answered=False)),  # right, no citation judged
            judge({**ru, "lang": None}, response("9", value=9)),
        ]
    )
    summary = report.summary()
    assert summary["by_lang"]["ru"] == {
        "n": 2,
        "answer_accuracy": 1.0,
        "citation_accuracy": 0.5,
        "right_and_cited": 0.5,
    }
    assert summary["by_lang"]["zh"]["right_and_cited"] == 1.0
    assert summary["by_lang"][None]["answer_accuracy"] == 0.0
    assert "right+cited" in render(summary)


@pytest.mark.unit
def test_multilingual_question_files_load():
    """The files behind `make eval-multilingual` (eval/README.md) read, with a `where` for every gold."""
    for name, langs in (
        ("paper_multilingual.jsonl", {"ru", "zh"}),
        ("paper_crosslingual.jsonl", {"en"}),
        ("paper_crosslingual_dev.jsonl", {"en"}),
    ):
        items = load_questions(ROOT / "eval" / name)
        assert {i["lang"] for i in items} == langs
        assert all(i.get("where") for i in items)
        assert len({i["id"] for i in items}) == len(items)


@pytest.mark.unit
def test_the_question_forms_file_loads():
    """`make eval-forms` (eval/README.md): English questions with a gold figure, or `abstain`."""
    items = load_questions(ROOT / "eval" / "paper_forms.jsonl")
    assert len({i["id"] for i in items}) == len(items) == 51
    assert {i["lang"] for i in items} == {"en"}
    assert all(i["numbers"] or i["kind"] == "abstain" for i in items)


# -- input ---------------------------------------------------------------------------
def test_bad_input_names_the_line(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "ok"}\n\n{"id": "x"}\n')
    with pytest.raises(EvalInputError, match=r"q\.jsonl:3: missing `question`"):
        load_questions(path)
    path.write_text('{"question": "ok"}\n{not json\n')
    with pytest.raises(EvalInputError, match=r"q\.jsonl:2: invalid JSON"):
        load_questions(path)
    with pytest.raises(EvalInputError, match="no question file"):
        load_questions(tmp_path / "absent.jsonl")


# -- end to end ----------------------------------------------------------------------
def test_citeqa_eval_json(corpus_data, tmp_path):
    questions = [
        {"id": "e1", "kind": "table_cell", "question": "What were Russia's fixed broadband subscriptions per 100 people in 2019?", "numbers": [22.52], "text": [], "table": "Table 6", "refs": [5, 6]},
        {"id": "e2", "kind": "prose", "question": "How many 5G base stations had China built by November 2021?", "numbers": [1.396], "text": [], "table": None, "refs": []},
        {"id": "e3", "kind": "abstain", "question": "What was Atlantis's digital economy size in 2020?", "numbers": [], "text": [], "table": None, "refs": []},
    ]  # fmt: skip
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(q) for q in questions) + "\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "eval", str(path), "--json", "--data-dir", str(corpus_data.data_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)  # with --json, stdout is the JSON object alone
    assert set(summary) >= {
        "n",
        "answer_accuracy",
        "citation_accuracy",
        "abstention_accuracy",
        "hit_at_1",
        "hit_at_5",
        "by_kind",
        "failures",
    }
    assert summary["n"] == 3
    assert set(summary["by_kind"]) == {"table_cell", "prose", "abstain"}
    assert all(set(k) == {"n", "answer_accuracy", "citation_accuracy"} for k in summary["by_kind"].values())
    assert "retrieval hit@5" in result.stderr, "the human report goes to stderr"

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "fine"}\n{"oops": 1}\n')
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "eval", str(bad), "--data-dir", str(corpus_data.data_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2 and "bad.jsonl:2" in result.stderr and "Traceback" not in result.stderr
