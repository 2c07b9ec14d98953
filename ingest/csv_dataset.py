"""CSV → facts (a tidy dataset: one figure a row, with provenance) or else one table.

A CSV is tidy when it has a value column and an entity column (country, economy,
entity, ...), as in World Bank or UN extracts; every other column is kept as the
fact's provenance. Any other CSV becomes a Table, its first column the row labels.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path

from ingest.limits import MAX_TABLE_CELLS, MAX_TABLE_ROWS
from ingest.numbers import parse_number
from ingest.records import Document, Fact, content_id
from ingest.tables import build_table, check_table_size
from ingest.text import detect_language

_VALUE = ("value", "obs_value", "val")
_ENTITY = ("country", "entity", "economy", "country_name", "location", "region", "area")
_YEAR = ("year", "time", "period", "date")
_INDICATOR = ("indicator_name", "indicator", "series_name", "series", "variable", "measure")
_INDICATOR_CODE = ("indicator_code", "series_code", "code")
_UNIT = ("unit", "units", "unit_measure")
_SOURCE_ID = ("source_id", "source")
_SOURCE_TITLE = ("source_title", "source_name")


def _pick(header: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {h.strip().lower(): h for h in header}
    return next((lowered[n] for n in names if n in lowered), None)


def _encoding(path: Path) -> str:
    """UTF-8 (a BOM allowed) when the whole file decodes so, else Latin-1; read in blocks."""
    with path.open(encoding="utf-8-sig") as fh:
        try:
            while fh.read(1 << 20):
                pass
        except UnicodeDecodeError:
            return "latin-1"
    return "utf-8-sig"


def _rows(path: Path, encoding: str, dialect) -> Iterator[list[str]]:
    """The CSV's non-blank rows, read as a stream; a file over the table limits raises
    LimitError as soon as it shows (the header's width × the rows read so far)."""
    with path.open(encoding=encoding, newline="") as fh:
        n, width = 0, 0
        for row in csv.reader(fh, dialect):
            if not any(c.strip() for c in row):
                continue
            if n == 0:
                width = len(row)
                check_table_size(path.stem, 0, width)
            elif n > MAX_TABLE_ROWS or n * width > MAX_TABLE_CELLS:
                check_table_size(path.stem, _count_rows(fh, dialect, n), width)
            n += 1
            yield row


def _count_rows(fh, dialect, seen: int) -> int:
    """The data rows of a file found over a limit after `seen` of them (for the message)."""
    return seen + sum(1 for row in csv.reader(fh, dialect) if any(c.strip() for c in row))


def convert_csv(path: Path, doc_id: str, sha256: str) -> Document:
    encoding = _encoding(path)
    with path.open(encoding=encoding, newline="") as fh:
        head = fh.read(20000)  # what the dialect and the language are read from
    try:
        dialect = csv.Sniffer().sniff(head[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = _rows(path, encoding, dialect)
    header = next(rows, None)
    first = next(rows, None)
    if header is None or first is None:
        if not path.read_bytes().strip():
            raise ValueError("the file is empty")
        raise ValueError("the CSV has a header but no data rows")
    body = itertools.chain([first], rows)
    doc = Document(
        id=doc_id, title=path.stem, kind="dataset", path=str(path), sha256=sha256, language=detect_language(head)
    )
    value_col, entity_col = _pick(header, _VALUE), _pick(header, _ENTITY)
    if value_col and entity_col:
        doc.facts = _facts(doc_id, header, body, value_col, entity_col)
        titles = {f.source_title for f in doc.facts if f.source_title}
        indicators = list(dict.fromkeys(f.indicator for f in doc.facts))
        if len(indicators) <= 3:
            doc.title = "; ".join(indicators)
        elif len(titles) == 1:
            doc.title = titles.pop()
    else:
        table = build_table(doc_id, path.stem, path.stem, [header, *body])
        if table is None:
            raise ValueError("the CSV holds no table rows")
        doc.tables = [table]
    return doc


def _facts(doc_id, header, body: Iterable[list[str]], value_col, entity_col) -> list[Fact]:
    index = {h: i for i, h in enumerate(header)}
    year_col = _pick(header, _YEAR)
    indicator_col = _pick(header, _INDICATOR)
    code_col = _pick(header, _INDICATOR_CODE)
    unit_col = _pick(header, _UNIT)
    source_col = _pick(header, _SOURCE_ID)
    title_col = _pick(header, _SOURCE_TITLE)
    named = {value_col, entity_col, year_col, indicator_col, code_col, unit_col, source_col, title_col}
    facts: list[Fact] = []
    seen: dict[str, int] = {}
    for row in body:
        row = row + [""] * (len(header) - len(row))

        def get(col, row=row):
            return row[index[col]].strip() if col else None

        year_text = get(year_col) or ""
        year = int(year_text[:4]) if year_text[:4].isdigit() else None
        raw = get(value_col) or ""
        key = content_id(doc_id, "fact", row)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        facts.append(
            Fact(
                id=content_id(doc_id, "fact", row, occurrence),
                indicator=get(indicator_col) or get(code_col) or value_col,
                indicator_code=get(code_col),
                entity=get(entity_col) or "",
                year=year,
                raw=raw,
                value=parse_number(raw),
                unit=get(unit_col) or None,
                source_id=get(source_col),
                source_title=get(title_col),
                provenance={h: row[i].strip() for h, i in index.items() if h not in named and row[i].strip()},
            )
        )
    return facts
