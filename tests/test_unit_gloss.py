"""Chinese read through its dictionary senses (`gloss`) and the figures of a passage that may
answer a question (`passage_figures`): model-free (Lindera's CC-CEDICT dictionary only)."""

from __future__ import annotations

import numpy as np
import pytest

from service.answering import gloss
from service.answering.passage_figures import FEATURES, candidates, load_passage_figure_model, question_words
from service.answering.textmatch import stem

AMOUNT = {"amount": 0.8, "percent": 0.2}


def test_a_chinese_clause_says_the_english_words_of_its_senses():
    said = gloss.english_stems("全球风电装机容量为 9.06 亿千瓦")
    assert {stem("global"), stem("capacity")} <= said


def test_each_chinese_word_is_read_as_all_its_senses_and_english_words_as_themselves():
    words = gloss.word_senses("港口吞吐量 and container throughput")
    assert any(stem("port") in w or stem("harbor") in w for w in words)
    assert frozenset({stem("container")}) in words


def test_a_question_s_words_leave_out_asking_words_numbers_and_countries():
    asked = question_words("How many wind turbines did Germany install among 27 countries in 2021?")
    assert stem("turbine") in asked and stem("install") in asked
    assert not {stem("how"), stem("many"), stem("germany"), "27", "2021"} & asked


def test_a_number_the_question_gives_is_not_an_answer():
    text = "2021 年，全球 27 个国家风电新增装机 93.6 万台。"
    found = candidates(text, "How many wind turbines did the 27 countries add in 2021?", [2021], [], AMOUNT)
    assert [c.figure.value for c in found] == [93.6]


def test_a_sentence_without_a_year_is_dated_by_the_sentence_before_it():
    text = "2022 年，港口集装箱吞吐量为 2.96 亿标准箱。其中，外贸吞吐量为 1.6 亿标准箱。"
    found = candidates(text, "What was foreign trade container throughput in 2022?", [2022], [], AMOUNT)
    assert {c.figure.value for c in found} == {2.96, 1.6}
    assert candidates(text, "What was foreign trade container throughput in 2019?", [2019], [], AMOUNT) == []


def test_where_a_country_is_asked_the_figures_of_its_own_stretch_are_read():
    text = "2022 年，德国风电装机量为 6.6 万台，法国为 2.1 万台。"
    found = candidates(text, "How many wind turbines did France have in 2022?", [2022], ["France"], AMOUNT)
    assert [c.figure.value for c in found] == [2.1]


def test_the_stretch_of_the_asked_figure_says_more_of_the_question():
    text = "2022 年，全球风电新增装机容量为 77.6 万台，全球港口收入为 11.2 亿美元。"
    found = candidates(text, "How much new wind capacity was installed worldwide in 2022?", [2022], [], AMOUNT)
    cover = FEATURES.index("cover_stretch")
    by_value = {c.figure.value: c.features[cover] for c in found}
    assert by_value[77.6] > by_value[11.2]


def test_the_shipped_passage_figure_model_loads_offline_and_prefers_the_asked_figure():
    model = load_passage_figure_model()
    assert model is not None and model.version and 0 < model.threshold < 1
    text = "2022 年，全球风电新增装机容量为 77.6 万台，全球港口收入为 11.2 亿美元。"
    found = candidates(text, "How much new wind capacity was installed worldwide in 2022?", [2022], [], AMOUNT)
    chosen = found[int(np.argmax(model.probabilities(np.stack([c.features for c in found]))))]
    assert chosen.figure.value == pytest.approx(77.6)


def test_how_much_of_a_question_the_best_sentence_of_the_asked_year_says():
    from service.answering.passage_figures import SentenceWords

    words = SentenceWords(["2022 年，全球风电新增装机容量为 77.6 万台。其中，海上风电新增 8.8 万台。"])
    asked = "How much wind capacity was installed worldwide in 2022?"
    assert words.best_cover(asked, [2022]) == pytest.approx(1.0)
    assert words.best_cover(asked.replace("2022", "2019"), [2019]) == 0.0  # no sentence of 2019
    # the second sentence prints no year: it is of 2022, as the sentence before it
    assert words.best_cover("How much offshore wind was added in 2022?", [2022]) > 0
    assert words.best_cover("How many containers did the ports handle in 2022?", [2022]) < 0.5
