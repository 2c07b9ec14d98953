"""Request dependencies: the engine and settings loaded once at startup, and checks that
turn a client's mistake (unknown document, wrong content type) into a clear 4xx."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Request

from index.store import StoredDocument
from service.answering.engine import Engine
from service.errors import ApiError
from service.settings import Settings


async def get_engine(request: Request) -> AsyncIterator[Engine]:
    """The engine current when the request started, leased until it ends: an upload or a
    removal swaps in a new engine without pulling this one from under a running answer."""
    slot = request.app.state.engine_slot
    engine = slot.acquire()
    try:
        yield engine
    finally:
        slot.release(engine)


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def known_documents(engine: Engine) -> list[str]:
    return [d.id for d in engine.store.documents()]


def get_document(engine: EngineDep, doc_id: Annotated[str, Path(description="document id")]) -> StoredDocument:
    doc = engine.store.document(doc_id)
    if doc is None:
        known = ", ".join(known_documents(engine)) or "none"
        raise ApiError(404, f"no document {doc_id!r}; documents: {known}")
    return doc


DocumentDep = Annotated[StoredDocument, Depends(get_document)]


def check_doc_ids(engine: Engine, doc_ids: list[str] | None) -> list[str] | None:
    """The filter's document ids, deduplicated; unknown ids are a 422 naming the known ones."""
    if not doc_ids:
        return None
    doc_ids = list(dict.fromkeys(doc_ids))
    known = known_documents(engine)
    unknown = [d for d in doc_ids if d not in set(known)]
    if unknown:
        names = ", ".join(repr(d) for d in unknown[:10]) + (" …" if len(unknown) > 10 else "")
        raise ApiError(
            422,
            f"filters.doc_ids: unknown document id(s) {names}; documents: {', '.join(known) or 'none'}",
            code="invalid_request",
        )
    return doc_ids


async def require_json(request: Request) -> None:
    """A body sent as anything but JSON is a 415, not a confusing validation error.
    (`async`: a plain function would cost each request a hop to the thread pool.)"""
    content_type = request.headers.get("content-type")
    if content_type is None:
        return  # FastAPI parses an untyped body as JSON
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime != "application/json" and not mime.endswith("+json"):
        raise ApiError(415, f"send the body as JSON (Content-Type: application/json), not {mime or 'empty'}")
