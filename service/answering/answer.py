"""What the answerer returns: an `Answer` with its `Citation`s, typed. They are serialised
as they are (orjson writes dataclasses), and `service/schemas.py` documents the same shape
(a test checks the two agree)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from ingest.records import Reference

if TYPE_CHECKING:
    from service.answering.phrasing import Phrase


@dataclass(slots=True)
class CitedCell:
    """One cell a table citation cites: its row label and column path (None: the whole row)."""

    row: str | None
    column: str | None


@dataclass(slots=True)
class Citation:
    doc_id: str
    doc_title: str
    kind: str  # "table_row" | "passage" | "fact"
    locator: str  # where, for a person: table · row · column, page, section
    table: str | None
    row: str | None
    column: str | None
    page: int | None
    refs: list[Reference]  # the reference entries behind the cited text
    snippet: str
    highlight: list[int] | None  # [start, end) of the answering part of `snippet`
    score: float
    # every cell of the table this citation cites (the first is `row`/`column`): one citation
    # per table, however many of its cells the answer reads; empty for passages and facts
    cells: list[CitedCell] = field(default_factory=list)

    def key(self) -> tuple[str, str, str]:
        """What makes two citations the same place."""
        return self.doc_id, self.locator, self.snippet


@dataclass(slots=True)
class SearchResult(Citation):
    text: str = ""

    def as_citation(self) -> Citation:
        return Citation(
            self.doc_id, self.doc_title, self.kind, self.locator, self.table, self.row, self.column, self.page,
            self.refs, self.snippet, self.highlight, self.score, list(self.cells),
        )  # fmt: skip


@dataclass(slots=True)
class Answer:
    question: str
    answered: bool
    answer: str
    value: float | None
    unit: str | None
    citations: list[Citation]
    timings_ms: dict[str, float] = field(default_factory=dict)
    # the answer as the documents print it: a cell's text or a span of a sentence, one item a
    # span (several for a list); empty for a figure the answerer computed (see `value`)
    spans: list[str] = field(default_factory=list)
    # the source check of the first cited cell, when the corpus holds the data it cites
    # (`service.verification`): verdict, source value, dataset, release, sentence; else None
    source_check: dict | None = None
    language: str = "en"  # the question's, as an ISO 639-1 code (`ingest.text.detect_language`)

    def to_dict(self) -> dict:
        """The JSON shape of `POST /ask` as plain Python (for the CLI and the evaluation)."""
        return asdict(self)


@dataclass
class Draft:
    """An answer being composed: what a solver returns before the context citations are added."""

    answer: str
    value: float | None = None
    unit: str | None = None
    citations: list[Citation] = field(default_factory=list)
    answered: bool = True
    spans: list[str] = field(default_factory=list)
    solver: str = ""  # what composed it: a solver of the answerer, or the general reader
    missing: bool = False  # the documents mark the value missing (`—`, `n/a`): that is the answer
    # the sentence's parts, for writing it in the question's language (`phrasing.render`);
    # None: the answer quotes the documents, or has no other wording
    phrase: Phrase | None = None
    confidence: float = 0.0  # the general reader's confidence in the reading it composed (0: a solver's draft)
    # the operation the answer was reached by (`list_rows`, `span`, `argmax_row`, …); "" for most solvers
    operation: str = ""
