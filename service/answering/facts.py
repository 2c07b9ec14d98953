"""Dataset facts read from the store when a question needs them, not held in memory.

A tidy dataset may hold a million rows (issue 15); what the answerer keeps is one small record
per *series* — a dataset's indicator for one entity, unit and source title, the grain at which
a question is matched to facts — and it reads the series' rows by indexed queries
(`facts_series`, `facts_value` in `index.store`). Every query returns facts in the store's
order (document, then row), the order the in-memory snapshot had.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass

from index.store import Store
from ingest.records import Fact


@dataclass(frozen=True)
class FactSeries:
    """One indicator of one dataset for one entity, in one unit and from one source title."""

    doc_id: str
    indicator: str
    entity: str
    unit: str | None
    source_title: str | None
    count: int  # its rows (facts)
    indicator_code: str | None = None
    figures: int = 0  # its rows with a value and a year

    @property
    def locator(self) -> str:
        """What a fact chunk's locator starts with (`ingest.chunks.fact_locator`)."""
        return f"{self.indicator} · {self.entity}"


_COLUMNS = (
    "seq, id, indicator, indicator_code, entity, year, raw, value, unit, source_id, source_title, provenance, doc_id"
)
_SERIES = "doc_id = ? AND indicator = ? AND entity = ? AND unit IS ? AND source_title IS ?"


def _fact(row: tuple) -> tuple[int, Fact]:
    seq, fid, indicator, code, entity, year, raw, value, unit, source_id, source_title, provenance, doc_id = row
    return seq, Fact(
        fid, indicator, code, entity, year, raw, value, unit, source_id, source_title, json.loads(provenance), doc_id
    )


class StoredFacts:
    """The series of every dataset, and their facts by indexed reads of the store."""

    def __init__(self, store: Store):
        self._conn = store.conn
        self._lock = threading.Lock()  # the API's threads share the store's connection
        rows = self._rows(
            "SELECT doc_id, indicator, entity, unit, source_title, COUNT(*), MIN(indicator_code), "
            "SUM(value IS NOT NULL AND year IS NOT NULL) FROM facts "
            "GROUP BY doc_id, indicator, entity, unit, source_title ORDER BY doc_id, MIN(seq)",
            (),
        )
        self.series: list[FactSeries] = [FactSeries(*r) for r in rows]
        self._located: dict[tuple[str, str], list[FactSeries]] = {}
        for s in self.series:
            self._located.setdefault((s.doc_id, s.locator), []).append(s)

    def __len__(self) -> int:
        return sum(s.count for s in self.series)

    def _rows(self, sql: str, args: tuple) -> list[tuple]:
        with self._lock:
            cursor = self._conn.cursor()
            cursor.row_factory = None  # plain tuples: the store's connection makes `sqlite3.Row`s
            try:
                return cursor.execute(sql, args).fetchall()
            except sqlite3.OperationalError:  # a store from before datasets had facts, opened read-only
                return []

    def _facts(self, where: str, args: tuple) -> list[tuple[int, Fact]]:
        return [_fact(r) for r in self._rows(f"SELECT {_COLUMNS} FROM facts WHERE {where} ORDER BY doc_id, seq", args)]

    def fact(self, doc_id: str, fact_id: str) -> Fact | None:
        found = self._facts("doc_id = ? AND id = ?", (doc_id, fact_id))
        return found[0][1] if found else None

    def of_series(self, series: FactSeries, year: int | None = None) -> list[tuple[int, Fact]]:
        """The series' facts (of `year`, when given) with their row numbers, in row order."""
        key = (series.doc_id, series.indicator, series.entity, series.unit, series.source_title)
        if year is None:
            return self._facts(_SERIES, key)
        return self._facts(f"{_SERIES} AND year = ?", (*key, year))

    def located(self, doc_id: str, locator: str) -> list[Fact]:
        """Every fact of the series a fact chunk stands for (its locator: `indicator · entity`,
        and ` · year` when the series has one row)."""
        series = self._located.get((doc_id, locator))
        if series is None and " · " in locator:
            series = self._located.get((doc_id, locator.rsplit(" · ", 1)[0]), [])
        return [f for s in series or () for _, f in self.of_series(s)]

    def in_year(self, doc_id: str, year: int, *, entity: str | None = None, indicator: str | None = None) -> list[Fact]:
        """A dataset's facts of one year, of one entity or indicator when given, in row order."""
        where, args = "doc_id = ? AND year = ?", [doc_id, year]
        if entity is not None:
            where, args = where + " AND entity = ?", [*args, entity]
        if indicator is not None:
            where, args = where + " AND indicator = ?", [*args, indicator]
        return [f for _, f in self._facts(where, tuple(args))]

    def near_value(self, year: int, value: float, tolerance: float) -> list[Fact]:
        """Facts of `year` whose value is within `tolerance` of `value` (never 0), in store order."""
        return [
            f
            for _, f in self._facts(
                "year = ? AND value BETWEEN ? AND ? AND value != 0", (year, value - tolerance, value + tolerance)
            )
        ]
