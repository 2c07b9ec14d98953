"""The FastAPI application. `create_app` only builds it; the model and the index load once,
in the lifespan (or come prebuilt, as `engine=`, so tests can share one).

    uvicorn service.main:create_app --factory     # or: citeqa serve
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from index.folder import citeqa_version
from index.store import DB_NAME
from service.answering.engine import Engine
from service.engine_slot import EngineSlot
from service.errors import error_responses, install_error_handlers
from service.index_watch import IndexWatcher
from service.routers import ask, documents, feedback, health, search, writes
from service.security import BodyLimit, HostCheck, NoSniff, RateLimiter, allowed_hosts
from service.settings import Settings, get_settings
from service.uploads import UploadGuard

log = logging.getLogger("citeqa.api")


class StartupError(RuntimeError):
    """The service cannot start; the message says what to do."""


def check_data_dir(data_dir: Path) -> None:
    """Fail fast, before loading a model, when there is nothing to serve. (A store whose
    index is missing or lags it is repaired at start: `repair_index`.)"""
    data_dir = Path(data_dir)
    if not (data_dir / DB_NAME).is_file():
        raise StartupError(f"no index in {data_dir}; run `citeqa ingest PATH` first")


def load_engine(settings: Settings) -> Engine:
    from index.folder import IndexMissing

    check_data_dir(settings.data_dir)
    started = time.perf_counter()
    from index.batching import BatchingEmbedder
    from index.onnx_embedder import ExportFailed

    try:
        embedder = BatchingEmbedder(settings.embedder())
    except (ExportFailed, ValueError) as exc:  # UnsupportedModel is a ValueError
        raise StartupError(f"cannot load the embedding model: {exc}") from None
    from index.writer import WriterBusy
    from service.ingesting import repair_index

    try:
        repaired = repair_index(
            settings.data_dir, embedder.name, lambda: embedder.dim, wait=settings.write_wait_seconds
        )
    except WriterBusy as exc:
        raise StartupError(f"cannot check the index: {exc}") from None
    if repaired:
        log.warning("the index was rebuilt from the store at start: %s", repaired)
    try:
        engine = Engine.load(settings.data_dir, embedder)
    except IndexMissing as exc:
        raise StartupError(str(exc)) from None
    log.info(
        "citeqa ready: %d documents, %d chunks, model %s, data dir %s (loaded in %.1f s)",
        len(engine.corpus.docs),
        engine.index.manifest.get("counts", {}).get("chunks", 0),
        embedder.name,
        settings.data_dir,
        time.perf_counter() - started,
    )
    return engine


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        slot: EngineSlot = app.state.engine_slot
        if slot.current is None:
            slot.adopt(load_engine(settings))
        watching = None
        if settings.reload_seconds > 0:
            watcher = IndexWatcher(app, settings.data_dir, settings.reload_seconds)
            watching = asyncio.create_task(watcher.run())
        try:
            yield
        finally:
            if watching is not None:
                watching.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watching
            # the engine loaded here, and any swapped in by writes or reloads, are the app's to close
            slot.shutdown()

    # /docs and /redoc load Swagger UI and ReDoc from the app itself (fastapi-offline ships
    # the files, served under /static-offline-docs), not from a CDN: they work offline
    app = FastAPIOffline(
        title="citeqa",
        version=citeqa_version(),
        description=(
            "Question answering over documents, with a checkable citation for every figure: "
            "document, page or section, table, row and column, and the document's own reference entries. "
            'Every error is `{"error": {"status", "code", "message"}}`.'
        ),
        lifespan=lifespan,
        responses=error_responses(400, 500),  # 400: a Host it does not answer to
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.engine_slot = EngineSlot(app.state)
    app.state.reload_lock = threading.Lock()  # one engine load and swap at a time (writes, reloads)
    app.state.feedback_limiter = RateLimiter(settings.feedback_per_minute)
    install_error_handlers(app)
    # the last added runs first: the nosniff header, the Host check, then the body limits
    app.add_middleware(UploadGuard, settings=settings)
    app.add_middleware(BodyLimit, settings=settings)
    app.add_middleware(HostCheck, allowed_hosts=allowed_hosts(settings))
    app.add_middleware(NoSniff)
    app.include_router(ask.router)
    app.include_router(search.router)
    app.include_router(documents.router)
    app.include_router(writes.router)
    app.include_router(feedback.router)
    app.include_router(health.router)
    return app
