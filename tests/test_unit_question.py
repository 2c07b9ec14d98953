"""parse_question and its helpers on made-up questions: what a question asks for (years, figures,
named things, intent, direction, operation, table label, content words), without any corpus or model."""

from __future__ import annotations

import pytest

from service.answering.question import acronym_words, acronyms, norm_tokens, normalize, parse_question

pytestmark = pytest.mark.unit


# -- years, numbers, table labels ----------------------------------------------------------


def test_years_are_read_in_order_and_a_single_year_is_the_year():
    q = parse_question("How did the score of Ruritania change from 2015 to 2020?")
    assert q.years == [2015, 2020]
    assert q.year is None  # two years: no single year
    assert parse_question("What was the output of Ruritania in 2019?").year == 2019


def test_years_are_not_numbers_and_printed_figures_are():
    q = parse_question("Was the harvest above 1,361 tonnes or 16.5 percent in 2019?")
    assert q.years == [2019]
    assert q.numbers == [1361.0, 16.5]


def test_a_period_written_as_a_code_is_a_period_not_a_name():
    assert parse_question("What was the harvest of Ruritania in H1 2022?").entities == ["ruritania"]
    assert parse_question("What was the harvest in Q4 2019 and in FY19?").entities == []
    assert parse_question("How many 5G masts were built in H2 2022?").entities == ["5g"]  # a code stays a name


def test_digits_inside_words_and_codes_are_not_numbers():
    q = parse_question("How many 5G masts did Ruritania build in 2022?")
    assert q.numbers == []
    assert "5g" in q.entities  # a code with a digit is a name


def test_table_reference_gives_a_label_and_is_not_a_number_or_an_entity():
    q = parse_question("According to Table 2, what was the value for Ruritania in 2019?")
    assert q.table_label == "Table 2"
    assert q.numbers == []
    assert q.entities == ["ruritania"]
    assert parse_question("What was the value for Ruritania in 2019?").table_label is None


# -- entities --------------------------------------------------------------------------


def test_entities_are_capitalised_words_with_country_aliases_resolved():
    q = parse_question("Which had a higher GDP, the Chinese economy or the Russian Federation, in 2019?")
    assert q.entities == ["gdp", "china", "russia"]


def test_us_is_the_country_but_us_dollars_are_a_currency():
    assert "usa" in parse_question("What was the output of the U.S. in 2020?").entities
    assert "usa" not in parse_question("What was the output in US dollars in 2020?").entities


def test_a_capitalised_first_word_before_of_is_not_a_name():
    q = parse_question("Size of the Ruritanian lakes in 2019?")
    assert "size" not in q.entities
    assert "ruritanian" in q.entities


def test_a_function_word_capitalised_by_its_place_is_not_a_name():
    assert parse_question("Among the lake countries, which had the lowest rainfall in 2018?").entities == []
    assert parse_question("In 2018, Among the lake countries, which was the wettest?").entities == []
    assert parse_question("During 2019, how many lakes did Ruritania drain?").entities == ["ruritania"]
    # inside a clause a capitalised function word is a label's (`Other liabilities`), and an acronym is a name
    assert parse_question("What was the amount of Other liabilities in 2019?").entities == ["other"]
    assert parse_question("US lakes: which was the deepest in 2019?").entities == ["usa"]


# -- intent, direction, operation --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent", "direction", "operation"),
    [
        ("What was the share of forest land in Ruritania in 2020?", "value", None, None),
        ("Which country had a higher output, Ruritania or Freedonia, in 2019?", "compare", "more", None),
        ("Did Ruritania outrank Freedonia in 2020?", "compare", "more", None),
        ("What is the difference between Ruritania and Freedonia in 2018?", "derived", None, "difference"),
        ("How much more did Ruritania spend than Freedonia in 2020?", "derived", "more", "difference"),
        ("How many times larger was Ruritania than Freedonia in 2020?", "derived", "more", "ratio"),
        ("What is the ratio of exports to imports for Ruritania in 2020?", "derived", None, "ratio"),
        ("How did the score of Ruritania change from 2015 to 2020?", "derived", None, "change"),
        ("In which year was the highest number of wind farms?", "label", "more", None),
        ("Which region has the lowest rainfall in 2021?", "label", "less", None),
        # "whose" asks which item, and "compared" without two things named is no comparison of two
        ("In 2016, whose rainfall was the highest of the regions compared?", "label", "more", None),
        ("Whose rainfall was higher in 2016, Ruritania's or Freedonia's?", "compare", "more", None),
        ("What is the source of the data in Table 3?", "source", None, None),
        ("Who publishes the Global Lake Quality Index?", "source", None, None),
        # "from" opens a change only where a period follows it
        ("What was the tonnage from 2018 to 2019?", "derived", None, "change"),
        ("What was the harvest from fiscal 2017 to fiscal 2018?", "derived", None, "change"),
        ("What are the respective fees from lake permits in 2018 and 2019?", "value", None, None),
        ("What were the loans due from subsidiaries in 2018 and 2019 respectively?", "value", None, None),
    ],
)
def test_intent_direction_and_operation(text, intent, direction, operation):
    q = parse_question(text)
    assert (q.intent, q.direction, q.operation) == (intent, direction, operation)


def test_change_needs_two_years():
    assert parse_question("How did the score of Ruritania change in 2020?").intent == "value"


def test_ratio_of_a_year_to_a_year_is_not_a_ratio_question():
    q = parse_question("What was the ratio of debt in 2019 to 2020 in Ruritania?")
    assert q.operation != "ratio"


# -- cues ----------------------------------------------------------------------------------


def test_quantity_cues():
    assert parse_question("What was the share of forest land in 2020?").cues == {"percent"}
    assert parse_question("What was the rank of Ruritania in 2020?").cues == {"rank"}
    assert "money" in parse_question("What was the size of the economy in trillion yuan?").cues
    assert parse_question("How many wind farms were built in 2022?").cues == {"count", "amount"}


def test_how_much_with_growth_asks_for_no_amount():
    assert "amount" not in parse_question("How much did exports grow in 2021?").cues
    assert "amount" in parse_question("How much did Ruritania export in 2021?").cues


def test_a_ratio_question_drops_the_percent_cue():
    q = parse_question("What is the ratio of exports to imports for Ruritania in 2020?")
    assert "percent" not in q.cues


# -- content words and tokens ---------------------------------------------------------------


def test_content_words_drop_question_words_generic_words_years_and_numbers():
    q = parse_question("What was the highest share of internet users in Ruritania in 2020, at 16.5 or more?")
    assert q.content == ["share", "internet", "users", "ruritania"]


def test_content_words_are_not_repeated():
    q = parse_question("What was the rainfall, the rainfall in Ruritania?")
    assert q.content == ["rainfall", "ruritania"]


def test_tokens_end_with_the_acronyms_of_capitalised_runs():
    q = parse_question("Who publishes the Global Lake Index?")
    assert q.tokens[-3:] == ["gl", "gli", "li"]
    assert q.words.has("lake")


# -- normalize, norm_tokens, acronyms ----------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "expected"),
    [("Russia's", "russia"), ("Chinese", "china"), ("americans", "usa"), ("россии", "russia"), ("GDP", "gdp")],
)
def test_normalize(token, expected):
    assert normalize(token) == expected


def test_norm_tokens_folds_names_thousands_and_stopwords():
    assert norm_tokens("The Russian Federation's output grew 1 234 in 2020") == [
        "russia",
        "s",
        "output",
        "grew",
        "1234",
        "2020",
    ]
    assert norm_tokens("United States of America and 中国") == ["usa", "china"]


def test_acronyms_are_initials_of_capitalised_runs():
    assert acronyms("E-Participation Index") == ["ep", "epi", "pi"]
    assert acronyms("the internet of things") == []


def test_acronym_words_map_initials_to_the_words_of_each_run():
    assert acronym_words("E-Government Development Index rank") == {"egdi": ["e", "government", "development", "index"]}
    assert acronym_words("The Global Lake Index and World Bank data") == {
        "tgli": ["global", "lake", "index"],
        "wb": ["world", "bank"],
    }
    assert acronym_words("A B C D E F G") == {}  # a run of more than six words is no name


def test_countries_come_from_iso_3166_not_a_hand_list():
    from service.answering.question import is_country

    assert all(is_country(name) for name in ("brazil", "kazakhstan", "india", "russia", "usa", "russian"))
    assert not any(is_country(word) for word in ("revenue", "digital", "economy", "total"))


# -- a change in percent, a comparison with what is above or below -------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "What was the percent increase in Ruritania's exports from 2018 to 2020?",
        "By what percentage did Ruritania's exports grow from 2018 to 2020?",
        "What was the % change in Ruritania's exports between 2018 and 2020?",
        "How much did Ruritania's exports rise in percentage terms from 2018 to 2020?",
    ],
)
def test_a_percent_word_bound_to_the_change_asks_the_change_in_percent(question):
    q = parse_question(question)
    assert q.intent == "derived" and q.operation == "percent_change"
    assert "percent" not in q.cues  # the exports row is asked for, not a percentage row


def test_a_change_of_a_share_is_a_change_not_a_change_in_percent():
    q = parse_question("How did the export share of Ruritania change from 2018 to 2020?")
    assert q.operation == "change" and "percent" in q.cues


def test_above_or_below_what_follows_is_a_comparison():
    q = parse_question("Was Ruritania's harvest above the average in 2020?")
    assert q.intent == "compare" and q.direction == "more"
    assert parse_question("Was Ruritania's harvest below Freedonia's in 2020?").direction == "less"
    # a size, not a comparison
    q = parse_question("What was the revenue of the 28nm and below technologies in 2019?")
    assert q.intent == "value" and q.direction is None


def test_up_on_a_year_is_the_change_since_that_year():
    q = parse_question("How much was Ruritania's harvest up on 2018 in 2019?")
    assert q.intent == "derived" and q.operation == "change" and q.years == [2018, 2019]
    assert "up" not in q.content  # the change's direction, not what is measured
    assert parse_question("How much was the harvest down against 2019 in 2020?").operation == "change"


def test_the_two_countries_compared_is_a_comparison_naming_neither():
    q = parse_question("How do the two countries compare on harvests in 2020?")
    assert q.intent == "compare" and q.entities == []
    assert q.content == ["harvests"]


@pytest.mark.parametrize(
    "question, years",
    [
        ("What were the combined exports of Ruritania from 2018 to 2020?", [2018, 2020]),
        ("What is the total of Ruritania's exports 2018-2020?", [2018, 2020]),
        ("What was the cumulative harvest of Ruritania between 2016 and 2018?", [2016, 2018]),
    ],
)
def test_a_sum_over_a_range_of_years_is_a_sum(question, years):
    q = parse_question(question)
    assert (q.intent, q.operation, q.years) == ("derived", "sum", years)


def test_a_total_that_names_a_row_is_no_sum():
    assert parse_question("What was the change in total equity from 2018 to 2019?").operation == "change"
    assert parse_question("What is the % change in total equity from 2018 to 2019?").operation == "percent_change"
