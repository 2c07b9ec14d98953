"""Which year a table header or row label stands for, however a report prints it.

Annual reports head their columns with `2019`, `2019 (1)`, `FY19`, `Fiscal 2019`,
`December 31, 2019`, `Year ended June 30, 2019`, `As of March 31, 2019`, `2019 $'000`,
`Q4 2019`… `period_year` reads all of these as 2019, and nothing else: a label that holds
other words (`Revenue 2019`, `2016 Facility`, `2019 vs 2018`) is not a period.

Decisions:
- footnote marks (`(1)`, `(a)`, `*`, `†`, `¹`, a lone digit after the year: `2018 1`),
  bracketed notes (`(Restated)`, `(unaudited)`) and unit marks (`$`, `%`, `$'000`, `£m`,
  `US$ million`, `(in thousands)`) around the period are ignored;
- a two-digit year needs a fiscal or quarter prefix (`FY19`, `FY'19`, `Q4 FY20`) and
  means 20xx;
- a fiscal span written with a slash over consecutive years (`2018/19`, `2018/2019`,
  `FY2018/19`) is the year it ends in (2019);
- a range written with a dash or words (`2019–2020`, `2021 - 2022`, `2018-19`,
  `2019 to 2020`) and a comparison (`2019 vs 2018`) are no single year: None;
- a quarter or half (`Q4 2019`, `H1 2019`, `Six months ended June 30, 2019`) is the year it
  falls in;
- years outside 1800–2200 are not years.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["MONTH_NAMES", "YEAR_IN_TEXT", "dated_state", "is_period", "period_year"]

# an English month's name, full or short, as printed (capitalised; compile with IGNORECASE to
# read any case): the months of period labels here and of dates in running text (`ingest.numbers`)
MONTH_NAMES = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# a year of 1900–2099 written out in running text, not part of a longer number
YEAR_IN_TEXT = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_MONTHS = rf"{MONTH_NAMES}\.?"
_YEAR4 = r"(?P<y>\d{4})"

# notes around a period label: footnote marks, bracketed remarks without a year of their own
_BRACKETED = re.compile(r"[(\[]\s*[^()\[\]\d]{0,30}?\s*[)\]]|[(\[]\s*\d{1,2}\s*[)\]]")
_FOOTNOTE_MARKS = re.compile(r"[*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]+")
_CURRENCY = (
    r"(?:US\$|U\.S\.\s?\$|[ACS]\$|HK\$|NZ\$|R\$|[$€£¥₽₹₩]"
    r"|\b(?:USD|EUR|GBP|JPY|CNY|RMB|RUB|CHF|CAD|AUD|SGD|HKD|INR|SEK|NOK|DKK)\b)"
)
_UNIT_MARK = re.compile(
    rf"{_CURRENCY}\s*(?:['’]?000s?|thousands?|millions?|billions?|mn|bn|m|k|mil\.?)?(?![\w])"
    r"|%|['’]000s?\b|\b(?:in\s+)?(?:thousands|millions|billions)\b",
    re.IGNORECASE,
)
_LEAD = re.compile(
    r"^(?:(?:for|in)\s+the\s+)?"
    r"(?:(?:(?:three|six|nine|twelve|\d{1,2})\s+(?:months?|weeks?)|(?:fiscal\s+|financial\s+)?years?"
    r"|quarters?|periods?|half[- ]years?)\s+(?:ended|ending)|as\s+(?:of|at)|at)\s+",
    re.IGNORECASE,
)
_FORMS = [
    # 2019, FY2019, FY 2019, CY2019, Fiscal 2019, fiscal year 2019, Year 2019, 2019 fiscal year
    re.compile(
        rf"^(?:(?:FY|CY|F)\s*'?|(?:fiscal|financial|calendar)\s+(?:year\s+)?|year\s+)?{_YEAR4}"
        r"(?:\s+(?:fiscal|financial|calendar)\s+year|\s+fiscal|\s+FY)?$",
        re.IGNORECASE,
    ),
    # FY19, FY 19, FY'19, Fiscal '19, F19 is too loose: not accepted
    re.compile(
        r"^(?:FY|CY)\s*['’]?(?P<yy>\d{2})$|^(?:fiscal|financial)\s+(?:year\s+)?['’](?P<yy2>\d{2})$", re.IGNORECASE
    ),
    # quarters and halves: Q4 2019, 4Q 2019, Q4 FY2019, Q4 FY19, Q4'19, 4Q19, H1 2019, 1H19, fourth quarter 2019
    re.compile(
        r"^(?:Q[1-4]|[1-4]Q|H[12]|[12]H|(?:first|second|third|fourth)\s+quarter(?:\s+of)?|(?:first|second)\s+half(?:\s+of)?)"
        rf"\s*(?:(?:FY|fiscal)\s*)?(?:{_YEAR4}|['’]?(?P<yy>\d{{2}}))$",
        re.IGNORECASE,
    ),
    # December 31, 2019 · Dec. 31, 2019 · December 31,2019 · Dec 31 2019 · December 2019
    re.compile(rf"^{_MONTHS}\s*(?:\d{{1,2}}(?:st|nd|rd|th)?\s*,?\s*)?,?\s*{_YEAR4}$", re.IGNORECASE),
    # 31 December 2019 · 31 Dec. 2019 · 31st December, 2019
    re.compile(rf"^\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\s*,?\s*{_YEAR4}$", re.IGNORECASE),
    # 2019-12-31 · 12/31/2019 · 31.12.2019
    re.compile(rf"^{_YEAR4}-\d{{1,2}}-\d{{1,2}}$"),
    re.compile(rf"^\d{{1,2}}[/.]\d{{1,2}}[/.]{_YEAR4}$"),
]
# a fiscal span: 2018/19, 2018/2019, FY2018/19 (consecutive years only)
_SLASH_SPAN = re.compile(r"^(?:FY\s*|fiscal\s+(?:year\s+)?)?(?P<a>\d{4})\s*/\s*(?P<b>\d{2}|\d{4})$", re.IGNORECASE)


def _valid(year: int) -> int | None:
    return year if 1800 <= year <= 2200 else None


def _clean(label: str) -> str:
    text = label.replace("\\", "").replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"(\*\*|__)(.*?)\1", r"\2", text)
    text = re.sub(r"</?sup>", " ", text)
    text = _FOOTNOTE_MARKS.sub(" ", text)
    text = re.sub(r"([)\]])\d{1,2}\b", r"\1", text)  # `(Restated)1 2018`: a footnote digit after a note
    # bracketed notes and footnote numbers: `(1)`, `(a)`, `(Restated)`, `[2]`
    previous = None
    while previous != text:
        previous = text
        text = _BRACKETED.sub(" ", text)
    text = _UNIT_MARK.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip(" ,:;-–—")
    text = re.sub(r"^(?:\d{4})\s+\d$", lambda m: m.group(0)[:4], text)  # `2018 1`: a footnote digit
    # `FY181`: a footnote digit glued to a two-digit fiscal year (FY + three digits is no other year form)
    text = re.sub(r"^((?:FY|CY)\s*['’]?\d{2})\d$", r"\1", text, flags=re.IGNORECASE)
    return text


@lru_cache(maxsize=100_000)  # labels repeat across tables and questions: read each once
def period_year(label: str) -> int | None:
    """The year a header or row label denotes (`2019 (1)`, `FY19`, `Dec. 31, 2019`, `Year ended
    June 30, 2019`, `2019 $'000`, `Q4 2019` → 2019), or None when it is not essentially a period."""
    if not label or len(label) > 80:
        return None
    text = _clean(label)
    if not text:
        return None
    text = _LEAD.sub("", text).strip(" ,:;")
    for form in _FORMS:
        match = form.match(text)
        if not match:
            continue
        groups = match.groupdict()
        if groups.get("y"):
            return _valid(int(groups["y"]))
        two = groups.get("yy") or groups.get("yy2")
        if two:
            return 2000 + int(two)
    span = _SLASH_SPAN.match(text)
    if span:
        start, end = int(span["a"]), span["b"]
        end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
        if end_year == start + 1:
            return _valid(end_year)
    return None


_AS_OF = re.compile(r"\s*,?\s+(?:and\s+)?(?:as\s+(?:of|at)|at)\s+", re.IGNORECASE)


@lru_cache(maxsize=100_000)  # a table's headers, read for every cell
def dated_state(label: str) -> tuple[str, str, int] | None:
    """A state as of a date, as a column header prints it: the state, the date and its year
    (`Final as of December 31, 2019` → (`Final`, `December 31, 2019`, 2019); `Estimated at
    acquisition and as of December 31, 2018` → (`Estimated at acquisition`, `December 31, 2018`,
    2018)), or None. Only a column's header reads so: on a row it is an item of a roll-forward
    (`Balance as of June 30, 2017`)."""
    text = label.strip()
    for match in _AS_OF.finditer(text):
        year = period_year(text[match.end() :])
        if year is not None and match.start() > 0:
            return text[: match.start()], text[match.end() :], year
    return None


def printed_period(label: str) -> str:
    """A period label as an answer prints it: without notes, footnote marks or units
    (`(Restated) 2018` → `2018`, `FY181` → `FY18`, `2019 $'000` → `2019`); other labels as they are."""
    if period_year(label) is None:
        return label
    return _clean(label) or label


def is_period(label: str) -> bool:
    """Whether a label is essentially a period with a year (see `period_year`)."""
    return period_year(label) is not None


def is_period_word(word: str) -> bool:
    """`FY19`, `December`, `fiscal`, `Q4`: a word of a period (a period alone, or one with a year
    after it), not a name of what a period's figures are about."""
    return period_year(word) is not None or period_year(f"{word} 2019") is not None
