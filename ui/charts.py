"""Series in a table and their Altair charts. Plain functions, no Streamlit.

`cited_series` answers "what series does this cited cell belong to, and which other rows or
columns of the same table measure the same thing?": in Table 6, the cell 2019 × Fixed
broadband / Russia gives the fixed-broadband lines of Russia and China over 2015–2020.

Every axis says what it measures: the unit (`hours`, `million cubic metres`), or `rank` for
ranks, drawn with the best (1st) at the top; series of different units never share an axis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import altair as alt
import pandas as pd

from ui.labels import cell_is_rank
from ui.tables import CellRef, cells, column_name, locate, split_year, year_axis, year_span

CITED_COLOUR = "#d62728"
MAX_SERIES = 8


@dataclass
class Series:
    """Points `data` (columns `year`, `value`, `series`, `raw`, `cited`) of the cited series
    and its siblings; `title` is what they have in common (the indicator)."""

    table: str
    title: str
    unit: str | None
    data: pd.DataFrame
    cited_series: str
    cited_year: int
    cited_value: float
    rank: bool = False  # the figures are ranks: 1st is best, drawn at the top
    marks: list[int] = field(default_factory=list)  # years of the cited series to mark (a change's ends)

    @property
    def axis_title(self) -> str:
        return axis_title(self.unit, self.rank, self.title or self.cited_series)

    def marking(self, years: list[int] | tuple[int, ...]) -> Series:
        """The series with these years of the cited series marked (a change: both ends)."""
        cited = self.data[self.data["cited"]]
        have = set(cited["year"].tolist())
        self.marks = [y for y in years if y in have] or self.marks
        return self

    def marked_points(self) -> pd.DataFrame:
        cited = self.data[self.data["cited"]]
        years = self.marks or [self.cited_year]
        points = cited[cited["year"].isin(years)][["year", "value"]]
        if points.empty:
            points = pd.DataFrame([{"year": self.cited_year, "value": self.cited_value}])
        return points.assign(label=[_short(v) for v in points["value"]]).reset_index(drop=True)

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys(self.data["series"]))

    @property
    def span(self) -> str:
        return year_span(self.data["year"].tolist())

    @property
    def heading(self) -> str:
        what = self.title or (self.names[0] if len(self.names) == 1 else self.table)
        shown = "rank" if self.rank else self.unit
        unit = f" ({shown})" if shown and shown.casefold() not in what.casefold() else ""
        return f"{what}{unit}, {self.span}"


def _unit(group: list[tuple[int, CellRef]]) -> str | None:
    return next((c.unit for _, c in group if c.unit), None)


def axis_title(unit: str | None, rank: bool = False, what: str = "") -> str:
    """`rank` for ranks, else the unit; only a figure of no known unit falls back to what it
    is (the indicator), and `value` when even that is unknown."""
    if rank:
        return "rank"
    return unit or what or "value"


def cited_series(table: dict, row: str | None, column: str | None, *, max_series: int = MAX_SERIES) -> Series | None:
    """The series the cited cell (row label × column path) belongs to, with the rows or columns
    of the same table that share its indicator and unit; None when the cell is not part of a
    series over years (no year axis, no such cell, no number, fewer than two years)."""
    axis = year_axis(table)
    if axis is None or not column:
        return None
    row_pos, col_pos = locate(table, row, column)
    if row_pos is None or col_pos is None:
        return None
    path = tuple(table["columns"][col_pos])
    everything = cells(table)
    cited = next((c for c in everything if c.row == row_pos and c.column == path), None)
    if cited is None or cited.value is None:
        return None

    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[tuple[int, CellRef]]] = {}
    for c in everything:
        year, row_rest, col_rest = split_year(c, axis)
        groups.setdefault((row_rest, col_rest), []).append((year, c))
    cited_year, *key = split_year(cited, axis)
    cited_key = (key[0], key[1])
    flat = key[0] + key[1]
    n_row = len(key[0])
    unit = _unit(groups[cited_key])

    # siblings differ from the cited series in exactly one label and share its unit
    by_position: dict[int, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for k, group in groups.items():
        if k == cited_key or len(k[0]) != n_row or len(k[1]) != len(key[1]) or _unit(group) != unit:
            continue
        other = k[0] + k[1]
        diff = [i for i, (a, b) in enumerate(zip(flat, other)) if a != b]
        if len(diff) == 1:
            by_position.setdefault(diff[0], []).append(k)
    # which label varies: a row label first (rows are the entities of a table with years as
    # columns), else the shortest label of the column path ("Russia", not the indicator's name)
    position = min(by_position, key=lambda i: (i >= n_row, len(flat[i]), i)) if by_position else None
    siblings = by_position.get(position, [])[: max_series - 1] if position is not None else []

    def name(k) -> str:
        labels = k[0] + k[1]
        if position is not None:
            return labels[position]
        return " · ".join(labels) or table["label"]

    records = []
    for k in [cited_key, *siblings]:
        for year, c in sorted(groups[k], key=lambda x: x[0]):
            if c.value is not None:
                records.append(
                    {"year": year, "value": c.value, "series": name(k), "raw": c.raw, "cited": k == cited_key}
                )
    data = pd.DataFrame(records, columns=["year", "value", "series", "raw", "cited"])
    if (data["cited"]).sum() < 2:
        return None
    title = " · ".join(x for i, x in enumerate(flat) if i != position) if position is not None else ""
    rank = cell_is_rank(table, table["rows"][row_pos]["label"], column_name(list(path)))
    return Series(
        table["label"], title, unit, data, name(cited_key), cited_year, float(cited.value), rank, [cited_year]
    )


def series_chart(series: Series, *, height: int = 280) -> alt.LayerChart:
    """Lines over the years, the cited series drawn heavier, the cited figure (both ends of a
    change) marked and labelled. The axis is titled with the unit; ranks run 1st at the top."""
    names = series.names
    data = series.data.assign(weight=series.data["cited"].map({True: "cited", False: "other"}))
    x = alt.X("year:Q", title=None, axis=alt.Axis(format="d", tickMinStep=1), scale=alt.Scale(zero=False, nice=False))
    y = alt.Y("value:Q", title=series.axis_title, scale=alt.Scale(zero=False, reverse=series.rank))
    colour = alt.Color("series:N", title=None, sort=names, legend=alt.Legend(orient="bottom"))
    tooltip = [alt.Tooltip("series:N"), alt.Tooltip("year:Q", format="d"), alt.Tooltip("raw:N", title="value")]
    base = alt.Chart(data)
    lines = base.mark_line(point=True).encode(
        x=x,
        y=y,
        color=colour,
        strokeWidth=alt.StrokeWidth(
            "weight:N", scale=alt.Scale(domain=["cited", "other"], range=[3.5, 1.5]), legend=None
        ),
        tooltip=tooltip,
    )
    point = series.marked_points()
    marker = alt.Chart(point).mark_point(size=220, filled=True, color=CITED_COLOUR, opacity=1).encode(x=x, y=y)
    label = alt.Chart(point).mark_text(dy=-14, fontWeight="bold", color=CITED_COLOUR).encode(x=x, y=y, text="label:N")
    return (lines + marker + label).properties(height=height, title=series.heading)


def _short(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.6g}"


# -- the Tables page: any rows or columns the user picks ----------------------------------
def pick_frame(table: dict, by: str, picks: list[str]) -> pd.DataFrame:
    """Points for the chosen rows (`by="row"`, row labels) or columns (`by="column"`, column
    paths joined with " / "): columns `x`, `series`, `value`, `raw`, `unit`; `x` is the year
    when the picked cells span two or more years, else the other axis's label."""
    picked_rows = {i for i, r in enumerate(table["rows"]) if r["label"] in picks} if by == "row" else None
    picked_cols = {tuple(p) for p in table["columns"] if column_name(p) in picks} if by == "column" else None
    chosen = [
        c
        for c in cells(table)
        if c.value is not None and (c.row in picked_rows if picked_rows is not None else c.column in picked_cols)  # type: ignore[operator]
    ]
    axis = year_axis(table)
    if axis is not None:
        split = [split_year(c, axis) for c in chosen]
        if len({y for y, _, _ in split}) >= 2:
            labels = [r + k for _, r, k in split]
            varying = [i for i in range(min(map(len, labels), default=0)) if len({x[i] for x in labels}) > 1]
            records = [
                {
                    "x": year,
                    "series": " · ".join(lab[i] for i in varying) or " · ".join(lab) or table["label"],
                    "value": c.value,
                    "raw": c.raw,
                    "unit": c.unit,
                    "rank": _is_rank_cell(table, c),
                }
                for (year, _, _), lab, c in zip(split, labels, chosen)
            ]
            return pd.DataFrame(records, columns=COLUMNS)
    records = []
    for c in chosen:
        row_label = table["rows"][c.row]["label"]
        x, series = (c.column_name, row_label) if by == "row" else (row_label, c.column_name)
        records.append(
            {"x": x, "series": series, "value": c.value, "raw": c.raw, "unit": c.unit, "rank": _is_rank_cell(table, c)}
        )
    return pd.DataFrame(records, columns=COLUMNS)


COLUMNS = ["x", "series", "value", "raw", "unit", "rank"]


def _is_rank_cell(table: dict, c: CellRef) -> bool:
    return cell_is_rank(table, table["rows"][c.row]["label"], c.column_name)


def _measure(frame: pd.DataFrame) -> pd.Series:
    """What each point measures, for splitting axes: `rank`, its unit, or "" (unknown)."""
    rank = frame["rank"] if "rank" in frame else pd.Series(False, index=frame.index)
    units = frame["unit"].fillna("") if "unit" in frame else pd.Series("", index=frame.index)
    return units.where(~rank.astype(bool), "rank")


def pick_chart(frame: pd.DataFrame, *, title: str = "", height: int = 320) -> alt.Chart | alt.VConcatChart:
    """Lines over years when `x` holds years, grouped bars otherwise; one small chart per unit
    when the picks measure different things (each axis titled with its unit), ranks reversed."""
    measures = _measure(frame)
    kinds = list(dict.fromkeys(measures))
    if len(kinds) > 1:
        each = max(160, height // len(kinds))
        charts = [_pick_chart(frame[measures == k], k, height=each) for k in kinds]
        return alt.vconcat(*charts).properties(title=title)
    return _pick_chart(frame, kinds[0] if kinds else "", height=height).properties(title=title)


def _pick_chart(frame: pd.DataFrame, measure: str, *, height: int) -> alt.Chart:
    rank = measure == "rank"
    names = list(dict.fromkeys(frame["series"]))
    what = names[0] if len(names) == 1 else ""
    y = alt.Y("value:Q", title=axis_title(measure or None, rank, what), scale=alt.Scale(zero=not rank, reverse=rank))
    colour = alt.Color(
        "series:N", title=None, sort=list(dict.fromkeys(frame["series"])), legend=alt.Legend(orient="bottom")
    )
    tooltip = [alt.Tooltip("series:N"), alt.Tooltip("x:N", title=" "), alt.Tooltip("raw:N", title="value")]
    years = pd.api.types.is_integer_dtype(frame["x"])
    if years:
        x = alt.X("x:Q", title=None, axis=alt.Axis(format="d", tickMinStep=1), scale=alt.Scale(zero=False, nice=False))
        chart = alt.Chart(frame).mark_line(point=True).encode(x=x, y=y, color=colour, tooltip=tooltip)
    else:
        order = list(dict.fromkeys(frame["x"]))
        chart = (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                x=alt.X("x:N", title=None, sort=order, axis=alt.Axis(labelAngle=0, labelLimit=160)),
                xOffset=alt.XOffset("series:N", sort=list(dict.fromkeys(frame["series"]))),
                y=y,
                color=colour,
                tooltip=tooltip,
            )
        )
    return chart.properties(height=height)
