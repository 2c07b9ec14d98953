"""Answers from running text (service/answering/prose.py) on made-up passages: which sentence
qualifies, and which figure in it answers."""

from __future__ import annotations

import pytest

from ingest.records import Passage, content_id
from service.answering.prose import best_figure, best_sentences
from service.answering.question import parse_question, trends

pytestmark = pytest.mark.unit


def make_passage(text: str, section: tuple[str, ...] = ("Results",)) -> Passage:
    """A passage as the answerer reads it (the ingest record; it was `PassageView` in
    service/answering/corpus.py): the one place to change if the passage class changes. The id
    is a hash of the content: prose.py caches sentences by passage id, so two different texts
    must never share one."""
    return Passage(
        id=content_id("unit-test", text, section),
        text=text,
        section=list(section),
        page=1,
        char_start=0,
        char_end=len(text),
        refs=[],
        doc_id="unit-doc",
    )


def unit_weight(token: str) -> float:
    return 1.0


def answer(question: str, *texts: str, need_figure: bool = True):
    """The sentence matches for a question over passages ranked in the given order."""
    q = parse_question(question)
    passages = [(make_passage(t), 1.0) for t in texts]
    return best_sentences(q, passages, unit_weight, need_figure=need_figure)


def figure_of(question: str, sentence: str):
    """The figure best_figure picks in a one-sentence text (`asks_change` as best_sentences sets it)."""
    q = parse_question(question)
    return best_figure(q, sentence, 0, len(sentence), bool(trends(q.text)))


# -- which sentence qualifies ------------------------------------------------------------------


def test_the_sentence_with_the_asked_year_is_chosen():
    text = "In 2019 the forest cover of Ruritania was 41%. In 2020 the forest cover of Ruritania was 44%."
    matches = answer("What was the forest cover of Ruritania in 2020?", text)
    assert [m.text for m in matches] == ["In 2020 the forest cover of Ruritania was 44%."]
    assert matches[0].figure.value == 44.0
    assert matches[0].figure.unit == "%"
    assert matches[0].coverage == 1.0


def test_a_sentence_missing_an_asked_entity_does_not_qualify():
    assert (
        answer("What was the forest cover of Ruritania in 2020?", "In 2020 Freedonia had a forest cover of 30%.") == []
    )


def test_a_sentence_sharing_no_content_word_does_not_qualify():
    assert answer("What was the rainfall in 2020?", "In 2020 the forest cover was 44%.") == []


def test_a_sentence_without_a_figure_qualifies_only_when_no_figure_is_needed():
    text = "In 2020 the forest cover of Ruritania grew strongly."
    question = "What was the forest cover of Ruritania in 2020?"
    assert answer(question, text) == []
    matches = answer(question, text, need_figure=False)
    assert len(matches) == 1 and matches[0].figure is None


def test_an_entity_named_only_elsewhere_in_the_passage_counts_unless_the_sentence_names_another_country():
    question = "How many lakes did Russia have in 2020?"
    assert [
        m.figure.value for m in answer(question, "Russia reported its lakes in 2020. In 2020 there were 120 lakes.")
    ] == [120.0]
    assert answer(question, "Russia reported its lakes in 2020. In 2020 China had 120 lakes.") == []


def test_the_same_year_inherits_the_year_of_the_sentence_before_at_a_cost():
    inherited = answer(
        "What was the forest cover in 2020?",
        "Ruritania counted its trees in 2020. The forest cover in that year was 44%.",
    )
    assert [m.text for m in inherited] == ["The forest cover in that year was 44%."]
    direct = answer("What was the forest cover in 2020?", "The forest cover in 2020 was 44%.")
    assert direct[0].score - inherited[0].score == pytest.approx(0.3)


def test_an_earlier_passage_ranks_first_when_all_else_is_equal():
    first = "The forest cover in 2020 was 44%."
    second = "The forest cover in 2020 was 45%."
    matches = answer("What was the forest cover in 2020?", first, second)
    assert [m.figure.value for m in matches] == [44.0, 45.0]
    assert matches[0].score > matches[1].score


# -- which figure answers -----------------------------------------------------------------------


def test_the_figure_in_the_clause_of_the_asked_country():
    sentence = "In 2020 the forest cover was 23% in China, and 50% in Russia."
    assert figure_of("What was the forest cover of China in 2020?", sentence).value == 23.0
    assert figure_of("What was the forest cover of Russia in 2020?", sentence).value == 50.0


def test_the_closest_name_before_a_figure_is_what_it_describes():
    sentence = "In 2020 China's forest cover was 23%; Russia, in turn, reported 50%."
    assert figure_of("What was the forest cover of Russia in 2020?", sentence).value == 50.0
    assert figure_of("What was the forest cover of China in 2020?", sentence).value == 23.0


def test_a_change_answers_a_question_about_growth_and_the_level_answers_one_about_the_level():
    for sentence in (
        "In 2021 the export share was up 12% to 40%.",
        "In 2021 the export share grew by 12% and stood at 40%.",
    ):
        assert figure_of("What was the export share in 2021?", sentence).value == 40.0
        assert figure_of("By how much did the export share grow in 2021?", sentence).value == 12.0


def test_a_money_figure_takes_its_unit_words_and_a_growth_rate_is_passed_over():
    sentence = "In 2021, online retail sales reached 13.1 trillion yuan, up 14.1 percent year on year."
    figure = figure_of("What were online retail sales in 2021?", sentence)
    assert (figure.value, figure.unit) == (13.1, "trillion yuan")
    assert sentence[figure.start : figure.end] == "13.1 trillion yuan"


def test_a_count_takes_the_figure_before_the_asked_noun():
    sentence = "In 2022, Ruritania built 120 wind farms and 2.3 million solar panels."
    assert figure_of("How many solar panels did Ruritania build in 2022?", sentence).value == 2.3
    assert figure_of("How many wind farms did Ruritania build in 2022?", sentence).value == 120.0
    assert figure_of("How many solar panels did Ruritania build in 2022?", sentence).unit == "million"


def test_from_to_ranges_give_the_figure_of_the_asked_end():
    sentence = "From 2010 to 2020, the penetration rate grew from 49% to 85%."
    assert figure_of("What was the penetration rate in 2020?", sentence).value == 85.0
    assert figure_of("What was the penetration rate in 2010?", sentence).value == 49.0


def test_the_figure_followed_by_the_asked_year():
    sentence = "Internet penetration moved from 61% in 2021 to 57% in 2023."
    assert figure_of("What was the internet penetration in 2023?", sentence).value == 57.0
    assert figure_of("What was the internet penetration in 2021?", sentence).value == 61.0


@pytest.mark.parametrize("year, value", [(2019, 59.2), (2018, 67.6), (2017, 73.1)])
def test_the_figure_followed_by_the_asked_fiscal_year(year, value):
    sentence = "Depreciation expense was $59.2 million in fiscal 2019, $67.6 million in fiscal 2018, and $73.1 million in fiscal 2017."
    assert figure_of(f"What was the depreciation expense in fiscal {year}?", sentence).value == value


def test_the_figure_followed_by_the_fiscal_year_ended():
    sentence = (
        "There were 308,000 awards excluded for the fiscal year ended 2019 and 113,000 for the fiscal year ended 2018."
    )
    assert figure_of("How many awards were excluded for the fiscal year ended 2018?", sentence).value == 113000
    assert figure_of("How many awards were excluded for the fiscal year ended 2019?", sentence).value == 308000


def test_respectively_pairs_years_named_after_the_figures():
    sentence = "Interest was capitalised at average rates of 3.96% and 3.88% for 2019 and 2018, respectively."
    assert figure_of("What was the average rate of capitalised interest in 2018?", sentence).value == 3.88
    assert figure_of("What was the average rate of capitalised interest in 2019?", sentence).value == 3.96


def test_respectively_pairs_years_with_figures():
    sentence = "By 2024 and 2035 the market will increase by 116.8% and 192.5%, respectively."
    assert figure_of("How much will the market increase by 2024?", sentence).value == 116.8
    assert figure_of("How much will the market increase by 2035?", sentence).value == 192.5


def test_respectively_pairs_names_with_figures_of_the_asked_year():
    sentence = "Moscow and Shanghai ranked 1 and 13 in 2018, 6 and 9 in 2020, respectively."
    assert figure_of("What rank did Shanghai have in 2020?", sentence).value == 9.0
    assert figure_of("What rank did Moscow have in 2018?", sentence).value == 1.0


def test_references_table_numbers_years_and_asked_numbers_are_not_figures():
    sentence = "In 2020, as table 14 shows, there were 120 lakes above 300 metres [12]."
    figure = figure_of("How many lakes above 300 metres were there in 2020?", sentence)
    assert figure.value == 120.0
    assert figure_of("What was it in 2020?", "In 2020, see table 14 [12].") is None


# -- a figure's own year ------------------------------------------------------------------------


def test_a_figure_dated_by_another_year_is_not_the_asked_years():
    # the asked year is printed in the sentence only as a cited report's title year
    sentence = "According to the Harvest Outlook (2023), the grain crop of Ruritania grew from 2.6 million tonnes in 2005 to 4.5 million tonnes in 2021."
    assert figure_of("How large was the grain crop of Ruritania in 2023?", sentence) is None
    assert figure_of("How large was the grain crop of Ruritania in 2021?", sentence).value == 4.5


def test_figures_followed_by_a_list_of_years_are_paired_respectively_not_dropped():
    sentence = "The average rate of Ruritania was 3.96% and 3.88% for 2019 and 2018, respectively."
    assert figure_of("What was the average rate of Ruritania in 2018?", sentence).value == 3.88
    assert figure_of("What was the average rate of Ruritania in 2019?", sentence).value == 3.96
