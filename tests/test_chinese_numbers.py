"""Chinese figures (ingest/numbers.py, and the prose answerer that quotes them): multipliers
万/亿/万亿 and currency and point units read into English units, years left out."""

from __future__ import annotations

import pytest

from ingest.numbers import figures_in, read_figure
from ingest.records import Passage
from service.answering.prose import best_figure
from service.answering.question import parse_question, trends
from service.answering.spans import candidates
from service.answering.textmatch import words
from service.verification import multiplier

pytestmark = pytest.mark.unit


def figures(text: str) -> list[tuple[float, str | None, str]]:
    """Each figure of a text as (value, unit, the text it spans)."""
    return [(f.value, f.unit, text[f.start : f.end]) for f in figures_in(text)]


def quoted(question: str, sentence: str) -> tuple[float, str | None, str] | None:
    """The figure the prose answerer quotes from a one-sentence text."""
    q = parse_question(question)
    figure = best_figure(q, sentence, 0, len(sentence), bool(trends(q.text)))
    return (figure.value, figure.unit, sentence[figure.start : figure.end]) if figure else None


@pytest.mark.parametrize(
    "printed, value, unit",
    [
        ("41.4万亿美元", 41.4, "trillion US dollars"),
        ("41.4 万亿美元", 41.4, "trillion US dollars"),
        ("15.3万亿元", 15.3, "trillion yuan"),
        ("2.5亿", 2.5, "hundred million"),
        ("10 亿欧元", 10, "hundred million euros"),
        ("46.1%", 46.1, "%"),
        ("46.1％", 46.1, "%"),
        ("0.6个百分点", 0.6, "percentage points"),
        ("2.3万亿卢布", 2.3, "trillion roubles"),
        ("100日元", 100, "yen"),
    ],
)
def test_a_chinese_figure_keeps_its_printed_value_and_an_english_unit(printed, value, unit):
    assert read_figure(printed) == (value, unit)


def test_the_multiplier_of_a_chinese_unit_is_its_scale():
    # 2.5亿 is 2.5 hundred million: 250 million
    assert 2.5 * multiplier(read_figure("2.5亿")[1]) == pytest.approx(2.5e8)
    assert 41.4 * multiplier(read_figure("41.4万亿美元")[1]) == pytest.approx(41.4e12)
    assert multiplier(read_figure("3千亿元")[1]) == 1e11


def test_a_year_or_date_is_not_a_figure():
    assert read_figure("2022年") is None
    assert figures("2022年，2014-2020 年间 3 月") == []
    assert figures("2000万") == [(2000, "ten thousand", "2000万")]  # a figure, though it reads like a year


def test_figures_touching_chinese_words_are_read():
    assert figures("同比增长7.4%，提升0.6个百分点") == [
        (7.4, "%", "7.4%"),
        (0.6, "percentage points", "0.6个百分点"),
    ]


def test_mixed_chinese_and_english_text():
    text = "In 2022 the US digital economy was 17.2 trillion dollars; 中国为7.5万亿美元, 占比41.5%, 5G 基站达231万个"
    assert figures(text) == [
        (17.2, "trillion dollars", "17.2 trillion dollars"),
        (7.5, "trillion US dollars", "7.5万亿美元"),
        (41.5, "%", "41.5%"),
        (231, "ten thousand items", "231万个"),  # a measure word counts things: 2.31 million base stations
    ]


def test_the_answerer_quotes_a_chinese_figure_with_its_english_unit_not_the_year():
    sentence = "2022年，美国数字经济规模蝉联世界第一，达17.2万亿美元"
    expected = (17.2, "trillion US dollars", "17.2万亿美元")
    assert quoted("2022年美国数字经济规模是多少？", sentence) == expected
    assert quoted("What was the size of the US digital economy in 2022?", sentence) == expected


def test_the_answerer_reads_the_white_paper_spacing_and_prefers_the_size_to_the_growth():
    sentence = "2022 年，测算的 51 个国家数字经济增加值规模为 41.4 万亿美元，同比名义增长 7.4%"
    assert quoted("2022年数字经济规模是多少？", sentence) == (41.4, "trillion US dollars", "41.4 万亿美元")


@pytest.mark.parametrize(
    "question, sentence, expected",
    [
        ("2022年数字经济占GDP比重是多少？", "2022年，数字经济占GDP比重为41.5%，提升0.6个百分点", (41.5, "%", "41.5%")),
        ("2022年网民规模增长多少？", "2022年全国网民规模同比增长7.4%", (7.4, "%", "7.4%")),
        ("2022年网民规模是多少？", "2022年全国网民规模达2.5亿", (2.5, "hundred million", "2.5亿")),
        ("2022年网民规模是多少？", "2022年全国网民规模达 2000 万", (2000, "ten thousand", "2000 万")),
    ],
)
def test_the_answerer_reads_figures_against_chinese_words(question, sentence, expected):
    assert quoted(question, sentence) == expected


def test_the_reader_s_figure_span_takes_the_chinese_unit():
    text = "2022年，美国数字经济规模蝉联世界第一，达17.2万亿美元，同比增长7.4%。"
    passage = Passage("p1", text, ["数字经济"], None, 0, len(text))
    figures = {c.text for c in candidates(passage, 0, len(text), words("美国数字经济规模")) if c.kind == "figure"}
    assert {"17.2万亿美元", "7.4%"} <= figures
    assert read_figure("17.2万亿美元") == (17.2, "trillion US dollars")  # the value and unit the reader's draft gives


def test_a_measure_word_makes_a_count():
    found = [(f.value, f.unit) for f in figures_in("全球共有人工智能企业 29542 家，共计 709 个")]
    assert found == [(29542, "firms"), (709, "items")]
