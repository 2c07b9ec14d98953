"""Word matching used everywhere in answering: same_word, WordSet, trends, canonical, phrase_pattern."""

from __future__ import annotations

import pytest

from service.answering.question import WordSet, canonical, phrase_pattern, same_word, surface_forms, trends

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("russia", "russian"),  # a prefix of 4+ letters, at most 4 more letters
        ("subscription", "subscriptions"),
        ("rank", "rankings"),
        ("cybersecurity", "security"),  # a compound ending in a word of 6+ letters
        ("generated", "generation"),  # one stem of 5+ letters, another ending
        ("connected", "connection"),
        ("score", "score"),
    ],
)
def test_same_word_matches(a, b):
    assert same_word(a, b)
    assert same_word(b, a)  # symmetric


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("cat", "cats"),  # too short to be a prefix
        ("china", "chinese"),  # no alias here: that is `normalize`'s job
        ("economy", "economic"),
        ("price", "prize"),
        ("rank", "rankingsystem"),  # a prefix, but too much longer
        ("lake", "flake"),  # a suffix shorter than six letters
    ],
)
def test_same_word_rejects(a, b):
    assert not same_word(a, b)


def test_wordset_has_matches_like_same_word():
    words = WordSet(["russian", "subscriptions", "economy", "cybersecurity"])
    assert words.has("russia")
    assert words.has("subscription")
    assert words.has("security")
    assert words.has("economy")
    assert not words.has("rus")
    assert not words.has("cyber")
    assert not words.has("weather")


def test_wordset_memo_does_not_leak_between_sets():
    first, second = WordSet(["rainfall"]), WordSet(["forest"])
    assert first.has("rainfall") and not second.has("rainfall")
    assert second.has("forests") and not first.has("forests")


def test_wordset_union_truthiness_and_iteration():
    empty = WordSet([])
    assert not empty
    merged = WordSet(["lake"]) | ["river"]
    assert isinstance(merged, WordSet)
    assert sorted(merged) == ["lake", "river"]
    assert merged.has("rivers") and merged.has("lakes")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sales grew by 5%", {"up"}),
        ("Exports declined sharply", {"down"}),
        ("The index changed", {"change"}),
        ("Exports fell and imports rose", {"up", "down"}),
        ("Prices went up 5 percent", {"up"}),
        ("经济下降了", {"down"}),
        ("The lake is calm", set()),
        ("a sunrise over the downturn", set()),  # stems only at word starts; `down ` needs the space
    ],
)
def test_trends(text, expected):
    assert trends(text) == expected


def test_canonical_replaces_multiword_names_longest_first_in_any_case():
    text = "The Russian Federation, the United States of America, the united states and South Korea"
    assert canonical(text) == "The russia, the usa, the usa and korea"
    assert canonical("no names here") == "no names here"


def test_surface_forms_list_every_way_of_writing_a_country():
    forms = surface_forms("usa")
    assert forms[0] == "usa"
    assert {"american", "united states", "united states of america"} <= set(forms)
    assert surface_forms("ruritania") == ["ruritania"]


def test_phrase_pattern_whole_words_or_word_starts():
    whole = phrase_pattern(("grow", "how many"))
    assert whole.search("they grow fast")
    assert whole.search("how many lakes")
    assert not whole.search("growth")  # a whole word only
    stems = phrase_pattern(("grow",), stems=True)
    assert stems.search("growth")
    assert not stems.search("overgrow")  # a word start, not anywhere


def test_phrase_pattern_chinese_anywhere_and_empty_matches_nothing():
    assert phrase_pattern(("增长",)).search("经济增长了")
    assert not phrase_pattern(()).search("anything at all")


def test_phrase_pattern_is_cached():
    assert phrase_pattern(("lake", "river")) is phrase_pattern(("lake", "river"))
