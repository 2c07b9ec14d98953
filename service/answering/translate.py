"""A second, English reading of a question written in another script, by glossary
(`glossary.toml`) and country names (`countries`): enough to match English tables and text,
not a translator."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from service.answering import countries

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


def english_reading(question: str) -> str | None:
    """The question with known terms put into English, or None when nothing applies."""
    for lang, script in _SCRIPTS.items():
        if not script.search(question):
            continue
        text = _english_country_names(question)
        for pattern, replacement in _glossary().get(lang, []):
            text = pattern.sub(replacement, text)
        if lang == "zh":
            text = _without_fragments(text, script)
        text = re.sub(r"\s+", " ", text.replace("？", "?")).strip()
        if text != question:
            return text
    return None


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
