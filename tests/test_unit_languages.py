"""Questions in Russian and Chinese, without any corpus or model: country names in three
languages (Russian in any case form), Russian stems in matching and in the lexical index, and
the language of a short question."""

from __future__ import annotations

import re

import pytest

from index.tokenize import tokenize
from ingest.text import detect_language
from service.answering.countries import country_named, mentions, names_in_all_languages
from service.answering.question import canonical, is_country, parse_question, surface_forms
from service.answering.textmatch import words
from service.answering.translate import english_reading
from service.verification import country_key

pytestmark = pytest.mark.unit


# -- country names in English, Russian and Chinese ------------------------------------------


@pytest.mark.parametrize(
    ("name", "english"),
    [
        ("Russian Federation", "Russia"),
        ("russia", "Russia"),
        ("Россия", "Russia"),
        ("России", "Russia"),
        ("Россией", "Russia"),
        ("Российской Федерации", "Russia"),
        ("俄罗斯", "Russia"),
        ("China", "China"),
        ("Китай", "China"),
        ("Китае", "China"),
        ("Китая", "China"),  # Snowball stems it `кит`, the name `кита`
        ("中国", "China"),
        ("United States of America", "United States"),
        ("США", "United States"),
        ("Соединённых Штатов Америки", "United States"),
        ("美国", "United States"),
        ("Японии", "Japan"),
        ("日本", "Japan"),
        ("Германии", "Germany"),
        ("德国", "Germany"),
        ("Korea, Rep.", "South Korea"),
        ("Южной Кореи", "South Korea"),
        ("韩国", "South Korea"),
        ("Великобритании", "United Kingdom"),
        ("英国", "United Kingdom"),
        ("Viet Nam", "Vietnam"),
        ("Ирана", "Iran"),
        ("Ирак", "Iraq"),  # not Iran, whose stem `ира` it starts with
    ],
)
def test_a_country_is_named_in_three_languages(name, english):
    country = country_named(name)
    assert country is not None and country.name == english


@pytest.mark.parametrize(
    "word",
    [
        "кит",  # a whale, not China (`Китай` stems `кита`)
        "китов",
        "российской",  # an adjective, not the country
        "мало",  # `Мали` is undeclined, and `мал` too short a stem to match by
        "того",  # a pronoun, lower-case: not `Того`
        "revenue",
        "digital",
    ],
)
def test_words_that_only_look_like_a_country_are_not_one(word):
    assert country_named(word) is None
    assert not is_country(word)


def test_chinese_names_match_inside_text_longest_first():
    found = [m.country.name for m in mentions("2019年中国、俄罗斯和印度尼西亚的数字经济规模")]
    assert found == ["China", "Russia", "Indonesia"]  # `印度尼西亚` is not `印度` (India)


def test_a_russian_or_chinese_country_word_is_the_country_in_a_question():
    q = parse_question("Какова доля цифровой экономики в ВВП Японии в 2019 году?")
    assert "japan" in q.entities and "japan" in q.tokens
    assert "china" in parse_question("2019年中国数字经济规模是多少？").entities
    assert parse_question("Was Россия ahead of 中国 in 2020?").intent == "compare"  # two countries


def test_canonical_writes_the_matching_word_for_names_in_other_scripts():
    assert canonical("ВВП России и Китая") == "ВВП russia и china"
    assert canonical("中国数字经济") == "china 数字经济"  # spaced off: Chinese has no spaces
    assert canonical("в Южной Африке") == "в South Africa"  # no one word: the English name


def test_surface_forms_of_a_country_include_its_russian_and_chinese_names():
    assert {"росс", "俄罗斯", "russian federation"} <= set(surface_forms("russia"))


def test_country_keys_from_russian_and_chinese_names():
    assert country_key("Россией") == country_key("俄罗斯") == country_key("Russian Federation") == "RUS"
    assert country_key("Японии") == country_key("日本") == "JPN"
    assert country_key("DEU") == "DEU" and country_key("and") is None


def test_the_english_reading_names_countries_in_english():
    assert english_reading("ВВП Южной Кореи") == "GDP South Korea"
    assert english_reading("韩国") == "South Korea"


# -- Russian stems in matching and in the lexical index --------------------------------------


def test_russian_case_forms_share_one_stem_in_matching():
    assert words("цифровой") == words("цифровая") == words("цифровую") == ["цифров"]
    assert words("Expenses") == ["expens"]  # English as before


def test_the_lexical_index_stems_russian_words_and_keeps_cjk_bigrams():
    assert tokenize("Цифровая экономика") == tokenize("цифровой экономики")
    assert tokenize("数字经济") == ["数", "字", "经", "济", "数字", "字经", "经济"]
    assert tokenize("The digital economy") == ["digital", "economy"]


# -- the language of a question --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Какой была доля цифровой экономики в ВВП России в 2019 году?", "ru"),
        ("Каков индекс E-Government Development Index России?", "ru"),  # an English name quoted
        ("Сколько?", "ru"),
        ("2021年数字经济占GDP比重是多少？", "zh"),  # `GDP` inside a Chinese question
        ("中国的E-Government Development Index排名", "zh"),
        ("多少", "zh"),
        ("How large was China's digital economy in 2020?", "en"),
        ("What was 中国's GDP in 2019?", "en"),  # one Chinese name in an English question
        ("GDP 2019?", "en"),
        ("", "en"),
    ],
)
def test_detect_language_of_short_questions(text, language):
    assert detect_language(text) == language


def test_a_country_a_question_names_is_written_in_every_language_for_word_search():
    names = names_in_all_languages("英国2017年的出口是多少？")
    assert {"United Kingdom", "uk", "英国"} <= set(names) and any(n.startswith("британ") for n in names)
    assert not any("northern ireland" in n for n in names)  # the official long form finds any country's words
    assert names_in_all_languages("Каков экспорт Германии?")[0] == "Germany"
    assert names_in_all_languages("What were exports in 2017?") == []


def test_lexical_search_ranks_each_group_of_chunks_apart():
    import numpy as np

    from index.lexical import LexicalIndex

    index = LexicalIndex.build(
        np.array([10, 11, 12, 13]),
        ["exports of Korea 2017", "Korea Korea Korea exports", "韩国 出口 2017", "imports of Japan"],
    )
    groups = {"en": np.array([True, True, False, True]), "zh": np.array([False, False, True, False])}
    found = index.search_groups("Korea 韩国 2017", 5, groups)
    assert [fid for fid, _ in found["zh"]] == [12]
    assert {fid for fid, _ in found["en"]} == {10, 11}
    assert index.search_groups("Korea", 5, groups, allowed={11})["en"] == index.search("Korea", 5, {11})


def test_a_chinese_reading_drops_the_fragments_the_glossary_leaves_when_english_names_the_thing():
    assert english_reading("2018年法国数字经济的规模有多大？") == "2018 France digital economy size ?"
    # nothing English says what is asked: the fragments are it, and stay
    assert "某某比例" in english_reading("2016年日本的某某比例是多少？")
    # a Russian word the glossary does not know is a word, not a fragment
    assert "мобильных" in english_reading("Сколько мобильных интернет-пользователей было в Китае?")


def test_a_chinese_word_the_glossary_lacks_is_read_as_the_sense_the_documents_print():
    """The dictionary (CC-CEDICT through Lindera) gives `港口` as `port` and `harbor`: the
    documents' own vocabulary chooses; nothing Chinese is left for the word matcher."""
    vocabulary = {"port": 12, "container": 7, "harbor": 1}
    reading = english_reading("2019年港口集装箱的数量是多少？", vocabulary)
    assert {"port", "container"} <= set(reading.split())
    assert "harbor" not in reading
    assert not re.search(r"[\u4e00-\u9fff]", reading)


def test_a_sense_the_documents_never_print_and_a_unit_are_left_out_of_the_dictionary_reading():
    vocabulary = {"port": 12, "dollar": 5, "million": 30}
    reading = english_reading("2019年港口收入是多少亿美元？", vocabulary)
    assert "port" in reading.split()
    # `收入` (income, revenue) is printed nowhere here; `亿` and `美元` are the answer's unit
    assert not {"income", "revenue", "million", "dollar"} & set(reading.split())


def test_without_the_documents_vocabulary_the_glossary_reading_is_unchanged():
    assert english_reading("2018年法国数字经济的规模有多大？") == "2018 France digital economy size ?"
