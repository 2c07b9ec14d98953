"""What the answer card says a figure is: the headline label above it and the figure as shown.

Plain functions over the API's JSON (an answer, and the first cited table when there is
one), no Streamlit:
- a rank reads `42nd of 193 (rank)` where the table states how many were ranked
  (`… (193 countries)`, `rank (of 193)`), else `rank 42`;
- a change reads `2016 → 2021` and names both ends, which its chart marks;
- a figure from prose is labelled by its subject and section (`the proportion of the digital
  economy in the global GDP · INTRODUCTION · p. 4`), not the page alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ui.tables import COLUMN_SEP, is_year
from ui.text import figure, one_line

_RANK = re.compile(r"\brank(?:ing|ed)?s?\b", re.IGNORECASE)
_SCORE = re.compile(r"\b(?:score|value|index value)s?\b", re.IGNORECASE)
_OF_COUNT = re.compile(
    r"\(\s*(?:of\s+(?P<of>\d{1,5})|(?P<n>\d{1,5})\s+(?:countries|economies|cities|nations|states|companies|"
    r"universities|members|participants|regions|entities))\s*\)",
    re.IGNORECASE,
)
_CHANGE = re.compile(r"\bchange\b|→", re.IGNORECASE)
_YEAR_IN = re.compile(r"\b(?:1[89]|20)\d\d\b")
_PAGE = re.compile(r"^p(?:p|age)?\.?\s*\d+(?:\s*[-–]\s*\d+)?$", re.IGNORECASE)
_CLAUSE = re.compile(r"[,，;；:：。.!?！？]\s*")
_TRAILING = re.compile(
    r"(?:\s+(?:reached|reach|was|were|is|are|stood at|amounted to|totalled|totaled|grew|rose|fell|declined|"
    r"increased|decreased|by|to|at|of|about|around|nearly|almost|over|more than|less than|some|approximately|"
    r"from|had built|had|built))+\s*$|(?:为|达到|达|是|约|超过|逾)+\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Headline:
    label: str  # what the figure is: indicator · entity · period, or subject · section
    figure: str  # the figure as shown: `10.6 hours`, `42nd of 193 (rank)`, `+22.9 trillion yuan`
    ends: tuple[int, int] | None = None  # a change's first and last years
    rank: bool = False


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def is_rank(*labels: str | None) -> bool:
    return any(_RANK.search(x or "") for x in labels)


def rank_count(*texts: str | None) -> int | None:
    """How many were ranked, where a caption or label says so: `(193 countries)`, `(of 193)`."""
    for text in texts:
        match = _OF_COUNT.search(text or "")
        if match:
            return int(match["of"] or match["n"])
    return None


def cell_is_rank(table: dict | None, row: str | None, column: str | None) -> bool:
    """A cell holds a rank when its row or column says so (`Governance / Rank`), or the caption
    does (`Comparison of global rankings of EGDI …`) and no label of the table names a score."""
    if is_rank(row, column):
        return True
    if table is None or not is_rank(table.get("caption"), table.get("unit")):
        return False
    labels = [COLUMN_SEP.join(p) for p in table.get("columns", [])] + [r["label"] for r in table.get("rows", [])]
    return not any(is_rank(x) or _SCORE.search(x) for x in labels)


def rank_figure(value: float, count: int | None) -> str:
    n = int(round(value))
    return f"{ordinal(n)} of {count} (rank)" if count else f"rank {n}"


def _parts(text: str | None, sep: str) -> list[str]:
    return [p.strip() for p in (text or "").split(sep) if p.strip()]


def change_ends(answer: dict) -> tuple[int, int] | None:
    """The first and last years of a change the answer computed, from the years its table
    citations name (or, failing that, its sentence)."""
    if answer.get("value") is None or answer.get("spans") or not _CHANGE.search(answer.get("answer") or ""):
        return None
    years: list[int] = []
    for c in answer.get("citations") or []:
        if c.get("kind") != "table_row":
            continue
        for part in [*_parts(c.get("column"), COLUMN_SEP), *_parts(c.get("row"), " · ")]:
            if is_year(part):
                years.append(int(part))
    if len(set(years)) < 2:
        years = [int(y) for y in _YEAR_IN.findall(answer.get("answer") or "")]
    if len(set(years)) < 2:
        return None
    return min(years), max(years)


def _signed(value: float, unit: str | None) -> str:
    shown = figure(value, unit)
    return shown if value < 0 or shown.startswith(("+", "-", "−")) else f"+{shown}"


def prose_subject(citation: dict) -> str:
    """What a figure quoted from prose is of: the words before it in its clause, less the
    verb that leads to it (`the proportion of the digital economy in the global GDP`)."""
    snippet = citation.get("snippet") or ""
    span = citation.get("highlight")
    if not span:
        return ""
    before = snippet[: span[0]]
    clause = _CLAUSE.split(before)[-1].strip()
    for _ in range(4):
        trimmed = _TRAILING.sub("", clause).strip()
        if trimmed == clause:
            break
        clause = trimmed
    clause = re.sub(r"^(?:and|but|while|which|that|in addition|however)\s+", "", clause, flags=re.IGNORECASE)
    return one_line(clause, 80)


def _prose_label(citation: dict) -> str:
    locator = _parts(citation.get("locator"), " · ")
    pages = [p for p in locator if _PAGE.match(p)]
    if not pages and citation.get("page"):
        pages = [f"p. {citation['page']}"]
    section = [p for p in locator if not _PAGE.match(p)] or [one_line(citation.get("doc_title") or "", 60)]
    subject = prose_subject(citation)
    return " · ".join(x for x in [subject, *section, *pages] if x)


def headline(answer: dict, table: dict | None = None) -> Headline:
    """The label and figure the answer card shows; `table` is the first cited table (GET
    /documents/{id}/tables/{label}), which says whether a cell is a rank and of how many."""
    value, unit = answer.get("value"), answer.get("unit")
    shown = figure(value, unit) if value is not None else ""
    first = next(iter(answer.get("citations") or []), None)
    if first is None:
        return Headline("Answer", shown)
    if first.get("kind") == "passage":
        return Headline(one_line(_prose_label(first), 120) or "Answer", shown)
    column, row = first.get("column"), first.get("row")
    labels = [*_parts(column, COLUMN_SEP), *_parts(row, " · ")]
    if first.get("kind") == "fact":  # a dataset figure: its locator names the indicator too
        labels = _parts(first.get("locator"), " · ") or labels
    what = [x for x in labels if not is_year(x)]
    years = [x for x in labels if is_year(x)]
    ends = change_ends(answer)
    if ends is not None:
        label = " · ".join([*what, f"{ends[0]} → {ends[1]}"])
        return Headline(one_line(label, 120), _signed(value, unit) if value is not None else shown, ends)
    rank = unit == "rank" or cell_is_rank(table, row, column) or (first.get("kind") == "fact" and is_rank(*labels))
    if rank and value is not None:
        count = rank_count(*labels, first.get("locator"), (table or {}).get("caption"), (table or {}).get("unit"))
        what = [re.sub(r"\s*\(of \d+\)", "", x) for x in what]
        return Headline(one_line(" · ".join([*what, *years]), 120), rank_figure(value, count), rank=True)
    label = " · ".join([*what, *years]) or first.get("locator") or "Answer"
    return Headline(one_line(label, 120), shown)
