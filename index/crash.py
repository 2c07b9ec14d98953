"""Named points in a write where a test can kill the process, deterministically.

With `CITEQA_CRASH_AT=<point>` in its environment a process exits at once when it reaches that
point — `os._exit`, as abrupt as `kill -9`: no cleanup, no `finally`, nothing flushed. The
crash-recovery tests use it to show that whatever moment a write dies at, the next start or
ingest ends with a store and an index that agree. Unset (always, outside tests) it costs one
environment lookup per write.
"""

from __future__ import annotations

import os

POINTS = (
    "store-committed",  # the store holds the new documents; no index has been built from them
    "index-written",  # a new generation is written to its temporary folder, not yet renamed
    "generation-placed",  # the generation is in place; the `index` link still points at the old one
)
EXIT_CODE = 86


def crash_point(name: str) -> None:
    assert name in POINTS, name
    if os.environ.get("CITEQA_CRASH_AT") == name:
        os._exit(EXIT_CODE)
