"""Tables from `GET /documents/{id}/tables/{label}` as pandas objects, and the series in them.

Plain functions over the API's JSON, no Streamlit, so they are unit-testable. A cell is
addressed the way a citation addresses it: the row label (`"2019"`, `"2019 · China"`) and the
column path joined with `" / "`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

COLUMN_SEP = " / "
_YEAR = re.compile(r"(?:1[89]|20)\d\d")

ROW_COLOUR = "background-color: #fff4cc"
CELL_COLOUR = "background-color: #ffb74d; font-weight: 700; color: #000"


def column_name(path: list[str]) -> str:
    return COLUMN_SEP.join(path)


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def is_year(text: str) -> bool:
    return _YEAR.fullmatch(text.strip()) is not None


def unique_labels(labels: list[str]) -> list[str]:
    """Labels made unique for a DataFrame index (a repeated label gets ` (2)`, ` (3)` …)."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def column_index(table: dict) -> pd.Index:
    """The table's columns for a DataFrame: a MultiIndex (one header row per level, shorter
    paths padded with "") when any column path has more than one level, else plain labels."""
    paths = [tuple(p) for p in table["columns"]]
    depth = max((len(p) for p in paths), default=1)
    if depth > 1:
        padded = [p + ("",) * (depth - len(p)) for p in paths]
        if len(set(padded)) == len(padded):
            return pd.MultiIndex.from_tuples(padded)
    return pd.Index(unique_labels([column_name(list(p)) for p in paths]))


def _frame(table: dict, field: str) -> pd.DataFrame:
    columns = [column_name(p) for p in table["columns"]]
    data = []
    for row in table["rows"]:
        by_column = {column_name(c["column"]): c[field] for c in row["cells"]}
        data.append([by_column.get(c) for c in columns])
    stub = " · ".join(table.get("stub") or []) or None
    index = pd.Index(unique_labels([r["label"] for r in table["rows"]]), name=stub)
    return pd.DataFrame(data, index=index, columns=column_index(table), dtype=object)


def table_frame(table: dict) -> pd.DataFrame:
    """The whole table as printed: one row per table row, one column per column path (a
    MultiIndex for nested headers), the raw text of each cell (`—` stays `—`). The index is the
    row labels, named after the stub."""
    return _frame(table, "raw").fillna("")


def value_frame(table: dict) -> pd.DataFrame:
    """Like `table_frame`, with the parsed numbers (NaN where a cell has none)."""
    return _frame(table, "value").apply(pd.to_numeric, errors="coerce")


def locate(table: dict, row: str | None, column: str | None) -> tuple[int | None, int | None]:
    """(row position, column position) of a citation's row and column in `table`; None where
    it does not name one or the table has no such label."""
    row_pos = next((i for i, r in enumerate(table["rows"]) if _norm(r["label"]) == _norm(row)), None) if row else None
    col_pos = None
    if column:
        col_pos = next((i for i, p in enumerate(table["columns"]) if _norm(column_name(p)) == _norm(column)), None)
    return row_pos, col_pos


def cited_cells(citation: dict) -> list[tuple[str | None, str | None]]:
    """(row, column) of every cell a table citation cites: its `cells`, or (an older API) its
    own `row` and `column`."""
    cells = [(c.get("row"), c.get("column")) for c in citation.get("cells") or [] if isinstance(c, dict)]
    return cells or [(citation.get("row"), citation.get("column"))]


def highlighted(
    table: dict,
    row: str | None = None,
    column: str | None = None,
    cells: list[tuple[str | None, str | None]] | None = None,
):
    """A pandas Styler of `table_frame(table)` with the cited rows tinted and the cited cells
    (where the citation names a column) marked: `cells` as (row, column) pairs, or one `row`
    and `column`."""
    frame = table_frame(table)
    places = [locate(table, r, c) for r, c in (cells if cells is not None else [(row, column)])]

    def paint(data: pd.DataFrame) -> pd.DataFrame:
        styles = pd.DataFrame("", index=data.index, columns=data.columns)
        for row_pos, _ in places:
            if row_pos is not None:
                styles.iloc[row_pos, :] = ROW_COLOUR
        for row_pos, col_pos in places:
            if row_pos is not None and col_pos is not None:
                styles.iloc[row_pos, col_pos] = CELL_COLOUR
        return styles

    return frame.style.apply(paint, axis=None)


# -- cells and years --------------------------------------------------------------------
@dataclass(frozen=True)
class CellRef:
    row: int  # position in table["rows"]
    row_keys: tuple[str, ...]
    column: tuple[str, ...]
    value: float | None
    unit: str | None
    raw: str

    @property
    def column_name(self) -> str:
        return column_name(list(self.column))


def cells(table: dict) -> list[CellRef]:
    out = []
    for i, row in enumerate(table["rows"]):
        keys = tuple(row.get("keys") or [row["label"]])
        for c in row["cells"]:
            out.append(CellRef(i, keys, tuple(c["column"]), c["value"], c.get("unit"), c["raw"]))
    return out


@dataclass(frozen=True)
class YearAxis:
    """Where a table keeps its years: in the row keys (`on="rows"`) or the column paths
    (`on="columns"`), at position `at` of the keys or path."""

    on: str
    at: int


def year_axis(table: dict) -> YearAxis | None:
    """The table's year axis, when every row (or every column) names a year at one position
    and there are at least two distinct years."""
    rows = [r.get("keys") or [r["label"]] for r in table["rows"]]
    for on, labels in (("rows", rows), ("columns", table["columns"])):
        if not labels:
            continue
        width = min(len(x) for x in labels)
        for at in range(width):
            if all(is_year(x[at]) for x in labels) and len({x[at] for x in labels}) >= 2:
                return YearAxis(on, at)
    return None


def split_year(cell: CellRef, axis: YearAxis) -> tuple[int, tuple[str, ...], tuple[str, ...]]:
    """(year, row keys without it, column path without it)."""
    if axis.on == "rows":
        year = cell.row_keys[axis.at]
        return int(year), cell.row_keys[: axis.at] + cell.row_keys[axis.at + 1 :], cell.column
    year = cell.column[axis.at]
    return int(year), cell.row_keys, cell.column[: axis.at] + cell.column[axis.at + 1 :]


def year_span(years: list[int]) -> str:
    years = sorted(set(years))
    if not years:
        return ""
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
