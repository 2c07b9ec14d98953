"""A reading of the general reader (`reader.py`) as an answer a person would write, with
the cells or the sentence it was read from cited.

"Sales commissions were 27.0 ($ million) in 2019 (Table 1)." — the row, the figure with
its unit, the period; computed figures show their arithmetic; a span of text is quoted
from its sentence.
"""

from __future__ import annotations

import re

from ingest.numbers import format_number, has_chinese, parse_number, read_figure, without_note_mark
from ingest.records import Fact
from ingest.text import sentence_around
from service.answering import operators as ops
from service.answering import phrasing
from service.answering.answer import Draft
from service.answering.citations import cell_citation, fact_citation, passage_citation
from service.answering.corpus import CellView, Corpus
from service.answering.question import is_country
from service.answering.reader import Reading

_CURRENCY = re.compile(r"^\s*(?:US|A|C|HK|S)?[$€£¥₹₽]\s*|\s*[$€£¥₹₽]\s*$")


def _row(cell: CellView) -> str:
    if cell.group is not None:  # `Executive management, Salaries and benefits`; `Amortization of: Net actuarial loss`
        return f"{cell.group}{' ' if cell.group.endswith(':') else ', '}{cell.item_label}"
    return " · ".join(k for k in cell.labels if k not in cell.column) or cell.row_label or cell.table.label


def _column(cell: CellView) -> str:
    return " · ".join(k for k in cell.column if k in cell.labels)


def figure(cell: CellView) -> str:
    """A cell's figure with its unit in words: `$94.7 million`, `4.4%`, `27.0 million`."""
    return figure_text(cell.value, cell.raw, cell.unit)


def figure_text(value: float | None, raw: str, unit: str | None) -> str:
    """A figure as printed with its unit in words: `$1,539 billion` (a currency unit goes
    before the figure, once), `4.4%`, `22.52 per 100 people`."""
    shown = raw.strip() or (format_number(value) if value is not None else "—")
    unit = (unit or "").strip()
    if value is None or not unit:
        return shown
    if unit == "%" or shown.endswith("%"):
        return shown if shown.endswith("%") else f"{shown}%"
    currency = re.match(r"^((?:US|A|C|HK|S|RMB\s?)?[$€£¥₹₽]|RMB|USD|EUR)\s*(.*)$", unit)
    bare = _CURRENCY.sub("", shown)
    if currency:
        return f"{currency.group(1)}{bare} {currency.group(2)}".rstrip()
    return f"{bare} {unit}"


def cell_sentence(cell: CellView, *, owner: str = "", rank: bool = False, source: str = "") -> str:
    """A figure as a person writes it: "Russia's fixed broadband subscriptions were 22.52 per 100
    people in 2019 (Table 6)." — whose (a country among the cell's labels, else `owner`: a name
    the question and the caption say), what (the other labels; a rank says so), the figure with
    its unit, when, and where (the table, and `source` when given)."""
    entity, indicator = _entity_and_indicator(cell, owner)
    if rank and indicator and "rank" not in indicator.lower():
        indicator += " rank"
    where = f"{cell.table.label}{', ' + source if source else ''}"
    when = f" in {cell.period}" if cell.period else ""
    if not indicator:
        subject = entity or _row(cell)
        return f"{subject}{when}: {figure(cell)} ({where}: {_caption_short(cell.table.caption)})."
    subject = f"{_possessive(entity)} {_lower_first(indicator)}" if entity else indicator
    return f"{subject} {_verb(indicator)} {figure(cell)}{when} ({where})."


def cell_phrase(cell: CellView, *, owner: str = "", rank: bool = False, source: str = "") -> phrasing.Lookup:
    """`cell_sentence`'s parts, for the sentence in another language: the indicator as the
    table prints it, without the unit the figure says."""
    entity, indicator = _entity_and_indicator(cell, owner)
    note = source
    if not indicator:  # the caption says what the figure is
        caption = _caption_short(cell.table.caption)
        note = f"{source}: {caption}" if source else caption
    return phrasing.Lookup(
        entity=entity or ("" if indicator else _row(cell)),
        indicator=indicator,
        period=cell.period,
        amount=amount_of(cell),
        where=phrasing.Where(cell.table.label, note),
        rank=rank,
    )


def amount_of(cell: CellView) -> phrasing.Amount:
    """A cell's figure as printed, with its unit (none for a cell without a figure)."""
    shown = cell.raw.strip() or (format_number(cell.value) if cell.value is not None else "—")
    return phrasing.Amount(shown, cell.unit if cell.value is not None else None)


def _entity_and_indicator(cell: CellView, owner: str) -> tuple[str, str]:
    """Whose figure (a country among the cell's labels, else `owner`) and what it measures (the
    other labels, less the unit)."""
    labels = list(dict.fromkeys(without_note_mark(k) for k in cell.labels if k.strip()))
    entity = next((k for k in labels if is_country_label(k)), "") or owner
    what = [k for k in labels if k != entity]
    # `Governance`, `Rank` → `governance rank`: a label that names the measure qualifies the one before
    indicator = ""
    for k in what:
        part = _without_unit(k, cell.unit)
        indicator += (f" {part.lower()}" if part.lower() in _MEASURES else f", {part}") if indicator else part
    return entity, indicator


_MEASURES = ("rank", "ranking", "score", "index", "value", "share", "amount")


def is_country_label(label: str) -> bool:
    return is_country(label) or is_country(label.lower())


def _without_unit(label: str, unit: str | None) -> str:
    """`Fixed broadband subscriptions (per 100 people)` less its unit, which the figure says."""
    if unit:
        unit_re = re.escape(unit.strip())
        label = re.sub(rf"\s*\(\s*(?:unit:\s*)?{unit_re}\s*\)|,\s*{unit_re}$", "", label, flags=re.IGNORECASE)
    return label.strip() or label


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _lower_first(text: str) -> str:
    """`Fixed broadband` → `fixed broadband`; an acronym (`EGDI`, `ICT`) keeps its case."""
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if first[:1].isupper() and first[1:].islower() else text


def _verb(indicator: str) -> str:
    """`were` after a plural head noun (`subscriptions`, `Internet users with …`), else `was`."""
    phrase = re.sub(r"\s*\(.*?\)", "", indicator).split(",")[0]
    phrase = re.split(r"\s+(?:with|of|in|for|per|on|at|by|from|to)\s+", phrase.strip(), maxsplit=1)[0]
    head = phrase.split(" ")[-1].lower()
    return "were" if head.endswith("s") and not head.endswith(("ss", "us", "is")) else "was"


# a caption's unit (`(unit: billion dollars)`, `(in millions)`) and its reference numbers (`[24; 25]`)
_CAPTION_UNIT = re.compile(r"\s*\((?:unit|in)\b[^)]*\)")
_CAPTION_REFS = re.compile(r"\s*\[[\d;,\s–-]+\]")
# a caption's span of years (`in 2016—2021`, `, 2014-2020`), which a figure of one year does not share
_CAPTION_YEARS = re.compile(r"\s*(?:,|\b(?:in|for|during|from|over)\b)?\s*(?:19|20)\d{2}\s*[—–-]\s*(?:19|20)?\d{2}\b")


def caption_indicator(caption: str) -> str:
    """What a table's figures measure, read off its caption where no label names it: `The scale
    of digital economy in the world's leading countries in 2016—2021 (unit: billion dollars)
    [24]` → `scale of digital economy in the world's leading countries` (the unit, the span of
    years and the references are said elsewhere in the answer)."""
    text = _CAPTION_REFS.sub("", _CAPTION_UNIT.sub("", caption))
    text = _CAPTION_YEARS.sub("", text)
    text = re.sub(r"^(?:the|a|an)\s+", "", text.strip(), flags=re.IGNORECASE).strip(" ,.:")
    return text or caption


def _caption_short(caption: str, limit: int = 90) -> str:
    text = _CAPTION_UNIT.sub("", caption).strip()
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def readable(value: float, unit: str | None) -> str:
    """3180000000000 reads as `3.18 trillion` (unless the unit already names a scale)."""
    if not re.search(r"thousand|million|billion|trillion", unit or "", re.IGNORECASE):
        for size, word in _SCALES:
            if abs(value) >= size:
                return f"{format_number(round(value / size, 2))} {word}"
    return format_number(value)


def fact_draft(corpus: Corpus, fact: Fact, score: float) -> Draft:
    """A dataset row's figure as an answer: "Indicator, Entity, 2021: 3.18 trillion US$ (dataset: …)"."""
    shown = readable(fact.value, fact.unit) if fact.value is not None else fact.raw
    unit = f" {fact.unit}" if fact.unit else ""
    source = fact.source_title or corpus.docs[fact.doc_id].title
    return Draft(
        answer=f"{fact.indicator}, {fact.entity}, {fact.year}: {shown}{unit} (dataset: {source}).",
        phrase=phrasing.Lookup(
            entity=fact.entity,
            indicator=fact.indicator,
            period=str(fact.year),
            amount=phrasing.Amount(shown, fact.unit),
            where=phrasing.Where(source, dataset=True),
        ),
        value=fact.value,
        unit=fact.unit,
        citations=[fact_citation(corpus, fact, score)],
    )


def draft_of(corpus: Corpus, reading: Reading) -> Draft:
    if reading.text is not None:
        return _text_draft(corpus, reading)
    cells = reading.cells
    citations = [cell_citation(corpus, c, reading.confidence) for c in cells]
    if reading.op == ops.SPAN:
        cell = cells[0]
        return Draft(
            answer=cell_sentence(cell),
            phrase=cell_phrase(cell),
            value=cell.value,
            unit=cell.unit if cell.value is not None else None,
            citations=citations,
            spans=list(reading.spans),
        )
    if reading.op in (ops.LIST_ROWS, ops.LIST_PERIODS):
        return Draft(
            answer=f"{'; '.join(reading.spans)} ({cells[0].table.label}).",
            citations=citations,
            spans=list(reading.spans),
        )
    if reading.op == ops.MULTI_SPAN:
        parts = "; ".join(f"{_row(c)}{' ' + c.period if c.period else ''}: {figure(c)}" for c in cells)
        items = [(f"{_row(c)}{' ' + c.period if c.period else ''}", amount_of(c)) for c in cells]
        return Draft(
            answer=f"{parts} ({cells[0].table.label}).",
            phrase=phrasing.Figures(items, phrasing.Where(cells[0].table.label)),
            citations=citations,
            spans=list(reading.spans),
        )
    if reading.op in (ops.ARGMAX, ops.ARGMAX_ROW):
        label = reading.spans[0]
        shown = "; ".join(f"{c.period if reading.op == ops.ARGMAX else _row(c)}: {figure(c)}" for c in cells)
        items = [(c.period if reading.op == ops.ARGMAX else _row(c), amount_of(c)) for c in cells]
        return Draft(
            answer=f"{label} ({cells[0].table.label}: {shown}).",
            phrase=phrasing.Figures(items, phrasing.Where(cells[0].table.label), picked=label),
            citations=citations,
            spans=list(reading.spans),
        )
    if reading.op == ops.COUNT:
        return Draft(
            answer=f"{format_number(reading.value or 0)} ({cells[0].table.label}).",
            phrase=phrasing.Count(format_number(reading.value or 0), phrasing.Where(cells[0].table.label)),
            value=reading.value,
            citations=citations,
        )
    unit = _unit_of(reading)
    what = _row(cells[0])
    shown = format_number(round(reading.value, 2)) if reading.value is not None else ""
    unit_text = "%" if unit == "%" else (f" {unit}" if unit else "")
    return Draft(
        answer=f"{_NAMES[reading.op]} of {what}: {shown}{unit_text} — {reading.arithmetic} ({cells[0].table.label}).",
        phrase=phrasing.Computed(
            reading.op, what, phrasing.Amount(shown, unit), reading.arithmetic, phrasing.Where(cells[0].table.label)
        ),
        value=reading.value,
        unit=unit,
        citations=citations,
    )


_NAMES = {
    ops.DIFF: "The change",
    ops.CHANGE_RATIO: "The percentage change",
    ops.AVERAGE: "The average",
    ops.SUM: "The total",
    ops.DIVIDE: "The ratio",
    ops.PERCENT_OF: "The percentage",
}


def _unit_of(reading: Reading) -> str | None:
    if reading.op in (ops.CHANGE_RATIO, ops.PERCENT_OF):
        return "%"
    if reading.op == ops.DIVIDE:
        return None
    units = {c.unit for c in reading.cells}
    return units.pop() if len(units) == 1 else None


def _text_draft(corpus: Corpus, reading: Reading) -> Draft:
    span = reading.text
    assert span is not None
    text = span.passage.text
    # the sentence the span is in, quoted; the span highlighted in the citation
    start, end = sentence_around(text, (span.start, span.end))
    several = len(reading.spans) > 1  # the figures of one sentence, for several values asked
    value = parse_number(span.text) if not several and re.fullmatch(r"[\s$€£¥(),.\d%-]+", span.text) else None
    unit = None
    if value is None and not several and has_chinese(span.text):  # `17.2万亿美元`: 17.2 trillion US dollars
        value, unit = read_figure(span.text) or (None, None)
    return Draft(
        answer=text[start:end].strip(),
        value=value,
        unit=unit,
        citations=[passage_citation(corpus, span.passage, reading.confidence, (span.start, span.end))],
        spans=list(reading.spans) if several else [span.text],
    )


def each_entity_draft(corpus: Corpus, cells: list[CellView]) -> Draft:
    """One figure per country of a table whose cells differ only by country, for a question that
    names none: "In 2020, value added was $3,853.8 billion for China and $199.92 billion for
    Russia (Table 14)." — every figure the question could mean, not one chosen for the asker."""
    named = [(*_entity_and_indicator(c, ""), c) for c in cells]
    indicator = without_bracketed_unit(named[0][1])  # its unit is the figures'
    label = cells[0].table.label
    when = f"In {cells[0].period}, " if cells[0].period else ""
    listed = _and_list([f"{figure(c)} for {entity}" for entity, _, c in named])
    if indicator:
        subject = _lower_first(indicator) if when else indicator
        sentence = f"{when}{subject} {_verb(indicator)} {listed} ({label})."
    else:  # the cells' only label is the country: the table says what they measure
        sentence = f"{when}{label} gives {listed}."
    return Draft(
        answer=sentence,
        phrase=phrasing.Figures(
            [(entity, amount_of(c)) for entity, _, c in named], phrasing.Where(cells[0].table.label)
        ),
        citations=[cell_citation(corpus, c, 1.0) for c in cells],
        spans=[c.raw.strip() for c in cells],
    )


def each_entity_fact_draft(corpus: Corpus, facts: list[Fact]) -> Draft:
    """A dataset's figure for each of its countries, for a question that names none: "In 2020,
    E-Government Development Index rank was 45 for China and 36 for Russian Federation
    (dataset: …)."."""
    first = facts[0]
    source = first.source_title or corpus.docs[first.doc_id].title
    shown = [readable(f.value, f.unit) if f.value is not None else f.raw for f in facts]
    listed = _and_list([f"{figure_text(f.value, s, f.unit)} for {f.entity}" for f, s in zip(facts, shown)])
    when = f"In {first.year}, " if first.year else ""
    indicator = _lower_first(first.indicator) if when else first.indicator
    return Draft(
        answer=f"{when}{indicator} {_verb(first.indicator)} {listed} (dataset: {source}).",
        phrase=phrasing.Figures(
            [(f.entity, phrasing.Amount(s, f.unit)) for f, s in zip(facts, shown)],
            phrasing.Where(source, dataset=True),
        ),
        citations=[fact_citation(corpus, f, 1.0) for f in facts],
        spans=[f.raw for f in facts],
    )


def without_bracketed_unit(label: str) -> str:
    """`Value added ($ trillion)` → `Value added`: a label less the unit in brackets at its end."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", label).strip()


def _and_list(parts: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
