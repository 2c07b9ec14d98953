"""GET /health: liveness plus what is loaded (version, model, index manifest, counts)."""

from __future__ import annotations

from fastapi import APIRouter

from index.folder import citeqa_version, manifest_state
from service.deps import EngineDep
from service.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="Service status and what it serves")
def health(engine: EngineDep) -> dict:
    state = manifest_state(engine.index.manifest, engine.store)
    return {
        "status": "ok" if state.ok else "stale",
        "index_problem": state.problem,
        "version": citeqa_version(),
        "model": engine.embedder.name,
        "embedding_backend": engine.embedder.backend,
        "reader": engine.reader.version if engine.reader else None,
        "verifier": engine.library.verifier.version if engine.library.verifier else None,
        "crosslingual": engine.crosslingual_status(),
        "index": engine.index.manifest,
        "counts": engine.counts(),
    }
