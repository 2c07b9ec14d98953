"""POST /documents and DELETE /documents/{id}: add and remove documents while serving.

Both need the bearer token (`service/auth.py`), run one at a time (one lock), do the same
work as `citeqa ingest` (the same pipeline, one database transaction, a rebuilt index
swapped in by one rename), and then swap a freshly loaded engine in: a request that
started before the swap finishes on the engine it started with.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path, PurePath
from typing import Annotated, overload

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUploadFile

from index.store import Store
from index.writer import WriterBusy, exclusive_writer
from ingest.text import slugify
from service.answering.engine import Engine
from service.auth import require_token
from service.errors import ApiError, error_responses
from service.ingesting import IngestReport, remove_documents, run_ingest
from service.responses import FastJSONResponse
from service.schemas import RemoveResponse, UploadResponse
from service.serialize import stored_document_json
from service.uploads import (
    ACCEPTED,
    DOC_ID,
    MB,
    UploadsManifest,
    accepted_types,
    sanitize_filename,
    save_stream,
    too_large,
    uploads_dir,
)

router = APIRouter(prefix="/documents", tags=["documents"])

FORM_FIELDS = ("file", "doc_id", "title")
WaitParam = Annotated[
    bool,
    Query(
        description="while another writer (an upload, a removal, `citeqa ingest`) is at work: wait for it "
        "(up to CITEQA_WRITE_WAIT_SECONDS), or with `wait=false` get 409 `busy` at once"
    ),
]
MAX_TITLE = 300


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _clean_title(title: str | None) -> str | None:
    title = _blank_to_none(title)
    if title is None:
        return None
    title = " ".join("".join(ch if ch.isprintable() else " " for ch in title).split())
    if len(title) > MAX_TITLE:
        raise ApiError(422, f"title: at most {MAX_TITLE} characters", code="invalid_request")
    return title or None


@overload
def _scrub(message: str, data_dir: Path) -> str: ...
@overload
def _scrub(message: None, data_dir: Path) -> None: ...
def _scrub(message: str | None, data_dir: Path) -> str | None:
    """A message without the server's paths (the data dir and the uploads folder in it)."""
    for root in sorted({str(Path(data_dir)), str(Path(data_dir).resolve())}, key=len, reverse=True):
        if message:
            message = message.replace(root + os.sep + "uploads" + os.sep, "").replace(root + os.sep, "")
    return message


def _public(summary: dict, data_dir: Path) -> dict:
    """The summary without server paths: file names only, as GET /documents shows them."""
    files = []
    for f in summary["files"]:
        f = dict(f)
        f["path"] = PurePath(f["path"]).name
        if "message" in f:
            f["message"] = _scrub(f["message"], data_dir)
        files.append(f)
    return {**summary, "files": files}


def _bulk_embedder(engine: Engine):
    # the batching wrapper's model, called directly: ingest batches are big already
    return getattr(engine.embedder, "inner", engine.embedder)


def _swap(app, engine: Engine, data_dir: Path) -> Engine:
    with app.state.reload_lock:  # not at the same time as a reload of another process's index
        new = Engine.load(data_dir, engine.embedder)
        app.state.engine_slot.swap(new)
    return new


def _known(store: Store) -> str:
    return ", ".join(d.id for d in store.documents()) or "none"


@contextmanager
def _writing(app, wait: bool = True) -> Iterator[tuple[Engine, Path, Path]]:
    """One write at a time across threads and processes (the data dir's write lock, shared
    with `citeqa ingest`), on a lease of the current engine: (engine, data dir, uploads
    folder). Another writer at work: wait for it (up to `write_wait_seconds`), or, with
    `wait=False`, a 409 `busy` at once."""
    settings = app.state.settings
    data_dir = Path(settings.data_dir)
    with ExitStack() as held:
        try:
            held.enter_context(exclusive_writer(data_dir, wait=settings.write_wait_seconds if wait else 0))
        except WriterBusy as exc:
            # the holder's pid, not the server's paths
            message = f"another writer ({exc.holder}) is changing the documents; try again later"
            raise ApiError(409, message, code="busy") from None
        engine = held.enter_context(app.state.engine_slot.lease())
        yield engine, data_dir, uploads_dir(data_dir)


# -- upload ------------------------------------------------------------------------------
def _upload(app, source, name: str, doc_id: str | None, title: str | None, wait: bool) -> tuple[int, dict]:
    with _writing(app, wait) as (engine, data_dir, folder):
        return _upload_locked(app, engine, source, folder, data_dir, name, doc_id, title)


def _upload_locked(app, engine, source, folder, data_dir, name, doc_id, title) -> tuple[int, dict]:
    settings = app.state.settings
    try:
        tmp, _ = save_stream(source, folder, PurePath(name).suffix, settings.max_upload_mb * MB)
    except OverflowError:
        raise too_large(settings) from None
    final = folder / name
    manifest = UploadsManifest(folder)
    before = manifest.snapshot()
    backup: Path | None = None
    placed = False

    def undo() -> None:
        if placed:
            final.unlink(missing_ok=True)
        if backup is not None:
            os.replace(backup, final)
        manifest.restore(before)

    try:
        entry = manifest.entry(name) or {}
        target = doc_id or entry.get("id") or slugify(PurePath(name).stem)
        _check_conflicts(engine.store, target, final, name)
        manifest.ensure()  # the ingest's manifest search stops here, never reads one above
        if final.exists():
            backup = folder / f".{name}.{uuid.uuid4().hex}.bak"
            os.replace(final, backup)
        os.replace(tmp, final)
        placed = True
        if doc_id or title:
            manifest.put(name, doc_id=doc_id, title=title)
        bulk = _bulk_embedder(engine)
        report = run_ingest(
            [final], data_dir, lambda: bulk, engine.embedder.name, progress=False, spaces=app.state.settings.spaces()
        )
    except BaseException:
        tmp.unlink(missing_ok=True)
        undo()
        raise
    outcome = next((o for o in report.outcomes if Path(o.path) == final), None)
    if outcome is None or outcome.status not in ("added", "updated", "unchanged"):
        undo()
        message = (outcome.message if outcome else None) or "the file could not be ingested"
        if "already" in message and "document id" in message:
            raise ApiError(409, _scrub(message, data_dir))
        raise ApiError(422, f"{name}: {message}", code="invalid_document")
    if backup is not None:
        backup.unlink(missing_ok=True)
    current = _swap(app, engine, data_dir) if report.index_rebuilt else engine
    assert outcome.doc_id is not None  # an added, updated or unchanged file has its document id
    stored = current.store.document(outcome.doc_id)
    assert stored is not None  # the document just ingested is in the store
    body = {"summary": _public(report.summary(), data_dir), "document": stored_document_json(current, stored)}
    return (200 if outcome.status == "unchanged" else 201), body


def _check_conflicts(store: Store, target: str, final: Path, name: str) -> None:
    """An id that another file holds, or a file name another document was uploaded under,
    is a 409: replacing either would silently drop a document."""
    existing = store.document(target)
    if existing is not None:
        path = Path(existing.path)
        if path.resolve() != final.resolve() and path.exists():
            raise ApiError(
                409,
                f"document id {target!r} is already used by {path.name}; send another doc_id "
                f"(or DELETE /documents/{target} first)",
            )
    resolved = str(final.resolve())
    for doc in store.documents():
        if doc.path == resolved and doc.id != target:
            raise ApiError(
                409,
                f"{name!r} was uploaded as document {doc.id!r}; upload it without doc_id to replace it, "
                f"or DELETE /documents/{doc.id} first",
            )


@router.post(
    "",
    status_code=201,
    response_model=UploadResponse,
    dependencies=[Depends(require_token)],
    responses={
        200: {"model": UploadResponse, "description": "the same file again: nothing changed (`unchanged`: 1)"},
        **error_responses(400, 401, 403, 409, 413, 415, 422),
    },
    summary="Upload a document (PDF, markdown, text or CSV) and ingest it",
)
async def upload_document(
    request: Request,
    file: Annotated[UploadFile, File(description=f"the document: one file, {', '.join(ACCEPTED)}")],
    doc_id: Annotated[str | None, Form(description="its id (default: from the file name)")] = None,
    title: Annotated[str | None, Form(description="its title (default: from the document)")] = None,
    wait: WaitParam = True,
) -> FastJSONResponse:
    """Needs `Authorization: Bearer <token>`. 201 with `{"summary", "document"}`; 200 when the
    identical file was uploaded before. A file that cannot be read is a 422 `invalid_document`
    and is not kept."""
    form = await request.form()
    files = [key for key, value in form.multi_items() if isinstance(value, StarletteUploadFile)]
    if files != ["file"]:
        raise ApiError(
            422, f"send exactly one file, in the form field 'file' (got {len(files)})", code="invalid_request"
        )
    unknown = sorted(set(form.keys()) - set(FORM_FIELDS))
    if unknown:
        raise ApiError(
            422,
            f"{unknown[0]}: unknown form field; send {', '.join(FORM_FIELDS)}",
            code="invalid_request",
        )
    name = sanitize_filename(file.filename)
    if PurePath(name).suffix not in ACCEPTED:
        suffix = PurePath(name).suffix or "(none)"
        raise ApiError(415, f"unsupported file type {suffix!r}; send one of {accepted_types()}")
    doc_id = _blank_to_none(doc_id)
    if doc_id is not None and not DOC_ID.fullmatch(doc_id):
        raise ApiError(
            422,
            "doc_id: letters, digits, '.', '-' and '_' only, at most 128 characters, starting with a letter or digit",
            code="invalid_request",
        )
    if file.size is not None and file.size > request.app.state.settings.max_upload_mb * MB:
        raise too_large(request.app.state.settings)
    status, body = await run_in_threadpool(_upload, request.app, file.file, name, doc_id, _clean_title(title), wait)
    return FastJSONResponse(body, status_code=status)


# -- removal -----------------------------------------------------------------------------
def _remove(app, doc_id: str, wait: bool) -> dict:
    with _writing(app, wait) as (engine, data_dir, folder):
        stored = engine.store.document(doc_id)
        if stored is None:
            raise ApiError(404, f"no document {doc_id!r}; documents: {_known(engine.store)}")
        report: IngestReport = remove_documents(data_dir, [doc_id], engine.embedder.name)
        if not report.count("removed"):
            raise ApiError(404, f"no document {doc_id!r}; documents: {_known(engine.store)}")
        path = Path(stored.path)
        if path.resolve().parent == folder.resolve():  # an upload: its file goes too
            path.unlink(missing_ok=True)
            UploadsManifest(folder).remove(path.name)
        _swap(app, engine, data_dir)
    return {"removed": doc_id, "summary": _public(report.summary(), data_dir)}


@router.delete(
    "/{doc_id}",
    response_model=RemoveResponse,
    dependencies=[Depends(require_token)],
    responses=error_responses(401, 403, 404, 409),
    summary="Remove a document, its records and its chunks",
)
def delete_document(request: Request, doc_id: str, wait: WaitParam = True) -> FastJSONResponse:
    """Needs `Authorization: Bearer <token>`. An uploaded document's file is deleted too; a
    file elsewhere (e.g. in `corpus/`) is left alone, so a later `citeqa ingest corpus/`
    adds it back."""
    return FastJSONResponse(_remove(request.app, doc_id, wait))
