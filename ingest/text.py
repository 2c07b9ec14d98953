"""Small text helpers shared by the converters: sentence spans, passage windows, language."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (or their CJK forms) followed by space and a capital, digit,
# quote or bracket; CJK enders need no space. Decimals (`22.52`) never match.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“'(\[A-ZА-ЯЁ0-9])|(?<=[。！？；])")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\be\.g|\bi\.e|\betc|\bNo|\bno|\bvs|\bFig|\bDr|\bMr|\bMs|\bSt)\.$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, whitespace trimmed."""
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if _ABBREVIATION.search(text[max(0, match.start() - 6) : match.start()]):
            continue
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    result = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            result.append((s, e))
    return result


def sentence_around(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """(start, end) of the sentence of `text` that holds span[0], or the span itself."""
    for start, end in sentence_spans(text):
        if start <= span[0] < end:
            return start, end
    return span


def windows(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Spans that cover `text` in whole sentences, each at most `max_chars` where a sentence allows."""
    spans = sentence_spans(text)
    if not spans:
        return []
    out: list[tuple[int, int]] = []
    cur_s, cur_e = spans[0]
    for s, e in spans[1:]:
        if e - cur_s <= max_chars:
            cur_e = e
        else:
            out.append((cur_s, cur_e))
            cur_s, cur_e = s, e
    out.append((cur_s, cur_e))
    return out


def detect_language(text: str) -> str:
    """A script-based guess (`zh`, `ru`, `en`): enough to label a document, not to translate it."""
    sample = text[:20000]
    cjk, cyr, lat = (len(p.findall(sample)) for p in (_CJK, _CYRILLIC, _LATIN))
    if cjk * 2 > lat + cyr:
        return "zh"
    if cyr > lat:
        return "ru"
    return "en"


def is_cjk(char: str) -> bool:
    return bool(_CJK.match(char))


def slugify(name: str) -> str:
    slug = re.sub(r"[^\w]+", "-", name.lower(), flags=re.UNICODE).strip("-")
    return slug or "document"
