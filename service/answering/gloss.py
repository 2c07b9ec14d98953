"""Chinese read in English words, by dictionary: Lindera's segmentation of Chinese with the
CC-CEDICT dictionary it ships (`lindera-python-cc-cedict`; CC-CEDICT is CC BY-SA 4.0, by MDBG),
each word given every English sense the dictionary lists.

Not a translation: a bag of English stems per stretch of Chinese, enough to tell which of a
Chinese passage's figures an English question asks about (`数字产业化规模为 6.1 万亿美元` says
`digital`, `industrialization`, `scale`; `人工智能市场收入达 5132 亿美元` says `artificial`,
`intelligence`, `market`, `revenue`). Every sense is kept: the evidence side may say more than
it means, and the question's words decide which sense mattered."""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from service.answering.textmatch import stem

_CJK = re.compile(r"[\u3400-\u9fff]")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_ENGLISH = re.compile(r"[A-Za-z]+")
# senses that describe the word rather than say what it means
_NOT_A_SENSE = re.compile(r"^(CL:|variant of|old variant|see |also pr\.|surname |abbr\. for|used in )", re.IGNORECASE)
# what every passage says (`to`, `also`) or only grammar marks
_EMPTY = ENGLISH_STOP_WORDS | {"lit", "fig", "sth", "sb", "etc", "esp", "pr"}


@lru_cache(maxsize=1)
def _tokenizer():
    import lindera  # a Rust library with its dictionary inside the wheel: loads in ~0.2 s, offline

    return lindera.Tokenizer(lindera.load_dictionary("embedded://cc-cedict"), mode="normal")


def available() -> bool:
    """Whether the dictionary is installed (without loading it: ~50 MB, on first use)."""
    return importlib.util.find_spec("lindera") is not None


def _definition(token) -> str:
    """A token's CC-CEDICT entry (`/`-separated senses), or "" for a word the dictionary lacks."""
    details = token.details
    definition = details[7] if len(details) > 7 else "*"
    return "" if definition == "*" else definition


def _phrases(definition: str) -> list[str]:
    """A dictionary entry's senses as plain English phrases (`to take in` → `take in`)."""
    out = []
    for sense in definition.split("/"):
        sense = _PARENTHESES.sub(" ", sense.strip())
        if not sense or _NOT_A_SENSE.match(sense):
            continue
        sense = re.sub(r"^to\s+", "", sense).strip(" ,;")
        if _ENGLISH.search(sense):
            out.append(sense)
    return out


@lru_cache(maxsize=50_000)
def _senses(word: str) -> frozenset[str]:
    """The English stems of a Chinese word's dictionary senses."""
    return frozenset(
        stem(english)
        for token in _tokenizer().tokenize(word)
        for phrase in _phrases(_definition(token))
        for english in _ENGLISH.findall(phrase)
        if english.lower() not in _EMPTY and len(english) > 1
    )


@lru_cache(maxsize=20_000)
def english_stems(text: str) -> frozenset[str]:
    """The English stems a text says: its Chinese words' senses and its own Latin-script words."""
    out: set[str] = {stem(w) for w in _ENGLISH.findall(text) if w.lower() not in _EMPTY}
    if _CJK.search(text):
        for token in _tokenizer().tokenize(text):
            if _CJK.search(token.surface):
                out |= _senses(token.surface)
    return frozenset(out)


@lru_cache(maxsize=20_000)
def word_senses(text: str) -> tuple[frozenset[str], ...]:
    """Each content word of a text as the stems it may mean: an English word its stem, a Chinese
    word its senses (words with none, numbers and function words left out)."""
    out: list[frozenset[str]] = []
    for chunk in re.split(r"([\u3400-\u9fff]+)", text):
        if not chunk:
            continue
        if _CJK.match(chunk):
            out += [s for token in _tokenizer().tokenize(chunk) if (s := _senses(token.surface))]
        else:
            out += [frozenset({stem(w)}) for w in _ENGLISH.findall(chunk) if w.lower() not in _EMPTY]
    return tuple(out)


def sense_phrases(text: str) -> list[tuple[str, list[str]]]:
    """Each word of a Chinese text with its English senses as phrases, in the dictionary's order
    (a word the dictionary lacks, a number or a mark: no senses)."""
    return [(token.surface, _phrases(_definition(token))) for token in _tokenizer().tokenize(text)]
