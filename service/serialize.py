"""Stored records as the API shows them (`service/schemas.py` documents each shape).

Shared by the routers that read documents and the ones that write them, so an upload's
response shows its document exactly as `GET /documents/{id}` does."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

from index.store import Store, StoredDocument
from ingest.records import Reference, Table
from service.answering.engine import Engine


def file_name(path: str) -> str:
    # the stored path is absolute on the server; only the file name is anyone else's business
    return PurePath(path.replace("\\", "/")).name


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def document_json(store: Store, doc: StoredDocument, stands_for: list[tuple[str, int]]) -> dict:
    return {
        "id": doc.id,
        "title": doc.title,
        "kind": doc.kind,
        "language": doc.language,
        "pages": doc.pages,
        "path": file_name(doc.path),
        "sha256": doc.sha256,
        "ingested_at": iso(doc.ingested_at),
        "counts": store.doc_counts(doc.id),
        "warnings": doc.warnings,
        "stands_for": [{"doc_id": t, "n": n} for t, n in sorted(stands_for)],
    }


def stored_document_json(engine: Engine, doc: StoredDocument) -> dict:
    """A document as the running engine knows it (with the report entries a dataset stands for)."""
    view = engine.corpus.docs.get(doc.id)
    return document_json(engine.store, doc, view.stands_for if view else [])


def cited_refs(references: list[Reference], numbers: list[int]) -> list[Reference]:
    by_n = {r.n: r for r in references}
    return [by_n[n] for n in numbers if n in by_n]


def table_json(table: Table, references: list[Reference]) -> dict:
    """A table's description: label, caption, unit, shape and the reference entries it cites."""
    return {
        "label": table.label,
        "caption": table.caption,
        "unit": table.unit,
        "source_note": table.source_note,
        "refs": cited_refs(references, table.refs),
        "n_rows": len(table.rows),
        "n_cols": len(table.columns),
        "page": table.page,
        "section": table.section,
    }


def table_detail_json(table: Table, references: list[Reference]) -> dict:
    """A table cell by cell, row by row."""
    rows: list[dict[str, Any]] = [
        {"index": r, "label": row.label, "keys": row.keys, "cells": []} for r, row in enumerate(table.rows)
    ]
    for c in table.cells:
        rows[c.row]["cells"].append({"column": table.columns[c.col], "raw": c.raw, "value": c.value, "unit": c.unit})
    return {
        **table_json(table, references),
        "doc_id": table.doc_id,
        "columns": table.columns,
        "stub": table.stub,
        "rows": rows,
    }
