"""GET /documents and below: what is stored, its tables cell by cell, its reference list."""

from __future__ import annotations

from fastapi import APIRouter

from service.deps import DocumentDep, EngineDep
from service.errors import ApiError, error_responses
from service.schemas import (
    DocumentList,
    DocumentOut,
    ReferenceList,
    TableDetail,
    TableList,
    VerificationResponse,
)
from service.serialize import stored_document_json, table_detail_json, table_json
from service.verification import verify

router = APIRouter(prefix="/documents", tags=["documents"])


@router.get("", response_model=DocumentList, summary="All stored documents")
def list_documents(engine: EngineDep) -> dict:
    return {"documents": [stored_document_json(engine, d) for d in engine.store.documents()]}


@router.get("/{doc_id}", response_model=DocumentOut, responses=error_responses(404), summary="One document")
def get_document(doc: DocumentDep, engine: EngineDep) -> dict:
    return stored_document_json(engine, doc)


@router.get("/{doc_id}/tables", response_model=TableList, responses=error_responses(404), summary="A document's tables")
def list_tables(doc: DocumentDep, engine: EngineDep) -> dict:
    references = engine.store.references(doc.id)
    return {"doc_id": doc.id, "tables": [table_json(t, references) for t in engine.store.tables(doc.id)]}


@router.get(
    "/{doc_id}/tables/{label:path}",
    response_model=TableDetail,
    responses=error_responses(404),
    summary="One table, cell by cell (label URL-encoded, e.g. Table%206; case-insensitive)",
)
def get_table(doc: DocumentDep, label: str, engine: EngineDep) -> dict:
    table = engine.store.table(doc.id, label.strip())
    if table is None:
        labels = ", ".join(repr(t.label) for t in engine.store.tables(doc.id))
        known = f"its tables: {labels}" if labels else "it has no tables"
        raise ApiError(404, f"document {doc.id!r} has no table {label!r}; {known}")
    return table_detail_json(table, engine.store.references(doc.id))


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
            {"n": r.n, "text": r.text, "url": r.url, "standing_for": standing.get(r.n, [])}
            for r in engine.store.references(doc.id)
        ],
    }


@router.get(
    "/{doc_id}/verification",
    response_model=VerificationResponse,
    responses=error_responses(404),
    summary="Source check: each table figure against the source data it cites (agrees, differs, scale, ...)",
)
def get_verification(doc: DocumentDep, engine: EngineDep) -> dict:
    # the engine's checker: the corpus's facts are indexed once, not on every request
    return verify(engine.store, [doc.id], checker=engine.source_checks.checker).to_dict()
