"""The general reader's parts on made-up inputs, without any learned model: how a gold
derivation names its operation (operators.py), how words are matched (textmatch.py), what a
cell's evidence features say (evidence.py), which spans of a sentence are candidates
(spans.py), and the reader's arithmetic and bookkeeping (reader.py) driven by stand-in models."""

from __future__ import annotations

import pickle
from types import SimpleNamespace

import numpy as np
import pytest

from ingest.records import Passage
from ingest.tables import build_table
from scripts.ask_elsewhere import main as ask_elsewhere_main
from scripts.ask_elsewhere import other_excerpts
from scripts.cv_answerer import main as cv_main
from service.answering import operators as ops
from service.answering import reader
from service.answering.corpus import TableView
from service.answering.evidence import FEATURES, Asked, asked_figure, asked_years, score_cells, table_features
from service.answering.operands import COMPARISONS, TWO_OPERANDS, OperandOrder, gold_operands, pair_features
from service.answering.spans import (
    FEATURES as SPAN_FEATURES,
)
from service.answering.spans import (
    GRAMMAR_WORDS,
    NO_WORD,
    OTHER_WORD,
    WORD_AT,
    _AskedWords,
    candidates,
    featurise,
)
from service.answering.textmatch import (
    Grounding,
    WordWeights,
    _word_features,
    content_words,
    letters_only,
    overlap,
    similar,
    stem,
    words,
)

pytestmark = pytest.mark.unit


# -- operators.label_of, derivation_numbers ------------------------------------------------


@pytest.mark.parametrize(
    ("answer_type", "derivation", "label"),
    [
        ("arithmetic", "(27.0 - 33.7) / 33.7 * 100", ops.CHANGE_RATIO),
        ("arithmetic", "((25,386 - 22,051)/22,051) * 100", ops.CHANGE_RATIO),
        ("arithmetic", "(-35.8-11.4)/11.4 * 100", ops.CHANGE_RATIO),
        ("arithmetic", "(94.7 / 60.1 - 1) * 100", ops.CHANGE_RATIO),
        # the denominator is not the subtrahend: not a change ratio
        ("arithmetic", "(27.0 - 33.7) / 11.8 * 100", ops.OTHER),
        ("arithmetic", "((0 - (-149.4)) / -149.4) * 100", ops.CHANGE_RATIO),  # a bracketed negative
        ("arithmetic", "(31.4 + 38.2) / 2", ops.AVERAGE),
        ("arithmetic", "-(471 + 219) / 2", ops.AVERAGE),  # the average of two negative figures
        ("arithmetic", "(12 + 14 + 16) / 3", ops.AVERAGE),
        ("arithmetic", "27.0 - 33.7", ops.DIFF),
        ("arithmetic", "$1,200 - $950", ops.DIFF),
        ("arithmetic", "(9.8) - (7.5)", ops.DIFF),
        ("arithmetic", "31.4 + 27.0 + 22.7", ops.SUM),
        ("arithmetic", "1,480.9 + 640.3", ops.SUM),
        ("arithmetic", "31.4 / 81.1", ops.DIVIDE),
        ("arithmetic", "31.4 / 81.1 * 100", ops.PERCENT_OF),
        ("arithmetic", "(16.6/93.8 ) * 100", ops.PERCENT_OF),
        ("arithmetic", "31.4 * 2", ops.OTHER),
        ("arithmetic", "", ops.OTHER),
        ("span", "38.2>31.4", ops.ARGMAX),
        ("span", "29.6 < 31.4", ops.ARGMAX),
        ("multi-span", "6.9>6.6", ops.ARGMAX),
        ("span", "", ops.SPAN),
        ("multi-span", "", ops.MULTI_SPAN),
        ("count", "Advertising## Sales commissions", ops.COUNT),
        ("count", "", ops.COUNT),
    ],
)
def test_label_of_reads_the_operation_from_the_derivation(answer_type, derivation, label):
    assert ops.label_of(answer_type, derivation) == label


def test_arithmetic_labels_are_the_arithmetic_operations():
    assert set(ops.ARITHMETIC) == {ops.DIFF, ops.CHANGE_RATIO, ops.AVERAGE, ops.SUM, ops.DIVIDE, ops.PERCENT_OF}
    assert ops.SPAN not in ops.ARITHMETIC and ops.COUNT not in ops.ARITHMETIC


@pytest.mark.parametrize(
    ("derivation", "numbers"),
    [
        ("((25,386 - 22,051)/22,051) * 100", [25386.0, 22051.0, 22051.0, 100.0]),
        ("(31.4 + 38.2) / 2", [31.4, 38.2, 2.0]),
        ("$1,480.9 + $640.3", [1480.9, 640.3]),
        ("(-35.8-11.4)/11.4", [35.8, 11.4, 11.4]),  # signs are not kept: the figures as printed
        ("1,2, 3", [1.0, 2.0, 3.0]),  # a comma not before three digits separates figures
        ("", []),
        (None, []),
    ],
)
def test_derivation_numbers(derivation, numbers):
    assert ops.derivation_numbers(derivation) == numbers


def test_shape_hides_years_and_figures_from_the_operation_model():
    shaped = ops._shape("What was the change in revenue from 2018 to 2019, from 1,234.5 to 99?")
    assert "2018" not in shaped and "2019" not in shaped and "1,234" not in shaped and "99" not in shaped
    assert shaped.count("YEAR") == 2 and shaped.count("NUM") == 2
    assert "revenue" in shaped


# -- textmatch ------------------------------------------------------------------------------


def test_words_are_lower_cased_stems_with_numbers_as_written():
    assert words("Sales commissions were $27.0 million in 2019; the Company's expenses rose 1,234.5") == [
        "sale",
        "commiss",
        "were",
        "27.0",
        "million",
        "in",
        "2019",
        "the",
        "compani",
        "expens",
        "rose",
        "1,234.5",
    ]
    assert words("") == [] and words(None) == []


def test_stem_folds_plurals_possessives_and_case():
    assert stem("expenses") == stem("expense") == stem("Expense")
    assert stem("Company's") == stem("company") == stem("company’s")
    assert stem("commissions") == stem("commission")
    assert stem("Рост") == stem("роста") == "рост"  # Cyrillic: the Russian stemmer


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("sale", "sale"),  # the same stem
        ("commision", "commission"),  # one letter missing, 9+ letters
        ("incom", "income"),  # one letter, and a prefix
        ("revnue", "revenue"),  # one letter missing in a word of 6
        ("econmoy", "economy"),  # swapped letters are two edits: allowed from 7 letters
        ("approx", "approxim"),  # an abbreviation: a prefix of 4+ letters
        ("advert", "advertis"),
        ("score", "store"),  # one substitution in a 5-letter word counts as a typo, even between real words
    ],
)
def test_similar_matches_stems_typos_and_prefixes(a, b):
    assert similar(a, b) and similar(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("cost", "cast"),  # one edit, but only 4 letters: not a typo
        ("rate", "late"),
        ("sale", "scale"),  # 4 letters
        ("sales", "scale"),  # two edits in 5 letters
        ("app", "approxim"),  # a prefix of 3 letters is no abbreviation
        ("tax", "taxi"),
        ("revenue", "expense"),
        ("fall", "fell"),  # an irregular verb is not a typo either (a stemmer does not fold it)
        ("income", "outcome"),
    ],
)
def test_similar_rejects_short_words_and_different_words(a, b):
    assert not similar(a, b) and not similar(b, a)


def test_word_weights_fit_inverse_document_frequencies():
    weights = WordWeights.fit(
        [
            "What were sales in 2019?",
            "What was the revenue in 2018?",
            "What is the tax rate?",
            "What were sales of widgets?",
        ]
    )
    # in every question: weighs least; in two of four: more; once only (not kept): the default
    assert weights("what") == pytest.approx(np.log(1 + 4 / 5) / np.log(5))
    assert weights("sale") == pytest.approx(np.log(1 + 4 / 3) / np.log(5))
    assert weights("what") < weights("sale") < weights("widget") == 1.0
    assert "widget" not in weights.idf and "revenu" not in weights.idf
    assert weights("never-seen") == 1.0


def test_word_weights_of_nothing_are_empty():
    weights = WordWeights.fit([])
    assert weights.idf == {} and weights("anything") == 1.0


def test_content_words_drop_function_words_as_written():
    # `during` stems to `dure` and `several` to the stem of `severance`: judged before stemming
    assert content_words("What were the expenses during 2019, since several plans ended?") == [
        "expens",
        "2019",
        "plan",
        "end",
    ]
    assert content_words("What was the severance pay?") == ["sever", "pay"]


# a word judged in its question: `data` is the thing asked in "What was the data centre rent?"
# (its evidence prints it) and framing in "What years does the table provide data for?" (the
# evidence is the header of years, which does not)
_FRAMED = [("What years does the table provide data for?", "2019 2018 2017")] * 12
_NAMED = [
    (f"What was the data centre {w} in 2019?", f"Data centre {w} 2019 2018") for w in ("rent", "cost", "power")
] * 4


def test_grounding_judges_a_word_in_its_question():
    grounding = Grounding.fit(_FRAMED + _NAMED + [("What was the revenue?", "Revenue 2019")] * 6)
    assert grounding("data") == pytest.approx((12 + Grounding.PRIOR) / (24 + Grounding.PRIOR))  # its rate alone
    framed = grounding.in_question("What years does the table provide data for?")
    named = grounding.in_question("What was the data centre rent in 2019?")
    assert framed["data"] < 0.5 < named["data"]
    assert set(framed) == {"year", "doe", "tabl", "provid", "data"}  # content words only, no `for`
    # the chances are the fitted model's own (read as its linear weights on the answer path)
    tokens = [(t, stem(t)) for t in ("What", "years", "does", "the", "table", "provide", "data", "for")]
    row = _word_features(tokens, 6, grounding("data"), grounding.asked["data"])
    assert framed["data"] == pytest.approx(grounding.model.predict_proba([row])[0, 1])
    assert "_linear_memo" not in pickle.loads(pickle.dumps(grounding)).__dict__


def test_grounding_of_unseen_words_and_without_a_model():
    grounding = Grounding.fit([("What was the revenue?", "Revenue 2019")] * 4)
    assert grounding.model is None  # every word always said: nothing to learn
    assert grounding.in_question("What was the revenue of the widgets?") == {"revenu": 1.0, "widget": 1.0}
    assert Grounding().in_question("") == {}


def test_overlap_shares_of_label_and_question():
    flat = WordWeights()  # every word weighs 1
    assert overlap(["sale", "commiss", "2019"], ["sale", "commiss"], flat) == (1.0, pytest.approx(2 / 3))
    assert overlap(["sale"], ["sale", "commiss"], flat) == (0.5, 1.0)
    # typos count as the word
    assert overlap(words("sales commisions"), words("Sales commissions"), flat) == (1.0, 1.0)
    assert overlap(["revenu"], ["sale", "commiss"], flat) == (0.0, 0.0)
    assert overlap([], ["sale"], flat) == (0.0, 0.0) and overlap(["sale"], [], flat) == (0.0, 0.0)


def test_overlap_weights_each_word():
    weights = WordWeights({"what": 0.1, "the": 0.1}, 1.0)
    said_of_label, said_of_question = overlap(["what", "the", "advertis"], ["advertis"], weights)
    assert said_of_label == 1.0
    assert said_of_question == pytest.approx(1.0 / 1.2)


# -- evidence -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("What were the sales commissions in 2019?", [2019]),
        ("What was interest expense in FY19?", [2019]),
        ("How did FY 18 compare with FY'17?", [2018, 2017]),
        ("What were the sales in 2019 and 2018 respectively?", [2019, 2018]),
        ("What changed from FY19 to 2019?", [2019]),  # one year, said twice
        ("What was the figure for 1998?", [1998]),
        ("What were the sales?", []),
        ("What is account 12019?", []),  # not a year: part of a longer number
        ("What was 2019.5?", []),
        ("How many fy2019 sales?", [2019]),  # four digits after letters are still the year
    ],
)
def test_asked_years(question, years):
    assert asked_years(question) == years


def test_asked_year_at_the_end_of_a_sentence():
    assert asked_years("Sales commissions in 2019.") == [2019]


def selling_table() -> TableView:
    return view_of(
        "Table 1",
        "Selling expenses (in millions)",
        [
            ["", "2019", "2018"],
            ["Advertising", "31.4", "38.2"],
            ["Sales commissions", "27.0", "33.7"],
            ["Total selling expenses", "—", "$94.7"],
        ],
    )


def features_of(question: str, view: TableView, weights: WordWeights | None = None):
    rows, cells = table_features(Asked.of(question), view, weights or WordWeights())
    return {(c.row, c.col): dict(zip(FEATURES, r, strict=True)) for r, c in zip(rows, cells, strict=True)}


def test_table_features_one_vector_per_cell():
    view = selling_table()
    rows, cells = table_features(Asked.of("What were the sales commissions in 2019?"), view, WordWeights())
    assert len(rows) == len(cells) == len(view.cells) == 6
    assert all(len(r) == len(FEATURES) for r in rows)
    assert [(c.row, c.col) for c in cells] == [(r, c) for r in range(3) for c in range(2)]
    assert np.isfinite(np.asarray(rows, dtype=np.float32)).all()


def test_table_features_say_which_row_and_year_is_asked():
    f = features_of("What were the sales commissions in 2019?", selling_table())
    asked, other_year, other_row = f[(1, 0)], f[(1, 1)], f[(0, 0)]
    assert asked["row_is_best"] == 1.0 and asked["row_best_gap"] == 0.0
    assert asked["row_label_said"] == 1.0
    assert asked["year_asked"] == 1.0 and asked["year_other"] == 0.0 and asked["no_year_asked"] == 0.0
    assert other_year["year_asked"] == 0.0 and other_year["year_other"] == 1.0
    assert other_row["row_is_best"] == 0.0 and other_row["row_best_gap"] < 0.0
    assert other_row["row_label_said"] == 0.0
    # periods: 2019 is the latest, 2018 the one before
    assert asked["latest_period"] == 1.0 and asked["period_rank"] == 0.0
    assert other_year["latest_period"] == 0.0 and other_year["period_rank"] == 1.0
    assert asked["row_rank"] == 0.0 and other_row["row_rank"] >= 1.0 and asked["row_depth"] == 0.0
    assert asked["cell_percent"] == 0.0 and asked["asks_percent"] == 0.0
    assert asked["has_value"] == 1.0 and asked["is_missing"] == 0.0
    assert asked["is_total_row"] == 0.0 and asked["asks_total"] == 0.0
    assert asked["header_row"] == 0.0
    assert 0.0 < asked["table_said"] <= 1.0


def test_table_features_totals_missing_cells_and_no_year():
    f = features_of("What were total selling expenses?", selling_table())
    missing, total = f[(2, 0)], f[(2, 1)]
    assert total["is_total_row"] == 1.0 and total["asks_total"] == 1.0 and total["row_is_best"] == 1.0
    assert missing["is_missing"] == 1.0 and missing["has_value"] == 0.0
    assert total["is_missing"] == 0.0 and total["has_value"] == 1.0
    assert all(v["no_year_asked"] == 1.0 and v["year_asked"] == 0.0 and v["year_other"] == 0.0 for v in f.values())
    assert f[(0, 0)]["is_total_row"] == 0.0


def test_table_features_weigh_the_words_that_tell_rows_and_columns_apart():
    view = view_of(
        "Table 1",
        "Provision for income taxes",
        [["", "Federal", "State"], ["Current income taxes", "26", "3"], ["Deferred income taxes", "5", "1"]],
    )
    f = features_of("What was the current federal income taxes?", view)
    # `income taxes` is every row's: only `current` tells the rows apart, `federal` the columns
    assert f[(0, 0)]["row_distinct"] == 1.0 and f[(1, 0)]["row_distinct"] == 0.0
    assert f[(1, 0)]["row_distinct_gap"] == -1.0 and f[(0, 0)]["row_distinct_gap"] == 0.0
    assert f[(0, 0)]["col_distinct"] == 1.0 and f[(0, 1)]["col_distinct"] == 0.0
    # a question that names no row or column apart tells nothing
    assert {v["row_distinct"] for v in features_of("What were income taxes?", view).values()} == {0.0}


def test_a_name_spelled_out_matches_its_initials_where_the_table_prints_them():
    view = view_of("Table 7", "Rankings", [["Country", "EGDI", "EPI"], ["China", "78", "66"]])
    asked = Asked.of("Where did China rank on the E-Government Development Index?")
    assert asked.initials == ["egdi"] and "egdi" not in asked.words
    assert asked.words_for(view)[-1] == "egdi"
    f = features_of("Where did China rank on the E-Government Development Index?", view)
    assert f[(0, 0)]["col_label_said"] == 1.0 and f[(0, 1)]["col_label_said"] == 0.0
    # a table that does not print the initials is not matched by them
    assert "egdi" not in asked.words_for(selling_table())


def test_score_cells_ranks_by_the_models_probability():
    view = selling_table()
    year, best = FEATURES.index("year_asked"), FEATURES.index("row_is_best")

    class StandIn:  # evidence = the asked year of the best-matching row
        def predict_proba(self, x):
            p = 0.1 + 0.4 * x[:, year] + 0.45 * x[:, best]
            return np.stack([1 - p, p], axis=1)

    ranked = score_cells(StandIn(), Asked.of("What were the sales commissions in 2018?"), [view], WordWeights())
    assert len(ranked) == 6
    p, top = ranked[0]
    assert (top.row, top.col, top.raw) == (1, 1, "33.7") and p == pytest.approx(0.95)
    assert [p for p, _ in ranked] == sorted((p for p, _ in ranked), reverse=True)
    assert score_cells(StandIn(), Asked.of("anything"), [], WordWeights()) == []


# -- spans ----------------------------------------------------------------------------------

SENTENCE = (
    "We recorded a $0.5 million cumulative effect adjustment due to the adoption of the new lease standard, "
    "and revenue rose 17.7% in 2019."
)


def sentence_candidates(question: str, text: str = SENTENCE, lead: str = "An earlier sentence. "):
    passage = Passage("p1", lead + text, ["Accounting changes"], None, 0, len(lead + text))
    start = len(lead)
    return passage, candidates(passage, start, len(passage.text), words(question))


def test_candidates_hold_the_figure_the_cause_and_the_sentence():
    passage, cands = sentence_candidates("How much was the cumulative effect adjustment?")
    texts = {c.text for c in cands}
    assert "$0.5 million" in texts
    assert "17.7%" in texts
    assert "the adoption of the new lease standard" in texts  # the clause after `due to`
    whole = SENTENCE.rstrip(".")
    assert whole in texts  # the whole sentence, its full stop trimmed
    assert "An earlier sentence" not in " ".join(texts)  # only the sentence asked for
    for c in cands:
        assert passage.text[c.start : c.end] == c.text and c.text == c.text.strip()
        assert c.kind in ("figure", "cause", "clause", "sentence")
    (cause,) = [c for c in cands if c.text == "the adoption of the new lease standard"]
    assert cause.kind == "cause"


def test_candidates_are_bounded_in_length():
    # figures are boundaries (`word7` is a name, not a figure: `7` is glued to its word)
    long_sentence = " ".join(f"word {i}" for i in range(120)) + "."
    _, cands = sentence_candidates("What is it?", long_sentence, lead="")
    inner = [c for c in cands if c.text != long_sentence.rstrip(".")]
    assert inner and all(len(c.text.split()) <= 46 for c in inner)


def test_candidates_of_an_empty_sentence():
    passage = Passage("p1", "", [], None, 0, 0)
    assert candidates(passage, 0, 0, ["sale"]) == []


def test_candidate_kinds_mark_figures_and_the_sentence():
    _, cands = sentence_candidates("How much was the cumulative effect adjustment?")
    kinds = {c.text: c.kind for c in cands}
    assert kinds["$0.5 million"] == "figure"
    assert kinds[SENTENCE.rstrip(".")] == "sentence"


def test_candidates_start_after_and_end_before_a_function_word():
    text = "Basic earnings per share are computed by dividing net income by the shares outstanding."
    _, cands = sentence_candidates("How is basic earnings per share computed?", text, lead="")
    texts = {c.text for c in cands}
    assert "dividing net income by the shares outstanding" in texts  # after `by`
    assert "dividing net income" in texts  # … and before the next `by`
    _, cands = sentence_candidates(
        "Who approved the fees?", "The fees were approved by our audit committee in March.", ""
    )
    assert "audit committee" in {c.text for c in cands}  # after `our`, before `in`


def test_candidates_hold_a_figure_without_its_currency_and_scale():
    _, cands = sentence_candidates("How much was the cumulative effect adjustment?")
    texts = {c.text for c in cands}
    assert "0.5" in texts and "$0.5 million" in texts and "17.7" in texts


@pytest.mark.parametrize("mark", ["1) ", "(2) ", "(a) ", "(iv) ", "• ", "- "])
def test_candidates_leave_out_a_list_items_mark(mark):
    text = mark + "Shares granted whose performance conditions were not finalized at December 31, 2019."
    _, cands = sentence_candidates("What type of granted shares was excluded?", text, lead="Notes: ")
    texts = {c.text for c in cands}
    assert "Shares granted whose performance conditions were not finalized at December 31, 2019" in texts
    assert not any(t.startswith(mark.strip()) for t in texts)


def test_a_bullet_inside_a_sentence_breaks_its_clauses():
    text = "Adjusted Revenue is net of transaction-based costs • Adjusted Revenue is net of bitcoin costs."
    _, cands = sentence_candidates("What is Adjusted Revenue net of?", text, lead="")
    texts = {c.text for c in cands}
    assert "Adjusted Revenue is net of transaction-based costs" in texts
    assert "Adjusted Revenue is net of bitcoin costs" in texts


def test_a_negative_figure_is_no_list_mark():
    _, cands = sentence_candidates("What was the change?", "-5 million was the change.", lead="")
    assert "-5 million" in {c.text for c in cands}


def test_many_sentences_overlap_as_one_does():
    weights = WordWeights({"what": 0.1, "the": 0.1, "was": 0.2}, 1.0)
    asked = letters_only(words("What was the cumulative effect adjustment?"))
    said_by = _AskedWords(asked, weights)
    for sentence in (SENTENCE, "An earlier sentence.", "The adjustments were cumulative, in effect.", ""):
        label = letters_only(words(sentence))
        assert said_by.overlap(label) == pytest.approx(overlap(asked, label, weights))


def test_features_describe_the_grammar_at_a_candidates_edges():
    passage = Passage("p1", "Earnings are computed by dividing net income by the shares.", [], None, 0, 59)
    rows, cands = featurise("How are earnings computed?", [passage], WordWeights())
    assert rows.shape == (len(cands), len(SPAN_FEATURES))
    (row,) = [r for r, c in zip(rows, cands) if c.text == "dividing net income"]
    at = {name: row[SPAN_FEATURES.index(name)] for name in WORD_AT}
    assert GRAMMAR_WORDS[int(at["word_before"])] == "by" and GRAMMAR_WORDS[int(at["word_after"])] == "by"
    assert at["first_word"] == at["last_word"] == OTHER_WORD
    (whole,) = [r for r, c in zip(rows, cands) if c.kind == "sentence"]
    assert whole[SPAN_FEATURES.index("word_before")] == whole[SPAN_FEATURES.index("word_after")] == NO_WORD


def test_a_source_line_and_its_paragraph_are_no_answer_candidates():
    # "Source: …" says where a report comes from, not what it reports, and so does the rest of
    # its paragraph (an excerpt's licence line answered "What does the table show?")
    provenance = "Source: Acme Inc., annual report 2019, a table and its text. Dataset license: CC BY 4.0."
    text = "The table shows revenue by region. Source: Acme Inc. investor relations."
    passages = [Passage("p1", provenance, [], None, 0, len(provenance)), Passage("p2", text, [], None, 0, len(text))]
    _, cands = featurise("What does the table show?", passages, WordWeights())
    assert cands and all(c.passage is passages[1] for c in cands)
    assert all(c.end <= text.index("Source") for c in cands)  # a source sentence inside a paragraph too


# -- reader: arithmetic ---------------------------------------------------------------------


def test_compute_difference():
    value, text = reader._compute(ops.DIFF, [27.0, 33.7], ["27.0", "33.7"])
    assert value == pytest.approx(-6.7) and text == "27.0 − 33.7 = -6.7"
    value, text = reader._compute(ops.DIFF, [-9.8, -7.5], ["(9.8)", "(7.5)"])
    assert value == pytest.approx(-2.3) and text == "(9.8) − (7.5) = -2.3"


def test_compute_change_ratio():
    value, text = reader._compute(ops.CHANGE_RATIO, [27.0, 33.7], ["27.0", "33.7"])
    assert value == pytest.approx((27.0 - 33.7) / 33.7 * 100) == pytest.approx(-19.881306)
    assert text == "(27.0 − 33.7) / 33.7 = -19.88%"
    # a negative base: the formula as written, sign and all ((a − b) / b), as reports compute it
    value, _ = reader._compute(ops.CHANGE_RATIO, [-9.8, -7.5], ["(9.8)", "(7.5)"])
    assert value == pytest.approx(30.666667)
    value, _ = reader._compute(ops.CHANGE_RATIO, [46.0, -34.8], ["46.0", "(34.8)"])
    assert value == pytest.approx(-232.183908)
    assert reader._compute(ops.CHANGE_RATIO, [5.0, 0.0], ["5", "0"]) == (None, "")


def test_compute_average_and_sum():
    value, text = reader._compute(ops.AVERAGE, [31.4, 38.2], ["31.4", "38.2"])
    assert value == pytest.approx(34.8) and text == "(31.4 + 38.2) / 2 = 34.8"
    value, _ = reader._compute(ops.AVERAGE, [31.4, 38.2, 29.6], ["31.4", "38.2", "29.6"])
    assert value == pytest.approx(33.066667)
    value, text = reader._compute(ops.SUM, [31.4, 27.0, 22.7], ["31.4", "27.0", "22.7"])
    assert value == pytest.approx(81.1) and text == "31.4 + 27.0 + 22.7 = 81.1"


def test_compute_division_and_percentage_of():
    value, text = reader._compute(ops.DIVIDE, [31.4, 27.0], ["31.4", "27.0"])
    assert value == pytest.approx(1.162963) and text == "31.4 / 27.0 = 1.163"
    value, text = reader._compute(ops.PERCENT_OF, [31.4, 81.1], ["31.4", "$81.1"])
    assert value == pytest.approx(38.717633) and text == "31.4 / $81.1 × 100 = 38.7176"
    assert reader._compute(ops.DIVIDE, [1.0, 0.0], ["1", "0"]) == (None, "")
    assert reader._compute(ops.PERCENT_OF, [1.0, 0.0], ["1", "0"]) == (None, "")


def test_compute_other_operations_give_nothing():
    for op in (ops.SPAN, ops.MULTI_SPAN, ops.COUNT, ops.ARGMAX, ops.OTHER):
        assert reader._compute(op, [1.0, 2.0], ["1", "2"]) == (None, "")


# -- reader: bookkeeping, with stand-in models ------------------------------------------------


class Operation:
    """Stands in for the operation classifier: always `op`."""

    def __init__(self, op: str):
        self.classes_ = np.array([op, ops.SPAN if op != ops.SPAN else ops.COUNT])

    def predict_proba(self, questions):
        return np.array([[0.9, 0.1] for _ in questions])


class Direction:
    def __init__(self, direction: str):
        self.direction = direction

    def predict(self, questions):
        return np.array([self.direction for _ in questions])


class Evidence:
    """Stands in for the evidence model: the best-matching row's cells, more so in an asked year."""

    def predict_proba(self, x):
        best, year = x[:, FEATURES.index("row_is_best")], x[:, FEATURES.index("year_asked")]
        p = 0.05 + 0.6 * best + 0.3 * year * best
        return np.stack([1 - p, p], axis=1)


def stand_in(op: str, direction: str = "max"):
    return SimpleNamespace(
        operators=Operation(op),
        fast_operators=Operation(op),
        direction=Direction(direction),
        fast_direction=Direction(direction),
        cells=Evidence(),
        fast_cells=Evidence(),
        weights=WordWeights({"what": 0.1, "was": 0.1, "were": 0.1, "the": 0.1, "in": 0.1}, 1.0),
        grounding=Grounding({"ratio": 0.1}),
        order=None,
    )


def view_of(label: str, caption: str, grid: list[list[str]]) -> TableView:
    table = build_table("doc", label, caption, grid)
    assert table is not None
    return TableView.of(table)


def three_years() -> TableView:
    return view_of(
        "Table 1",
        "Selling expenses (in millions)",
        [
            ["", "2019", "2018", "2017"],
            ["Advertising", "31.4", "38.2", "29.6"],
            ["Sales commissions", "27.0", "33.7", "11.8"],
        ],
    )


def test_read_tables_change_is_the_later_year_minus_the_earlier():
    for question in (
        "What was the change in sales commissions from 2018 to 2019?",
        "What was the change in sales commissions between 2019 and 2018?",
    ):
        reading = reader.read_tables(stand_in(ops.DIFF), question, [three_years()])
        assert reading is not None and reading.op == ops.DIFF
        assert [c.raw for c in reading.cells] == ["27.0", "33.7"]
        assert reading.value == pytest.approx(-6.7) and reading.arithmetic == "27.0 − 33.7 = -6.7"
        assert reading.op_confidence == pytest.approx(0.9)


def test_read_tables_change_ratio_average_and_sum_over_asked_years():
    view = three_years()
    ratio = reader.read_tables(stand_in(ops.CHANGE_RATIO), "Sales commissions, 2017 to 2019?", [view])
    assert ratio is not None and ratio.value == pytest.approx((27.0 - 11.8) / 11.8 * 100)
    average = reader.read_tables(stand_in(ops.AVERAGE), "Average advertising in 2019 and 2017?", [view])
    assert average is not None and average.value == pytest.approx(30.5)
    total = reader.read_tables(stand_in(ops.SUM), "Advertising in 2019, 2018 and 2017 together?", [view])
    assert total is not None and total.value == pytest.approx(99.2)
    # two years as the ends of a span: every year of it
    for question in ("Average advertising for 2017-2019?", "Average advertising between 2017 and 2019?"):
        span = reader.read_tables(stand_in(ops.AVERAGE), question, [view])
        assert span is not None and span.value == pytest.approx(99.2 / 3), question


def test_read_tables_several_spans_follow_the_question_order():
    view = three_years()
    reading = reader.read_tables(
        stand_in(ops.MULTI_SPAN), "What were the sales commissions in 2017 and 2019 respectively?", [view]
    )
    assert reading is not None and reading.spans == ["11.8", "27.0"]


def test_read_tables_which_year_is_largest_or_smallest():
    view = three_years()
    question = "In which year was advertising the largest?"
    most = reader.read_tables(stand_in(ops.ARGMAX, "max"), question, [view])
    least = reader.read_tables(stand_in(ops.ARGMAX, "min"), question, [view])
    assert most is not None and most.spans == ["2018"]
    assert least is not None and least.spans == ["2017"]


def test_read_tables_plain_span_and_nothing_to_read():
    reading = reader.read_tables(stand_in(ops.SPAN), "What were the sales commissions in 2018?", [three_years()])
    assert reading is not None and reading.spans == ["33.7"] and reading.value is None
    assert reader.read_tables(stand_in(ops.SPAN), "What were the sales commissions in 2018?", []) is None


def dated_table() -> TableView:
    return view_of(
        "Table 2",
        "Freight costs (in thousands)",
        [
            ["", "Year ended June 30, 2019", "Year ended June 30, 2018", "Year ended June 30, 2017"],
            ["Ocean freight", "4,120", "2,950", "3,310"],
            ["Air freight", "880", "1,240", "1,020"],
        ],
    )


def test_period_name_is_the_year_when_each_period_has_its_own():
    assert {c.period_name for c in dated_table().cells} == {"2019", "2018", "2017"}
    assert {c.period_name for c in three_years().cells} == {"2019", "2018", "2017"}
    table = build_table(
        "doc", "Table 3", "Shares issued", [["", "1 March 2019", "1 June 2019"], ["Shares", "10", "12"]]
    )
    assert table is not None
    # two dates of one year: the year alone would not tell them apart
    assert {c.period_name for c in TableView.of(table).cells} == {"1 March 2019", "1 June 2019"}


def test_read_tables_which_year_names_the_year_of_a_dated_column():
    reading = reader.read_tables(
        stand_in(ops.ARGMAX, "min"), "In which year was ocean freight lowest?", [dated_table()]
    )
    assert reading is not None and reading.spans == ["2018"]


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("How many years did ocean freight exceed $3,000 thousand?", 3000.0),
        ("In which year was the rate more than 2.5%?", 2.5),
        ("In which year was the net loss lower than -10,000?", -10000.0),
        ("What was ocean freight in 2019?", None),  # a year is not a threshold
        ("What was FY19 Q4 revenue?", None),  # nor part of a name
    ],
)
def test_asked_figure(question, figure):
    assert asked_figure(question) == figure


def test_read_tables_counts_and_lists_the_periods_past_a_figure():
    view = dated_table()
    above = reader.read_tables(stand_in(ops.COUNT, "max"), "How many years did ocean freight exceed 3,000?", [view])
    assert above is not None and above.value == 2.0
    below = reader.read_tables(stand_in(ops.COUNT, "min"), "How many years was ocean freight under 3,000?", [view])
    assert below is not None and below.value == 1.0
    years = reader.read_tables(
        stand_in(ops.LIST_PERIODS, "max"), "In which years was ocean freight above 3,000?", [view]
    )
    assert years is not None and years.spans == ["2019", "2017"]


def test_read_tables_several_spans_keep_to_the_top_cells_column():
    view = three_years()

    class TwoRows:
        """Sure of both rows in 2019, and of one 2018 figure."""

        def predict_proba(self, x):
            p = np.full(len(x), 0.05)
            p[[0, 3]] = 0.9  # advertising and sales commissions, 2019
            p[1] = 0.6  # advertising, 2018
            return np.stack([1 - p, p], axis=1)

    model = stand_in(ops.MULTI_SPAN)
    model.cells = model.fast_cells = TwoRows()
    reading = reader.read_tables(model, "What were advertising and sales commissions respectively?", [view])
    assert reading is not None and reading.spans == ["31.4", "27.0"]


def test_unsaid_share_of_informative_words():
    model = stand_in(ops.SPAN)
    context = "Selling expenses (in millions) Advertising Sales commissions"
    assert reader.unsaid(model, "What were the sales commissions in 2019?", context) == 0.0
    assert reader.unsaid(model, "What was the research budget in 2019?", context) == 1.0
    assert reader.unsaid(model, "What were the sales budgets in 2019?", context) == pytest.approx(0.5)
    assert reader.unsaid(model, "What was the in 2019?", context) == 0.0  # nothing informative asked
    # a word the documents rarely say where questions do (`ratio`) does not count as unsaid
    assert reader.unsaid(model, "What was the ratio of sales commissions in 2019?", context) == 0.0


def test_grounding_learns_which_asked_words_the_documents_say():
    pairs = [
        (f"What is the ratio of {thing} to revenue?", f"Table: {thing} 12.0 Revenue 30.0")
        for thing in ("rent", "wages", "taxes", "fees", "interest", "royalties")
    ]
    grounding = Grounding.fit(pairs)
    assert grounding(stem("ratio")) < 0.5 < grounding(stem("revenue"))
    assert grounding(stem("rent")) == 1.0  # asked too rarely to learn from: taken as grounded
    assert grounding("neverseen") == 1.0


def test_the_fast_text_classifier_equals_the_fitted_pipeline():
    """The shipped operation and direction models, evaluated without scikit-learn's per-call
    checks, give the pipeline's own probabilities."""
    from service.answering.reader import load_model

    model = load_model()
    questions = [
        "What were the sales commissions in 2019?",
        "What is the average revenue for 2018 and 2019?",
        "In which year was advertising the smallest?",
        "Was ist das?",
        "",
    ]
    for fast, slow in ((model.fast_operators, model.operators), (model.fast_direction, model.direction)):
        assert np.allclose(fast.predict_proba(questions), slow.predict_proba(questions), atol=1e-12)
        assert list(fast.predict(questions)) == list(slow.predict(questions))


# -- operands ---------------------------------------------------------------------------


def test_gold_operands_are_the_derivations_first_two_figures_as_cells():
    table = three_years()
    pair = gold_operands("(27.0 - 33.7) / 33.7 * 100", table.cells)
    assert pair is not None
    assert [(c.row_label, c.period) for c in pair] == [("Sales commissions", "2019"), ("Sales commissions", "2018")]
    assert gold_operands("12.5 - 3", table.cells) is None  # not the table's figures


def test_operand_order_is_learned_from_examples():
    table = three_years()
    cell = {(c.row_label, c.period): c for c in table.cells}
    ad19, ad18, sc19 = cell[("Advertising", "2019")], cell[("Advertising", "2018")], cell[("Sales commissions", "2019")]
    examples = [
        ("What was the change in advertising from 2018 to 2019?", ops.DIFF, ad19, ad18),
        ("How much did advertising change between 2019 and 2018?", ops.DIFF, ad19, ad18),
        ("What were sales commissions as a percentage of advertising in 2019?", ops.PERCENT_OF, sc19, ad19),
        ("What share of advertising were sales commissions in 2019?", ops.PERCENT_OF, sc19, ad19),
    ] * 5
    order = OperandOrder().fit(examples)
    # a change runs from the earlier year to the later, whichever the question names first
    assert order.first("What was the change in advertising between 2019 and 2018?", ops.DIFF, ad18, ad19) == [
        ad19,
        ad18,
    ]
    # a share divides the part by the whole
    question = "What was advertising as a percentage of sales commissions in 2019?"
    assert order.first(question, ops.PERCENT_OF, ad19, sc19) == [sc19, ad19]


def test_pair_features_say_which_is_later_named_first_and_larger():
    table = three_years()
    cell = {(c.row_label, c.period): c for c in table.cells}
    a, b = cell[("Advertising", "2019")], cell[("Sales commissions", "2018")]
    features = pair_features("What was sales commissions in 2018 over advertising in 2019?", ops.DIVIDE, a, b)
    divide = features[TWO_OPERANDS.index(ops.DIVIDE) * 4 : TWO_OPERANDS.index(ops.DIVIDE) * 4 + 4]
    assert dict(zip(COMPARISONS, divide)) == {"later": 1.0, "named_first": -1.0, "larger": -1.0, "total": 0.0}
    assert sum(abs(f) for f in features) == sum(abs(f) for f in divide)  # only the operation's own features


# -- answer sentences -------------------------------------------------------------------


def test_a_cell_as_a_sentence_a_person_would_write():
    from service.answering.compose import cell_sentence

    cell = {(c.row_label, c.period): c for c in three_years().cells}
    commissions, advertising = cell[("Sales commissions", "2019")], cell[("Advertising", "2018")]
    assert cell_sentence(commissions) == "Sales commissions were 27.0 million in 2019 (Table 1)."
    assert cell_sentence(advertising, owner="Acme", source="Acme annual report") == (
        "Acme's advertising was 38.2 million in 2018 (Table 1, Acme annual report)."
    )
    assert cell_sentence(advertising, rank=True).startswith("Advertising rank was 38.2")


def test_a_country_label_is_whose_figure_it_is():
    from service.answering.compose import cell_sentence

    table = build_table(
        "doc",
        "Table 6",
        "Subscriptions (unit: per 100 people)",
        [
            ["", "Fixed broadband subscriptions", "Fixed broadband subscriptions"],
            ["", "China", "Russia"],
            ["2019", "31.34", "22.52"],
        ],
    )
    assert table is not None
    russia = next(c for c in TableView.of(table).cells if "Russia" in c.column)
    assert (
        cell_sentence(russia) == "Russia's fixed broadband subscriptions were 22.52 per 100 people in 2019 (Table 6)."
    )


def test_read_tables_list_rows_are_the_items_around_the_best_row_without_totals_or_the_named_row():
    table = build_table(
        "doc",
        "Table 4",
        "Inventories (in thousands)",
        [
            ["", "2019", "2018"],
            ["Raw materials", "120", "110"],
            ["Work in process", "40", "35"],
            ["Finished goods", "300", "280"],
            ["Total inventories", "460", "425"],
            ["Inventory reserves", "12", "10"],
        ],
    )
    assert table is not None
    view = TableView.of(table)

    class Goods:
        """Sure of the finished goods and of the total."""

        def predict_proba(self, x):
            p = np.full(len(x), 0.05)
            p[[4, 6]] = 0.9  # finished goods and total inventories, 2019
            return np.stack([1 - p, p], axis=1)

    model = stand_in(ops.LIST_ROWS)
    model.cells = model.fast_cells = Goods()
    reading = reader.read_tables(model, "What are the components of inventories?", [view])
    assert reading is not None
    assert reading.spans == ["Raw materials", "Work in process", "Finished goods"]
    # the items are a run of rows found by the layout: the list is as sure as its surest item,
    # not doubted for its weakest (every long list would be)
    assert reading.confidence == pytest.approx(0.9)


def test_list_rows_end_at_the_row_the_question_names():
    table = view_of(
        "Table 2",
        "Income statement (£m)",
        [
            ["", "2019", "2018"],
            ["Revenue", "355.1", "330.1"],
            ["Administrative expenses", "(112.3)", "(108.8)"],
            ["Share of profit from joint ventures", "0.9", "–"],
            ["Operating profit", "243.7", "221.3"],
            ["Finance costs", "(10.2)", "(10.6)"],
            ["Profit before taxation", "242.2", "210.7"],
        ],
    )

    class Revenue:
        """Sure of the revenue row (a component of operating profit)."""

        def predict_proba(self, x):
            p = np.full(len(x), 0.05)
            p[0] = 0.9
            return np.stack([1 - p, p], axis=1)

    model = stand_in(ops.LIST_ROWS)
    model.cells = model.fast_cells = Revenue()
    reading = reader.read_tables(model, "What are the components of operating profit?", [table])
    assert reading is not None
    # the rows that make up operating profit, not the finance costs and profit below it
    assert reading.spans == ["Revenue", "Administrative expenses", "Share of profit from joint ventures"]


def test_the_rows_making_up_a_named_row_are_found_by_their_sum():
    table = view_of(
        "Table 3",
        "Revenue by region",
        [
            ["", "2019", "2018"],
            ["Revenue:", "", ""],
            ["Europe", "1.25", "1.1"],
            ["Asia", "2.36", "2.0"],
            ["Total revenue", "3.6", "3.1"],  # the printed figures' rounding: 3.61 is 3.6
            ["Other income", "0.4", "0.3"],
        ],
    )
    ranked = [(0.9, c) for c in table.cells if c.value is not None]
    made_up = reader._components(Asked.of("What regions make up the total revenue?"), ranked)
    assert made_up is not None
    total, items = made_up
    assert total.raw == "3.6" and [c.item_label for c in items] == ["Europe", "Asia"]
    # a named row that sums no rows above it makes up nothing
    assert reader._components(Asked.of("What makes up other income?"), ranked) is None


def test_the_rows_under_a_named_heading_are_its_items():
    table = view_of(
        "Table 4",
        "Trade and other payables",
        [
            ["", "2019", "2018"],
            ["Current", "", ""],
            ["Trade payables", "24.6", "12.9"],
            ["Accruals", "49.3", "43.2"],
            ["Non-current", "", ""],
            ["Other payables", "0.8", "4.4"],
            ["Government grants", "0.2", "1.0"],
            ["Total", "74.9", "61.5"],
        ],
    )
    ranked = [(0.9, c) for c in table.cells if c.value is not None]
    # "non-current" says `current` too: the heading that says most of the question is the one
    made_up = reader._under_heading(Asked.of("What are the components under non-current?"), ranked)
    assert made_up is not None
    assert [c.item_label for c in made_up[1]] == ["Other payables", "Government grants"]


def test_a_list_names_each_item_once_and_gives_each_figure_as_printed():
    assert reader._items(["Annual Incentive Plan", "annual incentive plan ", "Performance Share Plan"]) == [
        "Annual Incentive Plan",
        "Performance Share Plan",
    ]
    assert reader._items(["5.2", "5.2"]) == ["5.2", "5.2"]  # two years may print the same figure


def test_the_periods_of_a_table_are_read_whatever_cell_the_question_matched_best():
    table = three_years()
    label = next(c for c in table.cells if c.row_label == "Advertising")
    assert [c.period for c in reader._period_series(label)] == ["2019", "2018", "2017"]
    # periods down the rows: the column through the cell
    down = view_of("Table 3", "Revenue (in millions)", [["", "Revenue"], ["2019", "10"], ["2018", "9"]])
    cell = next(c for c in down.cells if c.period == "2018")
    assert [c.period for c in reader._period_series(cell)] == ["2019", "2018"]


def test_operations_are_every_operation_likeliest_first():
    model = stand_in(ops.DIFF)
    assert reader.operations(model, "What was the change in advertising?") == [
        (ops.DIFF, pytest.approx(0.9)),
        (ops.SPAN, pytest.approx(0.1)),
    ]
    assert reader.classify(model, "What was the change in advertising?") == (ops.DIFF, pytest.approx(0.9))


def test_read_tables_arithmetic_reads_a_dash_as_nil_and_years_down_a_column():
    table = build_table(
        "doc",
        "Table 5",
        "Dividends per share",
        [
            ["", "Dividend (€)", "Special dividend (€)"],
            ["2019", "1.40", "—"],
            ["2018", "1.25", "0.50"],
        ],
    )
    assert table is not None
    view = TableView.of(table)
    change = reader.read_tables(stand_in(ops.DIFF), "What was the change in the dividend from 2018 to 2019?", [view])
    assert change is not None and change.value == pytest.approx(0.15)

    class BestColumn:
        """The best-matching column's cells, more so in the best row."""

        def predict_proba(self, x):
            column = x[:, FEATURES.index("col_best_gap")] == 0.0
            p = 0.05 + 0.6 * column + 0.3 * column * x[:, FEATURES.index("row_is_best")]
            return np.stack([1 - p, p], axis=1)

    model = stand_in(ops.AVERAGE)
    model.cells = model.fast_cells = BestColumn()
    average = reader.read_tables(model, "What was the average special dividend in 2019 and 2018?", [view])
    assert average is not None and average.value == pytest.approx(0.25)


def test_which_of_a_sentences_figures_is_asked_is_told_by_the_words_around_it():
    text = (
        "Capitalized interest was calculated using an average rate of 3.96% and 3.88% for 2019 and 2018, "
        "respectively. There were 308,000 awards excluded for fiscal 2019 and 113,000 for fiscal 2018."
    )
    passage = Passage("p1", text, [], None, 0, len(text))

    def figure_row(question: str, figure: str) -> dict[str, float]:
        rows, cands = featurise(question, [passage], WordWeights(), figure_likely=0.9)
        (row,) = [r for r, c in zip(rows, cands) if c.text == figure]
        return {name: row[SPAN_FEATURES.index(name)] for name in SPAN_FEATURES if name.startswith("figure")}

    # "…, respectively": the second figure is the second year's
    asked = "What was the average rate used to calculate capitalized interest in 2018?"
    assert figure_row(asked, "3.88%")["figure_respectively"] == 1.0
    assert figure_row(asked, "3.96%")["figure_respectively"] == -1.0
    assert figure_row(asked, "3.96%")["figure_likely"] == pytest.approx(0.9)
    # each figure followed by its own year: the stretch around it names the year asked, or another
    asked = "How many awards were excluded for fiscal 2018?"
    assert figure_row(asked, "113,000")["figure_segment_year"] == 1.0
    assert figure_row(asked, "308,000")["figure_segment_year"] == -1.0
    # a candidate holding no single figure has none of these readings
    rows, cands = featurise(asked, [passage], WordWeights())
    (whole,) = [r for r, c in zip(rows, cands) if c.text.startswith("There were") and c.kind == "sentence"]
    assert whole[SPAN_FEATURES.index("figure_segment_said")] == -1.0


def test_a_percentage_beside_an_amount_is_not_its_second_operand():
    table = view_of(
        "Table 1",
        "Capital expenditures",
        [["", "2019", "2018", "$ change", "% change"], ["Bell Wireless", "627", "660", "(33)", "(5.0%)"],
         ["Bell Wireline", "2,968", "2,958", "10", "0.3%"]],
    )  # fmt: skip
    cell = {(c.row_label, c.column_label): c for c in table.cells}
    top = cell[("Bell Wireless", "$ change")]
    ranked = [(0.9, top), (0.8, cell[("Bell Wireless", "% change")]), (0.6, cell[("Bell Wireline", "$ change")])]
    assert reader._second_cell(ranked, top) is cell[("Bell Wireline", "$ change")]


def test_a_column_of_a_state_as_of_a_date_is_that_dates_period():
    grid = [
        ["", "Estimated at Acquisition and as of December 31, 2018", "Final as of December 31, 2019"],
        ["Goodwill", "3,178", "3,178"],
        ["Balance as of June 30, 2017", "9,198", "9,198"],
    ]
    table = build_table("doc", "Table 1", "Purchase price allocation", grid)
    assert table is not None
    cells = {(c.row_label, c.column[-1]): c for c in TableView.of(table).cells}
    final = cells[("Goodwill", "Final as of December 31, 2019")]
    assert final.years == [2019] and "Final" in final.labels  # the state stays a label
    assert final.period == "December 31, 2019" and final.period_name == "2019"
    estimated = cells[("Goodwill", "Estimated at Acquisition and as of December 31, 2018")]
    assert estimated.years == [2018] and "Estimated at Acquisition" in estimated.labels
    # on a row, a state as of a date is an item of a roll-forward, not a period
    balance = cells[("Balance as of June 30, 2017", "Final as of December 31, 2019")]
    assert balance.years == [2019] and "Balance as of June 30, 2017" in balance.labels


def test_each_question_is_asked_elsewhere_in_another_excerpt_the_same_every_run():
    questions = [{"context_id": c} for c in "aabbbcd"]
    first = other_excerpts(questions, seed=7)
    assert first == other_excerpts(questions, seed=7)
    assert all(o != q["context_id"] and o in "abcd" for q, o in zip(questions, first))


def test_read_tables_as_several_operations_scores_the_cells_once():
    scored = []

    class Counting(Evidence):
        def predict_proba(self, x):
            scored.append(len(x))
            return super().predict_proba(x)

    model = stand_in(ops.SPAN)
    model.cells = model.fast_cells = Counting()
    question = "In which year was advertising the largest?"
    found = reader.read_tables_as(model, question, [three_years()], [(ops.ARGMAX, 0.4), (ops.LIST_PERIODS, 0.1)])
    assert [(r.op, r.op_confidence) for r in found] == [(ops.ARGMAX, 0.4), (ops.LIST_PERIODS, 0.1)]
    assert found[0].spans == ["2018"] and len(scored) == 1
    assert reader.read_tables_as(model, question, [], [(ops.ARGMAX, 0.4)]) == []


@pytest.mark.parametrize("script", [ask_elsewhere_main, cv_main])
def test_the_kit_scripts_say_when_the_kit_is_not_ingested(tmp_path, capsys, script):
    assert script(["--data-dir", str(tmp_path)]) == 2
    assert f"no ingested kit at {tmp_path}: run `make eval-tatqa` first" in capsys.readouterr().err


def period_headed_table() -> TableView:
    """Quarterly prices printed under a heading row for each fiscal year."""
    return view_of(
        "Table 4",
        "Share price",
        [
            ["", "High", "Low"],
            ["Fiscal Year Ended April 30, 2021", "", ""],
            ["First Quarter", "$12.50", "$10.10"],
            ["Second Quarter", "14.20", "11.00"],
            ["Third Quarter", "11.40", "9.90"],
            ["Fiscal Year Ended April 30, 2020", "", ""],
            ["First Quarter", "$13.80", "$7.25"],
            ["Second Quarter", "15.10", "8.40"],
            ["Third Quarter", "10.20", "8.80"],
        ],
    )


def test_rows_under_a_period_heading_are_listed_within_their_period():
    reading = reader.read_tables(
        stand_in(ops.LIST_ROWS), "In which quarters of 2021 was the high price above $12.00?", [period_headed_table()]
    )
    assert reading is not None and reading.spans == ["First Quarter", "Second Quarter"]


def test_which_period_is_largest_runs_across_period_headings():
    # the row's own cells (High, Low) are of one period: the periods run down the column
    reading = reader.read_tables(
        stand_in(ops.ARGMAX, "max"), "In which year was the second quarter high price larger?", [period_headed_table()]
    )
    assert reading is not None and reading.spans == ["2020"]
