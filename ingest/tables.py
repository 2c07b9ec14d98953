"""Turning a grid of cell strings into a Table: header levels, merged cells, row spans, units.

Works on any grid, whatever produced it (tab-separated lines, pipe tables, a CSV):
- the header is the first row plus any following rows that hold only labels while the
  row above leaves merged (empty) cells, e.g. `Mobile cellular (per 100 people) | | ...`
  over `China | Russia | ...`;
- leading columns that hold only text are row labels (`Year`, `Economy`); an empty
  label cell continues the row above (a row span);
- a label repeated in one header row (`Score Rank Innovation Rank`) is qualified by the
  label before it (`Innovation / Rank`);
- a cell's unit is the most specific one in sight: its column path, then its row label,
  then the caption's `(unit: …)`.
"""

from __future__ import annotations

import re

from ingest.numbers import is_missing, is_year, parse_number
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


def clean_cell(raw: str) -> str:
    """A cell as a person reads it: markdown escapes and emphasis removed, spaces folded."""
    text = re.sub(r"\\([$_*#|\[\]()%-])", r"\1", raw)
    text = re.sub(r"(\*\*|__)(.*?)\1", r"\2", text)
    return re.sub(r"\s+", " ", text).strip()


def caption_unit(caption: str) -> str | None:
    match = _CAPTION_UNIT.search(caption)
    return match.group(1).strip() if match else None


def label_unit(label: str) -> str | None:
    """The unit a row or column label states, e.g. `(per 100 people)` or `GDP ratio, %`."""
    match = _TRAILING_PERCENT.search(label)
    if match:
        return "%"
    match = _TRAILING_PAREN.search(label)
    if match and _UNIT_HINT.search(match.group(1)):
        return match.group(1).strip()
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
) -> Table | None:
    """A Table from a grid of raw cell strings, or None when the grid holds no body rows."""
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
    n_stub = _stub_width(body, width)
    _fill_row_spans(body, n_stub)

    columns = _column_paths(header, n_stub, width)
    stub = [" / ".join(dict.fromkeys(h[k] for h in header if h[k])) for k in range(n_stub)]

    clean_caption = re.sub(r"\s+", " ", caption.replace("*", "")).strip()
    unit = caption_unit(clean_caption)
    refs = find_markers(clean_caption) + [n for n in (extra_refs or []) if n]
    refs = list(dict.fromkeys(refs))
    table_id = content_id(doc_id, "table", label, clean_caption, grid)

    rows: list[Row] = []
    cells: list[Cell] = []
    for r, body_row in enumerate(body):
        keys = [k for k in body_row[:n_stub] if k]
        row_unit = next((u for u in map(label_unit, reversed(keys)) if u), None)
        for c, path in enumerate(columns):
            raw = body_row[n_stub + c]
            col_unit = next((u for u in map(label_unit, reversed(path)) if u), None)
            cells.append(Cell(row=r, col=c, raw=raw, value=parse_number(raw), unit=col_unit or row_unit or unit))
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
    row label, column paths and values — what the embedder and BM25 see."""
    cols = list(range(len(table.columns))) if cols is None else cols
    caption = strip_markers(table.caption)
    head = f"{table.label}: {caption}" if table.label else caption
    if table.unit and "unit" not in caption.lower():
        head += f" (unit: {table.unit})"
    row = table.rows[r]
    who = ", ".join(f"{s} {k}" if s else k for s, k in zip(table.stub, row.keys)) or "row"
    by_col = {c.col: c for c in table.cells if c.row == r}
    parts = []
    for c in cols:
        raw = by_col[c].raw
        parts.append(f"{' / '.join(table.columns[c])}: {'missing' if is_missing(raw) else raw}")
    return f"{head}. {who} — " + "; ".join(parts) + "."


def _drop_empty_columns(grid: list[list[str]]) -> list[list[str]]:
    keep = [j for j in range(len(grid[0])) if any(row[j] for row in grid)]
    return [[row[j] for j in keep] for row in grid]


def _is_label_only(row: list[str]) -> bool:
    values = [c for c in row[1:] if c]
    return bool(values) and all(parse_number(c) is None or is_year(c) for c in values)


def _header_depth(grid: list[list[str]]) -> int:
    depth = 1
    while depth < len(grid) - 1:
        above, row = grid[depth - 1], grid[depth]
        merged_above = any(not c for c in above[1:])
        if not row[0] and merged_above and _is_label_only(row):
            depth += 1
        else:
            break
    return depth


def _stub_width(body: list[list[str]], width: int) -> int:
    n = 1
    while n < width - 1:
        column = [row[n] for row in body if row[n]]
        if column and all(parse_number(c) is None and not is_missing(c) for c in column):
            n += 1
        else:
            break
    return n


def _fill_row_spans(body: list[list[str]], n_stub: int) -> None:
    for r in range(1, len(body)):
        for k in range(n_stub):
            if not body[r][k] and any(body[r][n_stub:]):
                body[r][k] = body[r - 1][k]


def _column_paths(header: list[list[str]], n_stub: int, width: int) -> list[list[str]]:
    levels = [list(h) for h in header]
    for level in levels[:-1]:  # a group label spans the empty cells after it
        for j in range(n_stub + 1, width):
            if not level[j]:
                level[j] = level[j - 1]
    paths = []
    for j in range(n_stub, width):
        path: list[str] = []
        for level in levels:
            if level[j] and (not path or path[-1] != level[j]):
                path.append(level[j])
        paths.append(path or [f"Column {j + 1}"])

    leaves = [p[-1] for p in paths]
    for j, path in enumerate(paths):
        if len(path) == 1 and leaves.count(path[0]) > 1:
            before = next((leaves[i] for i in range(j - 1, -1, -1) if leaves.count(leaves[i]) == 1), None)
            if before:
                paths[j] = [before, path[0]]
    return paths
