"""Reading figures as people print them: `108 381`, `1,361`, `16.50`, `—`, `3.20E+12`,
`$94.7`, `$(9.8)`, `(134)`, `(9.8)%`, `US$ 1,234`, `390,000(1)`; the currency and scale a
table states (`$ in millions`, `(€'000)`, `in thousands of U.S. dollars`); and Chinese figures
with their units in English (`41.4万亿美元` → 41.4 trillion US dollars, `0.6个百分点`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.periods import MONTH_NAMES

MISSING_MARKS = {
    "",
    "—",
    "–",
    "-",
    "−",
    "n/a",
    "na",
    "n.a.",
    "n.a",
    "nm",
    "n.m.",
    "n/m",
    "nmf",
    "..",
    "…",
    "null",
    "none",
    "*",
    "**",
}
_DASHES = re.compile(r"^[-—–−‐‒]{2,}$")  # `--`, `---`, `——`

_NUMBER = re.compile(
    r"""^
    (?P<sign>[-−+])?
    (?P<int>\d{1,3}(?:[ \u00a0\u202f,]\d{3})+|\d+)
    (?P<frac>\.\d+)?
    (?P<exp>[eE][-+]?\d+)?
    \s*%?
    $""",
    re.VERBOSE,
)

# Currencies as printed before or after a figure, most specific first; each maps to the
# symbol a unit is written with (`$ million`, `€ thousand`, `S$ million`).
_CURRENCY_FORMS: list[tuple[str, str]] = [
    (r"US\$|U\.S\.\s?\$|USD|U\.S\.\s+dollars?|US\s+dollars?|United\s+States\s+dollars?", "$"),
    (r"S\$|SGD|Singapore\s+dollars?", "S$"),
    (r"A\$|AUD|Australian\s+dollars?", "A$"),
    (r"C\$|CA\$|CAD|Canadian\s+dollars?", "C$"),
    (r"HK\$|HKD|Hong\s+Kong\s+dollars?", "HK$"),
    (r"NZ\$|NZD", "NZ$"),
    (r"NT\$|TWD", "NT$"),
    (r"R\$|BRL", "R$"),
    (r"\$|dollars?", "$"),
    (r"€|EUR|euros?", "€"),
    (r"£|GBP|pounds?\s+sterling|sterling", "£"),
    (r"RMB|CNY|yuan|renminbi", "RMB"),
    (r"¥|JPY|yen", "¥"),
    (r"₽|RUB|roubles?|rubles?", "₽"),
    (r"₹|INR|rupees?", "₹"),
    (r"₩|KRW", "₩"),
    (r"CHF|Swiss\s+francs?", "CHF"),
    (r"SEK|NOK|DKK", ""),  # the code itself
]
_SYMBOLS = "$€£¥₽₹₩"


def _bounded(alternative: str) -> str:
    """A currency form that is a word only where it is not part of a longer word (`EUR`, not
    `EURope`); a symbol may touch what follows (`£m`, `$94.7`)."""
    before = "(?<![A-Za-z])" if alternative[0].isalpha() else ""
    after = "(?![A-Za-z])" if alternative.rstrip("?")[-1].isalpha() else ""
    return f"{before}{alternative}{after}"


_CURRENCY_WORDS = [
    (re.compile("|".join(_bounded(a) for a in form.split("|")), re.IGNORECASE), symbol)
    for form, symbol in _CURRENCY_FORMS
]
_CURRENCY = "|".join(_bounded(a) for form, _ in _CURRENCY_FORMS for a in form.split("|"))
# a currency written beside a figure: a symbol or a code, never a word (`5 dollars` is prose)
_CURRENCY_MARK = (
    r"(?:US\$|U\.S\.\s?\$|[ACRS]\$|CA\$|HK\$|NZ\$|NT\$|[$€£¥₽₹₩]"
    r"|(?<![A-Za-z])(?:USD|EUR|GBP|JPY|CNY|RMB|RUB|CHF|CAD|AUD|SGD|HKD|INR|SEK|NOK|DKK)(?![A-Za-z]))"
)
_CURRENCY_BEFORE = re.compile(rf"^{_CURRENCY_MARK}\s*")
_CURRENCY_AFTER = re.compile(rf"\s*{_CURRENCY_MARK}$")
_FOOTNOTE_AFTER = re.compile(r"(?<=[\d%)])\s*(?:\(\s*(?:\d{1,2}|[a-zA-Z])\s*\)|\[\d{1,2}\]|[*†‡§]+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)$")


def _peel(raw: str) -> tuple[str, bool]:
    """The bare figure of a printed cell and whether it is negative: currency marks, a
    trailing `%`, parentheses and a leading sign peeled off (`$ (1,234)` → `1,234`, True)."""
    text = raw.strip().replace("\\", "")
    core = _FOOTNOTE_AFTER.sub("", text)
    if any(ch.isdigit() for ch in core):
        text = core  # `390,000(1)`: a footnote mark, unless nothing but the mark is left
    negative = False
    for _ in range(4):
        before = text
        text = _CURRENCY_BEFORE.sub("", text.strip())
        text = _CURRENCY_AFTER.sub("", text)
        if text.endswith("%"):
            text = text[:-1].rstrip()
        if len(text) > 2 and text[0] == "(" and text[-1] == ")":
            negative = not negative
            text = text[1:-1].strip()
        elif len(text) > 1 and text[0] in "-−+" and (text[1:2].isspace() or not text[1:2].isdigit()):
            negative ^= text[0] != "+"  # `-$9.8`, `- 4`: a sign before a currency or a space
            text = text[1:].strip()
        if text == before:
            break
    return text, negative


def parse_number(raw: str) -> float | None:
    """The numeric value of a cell or token, or None when it is missing or not a number.

    Reads `1,361`, `108 381`, `3.20E+12`, `−2.5`, `12 %`, `$94.7`, `US$ 1,234`, `1,234 €`,
    `(134)` and `$(9.8)` and `(9.8)%` (negative), `390,000(1)` (a footnote mark); dashes,
    `n/a`, `nm` and a bare currency or `%` are missing."""
    text = raw.strip().replace("\\", "")
    if is_missing(text):
        return None
    core, negative = _peel(text)
    match = _NUMBER.match(core)
    if not match:
        return None
    digits = re.sub(r"[ \u00a0\u202f,]", "", match["int"])
    value = float(digits + (match["frac"] or "") + (match["exp"] or ""))
    if match["sign"] in ("-", "−"):
        negative = not negative
    return -value if negative and value else value


def _is_mark(text: str) -> bool:
    return text.lower() in MISSING_MARKS or bool(_DASHES.match(text))


def is_missing(raw: str) -> bool:
    """A printed missing mark: `—`, `-`, `n/a`, `nm`, `*`, empty, also beside a currency (`$ —`)."""
    text = raw.strip().replace("\\", "")
    if _is_mark(text):
        return True
    core = _CURRENCY_AFTER.sub("", _CURRENCY_BEFORE.sub("", text)).strip()
    core = core.rstrip("%").strip()
    return core != text and bool(core) and _is_mark(core)


def is_year(raw: str) -> bool:
    text = raw.strip()
    return len(text) == 4 and text.isdigit() and 1800 <= int(text) <= 2200


def format_number(value: float) -> str:
    """Print a figure without float noise: 22.52, 108381, 1.396."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value)}"
    return f"{value:.6g}" if abs(value) < 1e6 else f"{value:,.2f}"


# -- currency and scale ----------------------------------------------------------------------

_SCALE_OF = {
    "thousand": "thousand",
    "thousands": "thousand",
    "k": "thousand",
    "000": "thousand",
    "000s": "thousand",
    "million": "million",
    "millions": "million",
    "mn": "million",
    "m": "million",
    "mil": "million",
    "mio": "million",
    "billion": "billion",
    "billions": "billion",
    "bn": "billion",
    "b": "billion",
    "trillion": "trillion",
    "trillions": "trillion",
    "tn": "trillion",
}
_SCALE_WORD = r"(?P<s>thousands?|millions?|billions?|trillions?)"
_SCALE_SHORT = r"(?P<s>thousands?|millions?|billions?|trillions?|mn|bn|tn|mil\.?|mio|m|k|b|['’]\s?000s?|000s?)"


def scale_named(word: str) -> str | None:
    """The scale a word names, spelled out (`bn` → `billion`, `tn` → `trillion`), or None."""
    return _SCALE_OF.get(word.lower().rstrip("."))


# where a scale is stated (each pattern names the scale `s`)
_SCALE_PATTERNS = [
    # `in millions`, `in € millions`, `dollars in thousands`, `$ in millions`, `amounts in billions`
    re.compile(rf"\bin\s+(?:(?:{_CURRENCY})\s*)?{_SCALE_WORD}\b", re.IGNORECASE),
    # `$ million`, `£m`, `S$ Mil`, `€bn`, `$'000`, `RMB'000`, `US$ 000`, `USD millions`
    re.compile(rf"(?:{_CURRENCY_MARK})\s*['’]?\s*{_SCALE_SHORT}(?![\w])", re.IGNORECASE),
    # `(millions)`, `(thousands of euros)`, `(million)`, `(in $ thousands)`
    re.compile(rf"\(\s*(?:in\s+)?(?:(?:{_CURRENCY})\s*)?{_SCALE_WORD}\b[^()]*\)", re.IGNORECASE),
    # `'000`, `’000s` standing alone
    re.compile(r"(?<![\w$€£¥])(?P<s>['’]000s?)(?![\w])"),
    # `millions of dollars`, `thousands of U.S. dollars`
    re.compile(rf"\b{_SCALE_WORD}\s+of\s+(?:{_CURRENCY})", re.IGNORECASE),
]
_BARE_SCALE = re.compile(rf"^\(?\s*{_SCALE_WORD}\s*\)?$", re.IGNORECASE)
_EXCEPT_FILLER = {
    "data",
    "amounts",
    "amount",
    "information",
    "figures",
    "the",
    "where",
    "noted",
    "otherwise",
    "indicated",
}
_EXCEPT = re.compile(r"\b(?:except|excluding|other than)\b(?P<what>[^)]*)", re.IGNORECASE)
# words that may stand beside a scale in a line that states nothing else
_FILLER = re.compile(
    r"\b(?:tabular|columnar|all|amounts?|figures?|numbers?|values?|are|is|expressed|stated|shown|presented|reported|"
    r"given|in|of|and|the|unaudited|audited|otherwise|noted|indicated|unless|specified|where|data|unit|units|"
    r"currency|information)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Scale:
    """What a caption, header or note says the figures are in: `$ in millions` →
    Scale(currency="$", scale="million"); `except` lists what it does not apply to."""

    currency: str | None
    scale: str | None
    excepted: tuple[str, ...] = ()

    @property
    def unit(self) -> str | None:
        """`$ million`, `million`, `$` or None."""
        return " ".join(p for p in (self.currency, self.scale) if p) or None


def currency_of(text: str) -> str | None:
    """The currency a cell or label shows (`$94.7`, `Annual Salary ($)`, `in thousands of U.S.
    dollars`), as the symbol units are written with (`$`, `€`, `£`, `S$`, `RMB`…)."""
    for pattern, symbol in _CURRENCY_WORDS:
        match = pattern.search(text)
        if match:
            return symbol or match.group(0).upper()
    return None


def read_scale(text: str) -> Scale | None:
    """The scale a caption, header cell or note states (`(in thousands, except per share
    data)`, `Tabular amounts in millions`, `$ in millions`, `(€'000)`, `£m`, `S$ Mil`), with
    its currency when it names one; None when the text states no scale."""
    if not text:
        return None
    for pattern in _SCALE_PATTERNS:
        match = pattern.search(text)
        if match:
            break
    else:
        match = _BARE_SCALE.match(text.strip())
        if not match:
            return None
    word = re.sub(r"[\s'’.]", "", match["s"]).lower()
    scale = _SCALE_OF.get(word)
    if scale is None:
        return None
    excepted: tuple[str, ...] = ()
    found = _EXCEPT.search(text)
    if found:  # `except per share data` → ("per share",)
        items = re.split(r",|\band\b|\bor\b", found["what"])
        words = [[w for w in re.findall(r"[a-z]+", item.lower()) if w not in _EXCEPT_FILLER] for item in items]
        excepted = tuple(" ".join(w) for w in words if w)
    currency = currency_of(text[: found.start()] if found else text)
    return Scale(currency, scale, excepted)


def is_unit_label(text: str) -> bool:
    """A header cell or line that says only what the figures are in: `%`, `$`, `$ million`,
    `£m`, `(in thousands)`, `(Dollars in millions)`, `(in thousands, except per share data)`,
    `Tabular amounts in millions`; not a label that also names something (`Revenue ($)`)."""
    text = text.strip().replace("\\", "")
    if not text or len(text) > 160:
        return False
    if re.fullmatch(r"\(?\s*(?:%|percent|per\s?cent)\s*\)?", text, re.IGNORECASE):
        return True
    if re.fullmatch(rf"\(?\s*{_CURRENCY_MARK}\s*\)?", text):
        return True
    if read_scale(text) is None:
        return False
    rest = _EXCEPT.split(text)[0] if _EXCEPT.search(text) else text
    for pattern in _SCALE_PATTERNS:
        rest = pattern.sub(" ", rest)
    rest = re.sub(_CURRENCY, " ", rest, flags=re.IGNORECASE)
    rest = _BARE_SCALE.sub(" ", rest.strip())
    rest = re.sub(r"\b(?:thousands?|millions?|billions?|trillions?)\b", " ", rest, flags=re.IGNORECASE)
    rest = _FILLER.sub(" ", rest)
    return not re.sub(r"[\s()\[\],.:;%*'’-]+", "", rest)


# -- Chinese figures -------------------------------------------------------------------------

# Chinese characters: Chinese prints a figure against the words around it (`达17.2万亿美元`),
# so only a letter of another script beside a figure makes it part of a name or code.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD_NOT_CJK = rf"[^\W{_CJK}]"
"""A regex class: a letter, digit or `_` that is not a Chinese character (for lookarounds)."""
_CHINESE = re.compile(f"[{_CJK}]")


def has_chinese(text: str) -> bool:
    return _CHINESE.search(text) is not None


# The closed vocabulary of Chinese multipliers and units, in the English an analyst writes.
# As for `13.1 trillion yuan`, the value stays as printed and the multiplier goes into the
# unit: 41.4万亿美元 is 41.4 "trillion US dollars"; 亿 (1e8) is "hundred million", so 2.5亿 is
# 2.5 "hundred million" (250 million) and 万 (1e4) is "ten thousand". Matched longest first.
CHINESE_SCALES = {
    "万亿": "trillion",  # 1e12
    "千亿": "hundred billion",  # 1e11
    "百亿": "ten billion",  # 1e10
    "亿": "hundred million",  # 1e8
    "千万": "ten million",  # 1e7
    "百万": "million",  # 1e6
    "万": "ten thousand",  # 1e4
}
CHINESE_UNITS = {
    "美元": "US dollars",
    "欧元": "euros",
    "英镑": "pounds",
    "日元": "yen",
    "韩元": "won",
    "卢布": "roubles",
    "人民币": "yuan",
    "元": "yuan",
    "%": "%",
    "％": "%",
    "个百分点": "percentage points",
    "百分点": "percentage points",
    # measure words: a figure before one counts things (`29542 家` firms, `709 个` cases)
    "家": "firms",
    "个": "items",
    "项": "items",
    "台": "units",
    "人": "people",
    "户": "households",
    "款": "products",
}


def _longest_first(words: dict[str, str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_CHINESE_UNIT = re.compile(
    rf"[ \u00a0]?(?P<scale>{_longest_first(CHINESE_SCALES)})?[ \u00a0]?(?P<unit>{_longest_first(CHINESE_UNITS)})?"
)
CHINESE_UNIT_AFTER = (
    rf"[ \u00a0]?(?:(?:{_longest_first(CHINESE_SCALES)})[ \u00a0]?(?:{_longest_first(CHINESE_UNITS)})?"
    rf"|(?:{_longest_first(CHINESE_UNITS)}))"
)
"""A regex for what `chinese_unit_at` reads, never empty (to take a Chinese unit into a figure's span)."""
# `2022年`, `3月`, `15日`: a figure followed by these names a time, not an amount (`100日元` is yen)
_DATE_AFTER = re.compile(r"[ \u00a0]?(?:[年月号]|日(?!元))")


def chinese_unit_at(text: str, at: int) -> tuple[str, int] | None:
    """The Chinese unit printed right after a figure that ends at `at` (`万亿美元`, ` 亿元`,
    `个百分点`, `%`) in English (`trillion US dollars`, `hundred million yuan`, `percentage
    points`, `%`), and where it ends; None when no Chinese multiplier or unit follows."""
    match = _CHINESE_UNIT.match(text, at)
    if not match or not (match["scale"] or match["unit"]):
        return None
    words = (CHINESE_SCALES.get(match["scale"] or ""), CHINESE_UNITS.get(match["unit"] or ""))
    return " ".join(w for w in words if w), match.end(match.lastgroup or 0)  # the last word's end, not a space


# a month's name as printed (capitalised: `may` in prose is a verb)
_MONTH_BEFORE = re.compile(rf"\b{MONTH_NAMES}\.?\s+$")
_MONTH_AFTER = re.compile(rf"(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH_NAMES}\b")
_DAY = re.compile(r"\d{1,2}")
# `(1) Fiscal 2018 net income …`: a note's number at the start of a text, not a figure of it
_NOTE_MARK = re.compile(r"\s*[(\[]\d{1,2}[)\]]")


def names_a_date(text: str, at: int, start: int | None = None) -> bool:
    """The figure ending at `at` (and starting at `start`) is a year, month or day, not a figure:
    `2022年`, `2022 年`, `3月`, and the day of `November 14, 2016` or `30 June 2018`."""
    if _DATE_AFTER.match(text, at):
        return True
    if start is None or not _DAY.fullmatch(text, start, at) or not 1 <= int(text[start:at]) <= 31:
        return False
    return bool(_MONTH_BEFORE.search(text[max(0, start - 12) : start]) or _MONTH_AFTER.match(text, at))


_LABEL_NOTE = re.compile(r"(?<=[^\W\d_])\s*(?:\(\s*(?:\d{1,2}|[a-z])\s*\)|\[\d{1,2}\]|[*†‡§]+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)$")


# a note's number printed against a word's last letter (`Other payables2`, `… and interest1`):
# a word of lower-case letters does not end in a digit otherwise
_GLUED_NOTE = re.compile(r"(?<=[a-z]{3})[1-9]$")


def printed_decimals(printed: str) -> int:
    """How many digits a figure prints after its decimal point (`22.52` → 2, `1,066` → 0)."""
    found = re.search(r"\.(\d+)", printed)
    return len(found.group(1)) if found else 0


def without_note_mark(label: str) -> str:
    """A row or column label as a reader would say it, without the note mark printed after it
    (`Trade accounts receivable, net, current (1)`, `Revenue*`, `Goodwill [2]`, `Accruals1`)."""
    return _GLUED_NOTE.sub("", _LABEL_NOTE.sub("", label.strip()))


def is_note_mark(text: str, start: int, end: int) -> bool:
    """The figure at text[start:end] is a note's number opening the text (`(1) Fiscal 2018 …`)."""
    match = _NOTE_MARK.match(text)
    return match is not None and match.start() <= start and end <= match.end()


# the words that number a part of a document: `Table 10`, `Note 8`, `Item 7`, `Figure 2` name a
# part, they state no figure
_PART_BEFORE = re.compile(
    r"\b(?:table|tab|figure|fig|chart|note|notes|item|section|appendix|exhibit|schedule|part|article|page|p|no|图|表)\.?\s*\(?$",
    re.IGNORECASE,
)


def names_a_part(text: str, start: int) -> bool:
    """The number at text[start] numbers a part of the document (`Table 10`, `Note 8`)."""
    return _PART_BEFORE.search(text, max(0, start - 12), start) is not None


def in_a_name(text: str, start: int) -> bool:
    """The figure printed from text[start] (its currency, sign or first digit) is glued to the
    word before it, part of a name: `COVID-19`, `G20` (the `-` there is a hyphen, not a minus).
    Chinese prints figures against its words (`达17.2万亿美元`): a CJK character glues nothing."""
    i = start - 1
    if i >= 0 and text[i] == "-":
        i -= 1
    return i >= 0 and text[i].isalpha() and not _CHINESE.match(text[i])


@dataclass(frozen=True)
class PrintedFigure:
    """A figure in running text: the value as printed (41.4 in `41.4万亿美元`), its unit in
    English (`trillion US dollars`, `%`, `percentage points`, None for a bare count) and
    where figure and unit stand in the text."""

    value: float
    unit: str | None
    start: int
    end: int


_TEXT_FIGURE = re.compile(
    rf"(?<!{WORD_NOT_CJK})(?<![.,])[-−]?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?(?!\.?\d|,\d{{3}})(?!{WORD_NOT_CJK})"
)


# English unit words in mixed text, kept as printed (`13.1 trillion yuan`) but for percent
_ENGLISH_UNIT = re.compile(
    r"\s?(?:(?P<points>percentage\s+points?)|(?P<percent>percent\b|per\s?cent\b)|"
    r"(?P<words>(?:thousand|million|billion|trillion)\b(?:\s+(?:US\s+)?(?:dollars|yuan|rubles|roubles|euros)\b)?))",
    re.IGNORECASE,
)


def _english_unit_at(text: str, at: int) -> tuple[str, int] | None:
    match = _ENGLISH_UNIT.match(text, at)
    if not match:
        return None
    unit = "percentage points" if match["points"] else "%" if match["percent"] else match["words"]
    return unit, match.end()


def figures_in(text: str) -> list[PrintedFigure]:
    """The figures of a Chinese or mixed sentence, with their units in English (`达17.2万亿美元`
    → 17.2 trillion US dollars, `提升0.6个百分点` → 0.6 percentage points, `46.1%`); years and
    dates (`2022年`, `3月`, a bare `2014`) are left out."""
    out = []
    for match in _TEXT_FIGURE.finditer(text):
        value = parse_number(match.group(0))
        if (
            value is None
            or names_a_date(text, match.end(), match.start())
            or is_note_mark(text, *match.span())
            or names_a_part(text, match.start())
        ):
            continue
        unit = chinese_unit_at(text, match.end()) or _english_unit_at(text, match.end())
        if unit is None and is_year(match.group(0)):
            continue  # `2014-2020 年间`: a year, as in English text
        out.append(PrintedFigure(value, unit[0] if unit else None, match.start(), unit[1] if unit else match.end()))
    return out


def read_figure(raw: str) -> tuple[float, str | None] | None:
    """A printed figure with its unit in English: `41.4万亿美元` → (41.4, "trillion US dollars"),
    `0.6个百分点` → (0.6, "percentage points"), `46.1%` → (46.1, "%"), `1,361` → (1361, None);
    None when it is not one figure (`2022年`, `n/a`)."""
    text = raw.strip()
    found = figures_in(text)
    if len(found) != 1 or found[0].start != 0 or found[0].end != len(text):
        value = parse_number(text)
        return (value, "%" if text.endswith("%") else None) if value is not None else None
    return found[0].value, found[0].unit
