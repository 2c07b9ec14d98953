"""A second, English reading of a question written in another script, by glossary
(`glossary.toml`), country names (`countries`) and, for the Chinese words the glossary does not
know, the dictionary (`gloss`) read against the documents' own vocabulary: enough to match
English tables and text, not a translator."""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from ingest.numbers import chinese_unit_at
from service.answering import countries, gloss

GLOSSARY = Path(__file__).with_name("glossary.toml")
_SCRIPTS = {"ru": re.compile(r"[\u0400-\u04ff]"), "zh": re.compile(r"[\u3400-\u9fff]")}


@lru_cache(maxsize=1)
def _glossary() -> dict[str, list[tuple[re.Pattern, str]]]:
    data = tomllib.loads(GLOSSARY.read_text(encoding="utf-8"))
    out = {}
    for lang, terms in data.items():
        ordered = sorted(terms.items(), key=lambda kv: len(kv[0]), reverse=True)
        if lang == "zh":  # no spaces between words: replace anywhere
            out[lang] = [(re.compile(re.escape(src), re.IGNORECASE), dst) for src, dst in ordered]
        else:
            out[lang] = [(re.compile(rf"(?<!\w){re.escape(src)}(?!\w)", re.IGNORECASE), dst) for src, dst in ordered]
    return out


def english_reading(question: str, vocabulary: Mapping[str, int] | None = None) -> str | None:
    """The question with known terms put into English, or None when nothing applies.
    `vocabulary` (the documents' words and how often they print them): the Chinese words the
    glossary leaves are read by the dictionary, each as its sense the documents use most."""
    for lang, script in _SCRIPTS.items():
        if not script.search(question):
            continue
        text = _english_country_names(question)
        for pattern, replacement in _glossary().get(lang, []):
            text = pattern.sub(replacement, text)
        if lang == "zh":
            if vocabulary is not None and gloss.available():
                text = script.sub(" ", _by_dictionary(text, vocabulary))
            else:
                text = _without_fragments(text, script)
        text = re.sub(r"\s+", " ", text.replace("？", "?")).strip()
        if text != question:
            return text
    return None


_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
_DESCRIBES = {"sth", "sb", "classifier", "prefix", "suffix", "particle", "abbr"}
_USED = math.log1p(2)  # a sense whose words the documents print under twice each (geometric mean) matches nothing


def _by_dictionary(text: str, vocabulary: Mapping[str, int]) -> str:
    """The text's Chinese words in English: each word as the dictionary sense whose words the
    documents print most (`数字` is `numeral`, `digit`, `figure` … and `digital`: a report on
    the digital economy reads it `digital`); a word none of whose senses the documents print
    is left out (it could match nothing)."""

    def content(phrase: str) -> list[str]:
        words = [w.lower() for w in _WORD.findall(phrase)]
        if _DESCRIBES.intersection(words):  # `classifier for people`, `be hit by sth`: not a meaning
            return []
        return [w for w in words if w not in ENGLISH_STOP_WORDS]

    def used(words: list[str]) -> float:
        return sum(math.log1p(vocabulary.get(w, 0)) for w in words) / len(words) if words else 0.0

    def read(run: re.Match) -> str:
        out = []
        for word, senses in gloss.sense_phrases(run.group(0)):
            if _a_unit(word):  # `亿`, `美元`, `万人`: the answerer reads the asked unit itself
                continue
            best = max((content(p) for p in senses), key=used, default=[])
            if used(best) >= _USED:
                out.append(" ".join(best))
        return f" {' '.join(out)} "

    return _CJK_RUN.sub(read, text)


def _a_unit(word: str) -> bool:
    unit = chinese_unit_at(word, 0)
    return unit is not None and unit[1] == len(word)


def _without_fragments(text: str, script: re.Pattern) -> str:
    """The reading without the characters the glossary left (`有多大`, `在全球`, `第几`), when
    English words that name what is asked remain: Chinese has no spaces, so what is left
    between the replaced terms is fragments, mostly of the question's grammar, that no English
    table says (the word matcher would count each as a word the evidence leaves unsaid). When
    nothing English names the thing asked, the fragments are it, and stay."""
    without = script.sub(" ", text)
    named = {w.lower() for c in countries.mentions(without) for w in c.country.name.split()}
    content = [
        w
        for w in re.findall(r"[A-Za-z]{3,}", without)
        if w.lower() not in ENGLISH_STOP_WORDS and w.lower() not in named and w.lower() != "what"
    ]
    return without if content else text


def _english_country_names(text: str) -> str:
    """Each country named in `text` by its English name, spaced off (`России` → ` Russia `)."""
    for mention in reversed(countries.mentions(text)):
        text = f"{text[: mention.start]} {mention.country.name} {text[mention.end :]}"
    return text
