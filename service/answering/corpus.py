"""What the answerer reads: tables with their cells, passages, reference lists, held in
memory; dataset facts read from the store by indexed queries (`facts.StoredFacts`: a dataset
may hold a million rows), with only their series in memory.

Passages are the ingest records themselves; a table is read through `TableView`, which adds
what the reader needs to walk it (each cell with its row keys, column path and year
coordinates)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from index.store import Store
from ingest.periods import YEAR_IN_TEXT, dated_state, period_year, printed_period
from ingest.records import Passage, Reference, Table
from service.answering.facts import StoredFacts

_NOTE_MARK = re.compile(r"(?:\s*\([^()]{1,12}\)|\s*\*+|\s+\d(?=$))+$")


@dataclass
class CellView:
    table: TableView
    row: int
    col: int
    row_label: str
    row_keys: list[str]
    column: list[str]
    raw: str
    value: float | None
    unit: str | None
    years: list[int] = field(init=False)  # the cell's period coordinates (`2019`, `FY19`, `Dec. 31, 2019`)
    labels: list[str] = field(init=False)  # its other coordinates: row keys, then the column path

    def __post_init__(self) -> None:
        periods = [period_year(k) for k in self.row_keys]
        self.labels = [k for k, y in zip(self.row_keys, periods) if y is None]
        for key in self.column:
            year = period_year(key)
            if year is None and (state := dated_state(key)) is not None:
                # a column of a state as of a date (`Final as of December 31, 2019`): its period,
                # and the state a label
                self.labels.append(state[0])
                year = state[2]
            elif year is None:
                self.labels.append(key)
            periods.append(year)
        self.years = [y for y in periods if y is not None]

    @property
    def group(self) -> str | None:
        """The row label the cell's row is printed under (`Board of directors` of `Board of
        directors · Cash remuneration`): a row of the table with that label and no figures; under
        a period's heading too (`June 30, 2019 · Financial assets: · Money market funds`), the
        nearest."""
        heads = [k for k in self.row_keys[:-1] if k in self.table.group_heads]
        return heads[-1] if heads else None

    @cached_property
    def period_heading(self) -> str | None:
        """The period whose heading row the cell's row is printed under (`June 30, 2019` of
        `June 30, 2019 · Money market funds`), or None."""
        if len(self.row_keys) > 1 and period_year(self.row_keys[0]) is not None:
            return self.row_keys[0]
        return None

    @property
    def item_label(self) -> str:
        """The row's own label, without the group it is printed under (`Cash remuneration` of
        `Board of directors · Cash remuneration`): what a list of the table's items names."""
        return self.row_keys[-1] if self.group is not None else self.row_label

    @property
    def is_total(self) -> bool:
        """A total or subtotal row (`Total selling expenses`): what the items above it sum to."""
        return self.item_label.lower().startswith("total")

    @property
    def column_label(self) -> str:
        return " / ".join(self.column)

    @property
    def period(self) -> str:
        """The cell's period as the table prints it (`FY19`, `2018/2019`), without a footnote
        mark or a note (`2019 (1)`, `2019 (proposed)`, `2019*` read `2019`), or ""."""
        printed = next((k for k in (*self.column, *self.row_keys) if k not in self.labels), "")
        if (state := dated_state(printed)) is not None and printed in self.column:
            printed = state[1]  # `Final as of December 31, 2019`: the date (`Final` is a label)
        return _NOTE_MARK.sub("", printed_period(printed)).strip()

    @property
    def period_name(self) -> str:
        """The period as an answer names it: the year alone for a date or a qualified year
        (`June 30, 2019`, `Fiscal 2019`, `(Restated) 2018` read `2019`, `2019`, `2018`) when
        each of the table's periods has a year of its own; else as printed (`FY19`,
        `2018/2019`, two dates of one year)."""
        period = self.period
        years = YEAR_IN_TEXT.findall(period)
        return years[0] if len(years) == 1 and self.table.years_name_periods else period


@dataclass
class TableView:
    id: str
    doc_id: str
    label: str
    caption: str
    unit: str | None
    source_note: str | None
    refs: list[int]
    stub: list[str]
    columns: list[list[str]]
    row_keys: list[list[str]]
    row_texts: list[str]
    page: int | None
    section: list[str]
    cells: list[CellView] = field(default_factory=list)
    # the reference numbers behind cited positions (`citations.table_refs`), worked out once
    cited_refs: dict[tuple, list[int]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, table: Table) -> TableView:
        view = cls(
            id=table.id,
            doc_id=table.doc_id,
            label=table.label,
            caption=table.caption,
            unit=table.unit,
            source_note=table.source_note,
            refs=table.refs,
            stub=table.stub,
            columns=table.columns,
            row_keys=[row.keys for row in table.rows],
            row_texts=[row.text for row in table.rows],
            page=table.page,
            section=table.section,
        )
        view.cells = [
            CellView(
                view,
                c.row,
                c.col,
                table.rows[c.row].label,
                table.rows[c.row].keys,
                table.columns[c.col],
                c.raw,
                c.value,
                c.unit,
            )
            for c in table.cells
        ]
        return view

    @cached_property
    def group_heads(self) -> frozenset[str]:
        """Labels of rows that print no figure and head the rows below them (`Current assets:`)."""
        return frozenset(
            keys[0]
            for r, keys in enumerate(self.row_keys)
            if len(keys) == 1 and not any(c.raw.strip() for c in self.row_cells(r))
        )

    @cached_property
    def years_name_periods(self) -> bool:
        """Whether the table's periods each hold one year, a different one for each."""
        periods = {c.period for c in self.cells if c.period}
        years = [YEAR_IN_TEXT.findall(p) for p in periods]
        return all(len(y) == 1 for y in years) and len({y[0] for y in years}) == len(periods)

    def cell(self, row: int, col: int) -> CellView:
        return self.cells[row * len(self.columns) + col]

    def row_cells(self, row: int) -> list[CellView]:
        """The cells of row `row`, in column order."""
        width = len(self.columns)
        return self.cells[row * width : (row + 1) * width]


@dataclass
class DocView:
    id: str
    title: str
    kind: str
    language: str | None
    references: dict[int, Reference]
    stands_for: list[tuple[str, int]]


class Corpus:
    def __init__(self, store: Store):
        self.docs: dict[str, DocView] = {}
        for d in store.documents():
            refs = {r.n: r for r in store.references(d.id)}
            self.docs[d.id] = DocView(d.id, d.title, d.kind, d.language, refs, [])
        for doc_id, target, n in store.stands_for():
            if doc_id in self.docs:
                self.docs[doc_id].stands_for.append((target, n))
        self.tables: dict[tuple[str, str], TableView] = {(t.doc_id, t.id): TableView.of(t) for t in store.tables()}
        self.tables_by_doc: dict[str, list[TableView]] = {}
        for view in self.tables.values():
            self.tables_by_doc.setdefault(view.doc_id, []).append(view)
        self.passages: dict[tuple[str, str], Passage] = {(p.doc_id, p.id): p for p in store.passages()}
        self.facts = StoredFacts(store)

    def texts(self):
        """Every text a question may be matched against: titles, captions, labels, passages, facts;
        a text printed in several places comes as (text, how many times): a dataset series' words
        are printed in each of its rows."""
        for doc in self.docs.values():
            yield doc.title
        for table in self.tables.values():
            yield table.caption
            yield " ".join(table.stub)
            yield from (" ".join(keys) for keys in table.row_keys)
            yield from (" ".join(path) for path in table.columns)
        for passage in self.passages.values():
            yield passage.text
        for series in self.facts.series:
            yield f"{series.indicator}. {series.entity}. {series.source_title or ''}", series.count

    def table(self, doc_id: str, table_id: str) -> TableView | None:
        return self.tables.get((doc_id, table_id))

    def refs(self, doc_id: str, numbers: list[int]) -> list[Reference]:
        doc = self.docs.get(doc_id)
        if doc is None:
            return []
        return [doc.references[n] for n in numbers if n in doc.references]

    def dataset_refs(self, doc_id: str) -> list[Reference]:
        """For a dataset: the report reference entries it stands for."""
        doc = self.docs.get(doc_id)
        out = []
        for target, n in doc.stands_for if doc else []:
            out.extend(self.refs(target, [n]))
        return out

    def standing_docs(self, doc_id: str, n: int) -> list[str]:
        return sorted(d.id for d in self.docs.values() if (doc_id, n) in d.stands_for)
