"""QuestionNormaliser on made-up documents: a question typed quickly read as one typed carefully
(names of several words recased, a scale's short form spelled out), without any model."""

from __future__ import annotations

import pytest

from service.answering.normalise import QuestionNormaliser

pytestmark = pytest.mark.unit

TEXTS = [
    "According to the 2020 Lake Quality Index (LQI), Ruritania scored 48 on clarity.",
    "Freedonia ranked third in the Lake Quality Index, ahead of the Grand Duchy.",
    "Ruritania joined the Lake Quality Index in 2012, and the Ruritanian Water Board reports on it.",
    # each word of the name alone is a common word, written in lower case
    "The quality of every lake is measured, lake by lake, by an index of clarity; the index of",
    "water quality rose where the lake is deep, and the quality index of the lake fell elsewhere.",
    "A plan named Digital Economy was signed; the digital economy grew, then the digital economy shrank.",
]


LABELS = ["Country", "FRD", "Rainfall (mm)"]  # a table's labels: not running text


@pytest.fixture(scope="module")
def normalise() -> QuestionNormaliser:
    return QuestionNormaliser([*TEXTS, *LABELS], TEXTS)


def test_a_name_of_several_words_is_recased_as_the_documents_print_it(normalise):
    assert (
        normalise("what did ruritania score in the 2020 lake quality index?")
        == "what did Ruritania score in the 2020 Lake Quality Index?"
    )
    assert "Ruritanian Water Board" in normalise("who publishes the ruritanian water board figures?")


def test_a_phrase_the_documents_mostly_write_in_lower_case_keeps_its_case(normalise):
    # `Digital Economy` is printed capitalised once (a plan's name), lower-cased twice
    assert normalise("how large was the digital economy in 2020?") == "how large was the digital economy in 2020?"


def test_a_question_with_capitals_says_its_own_names(normalise):
    question = "What did Ruritania score in the 2020 lake quality index?"
    assert normalise(question) == question


def test_a_scale_written_short_is_spelled_out_where_english_does_not_spell_it_so(normalise):
    assert normalise("What was the output in 2014 in tn yuan?") == "What was the output in 2014 in trillion yuan?"
    # `bn` and `mn` are read as they are by the answerer: left alone
    assert normalise("What was the output in 2014 in bn yuan?") == "What was the output in 2014 in bn yuan?"


def test_an_acronym_only_a_label_prints_is_known_by_its_capitals(normalise):
    # `FRD` is printed by a label alone: its capitals are its own (a label's first letter is not)
    assert normalise("What was the FRDs rainfall in 2019?") == "What was the FRD's rainfall in 2019?"
    assert normalise("what was the frds rainfall in 2019?") == "what was the FRD's rainfall in 2019?"
    assert normalise("what was the country rainfall?") == "what was the country rainfall?"
