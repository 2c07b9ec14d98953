"""GET /documents and below: what is stored, its tables cell by cell, its reference list."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import PurePath

from fastapi import APIRouter

from index.store import StoredDocument
from service.answering.engine import Engine
from service.deps import DocumentDep, EngineDep
from service.errors import ApiError, error_responses
from service.schemas import DocumentList, DocumentOut, ReferenceList, TableDetail, TableList

router = APIRouter(prefix="/documents", tags=["documents"])


def _file_name(path: str) -> str:
    # the stored path is absolute on the server; only the file name is anyone else's business
    return PurePath(path.replace("\\", "/")).name


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _document(engine: Engine, doc: StoredDocument) -> dict:
    view = engine.corpus.docs.get(doc.id)
    return {
        "id": doc.id,
        "title": doc.title,
        "kind": doc.kind,
        "language": doc.language,
        "pages": doc.pages,
        "path": _file_name(doc.path),
        "sha256": doc.sha256,
        "ingested_at": _iso(doc.ingested_at),
        "counts": engine.store.doc_counts(doc.id),
        "warnings": doc.warnings,
        "stands_for": [{"doc_id": t, "n": n} for t, n in sorted(view.stands_for)] if view else [],
    }


def _refs(engine: Engine, doc_id: str, numbers: list[int]) -> list[dict]:
    by_n = {r["n"]: r for r in engine.store.references(doc_id)}
    return [{"n": n, "text": by_n[n]["text"], "url": by_n[n]["url"]} for n in numbers if n in by_n]


def _table(engine: Engine, row) -> dict:
    return {
        "label": row["label"],
        "caption": row["caption"],
        "unit": row["unit"],
        "source_note": row["source_note"],
        "refs": _refs(engine, row["doc_id"], json.loads(row["refs"])),
        "n_rows": row["n_rows"],
        "n_cols": row["n_cols"],
        "page": row["page"],
        "section": json.loads(row["section"]),
    }


@router.get("", response_model=DocumentList, summary="All stored documents")
def list_documents(engine: EngineDep) -> dict:
    return {"documents": [_document(engine, d) for d in engine.store.documents()]}


@router.get("/{doc_id}", response_model=DocumentOut, responses=error_responses(404), summary="One document")
def get_document(doc: DocumentDep, engine: EngineDep) -> dict:
    return _document(engine, doc)


@router.get("/{doc_id}/tables", response_model=TableList, responses=error_responses(404), summary="A document's tables")
def list_tables(doc: DocumentDep, engine: EngineDep) -> dict:
    return {"doc_id": doc.id, "tables": [_table(engine, t) for t in engine.store.tables(doc.id)]}


@router.get(
    "/{doc_id}/tables/{label:path}",
    response_model=TableDetail,
    responses=error_responses(404),
    summary="One table, cell by cell (label URL-encoded, e.g. Table%206; case-insensitive)",
)
def get_table(doc: DocumentDep, label: str, engine: EngineDep) -> dict:
    table = engine.store.table(doc.id, label.strip())
    if table is None:
        labels = ", ".join(repr(t["label"]) for t in engine.store.tables(doc.id))
        known = f"its tables: {labels}" if labels else "it has no tables"
        raise ApiError(404, f"document {doc.id!r} has no table {label!r}; {known}")
    columns = json.loads(table["columns"])
    rows = [
        {"index": r["row"], "label": r["label"], "keys": json.loads(r["keys"]), "cells": []}
        for r in engine.store.table_rows(doc.id, table["id"])
    ]
    by_index = {r["index"]: r for r in rows}
    for c in engine.store.cells(doc.id, table["id"]):
        row = by_index.get(c["row"])
        if row is not None:
            row["cells"].append(
                {"column": json.loads(c["column_path"]), "raw": c["raw"], "value": c["value"], "unit": c["unit"]}
            )
    return {
        **_table(engine, table),
        "doc_id": doc.id,
        "columns": columns,
        "stub": json.loads(table["stub"]),
        "rows": rows,
    }


@router.get(
    "/{doc_id}/references",
    response_model=ReferenceList,
    responses=error_responses(404),
    summary="A document's reference list, with the corpus datasets that stand for each entry",
)
def list_references(doc: DocumentDep, engine: EngineDep) -> dict:
    standing = engine.store.standing_for(doc.id)
    return {
        "doc_id": doc.id,
        "references": [
            {"n": r["n"], "text": r["text"], "url": r["url"], "standing_for": standing.get(r["n"], [])}
            for r in engine.store.references(doc.id)
        ],
    }
