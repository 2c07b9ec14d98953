"""Turning a grid of cell strings into a Table: header levels, merged cells, row spans, units.

Works on any grid, whatever produced it (tab-separated lines, pipe tables, a CSV), also as
analysts print tables in annual reports:
- the header is the first row plus following rows that hold only labels while the row
  above leaves merged (empty) cells (`Mobile cellular (per 100 people) | | ...` over
  `China | Russia | ...`), rows of periods (`| (In millions) | 2019 (1) | FY18 | Change |`,
  see ingest/periods.py), rows of labels with an empty stub cell, and unit rows
  (`| | $ million | $ million |`, `| | | (in thousands) | |`), which say a unit and are no
  part of the column paths;
- one group label over the value columns spans all of them, wherever it is centred;
  otherwise a group label spans the empty cells after it;
- leading columns that hold only text (or periods under a `Year` header) are row labels;
  an empty label cell continues the row above (a row span), except in a row of figures with
  no label that adds up the rows above it: their total, printed unlabelled, is `Total`;
- a row with a label and no figures heads the rows below it where its group is seen to close;
  a period printed so (`June 30, 2019`, `As at 31 December 2019`) is the period of every row
  of figures below it, up to the next;
- a label repeated in one header row (`Score Rank Innovation Rank`) is qualified by the
  label before it (`Innovation / Rank`);
- the table's scale (`in millions`, `$ in thousands`, `(€'000)`, `£m`) is read from the
  caption, the stub's header cells, a merged unit-row cell, a unit-only header cell, the
  notes printed beside the table, or a unit row that says the same over every column; it
  becomes Table.unit (`million`, `$ million`) unless the caption says `(unit: …)` or names a
  measure (`Water supplied (million cubic metres)`, a note `Tabular amounts in thousands of
  tonnes`: `million cubic metres`, `thousand tonnes`), which is the unit then;
- a cell's unit is the most specific one in sight: a `%` the cell prints; its column
  path's or row label's unit (`(per 100 people)`, `GDP ratio, %`, `($)` + the scale,
  `Average repair time (hours)`, `Repair time, hours`);
  a `%` its column or row header says; the caption's `(unit: …)`; else the currency the
  cell or its header shows with the scale that applies (`$ million`), the scale alone
  (`million`), or the currency alone (`$`). A scale's `except per share data` leaves rows
  and columns so named unscaled.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.limits import MAX_TABLE_CELLS, MAX_TABLE_COLUMNS, MAX_TABLE_ROWS, LimitError, trim_label
from ingest.numbers import Scale, currency_of, is_missing, is_unit_label, parse_number, printed_decimals, read_scale
from ingest.periods import is_period
from ingest.records import Cell, Row, Table, content_id
from ingest.references import find_markers, strip_markers

_CAPTION_UNIT = re.compile(r"\(\s*units?\s*[:：]\s*([^)]*?)\s*\)", re.IGNORECASE)
_TRAILING_PAREN = re.compile(r"\(([^()]{1,40})\)\s*$")
_TRAILING_PERCENT = re.compile(r",\s*(%)\s*$")
_UNIT_HINT = re.compile(
    r"%|\$|€|£|¥|₽|\bper\b|\bmillions?\b|\bbillions?\b|\bthousands?\b|\btrillions?\b|\bhundred\b"
    r"|\bpeople\b|\bpersons?\b|\busd\b|\byuan\b|\brub|\beur|\bunits?\b|\bscore\b|\bindex\b|\btons?\b"
    r"|\bkm\b|\bgw\b|\bmw\b|\bkwh\b|\bpercent\b",
    re.IGNORECASE,
)


_PERCENT_LABEL = re.compile(r"(?<![\d.])(?<![\d.]\s)%|\bper\s?cent(?:age)?s?\b(?!\s+points?)", re.IGNORECASE)
_SCALE_UNIT = re.compile(r"(?:\S+ )?(?:thousand|million|billion|trillion)")
_NAMES_SCALE = re.compile(r"\b(?:thousands?|millions?|billions?|trillions?)\b|['’]000", re.IGNORECASE)
_SHORT_SCALE = re.compile(r"\S{0,4}\s?(?:m|mn|bn|k|mil\.?|['’]\s?000s?|000s?)", re.IGNORECASE)
_IN_MEASURE = re.compile(
    r"\(\s*in\s+(years|months|weeks|days|hours|shares|units|people|persons|employees|percent)\s*\)\s*$", re.IGNORECASE
)
# a unit of measure that is no money and no scale: `hours`, `million cubic metres`, `GWh`
_MEASURE = (
    r"cubic\s+met(?:re|er)s?|square\s+(?:met(?:re|er)s?|kilomet(?:re|er)s?)|m3|m³|km2|km²|litres?|liters?"
    r"|(?:metric\s+)?tonnes?|kilograms?|kg|[kMGT]Wh|[kMG]W|kilomet(?:re|er)s?|km|hectares?"
    r"|hours?|hrs?|minutes?|mins?|days?|weeks?|months?|years?"
)
_MEASURE_UNIT = re.compile(
    rf"^(?:in\s+)?(?:(?P<scale>thousands?|millions?|billions?|trillions?)\s+(?:of\s+)?)?(?P<m>{_MEASURE})$",
    re.IGNORECASE,
)
_MEASURE_NOTE = re.compile(
    rf"\b(?P<scale>thousands?|millions?|billions?|trillions?)\s+(?:of\s+)?(?P<m>{_MEASURE})\b", re.IGNORECASE
)
_TRAILING_COMMA = re.compile(r",\s*([^,()]{1,40}?)\s*$")
_PERIOD_HEAD = re.compile(r"\b(?:years?|periods?|fiscal|quarters?|dates?|fy)\b", re.IGNORECASE)


def clean_cell(raw: str) -> str:
    """A cell as a person reads it: markdown escapes and emphasis removed, spaces folded."""
    text = re.sub(r"\\([$_*#|\[\]()%-])", r"\1", raw)
    text = re.sub(r"(\*\*|__)(.*?)\1", r"\2", text)
    return re.sub(r"\s+", " ", text).strip()


def caption_unit(caption: str) -> str | None:
    match = _CAPTION_UNIT.search(caption)
    return match.group(1).strip() if match else None


def measure_unit(text: str) -> str | None:
    """`hours`, `(million cubic metres)`, `in thousands of tonnes` → the measure with its scale
    (`million cubic metres`); None for anything else (a scale alone, money, a name)."""
    match = _MEASURE_UNIT.match(text.strip().strip("()").strip())
    if not match:
        return None
    scale = match["scale"].lower().rstrip("s") if match["scale"] else None
    return " ".join(p for p in (scale, re.sub(r"\s+", " ", match["m"])) if p)


def note_measure(text: str) -> str | None:
    """The measure a caption or a note says the figures are in: `Tabular amounts in thousands of
    cubic metres`, `Water supplied (million cubic metres)` → `thousand cubic metres`."""
    match = _MEASURE_NOTE.search(text)
    if match is None:
        paren = _TRAILING_PAREN.search(text)
        return measure_unit(paren.group(1)) if paren else None
    return measure_unit(match.group(0))


def label_unit(label: str) -> str | None:
    """The unit a row or column label states, e.g. `(per 100 people)`, `GDP ratio, %`,
    `Average repair time (hours)` or `Repair time, hours`."""
    match = _TRAILING_PERCENT.search(label)
    if match:
        return "%"
    match = _TRAILING_PAREN.search(label)
    if match and _UNIT_HINT.search(match.group(1)):
        return match.group(1).strip()
    if match and measure_unit(match.group(1)):
        return measure_unit(match.group(1))
    match = _TRAILING_COMMA.search(label)
    if match and measure_unit(match.group(1)):
        return measure_unit(match.group(1))
    return None


def build_table(
    doc_id: str,
    label: str,
    caption: str,
    grid: list[list[str]],
    *,
    source_note: str | None = None,
    page: int | None = None,
    section: list[str] | None = None,
    extra_refs: list[int] | None = None,
    notes: Sequence[str] = (),
) -> Table | None:
    """A Table from a grid of raw cell strings, or None when the grid holds no body rows.

    `notes`: text printed right before or after the table that may state its scale, e.g.
    `(Tabular amounts in millions)`; the caption and the header cells are read for it too.

    A grid over the limits of ingest/limits.py raises LimitError."""
    check_table_size(label, len(grid), max((len(r) for r in grid), default=0))
    grid = [[clean_cell(c) for c in row] for row in grid if any(c.strip() for c in row)]
    if len(grid) < 2:
        return None
    width = max(len(r) for r in grid)
    grid = [r + [""] * (width - len(r)) for r in grid]
    grid = _drop_empty_columns(grid)
    width = len(grid[0])

    n_header = _header_depth(grid)
    header, body = grid[:n_header], grid[n_header:]
    if not body:
        return None
    # a label is repeated in every row's sentence: a huge one would make them all huge
    header = [[trim_label(c) for c in h] for h in header]
    n_stub = _stub_width(body, width, header)
    grouped = _grouped_row_keys(body) if n_stub == 1 else None
    _fill_row_spans(body, n_stub)

    unit_rows = [r for r in range(1, n_header) if _is_unit_row(header[r], n_stub)]
    # a unit row that says one unit is no part of the column paths; `| | € | US$ |` tells columns apart
    label_rows = [h for r, h in enumerate(header) if r not in unit_rows or len(set(filter(None, h[n_stub:]))) > 1]
    columns = _column_paths(label_rows, n_stub, width)
    stub = [" / ".join(dict.fromkeys(h[k] for h in header if h[k] and not is_unit_label(h[k]))) for k in range(n_stub)]

    clean_caption = trim_label(re.sub(r"\s+", " ", caption.replace("*", "")).strip())
    # `(unit: …)`, else a measure the caption or a note beside the table names with its scale
    # (`Water supplied (million cubic metres)`, `Tabular amounts in thousands of tonnes`)
    unit = stated = caption_unit(clean_caption) or next(filter(None, map(note_measure, [clean_caption, *notes])), None)
    column_marks = _column_unit_marks(header, unit_rows, n_stub, width)
    table_scale = None if unit else _table_scale(clean_caption, header, unit_rows, n_stub, notes, column_marks)
    if unit is None and table_scale is not None:
        unit = table_scale.unit
    refs = find_markers(clean_caption) + [n for n in (extra_refs or []) if n]
    refs = list(dict.fromkeys(refs))
    table_id = content_id(doc_id, "table", label, clean_caption, grid)

    columns_read = [_read_column(path, column_marks[c]) for c, path in enumerate(columns)]
    rows: list[Row] = []
    cells: list[Cell] = []
    for r, body_row in enumerate(body):
        keys = (grouped[r] if grouped else None) or [k for k in body_row[:n_stub] if k]
        row_unit = next((u for u in map(label_unit, reversed(keys)) if u), None)
        row_percent = any(_says_percent(k) for k in keys)
        for c, path in enumerate(columns):
            raw = body_row[n_stub + c]
            value = parse_number(raw)
            col_unit = next((u for u in map(label_unit, reversed(path)) if u), None)
            labelled = col_unit or row_unit
            cell_unit = _cell_unit(
                raw, value, labelled, columns_read[c], row_percent, stated, table_scale, [*keys, *path]
            )
            cells.append(Cell(row=r, col=c, raw=raw, value=value, unit=cell_unit))
        rows.append(Row(label=" · ".join(keys), keys=keys, text=""))

    table = Table(
        id=table_id,
        label=label,
        caption=clean_caption,
        unit=unit,
        source_note=source_note,
        refs=refs,
        stub=stub,
        columns=columns,
        rows=rows,
        cells=cells,
        page=page,
        section=list(section or []),
    )
    for r, row in enumerate(table.rows):
        row.text = row_sentence(table, r)
    return table


def check_table_size(label: str, n_rows: int, n_columns: int) -> None:
    """Raise LimitError for a table over the rows, columns or cells limit (ingest/limits.py)."""
    name = f"table {label!r}" if label else "a table"
    if n_columns > MAX_TABLE_COLUMNS:
        raise LimitError(
            f"{name} has {n_columns:,} columns; citeqa reads at most {MAX_TABLE_COLUMNS:,} columns a table"
        )
    if n_rows > MAX_TABLE_ROWS:
        raise LimitError(f"{name} has {n_rows:,} rows; citeqa reads at most {MAX_TABLE_ROWS:,} rows a table")
    if n_rows * n_columns > MAX_TABLE_CELLS:
        raise LimitError(
            f"{name} has {n_rows * n_columns:,} cells ({n_rows:,} rows × {n_columns:,} columns); "
            f"citeqa reads at most {MAX_TABLE_CELLS:,} cells a table"
        )


def _row_cells(table: Table, r: int) -> dict[int, Cell]:
    """Row `r`'s cells by column. build_table stores them row by row, every column, so the
    row's slice is found directly; a table assembled otherwise is scanned."""
    width = len(table.columns)
    part = table.cells[r * width : (r + 1) * width]
    if len(part) == width and all(c.row == r for c in part):
        return {c.col: c for c in part}
    return {c.col: c for c in table.cells if c.row == r}


@dataclass
class _ColumnRead:
    percent: bool
    scale: Scale | None  # a scale its header cells state (`2019 $'000`, a `$ million` unit row)
    currency: str | None  # a currency its header cells show (`$ CHANGE`, a `$` unit row)
    measure: str | None  # a unit that is no scale: `(in years)`


def _read_column(path: list[str], marks: list[str]) -> _ColumnRead:
    texts = [*path, *marks]
    scale = next((s for s in map(read_scale, reversed(texts)) if s), None)
    currency = next((c for c in map(currency_of, reversed(texts)) if c), None)
    measure = next((m.group(1) for m in map(_IN_MEASURE.search, reversed(path)) if m), None)
    return _ColumnRead(any(_says_percent(t) for t in texts), scale, currency, measure)


def _says_percent(label: str) -> bool:
    """`%`, `% Change`, `Salary (%)`, `Percent Owned`; not `Notes at 6.20%` (a rate in a name)."""
    return bool(_PERCENT_LABEL.search(label))


def _cell_unit(
    raw: str,
    value: float | None,
    label: str | None,
    column: _ColumnRead,
    row_percent: bool,
    caption: str | None,
    table_scale: Scale | None,
    labels: list[str],
) -> str | None:
    """The most specific unit in sight: the cell's own `%`, a row or column label's unit, a `%`
    header, the caption's `(unit: …)`, else the currency shown with the scale stated."""
    if value is not None and raw.rstrip().endswith("%"):
        return "%"
    if label:
        # `(in millions)`, `($ in thousands)`, `£m`, `$'000`, `S$ Mil`: a scale, written as one
        if (re.search(r"(?:^|\s)in\s", label) and is_unit_label(label)) or _SHORT_SCALE.fullmatch(label):
            stated = read_scale(label)
            if stated is not None:
                return stated.unit
        if _is_currency(label):  # `Annual Salary ($)`: dollars, in the scale the table states
            scale = _scale_for(column.scale or table_scale, labels)
            return f"{label} {scale}" if scale else label
        return label
    if column.percent or row_percent:
        return "%"
    if caption:
        return caption
    if column.measure:  # `Weighted average life (in years)`: not an amount of money
        return column.measure
    scale = _scale_for(column.scale or table_scale, labels)
    shown = currency_of(raw) if value is not None and re.search(r"[^\d\s.,()%+\-−]", raw) else None
    currency = (
        shown
        or column.currency
        or (column.scale.currency if column.scale else None)
        or (table_scale.currency if table_scale else None)
    )
    return " ".join(p for p in (currency, scale) if p) or None


def _is_currency(unit: str) -> bool:
    return bool(
        re.fullmatch(r"\(?\s*(?:US\$|[ACRS]\$|HK\$|NZ\$|NT\$|[$€£¥₽₹₩]|USD|EUR|GBP|JPY|RMB|CNY|RUB)\s*\)?", unit)
    )


def _stem_words(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z]+", text.lower())}


def _scale_for(scale: Scale | None, labels: list[str]) -> str | None:
    """The scale word for a cell, unless the scale's `except …` names its row or column
    (`in thousands, except per share data` leaves `Earnings per share` unscaled)."""
    if scale is None or scale.scale is None:
        return None
    words = set().union(*(_stem_words(t) for t in labels)) if labels else set()
    for item in scale.excepted:
        wanted = _stem_words(item)
        if wanted and wanted <= words:
            return None
    return scale.scale


def _column_unit_marks(header: list[list[str]], unit_rows: list[int], n_stub: int, width: int) -> list[list[str]]:
    """Per value column, the unit-row cells over it (`$ million`, `%`, `£m`)."""
    marks: list[list[str]] = [[] for _ in range(n_stub, width)]
    for r in unit_rows:
        values = [j for j in range(n_stub, width) if header[r][j]]
        if len(values) == 1 and width - n_stub > 1:
            continue  # one merged cell over several columns: a table-wide scale
        for j in values:
            marks[j - n_stub].append(header[r][j])
    return marks


def _table_scale(
    caption: str,
    header: list[list[str]],
    unit_rows: list[int],
    n_stub: int,
    notes: Sequence[str],
    column_marks: list[list[str]],
) -> Scale | None:
    """The scale the whole table is in: the caption's, a header's stub cell (`(In millions)`,
    `£m`), a merged unit-row cell (`(in thousands)`), a note beside the table, or one scale
    every column's unit row states (`$ million` over each year)."""
    candidates = [caption]
    candidates += [h[k] for h in header for k in range(n_stub) if h[k]]
    for r in unit_rows:
        values = [c for c in header[r][n_stub:] if c]
        if len(values) == 1:
            candidates.append(values[0])
    candidates += [
        h[j] for h in header for j in range(n_stub, len(h)) if h[j] and is_unit_label(h[j]) and "%" not in h[j]
    ]
    candidates += [n for n in notes if n]
    for text in candidates:
        scale = read_scale(text)
        if scale is not None:
            return scale
    per_column = {read_scale(" ".join(m)) for m in column_marks}
    if len(per_column) == 1:
        only = per_column.pop()
        if only is not None:
            return only
    return None


def column_groups(table: Table) -> list[tuple[str | None, list[int]]]:
    """Value columns grouped by their top header (`Fixed broadband (per 100 people)` over
    `China`, `Russia`); a table with one header level is one group."""
    if all(len(path) == 1 for path in table.columns):
        return [(None, list(range(len(table.columns))))]
    groups: dict[str, list[int]] = {}
    for c, path in enumerate(table.columns):
        groups.setdefault(path[0], []).append(c)
    return list(groups.items())


def row_sentence(table: Table, r: int, cols: list[int] | None = None) -> str:
    """A self-contained sentence for one row (or some of its columns): caption, unit,
    row label, column paths and values — what the embedder and BM25 see.

    A scale the table states reads `(in $ millions)`; a cell whose unit the sentence would
    not otherwise show (a `%` from a unit row) carries it: `48.6%`, `5,000 ($ thousand)`."""
    cols = list(range(len(table.columns))) if cols is None else cols
    caption = strip_markers(table.caption)
    head = f"{table.label}: {caption}" if table.label and caption else (table.label or caption)
    if table.unit and "unit" not in caption.lower():
        if _SCALE_UNIT.fullmatch(table.unit) and caption_unit(table.caption) is None:
            if not _NAMES_SCALE.search(caption):
                head += f" (in {table.unit}s)"
        else:
            head += f" (unit: {table.unit})"
    row = table.rows[r]
    # a grouped row's keys outnumber the stub's heads (`Board of directors`, `Cash remuneration`)
    heads = [*table.stub, *[""] * (len(row.keys) - len(table.stub))]
    who = ", ".join(f"{s} {k}" if s else k for s, k in zip(heads, row.keys)) or "row"
    by_col = _row_cells(table, r)
    parts = []
    for c in cols:
        cell = by_col[c]
        shown = "missing" if is_missing(cell.raw) else _with_unit(cell, table, [*table.columns[c], *row.keys])
        parts.append(f"{' / '.join(table.columns[c])}: {shown}")
    stop = " " if head.endswith("…") else ". "
    return f"{head}{stop}{who} — " + "; ".join(parts) + "."


def _with_unit(cell: Cell, table: Table, labels: list[str]) -> str:
    """The raw figure, with its unit when neither it, its labels nor the table's unit show it."""
    unit = cell.unit
    if not unit or cell.value is None or unit == table.unit:
        return cell.raw
    if unit == "%":
        return cell.raw if "%" in cell.raw or any(map(_says_percent, labels)) else f"{cell.raw}%"
    seen = " ".join([cell.raw, *labels, table.caption, table.unit or ""]).lower()
    if all(part.lower().rstrip("s") in seen for part in unit.split()):
        return cell.raw
    return f"{cell.raw} ({unit})"


def _drop_empty_columns(grid: list[list[str]]) -> list[list[str]]:
    keep = [j for j in range(len(grid[0])) if any(row[j] for row in grid)]
    return [[row[j] for j in keep] for row in grid]


def _is_label_only(row: list[str]) -> bool:
    values = [c for c in row[1:] if c]
    return bool(values) and all(parse_number(c) is None or is_period(c) for c in values)


def _is_unit_row(row: list[str], n_stub: int = 1) -> bool:
    """A header row that only says what the figures are in: `| | $ million | $ million |`,
    `| | % | % |`, `| | | (in thousands) | |`."""
    values = [c for c in row[max(1, n_stub) :] if c]
    return bool(values) and all(is_unit_label(c) for c in values)


def _is_heading_value(cell: str) -> bool:
    """A header cell over a value column: a label or a period, not a figure or a missing mark."""
    return is_period(cell) or (parse_number(cell) is None and not is_missing(cell))


def _is_period_row(row: list[str]) -> bool:
    """`| | 2019 (1) | FY18 | Change |`: periods (two or more, or nothing else) among labels."""
    values = [c for c in row[1:] if c]
    periods = sum(1 for c in values if is_period(c))
    return bool(values) and all(_is_heading_value(c) for c in values) and (periods >= 2 or periods == len(values))


def _continues_header(above: list[str], row: list[str], below: list[str]) -> bool:
    """Whether `row`, under header row `above`, is a header row too (`below` is the next row)."""
    first = row[0]
    values = [c for c in row[1:] if c]
    if not values or (first and (parse_number(first) is not None or is_period(first))):
        return False  # an empty row, or one led by a figure or a year, is a body row
    if _is_unit_row(row):
        return True  # `| | $ million | $ million |`
    merged_above = any(not c for c in above[1:])
    stub_free = not first or is_unit_label(first)
    if stub_free and merged_above and _is_label_only(row):
        return True  # labels under a group label that spans merged cells
    labels = all(_is_heading_value(c) for c in values)
    if labels and (stub_free or not above[0]):
        return True  # labels under labels; the stub's own label may come on this row (`| NEO | Salary |`)
    # periods over the columns, unless the rows below hold periods too (a column of years)
    return _is_period_row(row) and not _is_period_row(below)


def _header_depth(grid: list[list[str]]) -> int:
    depth = 1
    while depth < len(grid) - 1:
        if _continues_header(grid[depth - 1], grid[depth], grid[depth + 1]):
            depth += 1
        else:
            break
    return depth


def _stub_width(body: list[list[str]], width: int, header: list[list[str]] | None = None) -> int:
    n = 1
    while n < width - 1:
        column = [row[n] for row in body if row[n]]
        heads = " ".join(h[n] for h in header or [])
        if column and all(parse_number(c) is None and not is_missing(c) for c in column):
            n += 1
        elif column and all(is_period(c) for c in column) and (not heads or _PERIOD_HEAD.search(heads)):
            n += 1  # `Year`: a column of years is row labels
        else:
            break
    return n


def _grouped_row_keys(body: list[list[str]]) -> list[list[str] | None] | None:
    """Row labels of a one-column stub whose rows come in groups, as reports print them: a row
    with a label and no figures heads the rows below it (`Board of directors`, `Current
    assets:`), each of which is then labelled under it (`Board of directors · Cash
    remuneration`). A group is read only where it is seen to close: at a total row (`Total
    current assets`, its own), at a row of figures with no label (the group's subtotal printed
    unlabelled, which takes the group's name) or at the table's end. A head followed by rows
    that run into the next head unclosed could head them all or only the first few (print
    shows which by indenting, which the text has lost), so those rows keep their own labels.
    A row that prints a period and no figures (`June 30, 2019`, `Fiscal Year Ended April 27,
    2019`, `As at 31 December 2019`) heads every row below it up to the next such row: those
    rows are that period's (`June 30, 2019 · Money market funds`), and it closes the groups
    above it as the table's end does.
    Per row: its keys where it is in a group, else None; None when no row heads a group."""
    if not any(row[0] and not any(row[1:]) for row in body):
        return None
    keys: list[list[str] | None] = [None] * len(body)
    periods = [bool(row[0]) and not any(row[1:]) and is_period(row[0]) for row in body]
    head: int | None = None
    for r, row in enumerate([*body, None]):
        label, figures = (row[0], any(row[1:])) if row is not None else ("", False)
        heads_group = row is not None and bool(label) and not figures and not periods[r]
        closes = row is None or periods[r] or (figures and (not label or label.lower().startswith("total")))
        if head is not None and (closes or heads_group):
            if closes:
                group = body[head][0]
                for k in range(head + 1, min(r + 1, len(body))):
                    if not periods[k]:
                        keys[k] = [group, body[k][0]] if body[k][0] else [group]
            head = None
        if heads_group:
            head = r
    period: str | None = None
    for r, row in enumerate(body):
        if periods[r]:
            period = row[0]
        elif period is not None and any(row[1:]) and (keys[r] or row[0]):  # a row of figures
            keys[r] = [period, *(keys[r] or [row[0]])]
    return keys


def _fill_row_spans(body: list[list[str]], n_stub: int) -> None:
    """An empty label cell continues the row above (a row span), except in a row of figures
    with no label at all that adds up the rows above it: that is the total reports print
    unlabelled (`| | 66.8 | 69.6 |` under `Current` and `Non-current`), not more of the last item."""
    for r in range(1, len(body)):
        if not n_stub or not any(body[r][n_stub:]):
            continue  # a row without figures heads others, or is a label alone
        total = not any(body[r][:n_stub]) and _sums_rows_above(body, r, n_stub)
        for k in range(n_stub):
            if not body[r][k]:
                body[r][k] = "Total" if total and k == n_stub - 1 else body[r - 1][k]


def _sums_rows_above(body: list[list[str]], r: int, n_stub: int) -> bool:
    """Every figure of row `r` is the sum of the figures of the same run of two or more rows
    right above it (to the rounding of the figures printed)."""
    figures = [(j, v) for j in range(n_stub, len(body[r])) if (v := parse_number(body[r][j])) is not None]
    if not figures:
        return False
    tolerance = {j: 0.5 * 10.0 ** -printed_decimals(body[r][j]) for j, _ in figures}
    sums = dict.fromkeys(tolerance, 0.0)
    counts = dict.fromkeys(tolerance, 0)
    for above in range(r - 1, -1, -1):  # the run grows upwards, one row at a time
        row = body[above]
        if not any(row[n_stub:]):
            return False  # a heading row ends the run
        for j, _ in figures:
            part = parse_number(row[j])
            if part is not None:
                sums[j] += part
                counts[j] += 1
        if r - above >= 2 and all(
            counts[j] and abs(sums[j] - v) <= tolerance[j] * counts[j] + 1e-9 for j, v in figures
        ):
            return True
    return False


def _column_paths(header: list[list[str]], n_stub: int, width: int) -> list[list[str]]:
    levels = [list(h) for h in header]
    for level in levels[:-1]:
        spans = [j for j in range(n_stub, width) if level[j]]
        if len(spans) == 1:  # one group label (wherever it is centred) spans every value column
            level[n_stub:width] = [level[spans[0]]] * (width - n_stub)
            continue
        for j in range(n_stub + 1, width):  # a group label spans the empty cells after it
            if not level[j]:
                level[j] = level[j - 1]
        for j in range(n_stub, spans[0]) if spans else ():  # and, centred, the ones before the first
            level[j] = level[spans[0]]
    paths = []
    for j in range(n_stub, width):
        path: list[str] = []
        for level in levels:
            if level[j] and (not path or path[-1] != level[j]):
                path.append(level[j])
        paths.append(path or [f"Column {j + 1}"])

    leaves = [p[-1] for p in paths]
    counts = Counter(leaves)
    last_unique = None  # the nearest leaf before column j that no other column has
    for j, path in enumerate(paths):
        if len(path) == 1 and counts[path[0]] > 1 and last_unique:
            paths[j] = [last_unique, path[0]]
        if counts[leaves[j]] == 1:
            last_unique = leaves[j]
    return paths
