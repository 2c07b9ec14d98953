"""The engine a request uses, swapped atomically after a write.

Every request leases the engine that is current when it starts and keeps it to the end,
so a document upload or removal never changes the index under a running answer. A new
engine replaces the old one in one step; the old one's store is closed once the last
request that leased it is done. Engines handed in from outside (`create_app(engine=…)`)
belong to the caller and are never closed here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from service.answering.engine import Engine
from service.errors import ApiError


class EngineSlot:
    def __init__(self, state, *, owned: bool = False):
        self._state = state  # app.state: `state.engine` is the current engine
        self._lock = threading.Lock()
        self._leases: dict[Engine, int] = {}  # engines are keyed by identity
        self._owned: set[Engine] = set()
        self._retired: set[Engine] = set()
        if owned and state.engine is not None:
            self._owned.add(state.engine)

    @property
    def current(self) -> Engine | None:
        return self._state.engine

    def adopt(self, engine: Engine) -> None:
        """Make `engine` current and owned by the app (closed when replaced or at shutdown)."""
        with self._lock:
            self._state.engine = engine
            self._owned.add(engine)

    def acquire(self) -> Engine:
        with self._lock:
            engine = self._state.engine
            if engine is None:  # only possible if the lifespan did not run
                raise ApiError(503, "the answer engine is not loaded", code="unavailable")
            self._leases[engine] = self._leases.get(engine, 0) + 1
            return engine

    @contextmanager
    def lease(self) -> Iterator[Engine]:
        """The current engine, held until the block ends."""
        engine = self.acquire()
        try:
            yield engine
        finally:
            self.release(engine)

    def release(self, engine: Engine) -> None:
        with self._lock:
            left = self._leases.get(engine, 1) - 1
            if left > 0:
                self._leases[engine] = left
                return
            self._leases.pop(engine, None)
            if engine not in self._retired:
                return
            self._retired.discard(engine)
        engine.store.close()

    def swap(self, new: Engine) -> Engine | None:
        """Make `new` current; the old engine is closed (if ours) when no request holds it."""
        with self._lock:
            old = self._state.engine
            self._state.engine = new
            self._owned.add(new)
            close_now = False
            if old is not None and old is not new and old in self._owned:
                self._owned.discard(old)
                if self._leases.get(old, 0) > 0:
                    self._retired.add(old)
                else:
                    close_now = True
        if close_now:
            old.store.close()
        return old

    def shutdown(self) -> None:
        """Close every engine the app owns, the current one included."""
        with self._lock:
            engines = list(self._retired)
            self._retired.clear()
            current = self._state.engine
            if current is not None and current in self._owned:
                engines.append(current)
                self._owned.discard(current)
                self._state.engine = None
        for engine in engines:
            engine.store.close()
