"""A running API sees what another process wrote: after `citeqa ingest` (or an upload to
another API process sharing the data dir) builds a new index generation, the next poll loads
an engine from it and swaps it in; requests already running finish on the engine they began
with (`EngineSlot`).

Polling costs a `stat` and a small JSON read every `CITEQA_RELOAD_SECONDS`. A generation is
taken only when it was built from the store as it is (`manifest_state`): while another writer
is between its commit and its swap, the old engine keeps serving, and `/health` says `stale`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from index.folder import index_manifest, manifest_state
from service.answering.engine import Engine

log = logging.getLogger("citeqa.api")


class IndexWatcher:
    def __init__(self, app, data_dir: Path, interval: float):
        self.app, self.data_dir, self.interval = app, Path(data_dir), interval
        # one reload at a time, and none while this process's own write swaps its engine in
        self.lock: threading.Lock = app.state.reload_lock

    def check(self) -> bool:
        """Swap in an engine on the index on disk if it is newer than the one served and agrees
        with the store; whether it did."""
        with self.lock:
            slot = self.app.state.engine_slot
            current = slot.current
            if current is None:
                return False
            manifest = index_manifest(self.data_dir)
            if manifest is None or manifest.get("generation") == current.index.manifest.get("generation"):
                return False
            if not manifest_state(manifest, current.store).ok:
                return False  # a writer is between its commit and its swap: wait for it
            new = Engine.load(self.data_dir, current.embedder)
            slot.swap(new)
        log.info(
            "loaded index generation %s (written by another process): %d documents",
            new.index.manifest.get("generation"),
            len(new.corpus.docs),
        )
        return True

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await run_in_threadpool(self.check)
            except Exception:  # a half-deleted generation, a store being rewritten: next time
                log.warning("could not load the new index; trying again in %.0f s", self.interval, exc_info=True)
