"""Which printed numbers are figures, and which acronyms a text defines, on made-up text (no
corpus or model)."""

from __future__ import annotations

import pytest

from ingest.numbers import in_a_name
from ingest.records import Passage, content_id
from service.answering.spans import candidates

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text, number, glued",
    [
        ("during the COVID-19 pandemic", "-19", True),
        ("during the COVID-19 pandemic", "19", True),
        ("the G20 countries", "20", True),
        ("a fall of -19 points", "-19", False),
        ("revenue of $19 million", "$19", False),
        ("(19) notes", "(19)", False),
    ],
)
def test_a_number_glued_to_the_word_before_it_is_part_of_a_name(text, number, glued):
    assert in_a_name(text, text.index(number)) is glued


def test_a_name_with_a_number_gives_no_figure_to_answer_with():
    text = "Online sales rose because of the COVID-19 epidemic, reaching 1,414.3 billion dollars."
    passage = Passage(
        id=content_id("unit-test", text, ("Sales",)),
        text=text,
        section=["Sales"],
        page=1,
        char_start=0,
        char_end=len(text),
        refs=[],
        doc_id="unit-doc",
    )
    spans = {c.text for c in candidates(passage, 0, len(text), ["online", "sales"])}
    assert not any(s.endswith("19") for s in spans), spans
    assert any("1,414.3" in s for s in spans)


def test_a_chinese_word_before_a_figure_glues_nothing():
    text = "达17.2万亿美元"
    assert in_a_name(text, text.index("17.2")) is False


def test_an_acronym_is_defined_by_the_capitalised_name_before_it_in_brackets():
    from service.answering.textmatch import defined_acronyms

    text = (
        "According to the E-Government Development Index (EGDI) and E-Participation Index (EPI), "
        "and As Measured By Customer Minutes Lost (CML), not the Authority (2023) or Table (T)."
    )
    assert defined_acronyms(text) == {
        "egdi": "E Government Development Index",
        "epi": "E Participation Index",
        "cml": "Customer Minutes Lost",
    }
