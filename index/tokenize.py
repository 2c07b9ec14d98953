"""Tokens for the lexical index: lower-cased words and numbers for alphabetic scripts (Russian
words as their Snowball stems, so `России` finds `Россия`), character unigrams and bigrams for
CJK (which has no spaces between words)."""

from __future__ import annotations

import re

import Stemmer

_TOKEN = re.compile(
    r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z]+\d+[a-z\d]*|\d+[a-z]+[a-z\d]*|\d+(?:[.,]\d+)*|[^\W\d_\u3400-\u9fff\uf900-\ufaff]+",
    re.UNICODE,
)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_RUSSIAN = Stemmer.Stemmer("russian")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_THOUSANDS = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}\b)")
STOPWORDS = frozenset(
    "a an and are as at be by did do does for from had has have how in is it its of on or the this that to was "
    "were what when where which who whom why with according".split()
)


def tokenize(text: str) -> list[str]:
    text = _THOUSANDS.sub("", text.lower())
    tokens: list[str] = []
    for token in _TOKEN.findall(text):
        if _CJK_RUN.fullmatch(token):
            tokens.extend(token)
            tokens.extend(token[i : i + 2] for i in range(len(token) - 1))
        elif _CYRILLIC.search(token):
            tokens.append(_RUSSIAN.stemWord(token))
        elif token not in STOPWORDS:
            tokens.append(token.replace(",", ""))
    return tokens


def tokenizer_version() -> str:
    """Changes whenever this module changes: an index built with other tokens must be rebuilt."""
    import hashlib
    from pathlib import Path

    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
