"""Dataset facts read from the store when a question needs them, not held in memory.

A tidy dataset may hold a million rows (issue 15); what the answerer keeps is one small record
per *series* — a dataset's indicator for one entity, unit and source title, the grain at which
a question is matched to facts — and it reads the series' rows by indexed queries
(`Store.series_facts` and its siblings, over the `facts_series` and `facts_value` indexes).
Every read returns facts in the store's order (document, then row), the order the in-memory
snapshot had.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from index.store import Store
from ingest.chunks import fact_locator
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
    description: str = ""  # its chunk's embedded text (`ingest.chunks.series_description`)

    @property
    def locator(self) -> str:
        """What a fact chunk's locator starts with (its own, without a year)."""
        return fact_locator(self.indicator, self.entity, None)


class StoredFacts:
    """The series of every dataset, and their facts by indexed reads of the store."""

    def __init__(self, store: Store):
        self._store = store
        self._lock = threading.Lock()  # the API's threads share the store's connection
        self.series: list[FactSeries] = [FactSeries(*r) for r in store.fact_series()]
        self._located: dict[tuple[str, str], list[FactSeries]] = {}
        for s in self.series:
            self._located.setdefault((s.doc_id, s.locator), []).append(s)

    def __len__(self) -> int:
        return sum(s.count for s in self.series)

    def fact(self, doc_id: str, fact_id: str) -> Fact | None:
        with self._lock:
            return self._store.fact(doc_id, fact_id)

    def of_series(self, series: FactSeries, year: int | None = None) -> list[tuple[int, Fact]]:
        """The series' facts (of `year`, when given) with their row numbers, in row order."""
        with self._lock:
            return self._store.series_facts(
                series.doc_id, series.indicator, series.entity, series.unit, series.source_title, year
            )

    def located(self, doc_id: str, locator: str) -> list[Fact]:
        """Every fact of the series a fact chunk stands for (its locator: `indicator · entity`,
        and ` · year` when the series has one row)."""
        series = self._located.get((doc_id, locator))
        if series is None and " · " in locator:
            series = self._located.get((doc_id, locator.rsplit(" · ", 1)[0]), [])
        return [f for s in series or () for _, f in self.of_series(s)]

    def in_year(self, doc_id: str, year: int, *, entity: str | None = None, indicator: str | None = None) -> list[Fact]:
        """A dataset's facts of one year, of one entity or indicator when given, in row order."""
        with self._lock:
            return self._store.year_facts(doc_id, year, entity=entity, indicator=indicator)

    def near_value(self, year: int, value: float, tolerance: float) -> list[Fact]:
        """Facts of `year` whose value is within `tolerance` of `value` (never 0), in store order."""
        with self._lock:
            return self._store.facts_between(year, value - tolerance, value + tolerance)
