"""Answers through the engine that /ask uses: real model, real FAISS, real BM25, real store."""

from __future__ import annotations

import pytest

from service.answering.engine import Engine
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def engine(corpus_engine):
    return corpus_engine


@pytest.fixture(scope="module")
def lakeland(tmp_path_factory, ingest, embedder):
    """A second, unrelated report (water and energy) with its own questions."""
    data = tmp_path_factory.mktemp("lakeland")
    ingest([FIXTURES / "lakeland-water-report.md"], data)
    return Engine.load(data, embedder)


def first(response):
    assert response.citations, response
    return response.citations[0]


def test_table_cell_answer_cites_the_cell_and_its_references(engine):
    r = engine.ask("What were Russia's fixed broadband subscriptions per 100 people in 2019?")
    assert r.answered is True
    assert r.value == 22.52 and r.unit == "per 100 people"
    c = first(r)
    assert c.kind == "table_row" and c.table == "Table 6" and c.doc_id == "song-2024"
    assert c.row == "2019" and c.column == "Fixed broadband subscriptions (per 100 people) / Russia"
    assert c.locator == "Table 6 · 2019 · Fixed broadband subscriptions (per 100 people) / Russia"
    start, end = c.highlight
    assert c.snippet[start:end] == "22.52"
    assert {ref.n for ref in c.refs} == {6}  # of Table 6's [5; 6; 12; 13], the Russian broadband series
    assert all(ref.text and ref.url for ref in c.refs)
    # the World Bank row that backs the figure is cited beside the table
    assert any(x.kind == "fact" and x.doc_id == "wb-fixed-broadband" for x in r.citations)


@pytest.mark.parametrize(
    "question, value, table",
    [
        ("What share of GDP did China's digital economy account for in 2017?", 32.9, "Table 1"),
        # "how large" asks for a figure: a clause of the text without one does not replace it
        ("How large was China's digital economy in 2020?", 39.2, "Table 1"),
        ("How big was the digital economy of the USA in 2021?", 153181, "Table 3"),
        ("What was China's EGDI ranking in 2020?", 45, "Table 7"),
        ("What was Russia's E-Participation Index rank in 2018?", 23, "Table 7"),
        ("What was Russia's digital service score in 2020?", 93.67, "Table 9"),
        ("What were China's B2C e-commerce sales in 2019?", 1539, "Table 12"),
        ("What was Russia's B2C e-commerce rank in 2019?", 13, "Table 12"),
        ("What were China's online retail sales in 2020 in billions of dollars?", 1414.3, "Table 13"),
        ("What was Russia's GDP in 2018 according to Table 2?", 16573, "Table 2"),
    ],
)
def test_table_cells_by_row_column_and_year(engine, question, value, table):
    r = engine.ask(question)
    assert r.answered and r.value == pytest.approx(value)
    assert first(r).table == table


def test_a_currency_asked_for_picks_the_table_in_that_currency(engine):
    # Table 1 gives China's digital economy in yuan, Table 3 in dollars
    assert first(engine.ask("What was China's digital economy in 2019 in yuan?")).table == "Table 1"
    r = engine.ask("What was China's digital economy in 2019 in dollars?")
    assert r.answered and r.value == 51954 and r.unit == "billion dollars" and first(r).table == "Table 3"


def test_a_currency_no_table_gives_is_said_to_be_another(engine):
    r = engine.ask("How large was China's digital economy in 2019 in euros?")
    assert r.answered and r.value == 35.8
    assert r.answer.startswith("The documents give this in trillion yuan RMB, not in the currency asked (€)")


def test_no_year_asked_gives_the_latest(engine):
    r = engine.ask("What is Russia's E-Government Development Index rank?")
    assert r.answered and r.value == 42 and "2022" in r.answer


def test_prose_answer_highlights_the_phrase(engine):
    r = engine.ask("How many 5G base stations had China built by November 2021?")
    assert r.answered and r.value == 1.396
    c = first(r)
    assert c.kind == "passage" and c.table is None
    start, end = c.highlight
    assert c.snippet[start:end].startswith("1.396 million")
    assert "II. Digital Upgrading of Manufacturing Industry" in c.locator


def test_prose_picks_the_asked_entity_and_year(engine):
    r = engine.ask("What proportion of Russians used the Internet in 2020 according to the World Bank?")
    assert r.value == 85 and [ref.n for ref in first(r).refs] == [9]
    r = engine.ask("What share of global GDP did the digital economy account for in 2020?")
    assert r.value == 43.7 and first(r).refs[0].n == 18


def test_comparison_shows_both_cells(engine):
    r = engine.ask("Which country had more fixed broadband subscriptions per 100 people in 2020, China or Russia?")
    assert r.answered and r.answer.startswith("China had more") and r.value == 33.6
    assert "23.23" in r.answer
    assert r.citations[0].column == "Fixed broadband subscriptions (per 100 people) / China"
    assert [cell.column for cell in r.citations[0].cells] == [
        "Fixed broadband subscriptions (per 100 people) / China",
        "Fixed broadband subscriptions (per 100 people) / Russia",
    ]


def test_a_question_naming_no_country_gets_each_country_s_figure(engine):
    """Table 14 gives manufacturing value added for China and Russia: a question that names
    neither is not answered with the one retrieval ranked first."""
    r = engine.ask("What was manufacturing value added in 2020?")
    assert r.answered and r.value is None
    assert r.spans == ["3.86", "199.92"]
    assert r.answer == "In 2020, value added was $3.86 trillion for China and $199.92 billion for Russia (Table 14)."
    cited = {(c.table, cell.row, cell.column) for c in r.citations for cell in (c, *c.cells) if c.kind == "table_row"}
    assert {
        ("Table 14", "2020", "China / Value added ($ trillion)"),
        ("Table 14", "2020", "Russia / Value added ($ billion)"),
    } <= cited
    one = engine.ask("What was Russia's manufacturing value added in 2020?")
    assert one.value == 199.92 and one.spans == ["199.92"]


def test_each_country_s_rank_from_a_table_of_countries_by_year(engine):
    """Table 11 ranks China and Russia by year (the countries are its rows): the question
    names neither, so the cited row's country is not a word it left unsaid."""
    r = engine.ask("What was the cybersecurity index rank in 2018?")
    assert r.answered and r.spans == ["27", "26"], r.answer
    assert r.answer == "In 2018, Table 11 gives 27 for China and 26 for Russia."


def test_a_question_naming_no_country_gets_each_country_s_figure_from_a_dataset(engine):
    """The UN's dataset holds the 2022 EGDI for China and Russia, each year's row twice (two
    releases): one figure a country."""
    r = engine.ask("What was the EGDI in 2022?")
    assert r.answered and r.value is None and r.spans == ["0.8119", "0.8162"]
    assert r.answer.startswith("In 2022, E-Government Development Index was 0.8119 index 0-1 for China and 0.8162")
    facts = [c for c in r.citations if c.kind == "fact"]
    assert [(c.row, c.column) for c in facts[:2]] == [("China", "2022"), ("Russian Federation", "2022")]


def test_rank_comparison_lower_is_better(engine):
    r = engine.ask("Did China rank higher than Russia in the EGDI in 2022?")
    assert r.answer.startswith("No. Russia ranked better") and "42" in r.answer and "43" in r.answer


def test_a_score_beside_rank_columns_is_compared_higher_is_better(engine):
    # Table 9's caption says "ranking", but `Service` is a score; `Service / Rank` is its rank
    r = engine.ask("Whose digital service score was higher in 2020, China's or Russia's?")
    assert r.answer.startswith("Russia had more: 93.67 vs 90.30 for China")
    r = engine.ask("Which country ranked higher on service in 2020, China or Russia?")
    assert r.answer.startswith("Russia ranked better: 3 vs 8 for China")


@pytest.mark.parametrize(
    "question",
    [
        "Did Russia beat China on the digital service score in 2020?",
        "China or Russia: whose digital service score was better in 2020?",
    ],
)
def test_two_countries_and_one_indicator_is_a_comparison_in_any_wording(engine, question):
    r = engine.ask(question)
    assert "Russia had more: 93.67 vs 90.30 for China" in r.answer


def test_a_computed_figure_keeps_to_the_column_asked(engine):
    # Table 6 has fixed broadband and mobile subscriptions side by side, both per 100 people
    r = engine.ask(
        "What was the difference between China's and Russia's fixed broadband subscriptions per 100 ppl in 2020?"
    )
    assert r.answered and r.value == pytest.approx(10.37)
    assert all("Mobile" not in (c.column or "") for c in r.citations[:2])


def test_derived_difference_and_change_show_the_arithmetic(engine):
    r = engine.ask(
        "What was the difference between China's and Russia's fixed broadband subscriptions per 100 people in 2020?"
    )
    assert r.value == pytest.approx(10.37) and "33.60 − 23.23" in r.answer
    r = engine.ask("How much did China's digital economy grow from 2019 to 2020?")
    assert r.value == pytest.approx(3.4) and "39.2 − 35.8" in r.answer
    assert {cell.column for cell in r.citations[0].cells} == {"2019", "2020"}


def test_source_questions_name_the_reference(engine):
    r = engine.ask("Where does the 45.5 trillion yuan figure come from?")
    assert r.answered and first(r).table == "Table 1"
    assert "[21]" in r.answer and "White Paper on the Development of China's Digital Economy (2022)" in r.answer
    r = engine.ask("Which source do the EGDI and EPI rankings come from?")
    assert first(r).table == "Table 7" and "E-Government" in r.answer
    r = engine.ask("What is the source of the digital economy scale figures for the world's leading countries?")
    assert "Source: CAICT." in r.answer


@pytest.mark.parametrize(
    "question",
    [
        "What was India's digital economy size in 2020?",
        "What was Russia's digital economy share of GDP in 2017?",
        "How many 5G base stations did Russia have in 2021?",
        "What was China's EGDI ranking in 2001?",
        "What was the unemployment rate in Russia in 2019?",
    ],
)
def test_abstains_when_the_documents_do_not_hold_it(engine, question):
    r = engine.ask(question)
    assert r.answered is False and r.value is None and r.unit is None
    assert r.answer.startswith("The documents do not say")


def test_missing_cell_is_reported_as_missing(engine):
    r = engine.ask("What was Russia's IMD world digital competitiveness rank in 2022?")
    assert r.answered is False and r.value is None
    assert "missing" in r.answer and "—" in r.answer
    assert first(r).table == "Table 8" and first(r).column == "2022"


def test_doc_filter_limits_the_evidence(engine):
    r = engine.ask(
        "What were Russia's fixed broadband subscriptions per 100 people in 2019?", doc_ids=["wb-fixed-broadband"]
    )
    assert {c.doc_id for c in r.citations} == {"wb-fixed-broadband"}
    assert r.value == pytest.approx(22.5249, abs=1e-3)


def test_chinese_question_over_the_chinese_white_paper(engine):
    r = engine.ask("2022年中国数字经济规模是多少万亿美元？")
    assert r.value == 7.5 and first(r).doc_id == "caict-gde-wp-2023" and first(r).page == 4


# -- generality: the same code on a second, unrelated report ----------------------------
@pytest.mark.parametrize(
    "question, value, table",
    [
        ("How much fresh water did Eastvale withdraw in 2022?", 101.5, "Table 1"),
        ("What was the installed solar capacity in 2023?", 1390, "Table 2"),
        ("How much fresh water did the region draw in 2023?", 412, None),
        ("What share of demand did groundwater supply in 2023?", 57, None),
        ("How much did Southmoor's fresh water withdrawals change from 2021 to 2023?", -8.4, "Table 1"),
        ("What was the difference between Southmoor and Northgate fresh water withdrawals in 2023?", 92.8, "Table 1"),
    ],
)
def test_second_report_figures(lakeland, question, value, table):
    r = lakeland.ask(question)
    assert r.answered and r.value == pytest.approx(value)
    assert first(r).table == table


def test_second_report_comparison_label_source_and_abstention(lakeland):
    r = lakeland.ask("Which district withdrew more fresh water in 2021, Northgate or Southmoor?")
    assert r.answer.startswith("Southmoor had more") and r.value == 210.9
    r = lakeland.ask("Which district withdrew the most fresh water in 2023?")
    assert r.answer.startswith("Southmoor")
    r = lakeland.ask("What is the source of the renewable capacity figures?")
    assert "Renewable Capacity Register" in r.answer and first(r).table == "Table 2"
    r = lakeland.ask("What was the installed wind capacity in 2023?")
    assert r.answered is False and "missing" in r.answer
    for question in (
        "What was the installed geothermal capacity in 2023?",
        "How much fresh water did Westbrook withdraw in 2022?",
    ):
        assert lakeland.ask(question).answered is False


def test_russian_question_read_through_the_glossary(engine):
    r = engine.ask("Какой была доля цифровой экономики в ВВП России в 2019 году?")
    assert r.answered and r.value == 18.2 and first(r).table == "Table 2"
    assert r.question.startswith("Какой")


def test_a_russian_question_gets_a_russian_sentence_and_an_english_one_its_old_sentence(engine):
    r = engine.ask("Какой была доля цифровой экономики в ВВП России в 2019 году?")
    russian = "В 2019 году значение показателя «GDP ratio» (Россия) составило 18.2% (Table 2"
    assert r.answer.startswith(russian), r.answer
    assert r.value == 18.2 and r.unit == "%"
    assert first(r).table == "Table 2" and "18.2" in first(r).snippet  # the cited cell stays as the document prints it
    r = engine.ask("What share of GDP did China's digital economy account for in 2017?")
    assert r.answer == (
        "China's GDP ratio was 32.9% in 2017 (Table 1, “International Comparison and Competitive Prospects of…”)."
    )


def test_respectively_lists_pair_years_with_figures(engine):
    r = engine.ask("By how much will Russia's manufacturing output value increase by 2035 over 2019?")
    assert r.value == 192.5 and r.unit == "%"


def test_percent_of_something_column_answers_a_percentage_question(engine):
    r = engine.ask("How many online shoppers as a percentage of internet users did Russia have in 2019?")
    assert r.value == 35 and first(r).column == "Online shoppers (% of internet users)"


def test_difference_between_two_years_of_one_series(engine):
    r = engine.ask("What is the difference between Russia's EGDI rank in 2012 and 2022?")
    assert r.value == 15 and "42 − 27" in r.answer


def test_a_year_only_a_dataset_holds_is_answered_from_the_dataset(engine):
    r = engine.ask("What were Russia's fixed broadband subscriptions per 100 people in 2014?")
    assert r.answered and first(r).kind == "fact" and first(r).doc_id == "wb-fixed-broadband"
    assert r.value == pytest.approx(17.247, abs=0.01) and "17.2471" in r.answer


@pytest.mark.parametrize(
    "question, value, table",
    [
        # words about the document itself ask for nothing
        ("Give me the value of Russia's GDP in 2018 according to the paper.", 16573, "Table 2"),
        # "dollars" is answered by a table of money; "GDP" is the GDP row, not the `GDP ratio, %` beside it
        ("What were China's total retail sales in 2020 in dollars?", 5681, "Table 13"),
        ("What was Russia's GDP in 2018?", 16573, "Table 2"),
    ],
)
def test_generic_words_currency_and_percent_neighbours(engine, question, value, table):
    r = engine.ask(question)
    assert r.answered and r.value == pytest.approx(value), r.answer
    assert first(r).table == table


def test_the_us_is_a_country_and_a_ratio_is_computed_from_its_cells(engine):
    r = engine.ask("How many times larger was the US digital economy than China's in 2021?")
    assert r.answered and r.value == pytest.approx(153181 / 70576, rel=1e-3), r.answer
    assert "153 181 / 70 576" in r.answer and r.unit == "times"


def test_the_difference_between_two_entities_is_the_gap(engine):
    r = engine.ask(
        "What is the difference between China's and Russia's mobile cellular subscriptions per 100 people in 2019?"
    )
    assert r.answered and r.value == 42, r.answer
    assert "Russia − China = 164 − 122 = 42" in r.answer


def test_which_country_is_answered_with_a_country(engine):
    r = engine.ask("Which country had the largest digital economy in 2019?")
    assert r.answered and r.answer.startswith("USA"), r.answer
    assert first(r).table == "Table 3"
    assert r.value == 130652 and r.unit == "billion dollars"  # the figure that makes it the largest


@pytest.mark.parametrize(
    ("question", "country", "value"),
    [
        # the countries named anywhere, not only after "which": Russia's own table ranks no countries
        ("Among the leading countries, which had the lowest digital economy scale in 2018?", "Russia", 2942),
        ("In 2016, whose digital economy was the largest of the countries compared?", "USA", 108381),
    ],
)
def test_a_superlative_over_countries_ranks_the_countries(engine, question, country, value):
    r = engine.ask(question)
    assert r.answered and r.answer.startswith(country), r.answer
    assert first(r).table == "Table 3"
    assert r.value == value


@pytest.mark.parametrize(
    ("question", "table", "value"),
    [
        # typed in lower case: the index's name recased as the paper prints it, not word by word
        ("what was china's ai score in the 2020 global connectivity index?", "Table 10", 48),
        # a scale written short
        ("What was China's GDP in 2014 in tn yuan?", "Table 1", 64.3),
        # a possessive without its apostrophe, of a name only a table's labels print
        ("What was the USAs digital economy in 2016?", "Table 3", 108381),
        # a half-year written short: a period, not a name the sentence must print
        ("What were China's online retail sales in H1 2022?", None, 6.3),
    ],
)
def test_a_question_typed_quickly_is_answered_as_typed_carefully(engine, question, table, value):
    r = engine.ask(question)
    assert r.answered and r.value == value, r.answer
    assert first(r).table == table  # None: a sentence of the paper's text


def test_a_share_is_read_from_a_sentence_whose_year_is_in_the_sentence_before(engine):
    """ "In the first half of 2022, China's … . Online sales in Russia reached 2.3 trillion rubles
    … up 50 percent year on year, accounting for 11.2 percent of total retail sales from 8.8
    percent": not the money, not the growth rate, not the earlier share."""
    r = engine.ask("What share of total retail sales did Russia's online sales account for in the first half of 2022?")
    assert r.answered and r.value == 11.2 and r.unit == "%", r.answer
    c = first(r)
    start, end = c.highlight
    assert c.snippet[start:end].startswith("11.2 percent")


def test_a_source_question_names_every_table_that_holds_the_figure(engine):
    r = engine.ask("Where does the 2 942 billion dollar figure come from?")
    assert r.answered
    assert {c.table for c in r.citations[:2]} == {"Table 2", "Table 3"}
    assert "Table 2" in r.answer and "Table 3" in r.answer and "[24]" in r.answer


def test_a_dataset_row_that_names_entity_and_indicator_beats_a_loose_sentence(engine):
    """`GCI` names the indicator (ITU's Global Cybersecurity Index), not a country; the paper's
    sentence about Huawei's Global Connectivity Index (also `GCI`) holds no such score."""
    r = engine.ask("What was China's GCI 2020 overall score?")
    assert r.answered and r.value == 92.53, r.answer
    assert first(r).kind == "fact" and first(r).doc_id == "itu-gci-2020"


def test_a_table_number_is_not_a_figure_and_a_conversion_restates_one(engine):
    # "… hit a peak in recent years in 2021 (table 14)": 14 is a reference, so the table answers
    r = engine.ask("How much value added did Russian manufacturing produce in 2021?")
    assert r.answered and r.value == 256.96 and first(r).table == "Table 14", r.answer
    # "Online sales in Russia reached 2.3 trillion rubles ($37.94 billion) in the first half of the year"
    r = engine.ask("How much did online sales in Russia reach in the first half of 2022?")
    assert r.answered and r.value == 2.3 and r.unit == "trillion rubles", r.answer


def test_a_question_naming_a_table_gets_that_tables_sources(engine):
    r = engine.ask("What source does Table 13 cite?")
    assert r.answered and first(r).table == "Table 13"
    assert "[4]" in r.answer


def test_a_comparison_without_a_year_reads_the_latest_year(engine):
    r = engine.ask("How many times higher are China's B2C e-commerce sales than Russia's?")
    assert r.answered and "2019" in r.answer and r.value == pytest.approx(1539 / 31, rel=1e-3), r.answer


def test_a_code_with_a_digit_must_match(engine):
    # the paper counts 5G base stations; 6G is another thing
    assert engine.ask("How many 6G base stations did China have in 2021?").answered is False
    assert engine.ask("How many 5G base stations had China built by November 2021?").value == 1.396


def test_a_peak_within_a_year_range_is_a_label(engine):
    r = engine.ask("In what year did Russia's digital economy peak between 2016 and 2020?")
    assert r.answered and r.answer.startswith("2019"), r.answer


def test_a_russian_question_with_case_endings(engine):
    r = engine.ask("Каким был рейтинг России по индексу EGDI в 2018 году?")
    assert r.answered and r.value == 32 and first(r).table == "Table 7", r.answer


@pytest.mark.parametrize(
    "question, table",
    [
        ("Who publishes the digital competitiveness ranking?", "Table 8"),
        ("Who compiles the e-government rankings?", "Table 7"),
        ("Who produces the cybersecurity index?", "Table 11"),
        ("Which organisation publishes the network security index ranking?", "Table 11"),
        ("What agency releases the e-government rankings?", "Table 7"),
    ],
)
def test_who_publishes_is_a_source_question(engine, question, table):
    r = engine.ask(question)
    assert r.answered and first(r).table == table and first(r).refs, r.answer
    assert not r.answer.endswith(".."), r.answer


def test_which_country_produced_is_not_a_source_question():
    from service.answering.question import parse_question

    assert parse_question("Which country produced more manufacturing value added in 2021?").intent != "source"
    assert parse_question("Which organization compiles the index?").intent == "source"


def test_respectively_pairs_names_with_the_figures_of_the_asked_year(engine):
    r = engine.ask("Where did Moscow rank in the 2020 LOSI survey?")
    assert r.answered and r.value == 6, r.answer
    r = engine.ask("What was Shanghai's LOSI rank in 2018?")
    assert r.answered and r.value == 13, r.answer


def test_respectively_by_name_in_any_text():
    from service.answering.prose import best_figure
    from service.answering.question import parse_question

    text = "Oslo, Bergen and Tromso scored 3, 5 and 8 in 2019 and 4, 7 and 9 in 2021, respectively."
    for question, value in [
        ("What did Bergen score in 2021?", 7),
        ("What did Oslo score in 2019?", 3),
        ("What did Tromso score in 2021?", 9),
    ]:
        figure = best_figure(parse_question(question), text, 0, len(text), False)
        assert figure is not None and figure.value == value, question


def test_a_capitalised_opening_noun_is_not_a_name(engine):
    r = engine.ask("Size of Russia's digital economy, 2016?")
    assert r.answered and r.value == 2205, r.answer


def test_how_much_bigger_is_a_difference(engine):
    r = engine.ask("How much bigger was Germany's digital economy than the UK's in 2021?")
    assert r.answered and r.value == 28767 - 21679, r.answer


@pytest.mark.parametrize(
    "question, value, table",
    [
        ("2017年中国网民规模是多少？", 77198, "Table 4"),
        (
            "Сколько подписок на фиксированный широкополосный доступ на 100 человек было в России в 2017 году?",
            21.37,
            "Table 6",
        ),
    ],
)
def test_more_glossary_readings(engine, question, value, table):
    r = engine.ask(question)
    assert r.answered and r.value == value and first(r).table == table, r.answer


def test_versus_is_a_comparison(engine):
    r = engine.ask("China vs Russia: who had more mobile cellular subscriptions per 100 people in 2020?")
    assert r.answered and r.answer.startswith("Russia had more: 164"), r.answer


def test_a_table_lacking_a_word_other_tables_have_does_not_answer(engine):
    # "mobile" names rows of other tables; `Online shoppers (% of internet users)` is not about it,
    # and the paper counts mobile Internet users for China only
    r = engine.ask("How many mobile internet users did Russia have in 2019?")
    assert r.answered is False, r.answer


@pytest.mark.parametrize(
    "question, value, table",
    [
        ("How large were Russia's B2C e-commerce sales relative to GDP in 2019?", 1.9, "Table 12"),
        ("Какой была доля онлайн-покупателей среди интернет-пользователей в России в 2019 году?", 35, "Table 12"),
    ],
)
def test_relative_to_asks_for_a_share(engine, question, value, table):
    r = engine.ask(question)
    assert r.answered and r.value == value and first(r).table == table, r.answer


def test_an_amount_question_gets_the_amount_row_of_a_dataset_not_the_share(engine):
    # the paper's Table 14 starts in 2015; the World Bank files hold 2014 in US$ and in % of GDP
    r = engine.ask("What was China's manufacturing value added in 2014?")
    assert r.answered and r.unit == "current US$" and first(r).kind == "fact", r.answer
    assert "3.18 trillion current US$" in r.answer


def test_from_one_year_to_another_is_a_change_not_a_ratio(engine):
    r = engine.ask("How much did China's GDP ratio of the digital economy rise from 2020 to 2021?")
    assert r.answered and r.value == pytest.approx(1.2) and r.unit == "%", r.answer
    assert "percentage points" in r.answer


def test_a_dataset_row_named_by_a_capitalised_indicator_and_only_for_its_own_country(engine):
    r = engine.ask("What was Russia's E-Government Development Index value in 2020?")
    assert r.answered and r.value == pytest.approx(0.8244), r.answer
    # a dataset whose title names both countries does not make a Russian row China's
    r = engine.ask("Telecommunication Infrastructure Index for China in 2020")
    assert r.answered and r.value == pytest.approx(0.7388) and "China" in r.answer, r.answer


def test_a_share_is_the_percent_of_the_base_the_question_names(engine):
    r = engine.ask("What share of total retail sales did China's online sales account for in the first half of 2022?")
    assert r.answered and r.value == 25.9 and r.unit == "%", r.answer


@pytest.mark.parametrize(
    "question, value, words",
    [
        ("By how many places did China's EGDI rank improve between 2012 and 2022?", 35, "up 78 − 43 = 35 places"),
        ("How many places did Russia's EPI rank drop between 2020 and 2022?", 30, "down 57 − 27 = 30 places"),
    ],
)
def test_a_rank_that_improves_goes_down_in_number(engine, question, value, words):
    r = engine.ask(question)
    assert r.answered and r.value == value and r.unit == "places", r.answer
    assert words in r.answer and "lower rank is better" in r.answer
    assert r.citations[0].table == "Table 7" and len(r.citations[0].cells) == 2


def test_a_russian_question_about_the_e_government_ranking(engine):
    r = engine.ask("Какое место занимала Россия в рейтинге электронного правительства в 2022 году?")
    assert r.answered and r.value == 42, r.answer


def test_an_acronym_names_a_dataset_indicator(engine):
    """`EGDI` is `E-Government Development Index`: the UN dataset holds 2010, which the paper's
    table (2012—2022) does not."""
    r = engine.ask("What was China's EGDI ranking in 2010?")
    assert r.answered and r.value == 72, r.answer
    assert first(r).kind == "fact" and "E-Government Development Index rank" in first(r).locator


def test_did_a_outrank_b_is_a_comparison(engine):
    r = engine.ask("Did Russia outrank China on digital services among G20 countries?")
    assert r.answered and r.answer.startswith("Yes. Russia ranked better: 3 vs 8"), r.answer


def test_a_change_reads_the_series_that_has_both_years(engine):
    """Table 2 stops in 2020; Table 3 holds Russia's digital economy for 2016 and 2021."""
    r = engine.ask("How much larger was Russia's digital economy in 2021 than in 2016?")
    assert r.answered and r.value == 1143 and first(r).table == "Table 3", r.answer


def test_a_word_said_twice_asks_for_no_more_than_once():
    from service.answering.question import parse_question

    q = parse_question("数字经济" * 250)  # a 1,000-character question of one repeated phrase
    assert len(q.content) == len(set(q.content)) <= 4
    assert parse_question("Russia digital economy, digital economy in 2020").content.count("digital") == 1


def test_a_word_with_another_ending_is_the_same_word(lakeland):
    """`generated` ~ `generation` (one stem, another ending), on the second report."""
    from service.answering.question import same_word

    assert same_word("generated", "generation") and same_word("connected", "connection")
    assert not same_word("states", "station") and not same_word("nations", "national")
    r = lakeland.ask("How much solar power was generated in 2023?")
    assert r.answered and r.value == 2140 and r.unit == "GWh", r.answer


def test_typed_answers_match_the_api_schemas(engine):
    """The answerer's dataclasses, serialised as they are, validate against the documented shapes."""
    import orjson

    from service.answering.answer import Answer
    from service.schemas import AskResponse, SearchResponse

    answer = engine.ask("What were Russia's fixed broadband subscriptions per 100 people in 2019?")
    assert isinstance(answer, Answer)
    as_json = orjson.loads(orjson.dumps(answer))
    assert AskResponse.model_validate(as_json).model_dump(mode="json") == as_json
    assert as_json == answer.to_dict() and {r["n"] for r in as_json["citations"][0]["refs"]} == {6}
    results = orjson.loads(orjson.dumps({"results": engine.search("broadband Russia", top_k=3)}))
    assert SearchResponse.model_validate(results).model_dump(mode="json") == results
    assert all(r["text"] for r in results["results"])


@pytest.fixture(scope="module")
def riverside(tmp_path_factory, ingest, embedder):
    """A water report whose units are in a caption's and a column's parentheses."""
    data = tmp_path_factory.mktemp("riverside")
    ingest([FIXTURES / "riverside-water-report.md"], data)
    return Engine.load(data, embedder)


def test_the_unit_a_report_states_comes_with_every_figure(riverside):
    r = riverside.ask("What was the average repair time in 2023?")
    assert r.value == 10.6 and r.unit == "hours" and "10.6 hours" in r.answer
    r = riverside.ask("How much water was supplied to Millbrook in 2022?")
    assert r.value == 14.8 and r.unit == "million cubic metres" and "14.8 million cubic metres" in r.answer
    r = riverside.ask("How many leaks were repaired in 2022?")
    assert r.value == 388 and r.unit is None  # a count: no unit stated, none invented
