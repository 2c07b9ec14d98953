"""Small text helpers shared by the converters: sentence spans, passage windows, language."""

from __future__ import annotations

import re

from ingest.limits import MAX_CHUNK_CHARS

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


def bounded_spans(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """`text[start:end]` cut into spans of at most `max_chars`: at the last space that
    leaves a piece of at least half the size, else hard. Linear in the length."""
    max_chars = max(1, max_chars)
    out: list[tuple[int, int]] = []
    s = start
    while s < end:
        while s < end and text[s].isspace():
            s += 1
        if end - s <= max_chars:
            e = end
        else:
            e = s + max_chars
            space = max(text.rfind(" ", s + max_chars // 2, e + 1), text.rfind("\n", s + max_chars // 2, e + 1))
            if space > s:
                e = space
        piece_end = e
        while piece_end > s and text[piece_end - 1].isspace():
            piece_end -= 1
        if piece_end > s:
            out.append((s, piece_end))
        s = e
    return out


def split_text(text: str, max_chars: int = MAX_CHUNK_CHARS) -> list[str]:
    """`text` in pieces of at most `max_chars`, in order: whole sentences where they fit
    (several to a piece), a longer sentence at spaces, a longer word hard. Text that fits
    comes back as it is."""
    if len(text) <= max_chars:
        return [text]
    return [text[s:e] for s, e in windows(text, max_chars, max_chars)]


def windows(text: str, max_chars: int, hard_max: int = MAX_CHUNK_CHARS) -> list[tuple[int, int]]:
    """Spans that cover `text` in whole sentences, each at most `max_chars` where a sentence
    allows; a sentence longer than `hard_max` (a 10 MB line) is cut into pieces of at most
    `max_chars` (see `bounded_spans`), so no span is longer than `max(max_chars, hard_max)`."""
    spans = sentence_spans(text)
    if any(e - s > hard_max for s, e in spans):
        spans = [
            piece
            for s, e in spans
            for piece in (bounded_spans(text, s, e, min(max_chars, hard_max)) if e - s > hard_max else [(s, e)])
        ]
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


_LATIN_WORD = re.compile(r"[A-Za-z]+")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")


def detect_language(text: str) -> str:
    """The language of a text by its scripts, as an ISO 639-1 code: `zh`, `ru` or `en` (the
    default, also for a text with no letters). Reliable for a one-line question: a Chinese
    character counts as a word, a Russian word twice an English one, so the acronyms and
    English names a question quotes (`GDP`, `E-Government Development Index`) do not outvote
    the language it is asked in. Enough to label a document, not to translate it."""
    sample = text[:20000]
    scores = {
        "zh": len(_CJK.findall(sample)),
        "ru": 2 * len(_CYRILLIC_WORD.findall(sample)),
        "en": len(_LATIN_WORD.findall(sample)),
    }
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > scores["en"] else "en"


def is_cjk(char: str) -> bool:
    return bool(_CJK.match(char))


def slugify(name: str) -> str:
    slug = re.sub(r"[^\w]+", "-", name.lower(), flags=re.UNICODE).strip("-")
    return slug or "document"


def passage_language(text: str) -> str:
    """The language most of a passage is written in, by the letters each script takes (a
    Chinese character carries about as much as three Latin letters): an English dataset row
    with a Chinese source title is English, a Chinese paragraph that says `GDP` is Chinese."""
    sample = text[:20000]
    cjk, cyr, lat = (len(p.findall(sample)) for p in (_CJK, _CYRILLIC, _LATIN))
    scores = {"zh": 3 * cjk, "ru": cyr, "en": lat}
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] > 0 else "en"
