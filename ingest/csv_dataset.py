"""CSV → facts (a tidy dataset: one figure a row, with provenance) or else one table.

A CSV is tidy when it has a value column and an entity column (country, economy,
entity, ...), as in World Bank or UN extracts; every other column is kept as the
fact's provenance. Any other CSV becomes a Table, its first column the row labels.
"""

from __future__ import annotations

import csv
import itertools
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from tqdm import tqdm

from ingest.limits import MAX_DATASET_ROWS, MAX_TABLE_CELLS, MAX_TABLE_ROWS, LimitError
from ingest.numbers import parse_number
from ingest.records import Document, Fact, content_id
from ingest.tables import build_table, check_table_size
from ingest.text import detect_language
from ingest.textfile import read_text_file

_VALUE = ("value", "obs_value", "val")
_ENTITY = ("country", "entity", "economy", "country_name", "location", "region", "area")
_YEAR = ("year", "time", "period", "date")
_INDICATOR = ("indicator_name", "indicator", "series_name", "series", "variable", "measure")
_INDICATOR_CODE = ("indicator_code", "series_code", "code")
_UNIT = ("unit", "units", "unit_measure")
_SOURCE_ID = ("source_id", "source")
_SOURCE_TITLE = ("source_title", "source_name")
MB = 1024 * 1024
MAX_FIELD = 10 * MB  # characters in one field


def _pick(header: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {h.strip().lower(): h for h in header}
    return next((lowered[n] for n in names if n in lowered), None)


def convert_csv(path: Path, doc_id: str, sha256: str) -> Document:
    source = read_text_file(path)
    text = source.text
    if not text.strip():
        raise ValueError("the file is empty")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = _rows(text, dialect, path.stem)
    header, first = next(rows, None), next(rows, None)
    if header is None or first is None:
        raise ValueError("the CSV has a header but no data rows")
    body = itertools.chain([first], rows)
    doc = Document(
        id=doc_id,
        title=path.stem,
        kind="dataset",
        path=str(path),
        sha256=sha256,
        language=detect_language(text),
        warnings=source.warnings,
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


def _rows(text: str, dialect, name: str) -> Iterator[list[str]]:
    """The non-blank rows, parsed as they are read (no list of every row, no second copy of
    the text); a field may be up to MAX_FIELD characters (Python's csv stops at 128 KB). A
    file over the limits — a table's, or a tidy dataset's (its header names a value and an
    entity column) — raises LimitError as soon as it shows (the header's width × the rows so
    far), naming its full count of rows."""
    if csv.field_size_limit() < MAX_FIELD:
        csv.field_size_limit(MAX_FIELD)  # process-wide, and only ever raised: harmless to other readers
    reader = csv.reader(_lines(text), dialect)
    n = width = 0
    tidy = False
    try:
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            if n == 0:
                width = len(row)
                check_table_size(name, 0, width)
                tidy = bool(_pick(row, _VALUE) and _pick(row, _ENTITY))
            elif tidy and n > MAX_DATASET_ROWS:
                n += sum(1 for r in reader if any(c.strip() for c in r))
                raise LimitError(
                    f"{name} has {n:,} data rows; citeqa reads at most {MAX_DATASET_ROWS:,} rows a dataset"
                )
            elif not tidy and (n > MAX_TABLE_ROWS or n * width > MAX_TABLE_CELLS):
                n += sum(1 for r in reader if any(c.strip() for c in r))
                check_table_size(name, n, width)
            n += 1
            yield row
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise ValueError(
                f"a CSV field is longer than {MAX_FIELD // MB} MB; citeqa reads fields up to that"
            ) from exc
        raise ValueError(f"not a readable CSV ({exc})") from exc


def _lines(text: str) -> Iterator[str]:
    """`text`'s lines with their `\\n`, as `io.StringIO(text)` yields them, without copying the text."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


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
    # a dataset repeats its indicator, entity, unit and source in every row: one string each
    shared = {index[c] for c in (indicator_col, code_col, entity_col, unit_col, source_col, title_col) if c}
    for row in tqdm(body, desc="rows", unit=" rows", unit_scale=True, mininterval=1, disable=None, leave=False):
        row = row + [""] * (len(header) - len(row))
        for i in shared:
            row[i] = sys.intern(row[i])

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
