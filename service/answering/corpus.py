"""An in-memory snapshot of what the answerer reads: tables with their cells, passages,
dataset facts, reference lists. Loaded once from the store, so answering a question
touches no disk."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from index.store import Store
from ingest.numbers import is_year


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
    years: list[int] = field(init=False)  # the cell's year coordinates
    labels: list[str] = field(init=False)  # its other coordinates: row keys, then the column path

    def __post_init__(self) -> None:
        coordinates = (*self.row_keys, *self.column)
        self.years = [int(k) for k in coordinates if is_year(k)]
        self.labels = [k for k in coordinates if not is_year(k)]

    @property
    def column_label(self) -> str:
        return " / ".join(self.column)


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

    def cell(self, row: int, col: int) -> CellView:
        return self.cells[row * len(self.columns) + col]


@dataclass
class PassageView:
    id: str
    doc_id: str
    text: str
    section: list[str]
    page: int | None
    refs: list[int]


@dataclass
class FactView:
    id: str
    doc_id: str
    indicator: str
    entity: str
    year: int | None
    raw: str
    value: float | None
    unit: str | None
    source_id: str | None
    source_title: str | None


@dataclass
class DocView:
    id: str
    title: str
    kind: str
    language: str | None
    references: dict[int, dict]  # n -> {"n", "text", "url"}
    stands_for: list[tuple[str, int]]


class Corpus:
    def __init__(self, store: Store):
        conn = store.conn
        self.docs: dict[str, DocView] = {}
        for d in store.documents():
            refs = {r["n"]: {"n": r["n"], "text": r["text"], "url": r["url"]} for r in store.references(d.id)}
            self.docs[d.id] = DocView(d.id, d.title, d.kind, d.language, refs, [])
        for r in conn.execute("SELECT doc_id, target_doc, n FROM stands_for"):
            if r["doc_id"] in self.docs:
                self.docs[r["doc_id"]].stands_for.append((r["target_doc"], r["n"]))

        self.tables: dict[tuple[str, str], TableView] = {}  # (doc id, table id)
        for t in conn.execute("SELECT * FROM tables ORDER BY doc_id, seq"):
            rows = conn.execute(
                "SELECT keys, text FROM table_rows WHERE doc_id = ? AND table_id = ? ORDER BY row",
                (t["doc_id"], t["id"]),
            ).fetchall()
            view = TableView(
                id=t["id"],
                doc_id=t["doc_id"],
                label=t["label"],
                caption=t["caption"],
                unit=t["unit"],
                source_note=t["source_note"],
                refs=json.loads(t["refs"]),
                stub=json.loads(t["stub"]),
                columns=json.loads(t["columns"]),
                row_keys=[json.loads(r["keys"]) for r in rows],
                row_texts=[r["text"] for r in rows],
                page=t["page"],
                section=json.loads(t["section"]),
            )
            for c in conn.execute(
                "SELECT * FROM cells WHERE doc_id = ? AND table_id = ? ORDER BY row, col", (t["doc_id"], t["id"])
            ):
                view.cells.append(
                    CellView(
                        view,
                        c["row"],
                        c["col"],
                        c["row_label"],
                        view.row_keys[c["row"]],
                        json.loads(c["column_path"]),
                        c["raw"],
                        c["value"],
                        c["unit"],
                    )
                )
            self.tables[(t["doc_id"], t["id"])] = view

        self.passages: dict[tuple[str, str], PassageView] = {}
        for p in conn.execute("SELECT * FROM passages ORDER BY doc_id, seq"):
            self.passages[(p["doc_id"], p["id"])] = PassageView(
                p["id"], p["doc_id"], p["text"], json.loads(p["section"]), p["page"], json.loads(p["refs"])
            )

        self.facts: dict[tuple[str, str], FactView] = {}
        for f in conn.execute("SELECT * FROM facts ORDER BY doc_id, seq"):
            self.facts[(f["doc_id"], f["id"])] = FactView(
                f["id"],
                f["doc_id"],
                f["indicator"],
                f["entity"],
                f["year"],
                f["raw"],
                f["value"],
                f["unit"],
                f["source_id"],
                f["source_title"],
            )

    def table(self, doc_id: str, table_id: str) -> TableView | None:
        return self.tables.get((doc_id, table_id))

    def refs(self, doc_id: str, numbers: list[int]) -> list[dict]:
        doc = self.docs.get(doc_id)
        if doc is None:
            return []
        return [doc.references[n] for n in numbers if n in doc.references]

    def dataset_refs(self, doc_id: str) -> list[dict]:
        """For a dataset: the report reference entries it stands for."""
        doc = self.docs.get(doc_id)
        out = []
        for target, n in doc.stands_for if doc else []:
            out.extend(self.refs(target, [n]))
        return out

    def standing_docs(self, doc_id: str, n: int) -> list[str]:
        return sorted(d.id for d in self.docs.values() if (doc_id, n) in d.stands_for)
