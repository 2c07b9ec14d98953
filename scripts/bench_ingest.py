"""Ingest benchmark: cold ingest of corpus/ (model load excluded), re-ingest of the
unchanged corpus, chunks per second, peak RSS. Prints figures; records nothing itself."""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from service.ingesting import run_ingest  # noqa: E402
from service.settings import Settings  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def main() -> int:
    started = time.perf_counter()
    settings = Settings()
    embedder = settings.embedder(bulk=True)
    load_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        cold = run_ingest([CORPUS], data, lambda: embedder, settings.model, progress=False)
        warm = run_ingest([CORPUS], data, lambda: embedder, settings.model, progress=False)
    chunks = cold.summary()["chunks"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "model_load_s": round(load_s, 2),
        "cold_ingest_s": round(cold.seconds, 2),
        "documents": cold.summary()["added"],
        "chunks": chunks,
        "chunks_per_s": round(chunks / cold.seconds, 1),
        "reingest_unchanged_s": round(warm.seconds, 3),
        "reingest_embedded": warm.embedded,
        "peak_rss_mb": round(peak_mb, 1),
        "cpus": os.cpu_count(),
        "embedder": type(embedder).__name__,
    }
    for key, value in figures.items():
        print(f"{key:<22} {value}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
