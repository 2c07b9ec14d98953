"""Request dependencies: the engine and settings loaded once at startup, and checks that
turn a client's mistake (unknown document, wrong content type) into a clear 4xx.

The two hot endpoints (`/ask`, `/search`) take no dependencies: each one costs a cold pass
through FastAPI's resolver (~0.15 ms measured per request), so they lease the engine
themselves (`leased_engine`) and check the content type in their route class (`JsonBodyRoute`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractContextManager
from typing import Annotated, Any

from fastapi import Depends, Path, Request, Response
from fastapi.routing import APIRoute

from index.store import StoredDocument
from service.answering.engine import Engine
from service.errors import ApiError
from service.settings import Settings


async def get_engine(request: Request) -> AsyncIterator[Engine]:
    """The engine current when the request started, leased until it ends: an upload or a
    removal swaps in a new engine without pulling this one from under a running answer."""
    with leased_engine(request) as engine:
        yield engine


def leased_engine(request: Request) -> AbstractContextManager[Engine]:
    """`with leased_engine(request) as engine:` what `EngineDep` gives, without the resolver."""
    return request.app.state.engine_slot.lease()


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


def check_json_content_type(content_type: str | None) -> None:
    """A body sent as anything but JSON is a 415, not a confusing validation error."""
    if content_type is None:
        return  # FastAPI parses an untyped body as JSON
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime != "application/json" and not mime.endswith("+json"):
        raise ApiError(415, f"send the body as JSON (Content-Type: application/json), not {mime or 'empty'}")


class JsonBodyRoute(APIRoute):
    """A route whose body must be JSON: the content type is checked before FastAPI reads the
    body, at the cost of one function call (a dependency would cost a pass of the resolver)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler  # no body to check (GET /feedback on the same router)

        async def checked(request: Request) -> Response:
            check_json_content_type(request.headers.get("content-type"))
            return await handler(request)

        return checked
