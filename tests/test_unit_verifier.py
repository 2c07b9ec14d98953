"""What an answer rests on, read before it is given: printed figures (a date's day and a
note's number are none), the question's years (`FY17`), country forms (`U.S.`), evidence-level
grounding, and the verifier — its features, its model fitted from a small fixture, the shipped
file."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.numbers import figures_in, is_note_mark, names_a_date, names_a_part
from ingest.records import Passage
from ingest.tables import build_table
from ingest.text import detect_language
from scripts.train_reader import KIT, evidence_text, kind_of, load_scorer, paper_kinds
from scripts.train_verifier import choose_threshold, chosen, fit, report
from service.answering.answer import Citation, Draft
from service.answering.corpus import TableView
from service.answering.question import norm_tokens, parse_question
from service.answering.spans import is_figure, printed_figure, printed_in_text
from service.answering.verifier import (
    FEATURES,
    ROUTED,
    Evidence,
    Verifier,
    asks_period,
    features,
    label_unsaid,
    load_verifier,
)

pytestmark = pytest.mark.unit


# -- figures as printed ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("On November 14, 2016, the Company entered into a loan of $59 thousand", "14"),
        ("Altium had US$6 million as at 30 June 2018.", "30"),
        ("On Sept. 3, 2019 the plan was amended.", "3"),
    ],
)
def test_the_day_of_a_date_is_no_figure(text, figure):
    start = text.index(figure)
    assert names_a_date(text, start + len(figure), start)
    assert all(f.value != float(figure) for f in figures_in(text))


def test_a_count_beside_a_month_word_that_is_no_date_stays_a_figure():
    text = "The company opened 14 stores in 2019 and employed 300 people."
    assert [f.value for f in figures_in(text)] == [14.0, 300.0]
    assert not names_a_date(text, text.index("14") + 2, text.index("14"))


def test_a_note_number_opening_a_text_is_no_figure():
    text = "(1) Fiscal 2018 net income includes an income tax benefit of $75.8 million."
    assert is_note_mark(text, 1, 2)
    assert [f.value for f in figures_in(text)] == [75.8]
    later = "Income rose (see note 2) to $3.1 million."
    assert not is_note_mark(later, later.index("2"), later.index("2") + 1)


@pytest.mark.parametrize(
    "text",
    [
        "Revenue rose (see Table 10) to $40.5 million.",
        "Revenue rose, as Note 12 explains, to $40.5 million.",
        "Revenue rose to $40.5 million (Item 7, Fig. 3).",
    ],
)
def test_the_number_of_a_table_or_note_is_no_figure(text):
    # `Table 10` names a part of the report: a question about revenue is not answered "10"
    assert [f.value for f in figures_in(text)] == [40.5]
    assert names_a_part(text, text.index("1" if "Item" not in text else "7"))


def test_a_figure_after_a_word_that_names_no_part_stays_a_figure():
    text = "The table shows 12 stores and a note of caution: 3 closed."
    assert [f.value for f in figures_in(text)] == [12.0, 3.0]


@pytest.mark.parametrize(
    ("text", "figure", "printed"),
    [
        ("Altium had US$6 million in deferred revenue.", "6", "US$6 million"),
        ("The weighted average duration is 14 years.", "14", "14 years"),
        ("a total of $6.5 million of software costs", "6.5", "$6.5 million"),
        ("services declined by 19.96% year on year in 2020", "19.96", "19.96%"),  # "year on year" is no unit
        ("a loss of (3,000) in the year", "3,000", "3,000"),
    ],
)
def test_a_figure_is_cited_as_the_report_prints_it(text, figure, printed):
    start = text.index(figure)
    a, b = printed_figure(text, start, start + len(figure))
    assert text[a:b] == printed


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("$18.5 million", True),
        ("(6,557)", True),
        ("14 years", True),
        ("4.3%", True),
        ("RMB6,712 million", True),
        ("2019", True),
        ("IFRS 9", False),
        ("Decreased $54.7 million", False),
        ("June 30", False),
        ("commitments for construction of plant", False),
    ],
)
def test_a_figure_alone_is_told_from_words(text, figure):
    assert is_figure(text) is figure


def _kit_question(answer_type: str, answers: list[str]) -> dict:
    return {"question": "?", "answer_type": answer_type, "answers": answers}


def test_what_a_question_s_answer_is_a_figure_or_words():
    assert kind_of(_kit_question("arithmetic", ["12.5"])) == "figure"
    assert kind_of(_kit_question("count", ["3"])) == "figure"
    assert kind_of(_kit_question("span", ["$18.5 million"])) == "figure"
    assert kind_of(_kit_question("multi-span", ["1,113,750", "225,000"])) == "figure"
    assert kind_of(_kit_question("span", ["as an ice-packed, whole chicken"])) == "words"
    assert kind_of(_kit_question("multi-span", ["Subscription solutions", "Merchant solutions"])) == "words"


def test_the_paper_s_english_questions_are_labelled_by_what_they_answer():
    kinds = dict(paper_kinds())
    assert kinds["What share of GDP did China's digital economy account for in 2017?"] == "figure"
    assert kinds["Where does the 45.5 trillion yuan figure come from?"] == "words"
    assert all(k in ("figure", "words") for k in kinds.values())
    assert all(detect_language(q) == "en" for q in kinds)


@pytest.mark.parametrize(
    ("sentence", "years", "figures"),
    [
        (
            "The incremental shares were 383,000 and 750,000 at December 31, 2019 and 2018, respectively.",
            2,
            ["383,000", "750,000"],
        ),
        (
            "Charges of $9.2 million and $8.4 million were recorded in 2017 and 2018, against $5.0 million in 2016.",
            2,
            ["$9.2 million", "$8.4 million"],
        ),
        (
            "Charges of $9.2 million and $8.4 million were recorded in 2017 and 2018, against $5.0 million in 2016.",
            0,
            ["$9.2 million", "$8.4 million", "$5.0 million"],
        ),
        ("On November 14, 2016 the rate rose to 41.3% from 34.9%.", 0, ["41.3%", "34.9%"]),
    ],
)
def test_the_figures_of_a_sentence_are_read_as_printed_in_order(sentence, years, figures):
    from service.answering.spans import Candidate, sentence_figures

    passage = Passage("p", f"Another sentence with 12 items. {sentence} A last one of 7.", [], None, 0, 0, doc_id="d")
    start = passage.text.index(sentence)
    assert sentence_figures(Candidate(passage, start, start + 10, "clause"), years) == figures


def test_a_question_asking_several_values_reads_the_figures_of_the_sentence():
    """The shipped span model picks the sentence; its figures are the values asked, in order."""
    from service.answering import operators as ops
    from service.answering.reader import load_model, read_text

    text = (
        "The company sells hinges in Europe. Net sales were $412.6 million in 2019, compared with "
        "$398.3 million in 2018. Headcount grew to 1,240 employees."
    )
    passages = [Passage("p1", text, ["MD&A"], None, 0, 0, doc_id="doc")]
    question = "What were the net sales in 2019 and 2018 respectively?"
    several = read_text(load_model(), question, passages, several=True)
    assert several is not None and several.op == ops.MULTI_SPAN
    assert several.spans == ["$412.6 million", "$398.3 million"]
    one = read_text(load_model(), question, passages)
    assert one is not None and one.op == ops.SPAN and len(one.spans) == 1


def test_fiscal_years_are_years_of_the_question():
    assert parse_question("What was the interest income in FY17?").years == [2017]
    assert parse_question("What was the change between FY19 and FY18?").years == [2019, 2018]


def test_us_is_the_united_states_in_questions_and_documents_alike():
    assert "usa" in norm_tokens("What was the U.S. Federal statutory rate in 2019?")
    assert "usa" in norm_tokens("the reconciliation at the U.S. Federal statutory rate")
    assert "usa" in norm_tokens("revenue in the United States")


# -- what the question's evidence says ---------------------------------------------------------
def test_evidence_text_is_the_gold_cells_labels_or_the_paragraph_that_prints_the_answer():
    scorer = load_scorer(KIT)
    table = build_table(
        "doc",
        "Table 1",
        "Selling expenses (in millions)",
        [["", "2019", "2018"], ["Advertising", "31.4", "38.2"], ["Sales commissions", "27.0", "33.7"]],
    )
    assert table is not None
    tables = [TableView.of(table)]
    passages = [
        Passage("p1", "Advertising fell because television campaigns were cut.", ["MD&A"], None, 0, 0, doc_id="doc"),
        Passage("p2", "Commissions are paid on collected sales.", ["MD&A"], None, 0, 0, doc_id="doc"),
    ]
    looked_up = {"answers": ["27.0"], "answer_type": "span", "answer_from": "table", "derivation": "", "scale": ""}
    said = evidence_text(scorer, looked_up, tables, passages)
    assert said is not None and "Sales commissions" in said and "Advertising" not in said
    computed = {"answers": [-6.8], "answer_type": "arithmetic", "answer_from": "table", "derivation": "31.4-38.2"}
    said = evidence_text(scorer, {**computed, "scale": "million"}, tables, passages)
    assert said is not None and "Advertising" in said and "Sales commissions" not in said
    why = {"answers": ["television campaigns were cut"], "answer_type": "span", "answer_from": "text"}
    assert evidence_text(scorer, {**why, "derivation": "", "scale": ""}, tables, passages) == passages[0].text
    nowhere = {"answers": ["a new plan"], "answer_type": "span", "answer_from": "text", "derivation": "", "scale": ""}
    assert evidence_text(scorer, nowhere, tables, passages) is None


def test_the_shipped_grounding_knows_question_words_from_words_of_what_is_asked():
    """Learned from evidence, not from whole documents: `respectively`, `percentage`, `change`
    describe the question; `revenue`, `inventories` name what its evidence must say."""
    from service.answering.reader import GROUNDED, load_model
    from service.answering.textmatch import stem

    grounding = load_model().grounding
    for word in ("respectively", "percentage", "change"):
        assert grounding(stem(word)) < GROUNDED, word
    for word in ("revenue", "inventories", "deferred"):
        assert grounding(stem(word)) >= GROUNDED, word


# -- the verifier ------------------------------------------------------------------------------
def _citation(row: str | None, column: str | None = "2019", kind: str = "table_row") -> Citation:
    return Citation("doc", "Report", kind, "Table 1", "Table 1", row, column, None, [], row or "", None, 0.5)


def test_label_unsaid_is_the_weight_of_the_label_the_question_does_not_say():
    weight = {"depreci": 1.0, "expens": 0.5, "total": 0.2}.get
    assert label_unsaid(lambda w: weight(w) or 1.0, "What were total expenses in 2019?", "Depreciation expense") == (
        pytest.approx(1.0 / 1.5)
    )
    assert label_unsaid(lambda w: 1.0, "What was depreciation expense in 2019?", "Depreciation expense 2019") == 0.0
    assert label_unsaid(lambda w: 1.0, "What was it?", None) == 0.0


def test_features_describe_the_answer_and_what_it_cites():
    evidence = Evidence("How much was revenue in 2019?", [2019], [], ("span", 0.9), 0.1, 0.0, 0.0, "Revenue 2019 12.0")
    plain = features(evidence, Draft("Revenue was 12.0.", value=12.0, citations=[_citation("Revenue")], solver="value"))
    assert plain.shape == (len(FEATURES),)
    named = dict(zip(FEATURES, plain))
    assert named["solver_value"] == 1 and named["cited_table_row"] == 1 and named["years_cited"] == 1
    assert named["asks_quantity"] == 1 and named["quantity_without_figure"] == 0
    clause = features(
        evidence, Draft("Because.", spans=["because sales rose"], citations=[_citation(None)], solver="reader")
    )
    assert dict(zip(FEATURES, clause))["quantity_without_figure"] == 1


def test_features_say_a_period_asked_and_something_else_given():
    evidence = Evidence("In which year was revenue largest?", [], [], ("argmax", 0.9), 0.1, 0.0, 0.0, "Revenue")
    year = dict(zip(FEATURES, features(evidence, Draft("2019.", spans=["2019"], citations=[_citation("Revenue")]))))
    assert year["asks_period"] == 1 and year["period_not_given"] == 0
    figure = Draft("23.1.", value=23.1, spans=["23.1"], citations=[_citation("Revenue")])
    assert dict(zip(FEATURES, features(evidence, figure)))["period_not_given"] == 1
    other = Evidence("How much was revenue in 2019?", [2019], [], ("span", 0.9), 0.1, 0.0, 0.0, "Revenue 2019")
    named = dict(zip(FEATURES, features(other, figure)))
    assert named["asks_period"] == 0 and named["period_not_given"] == 0


def test_features_weigh_an_answer_by_the_operation_it_was_reached_by():
    # the operation model's likeliest is a span; the answer is a runner-up's (or a superlative's)
    evidence = Evidence(
        "Which country had the largest output in 2019?", [2019], [], ("span", 0.4), 0.1, 0.0, 0.0, "Output 2019",
        op_shortfall=0.25,
    )  # fmt: skip
    label = Draft(
        "USA — the highest output: 130.",
        value=130.0,
        unit="billion dollars",
        spans=["USA"],
        citations=[_citation("USA")],
        solver="label",
        operation="argmax_row",
    )
    named = dict(zip(FEATURES, features(evidence, label)))
    assert named["op_argmax_row"] == 1 and named["op_span"] == 0
    assert named["op_confidence"] == 0.4 and named["op_shortfall"] == 0.25
    # the figure beside a label backs the name; the answer is no figure
    assert named["has_value"] == 0 and named["percent_unit"] == 0
    solver = Draft("Output was 130.", value=130.0, citations=[_citation("USA")], solver="value")
    named = dict(zip(FEATURES, features(evidence, solver)))
    assert named["op_span"] == 1 and named["has_value"] == 1


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("In which year was revenue largest?", True),
        ("What years are included in the table?", True),
        ("Which fiscal year had the higher margin?", True),
        ("On what date were the shares issued?", True),
        ("How much was revenue in 2019?", False),
        ("When is it allowed to offset deferred tax assets?", False),
    ],
)
def test_asks_period(question, asked):
    assert asks_period(question) is asked


def _option(rng: np.random.Generator, right: bool, routed: bool) -> dict:
    """An answer whose first feature tells right from wrong (noisily)."""
    x = rng.normal(size=len(FEATURES))
    x[0] += 1.5 if right else -1.5
    x[ROUTED] = float(routed)
    return {"x": x, "right": float(right)}


def _asks(rng: np.random.Generator, n: int, kind: str, routed_right: bool, other_right: bool | None) -> list[dict]:
    """Questions each with its routed answer and, unless `other_right` is None, one alternative."""
    out = []
    for i in range(n):
        options = [_option(rng, routed_right, True)]
        if other_right is not None:
            options.append(_option(rng, other_right, False))
        out.append(
            {
                "options": options,
                "routed_right": float(routed_right),
                "answered": True,
                "group": "paper" if kind == "paper" else f"{kind}{i % 10}",
                "kind": kind,
            }
        )
    return out


def test_the_verifier_is_fitted_from_a_small_fixture_and_chooses_within_the_budget():
    from scripts.train_verifier import out_of_fold

    rng = np.random.default_rng(0)
    asks = _asks(rng, 150, "own", True, None) + _asks(rng, 60, "own", False, True) + _asks(rng, 60, "own", False, False)
    asks += _asks(rng, 150, "other", False, False) + _asks(rng, 20, "paper", True, None)
    model = fit(asks)
    right, wrong = np.zeros(len(FEATURES)), np.zeros(len(FEATURES))
    right[0], wrong[0] = 2.0, -2.0
    assert model.p_holds(right) > 0.9 > 0.1 > model.p_holds(wrong)
    out_of_fold(asks)
    threshold, explore = choose_threshold(asks, model)
    figures = report(asks, threshold, explore)
    before, after = figures["own"]["right %"]
    assert after >= before - 1.0  # the budget: at most a point of right answers lost
    assert after > before  # a wrong routed answer's right alternative is given instead
    assert figures["other"]["answered %"][1] < figures["other"]["answered %"][0]  # wrong ones refused
    model.threshold, model.explore = threshold, explore  # the shipped model keeps the paper's right answers
    assert all(chosen(a, threshold, explore, "p_final") is a["options"][0] for a in asks if a["kind"] == "paper")


def test_the_routed_answer_is_given_unless_the_verifier_doubts_it():
    by_reader = FEATURES.index("solver_reader")

    def ask(*ps: float, routed: bool = True, reader: tuple[int, ...] = ()) -> dict:
        options = []
        for i, p in enumerate(ps):
            x = np.eye(len(FEATURES))[ROUTED] * (routed and i == 0)
            x[by_reader] = float(i in reader)
            options.append({"x": x, "p": p})
        return {"options": options}

    sure, doubted = ask(0.6, 0.9), ask(0.2, 0.9)
    assert chosen(sure, 0.1, 0.5)["p"] == 0.6  # sure enough: the alternatives are not weighed
    # … but where the reader's answer replaced the solver's (the first alternative), the two
    # are weighed against each other, and no further one
    assert chosen(ask(0.6, 0.8, 0.95, reader=(0, 2)), 0.1, 0.5)["p"] == 0.8
    assert chosen(ask(0.6, 0.4, reader=(0,)), 0.1, 0.5)["p"] == 0.6
    assert chosen(ask(0.6, 0.8, reader=(0, 1)), 0.1, 0.5)["p"] == 0.6  # another reading is no replaced answer
    assert chosen(doubted, 0.1, 0.5)["p"] == 0.9  # doubted: the likeliest option
    assert chosen(ask(0.05, 0.08), 0.1, 0.5) is None  # none holds: a refusal
    assert chosen(ask(0.3, routed=False), 0.1, 0.5)["p"] == 0.3  # the routing refused; an option holds
    assert chosen({"options": []}, 0.1, 0.5) is None


def test_the_shipped_verifier_loads_offline():
    model = load_verifier()
    assert isinstance(model, Verifier) and model.version.startswith("verifier-")
    assert model.coef.shape == (len(FEATURES),) and 0.0 < model.threshold < 0.5 and 0.0 < model.explore
    assert model.trained_on["features"] == list(FEATURES)


def test_period_words_are_words_of_a_period():
    from ingest.periods import is_period_word

    for word in ("FY19", "December", "fiscal", "Q4"):
        assert is_period_word(word), word
    for word in ("revenue", "period", "Taiwan"):
        assert not is_period_word(word), word


def test_the_reader_memo_of_informative_words_is_never_saved_with_the_model():
    import pickle

    from service.answering.reader import load_model, unsaid

    model = load_model()
    unsaid(model, "What was revenue in 2019?", "Revenue 2019")
    assert "_informative_memo" in model.__dict__
    assert "_informative_memo" not in pickle.loads(pickle.dumps(model)).__dict__


@pytest.mark.parametrize(
    ("raw", "unit", "texts", "printed"),
    [
        # the text prints the cell's digits with the table's scale: as the text prints it
        ("100.1", "$ million", ["Free cash flow came in at $100.1 million, up from $50.9 million."], "$100.1 million"),
        ("(5.6)", "$ million", ["Tax paid was $5.6 million."], "$5.6 million"),
        ("1,066", "£ million", ["Net cash of £1,066 m was generated."], "£1,066 m"),
        # another scale, digits inside a longer number, or no text: no printed form
        ("100.1", "$ thousand", ["Free cash flow came in at $100.1 million."], None),
        ("100.1", "$ million", ["Revenue was $2,100.1 million."], None),
        ("100.1", "$ million", [], None),
        ("12.5", "%", ["A margin of 12.5 million."], None),
    ],
)
def test_printed_in_text(raw, unit, texts, printed):
    assert printed_in_text(texts, raw, unit) == printed
