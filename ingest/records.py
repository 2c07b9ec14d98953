"""The one output shape every converter produces.

Ids are content hashes (see `content_id`), so a citation made today still
resolves after the same file is ingested again tomorrow.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


def content_id(*parts: object, length: int = 16) -> str:
    """A stable hex id from the given parts (order matters)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]


@dataclass
class Reference:
    """One entry of a document's own reference list."""

    n: int
    text: str
    url: str | None = None


@dataclass
class Passage:
    id: str
    text: str
    section: list[str]
    page: int | None
    char_start: int
    char_end: int
    refs: list[int] = field(default_factory=list)
    doc_id: str = ""


@dataclass
class Cell:
    row: int  # index into Table.rows
    col: int  # index into Table.columns
    raw: str
    value: float | None
    unit: str | None


@dataclass
class Row:
    label: str  # what a person reads, e.g. "2018 · China"
    keys: list[str]  # the row's label cells, outermost first
    text: str  # the self-contained sentence that is embedded for the row


@dataclass
class Table:
    id: str
    label: str  # the document's own label, e.g. "Table 6"
    caption: str
    unit: str | None
    source_note: str | None
    refs: list[int]
    stub: list[str]  # header of the row-label column(s), e.g. ["Year", "Economy"]
    columns: list[list[str]]  # column path per value column, outermost first
    rows: list[Row]
    cells: list[Cell]
    page: int | None = None
    section: list[str] = field(default_factory=list)
    doc_id: str = ""

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), len(self.columns)


@dataclass
class Fact:
    """One row of a tidy dataset: one figure with its provenance."""

    id: str
    indicator: str
    indicator_code: str | None
    entity: str
    year: int | None
    raw: str
    value: float | None
    unit: str | None
    source_id: str | None
    source_title: str | None
    provenance: dict[str, str] = field(default_factory=dict)
    doc_id: str = ""


@dataclass
class Document:
    id: str
    title: str
    kind: str  # "report" | "dataset"
    path: str
    sha256: str
    language: str | None = None
    pages: int | None = None
    passages: list[Passage] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    # (report doc id, reference number) pairs this document stands for
    stands_for: list[tuple[str, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def claim_records(self) -> None:
        """Mark every passage, table and fact as this document's."""
        records: list[Passage | Table | Fact] = [*self.passages, *self.tables, *self.facts]
        for record in records:
            record.doc_id = self.id
