"""The robustness suite (service/robustness.py): each perturbation on made-up questions, the
suite's determinism and selection, the "answered the same" rule, and one run through the real
engine."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from service.evaluation import load_questions
from service.robustness import (
    KINDS,
    Comparison,
    Variant,
    abbreviation,
    compare_form,
    compare_forms,
    double_letter,
    drop_letter,
    lower,
    no_apostrophes,
    parse_comparison,
    render,
    reorder,
    run_robustness,
    same_answer,
    suite,
    swap_letters,
    typo,
    typo_candidates,
    variants,
)

ROOT = Path(__file__).resolve().parent.parent
unit = pytest.mark.unit


# -- typo ----------------------------------------------------------------------------
@unit
def test_typo_candidates_are_lower_case_content_words_of_five_letters():
    # not: names (China's, Peru), acronyms (GDP, OECD), short words, stop words (among), digits
    q = "What was China's GDP per capita in 2019 among OECD members like Peru and g20x?"
    assert typo_candidates(q) == [(25, "capita"), (51, "members")]
    assert typo_candidates("Who is the CEO of IBM?") == []


@unit
def test_letter_edits():
    assert swap_letters("economy", 2) == "ecnoomy"
    assert drop_letter("economy", 3) == "ecoomy"
    assert double_letter("economy", 1) == "ecconomy"


@unit
def test_typo_changes_one_inner_letter_of_one_candidate_word():
    assert typo("Where is Paris located?", random.Random(1)) == "Where is Paris loocated?"
    assert typo("Where is Paris located?", random.Random(2)) == "Where is Paris loacted?"
    assert typo("Who is the CEO of IBM?", random.Random(1)) is None
    for seed in range(40):  # first and last letters stay; the word always changes
        out = typo("What was the turnover of Acme?", random.Random(seed))
        word = out.split()[3]
        assert out.replace(word, "turnover") == "What was the turnover of Acme?"
        assert word != "turnover" and word[0] == "t" and word[-1] == "r"


# -- lower, apostrophes --------------------------------------------------------------
@unit
def test_lower():
    assert lower("What was the GDP of France in 2019?") == "what was the gdp of france in 2019?"
    assert lower("already lower case?") is None


@unit
def test_no_apostrophes():
    assert no_apostrophes("What was Brazil's share of the region's exports?") == (
        "What was Brazils share of the regions exports?"
    )
    assert no_apostrophes("What was Brazil’s share?") == "What was Brazils share?"
    assert no_apostrophes("What was the share of Brazil?") is None


# -- abbreviation --------------------------------------------------------------------
@unit
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many mobile subscriptions per 100 people did Peru have?", "How many mobile subscriptions per 100 ppl did Peru have?"),
        ("What was the year-on-year growth of sales?", "What was the y/y growth of sales?"),
        ("What was the year on year growth of sales?", "What was the y/y growth of sales?"),
        ("What percentage of firms exported in fiscal year 2019?", "What percentage of firms exported in FY19?"),
        ("What percentage of firms exported?", "What pct of firms exported?"),
        ("Number of patents filed in the United States?", "Number of patents filed in the US?"),
        ("What was the number of firms?", "What was the no. of firms?"),
        ("Approximately how many firms were there?", "Approx. how many firms were there?"),
        ("What were total sales in billions?", "What were total sales in bn?"),
        ("How much did the government spend on information and communication technology?", "How much did the government spend on ICT?"),
        ("How much did the government spend?", "How much did the govt spend?"),
        ("What were sales in the first half of 2021?", "What were sales in H1 2021?"),
    ],
)  # fmt: skip
def test_abbreviation(question, expected):
    assert abbreviation(question) == expected


@unit
def test_abbreviation_needs_a_known_phrase():
    assert abbreviation("Who won the final?") is None
    assert abbreviation("What was the annumber?") is None  # whole words only


# -- reorder -------------------------------------------------------------------------
@unit
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What was Chile's inflation rate in 2019?", "In 2019, what was Chile's inflation rate?"),
        ("How many firms closed by March 2020?", "By March 2020, how many firms closed?"),
        ("How much did exports grow from 2015 to 2020?", "From 2015 to 2020, how much did exports grow?"),
        ("What were sales in the first 9 months of 2021?", "In the first 9 months of 2021, what were sales?"),
        ("According to the IMF, what was Chile's debt?", "What was Chile's debt according to the IMF?"),
        ("What was Chile's debt in 2020 according to the IMF?", "According to the IMF, what was Chile's debt in 2020?"),
        ("Chile's debt rose by how much in 2020?", "In 2020, Chile's debt rose by how much?"),  # a name keeps its capital
    ],
)  # fmt: skip
def test_reorder(question, expected):
    assert reorder(question) == expected


@unit
def test_reorder_only_when_a_pattern_applies():
    assert reorder("What is the capital of Chile?") is None
    assert reorder("How many firms were there in 2019 in Peru?") is None  # the year does not close it
    assert reorder("In 2019, what was the rate?") is None


# -- compare_form --------------------------------------------------------------------
@unit
def test_parse_comparison():
    assert parse_comparison("Which had a higher unemployment rate in 2010, France or Spain?") == Comparison(
        "France", "Spain", "have", "past", "a ", "higher", "unemployment rate", "in 2010"
    )
    assert parse_comparison("Who scored lower on the reading test, Anna or James?") == Comparison(
        "Anna", "James", "score", "past", "", "lower", "", "on the reading test"
    )
    assert parse_comparison("Which of Peru and Chile has more tourists?") == Comparison(
        "Peru", "Chile", "have", "present", "", "more", "tourists", ""
    )


@unit
@pytest.mark.parametrize(
    "question",
    [
        "What was the GDP of Peru?",
        "Did Peru have higher exports than Chile?",  # already a yes/no question
        "Which country had exports in 2018, Peru or Chile?",  # no comparative
        "Which country had higher exports in 2018?",  # no "A or B"
    ],
)
def test_parse_comparison_skips_other_shapes(question):
    assert parse_comparison(question) is None
    assert compare_form(question, random.Random(0)) is None


@unit
def test_compare_forms():
    assert compare_forms(parse_comparison("Which country had higher exports in 2018, Peru or Chile?")) == {
        "yes_no": "Did Peru have higher exports than Chile in 2018?",
        "whose": "Whose exports were higher in 2018, Peru's or Chile's?",
        "how_compare": "How did Peru and Chile compare on exports in 2018?",
    }
    assert compare_forms(parse_comparison("Which had a higher unemployment rate in 2010, France or Spain?")) == {
        "yes_no": "Did France have a higher unemployment rate than Spain in 2010?",
        "whose": "Whose unemployment rate was higher in 2010, France's or Spain's?",
        "how_compare": "How did France and Spain compare on unemployment rate in 2010?",
    }
    # "lower": "How did they compare" would lose the direction; "scored": no "Whose" form
    assert compare_forms(parse_comparison("Who scored lower on the reading test, Anna or James?")) == {
        "yes_no": "Did Anna score lower than James on the reading test?"
    }
    assert compare_forms(parse_comparison("Which country ranked higher in the EGDI in 2020, Chad or Mali?")) == {
        "yes_no": "Did Chad rank higher than Mali in the EGDI in 2020?",
        "how_compare": "How did Chad and Mali compare in the EGDI in 2020?",
    }
    assert compare_forms(parse_comparison("Which city was larger in 1900, Paris or London?")) == {
        "yes_no": "Was Paris larger than London in 1900?"
    }


# -- the suite -----------------------------------------------------------------------
ITEMS = [
    {"id": "a", "kind": "table_cell", "lang": "en", "question": "What was Peru's inflation rate in 2019?"},
    {
        "id": "b",
        "kind": "compare",
        "lang": "en",
        "question": "Which country had higher exports in 2018, Peru or Chile?",
    },
    {"id": "c", "kind": "abstain", "lang": "en", "question": "What was Chile's unemployment rate in 2019?"},
    {"id": "d", "kind": "multilingual", "lang": "ru", "question": "Какой была инфляция в Перу в 2019 году?"},
    {"id": "e", "kind": "multilingual", "lang": "en", "question": "What was the population of Peru in 2019?"},
    {"id": "f", "kind": "table_cell", "lang": "en", "question": "Which country had higher exports, Peru or Chile?"},
]


@unit
def test_suite_skips_abstain_and_non_english_questions():
    assert [item["id"] for item, _ in suite(ITEMS)] == ["a", "b", "e", "f"]


@unit
def test_suite_variants():
    planned = {item["id"]: vs for item, vs in suite(ITEMS)}
    assert planned["a"] == [
        Variant("typo", planned["a"][0].question),
        Variant("lower", "what was peru's inflation rate in 2019?"),
        Variant("no_apostrophes", "What was Perus inflation rate in 2019?"),
        Variant("reorder", "In 2019, what was Peru's inflation rate?"),
    ]
    assert "compare_form" in [v.kind for v in planned["b"]]
    assert "compare_form" not in [v.kind for v in planned["f"]]  # only `compare` questions get one
    assert all(v.kind in KINDS for vs in planned.values() for v in vs)


@unit
def test_variants_are_deterministic():
    questions = [item["question"] for item in ITEMS] + ["How many patents did the largest company file in 2020?"]
    for q in questions:
        assert variants(q, seed=7) == variants(q, seed=7)
    assert suite(ITEMS, seed=7) == suite(ITEMS, seed=7)
    # the seed matters: another seed gives another typo somewhere
    typos = lambda seed: [v.question for q in questions for v in variants(q, seed=seed) if v.kind == "typo"]  # noqa: E731
    assert typos(7) != typos(8)


# -- answered the same ---------------------------------------------------------------
def _response(answered=True, value=None, doc="d", table="Table 1"):
    return {"answered": answered, "value": value, "answer": "x", "citations": [{"doc_id": doc, "table": table}]}


@unit
def test_same_answer():
    assert same_answer(_response(value=100.0), _response(value=100.4, table="Table 9"))  # within 0.5 %
    assert not same_answer(_response(value=100.0), _response(value=101.0))
    assert not same_answer(_response(value=100.0), _response(value=None))
    assert not same_answer(_response(value=100.0), _response(answered=False, value=100.0))
    assert same_answer(_response(), _response())  # no value: the first citation's document and table
    assert not same_answer(_response(), _response(table="Table 2"))
    assert not same_answer(_response(), _response(doc="other"))
    assert not same_answer(_response(), _response(value=3.0))
    assert same_answer(_response(answered=False), _response(answered=False))


# -- through the real engine ---------------------------------------------------------
def test_runs_through_the_engine(corpus_engine):
    items = load_questions(ROOT / "eval" / "paper_dev.jsonl")
    abstain = next(i for i in items if i["kind"] == "abstain")
    chosen = [i for i in items if i["kind"] != "abstain"][:3] + [abstain]
    report = run_robustness(corpus_engine, chosen, seed=13)
    summary = report.summary()

    planned = suite(chosen, seed=13)
    assert summary["questions"] == 3
    assert summary["skipped"] == {"abstain": 1, "not_english": 0}
    assert summary["variants"] == sum(len(vs) for _, vs in planned) == len(report.trials)
    assert set(summary) == {
        "seed", "questions", "skipped", "variants", "same", "original_accuracy", "variant_accuracy", "by_kind", "changed",
    }  # fmt: skip
    assert set(summary["by_kind"]) <= set(KINDS) and "lower" in summary["by_kind"]
    assert sum(s["n"] for s in summary["by_kind"].values()) == summary["variants"]
    for s in [summary, *summary["by_kind"].values()]:
        assert 0 <= s["same"] <= 1 and 0 <= s["variant_accuracy"] <= 1
    assert len(summary["changed"]) == sum(not t.same for t in report.trials)
    for c in summary["changed"]:
        assert set(c) == {
            "id", "kind", "question", "variant", "original_answer", "variant_answer", "original_ok", "variant_ok",
        }  # fmt: skip
    text = render(summary, show_changed=True)
    assert "all variants" in text and "perturbation" in text


def test_cli_eval_robust(corpus_data, tmp_path, capsys):
    import json

    from service.cli import main

    questions = tmp_path / "q.jsonl"
    lines = (ROOT / "eval" / "paper_dev.jsonl").read_text(encoding="utf-8").splitlines()[:2]
    questions.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["eval-robust", str(questions), "--data-dir", str(corpus_data.data_dir), "--json", "--show-changed"]
    assert main(args) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)  # with --json, stdout is the JSON object alone
    assert summary["questions"] == 2 and summary["seed"] == 13 and summary["variants"] > 0
    assert any(line.startswith("all variants") for line in captured.err.splitlines())
    assert main(["eval-robust", str(tmp_path / "missing.jsonl"), "--data-dir", str(corpus_data.data_dir)]) == 2
