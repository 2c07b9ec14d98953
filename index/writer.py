"""One writer per data dir, across processes: a file lock held for the whole of a write.

The CLI's ingest and the API's uploads and removals (in any number of processes) take the
same lock, `<data>/.write.lock`, before they touch the store or the index folder, and keep it
until the new index is in place; only its holder builds or deletes index generations. A
second writer waits (saying for whom) or, when it asked not to wait, gets `WriterBusy`.
The lock is an OS file lock: a writer that dies, even by `kill -9`, releases it.

Re-entrant within a thread (an upload holds it and the ingest it runs takes it again);
other threads of the same process wait like other processes do.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_NAME = ".write.lock"
OWNER_NAME = ".write.owner"  # who holds the lock, for the message a waiting writer sees


class WriterBusy(RuntimeError):
    """Another writer holds the data dir's lock (and the caller asked not to wait, or waited too long)."""

    def __init__(self, message: str, holder: str):
        super().__init__(message)
        self.holder = holder


def _lock(data_dir: Path) -> FileLock:
    # one instance per path and thread (is_singleton): re-entrant in the thread that holds it
    return FileLock(str(Path(data_dir).resolve() / LOCK_NAME), is_singleton=True)


def holder(data_dir: Path) -> str:
    try:
        return (Path(data_dir) / OWNER_NAME).read_text().strip() or "another process"
    except OSError:
        return "another process"


@contextmanager
def exclusive_writer(
    data_dir: Path, *, wait: float | None = None, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the data dir's write lock for the block. `wait`: seconds to wait for another
    writer (None: as long as it takes, 0: not at all); `on_wait(holder)` is called once if
    the lock is taken when we ask."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = _lock(data_dir)
    first = not lock.is_locked  # not yet held by this thread
    try:
        lock.acquire(timeout=0)
    except Timeout:
        who = holder(data_dir)
        if wait == 0:
            raise WriterBusy(f"{who} is writing to {data_dir}; try again when it is done", who) from None
        if on_wait:
            on_wait(who)
        try:
            lock.acquire(timeout=-1 if wait is None else wait)
        except Timeout:
            raise WriterBusy(f"{who} is still writing to {data_dir} after {wait:g} s; try again later", who) from None
    try:
        if first:
            (data_dir / OWNER_NAME).write_text(f"process {os.getpid()}\n")
        yield
    finally:
        lock.release()


def holds_lock(data_dir: Path) -> bool:
    """Whether this thread holds the data dir's write lock."""
    return _lock(Path(data_dir)).is_locked
