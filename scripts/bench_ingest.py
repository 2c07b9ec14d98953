"""Ingest benchmark: cold ingest of corpus/ (model load excluded), re-ingest of the
unchanged corpus, chunks per second, peak RSS; then the conversion and chunking (no
embedding) of generated pathological files, each in a fresh process so its peak RSS is its
own: a 200k-row tidy CSV (~4 MB), the same rows as a plain table (a value column not
named `value`), and a 10 MB markdown file of one line. Prints figures; records nothing itself.

`python -m scripts.bench_ingest --pathological-only` skips the corpus (no model needed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
ROOT = CORPUS.parent

_COUNTRIES = [a + b + c for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "AEIOU" for c in "NRST"]  # 520 codes
_INDICATORS = ["GDP", "NET", "MOB", "BBD"]


def write_tidy_csv(path: Path, rows: int, value_header: str = "value") -> Path:
    """A tidy dataset like a World Bank extract, written as a stream: `country,indicator,
    year,value`, ~20 bytes a row (200,000 rows ≈ 4 MB). With `value_header` other than a
    value column's name (`amount`) the same rows are a plain table."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write(f"country,indicator,year,{value_header}\n")
        for i in range(rows):
            year = 1960 + i % 60
            indicator = _INDICATORS[(i // 60) % len(_INDICATORS)]
            country = _COUNTRIES[(i // 240) % len(_COUNTRIES)]
            fh.write(f"{country},{indicator},{year},{(i * 7919) % 100000 / 100}\n")
    return path


def write_one_line_markdown(path: Path, size: int = 10_000_000) -> Path:
    """`size` characters of prose on one line, with no sentence end to cut at."""
    phrase = "the digital economy of china and russia grew again "
    path.write_text((phrase * (size // len(phrase) + 1))[:size], encoding="utf-8")
    return path


def convert_and_chunk(path: Path) -> dict:
    """Convert and chunk one file in this process: seconds, peak RSS, counts, longest chunk."""
    from ingest.chunks import document_chunks
    from ingest.converters import ConversionError, convert

    started = time.perf_counter()
    try:
        doc = convert(path, "bench", "sha")
        chunks = document_chunks(doc)
        outcome: dict[str, int | str] = {
            "chunks": len(chunks),
            "longest_chunk_chars": max((len(c.text) for c in chunks), default=0),
            "longest_passage_chars": max((len(p.text) for p in doc.passages), default=0),
        }
    except ConversionError as exc:
        outcome = {"failed": str(exc)}
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mb": round(_peak_rss_kb() / 1024, 1),
        **outcome,
    }


def _peak_rss_kb() -> int:
    """This process's peak RSS: VmHWM, which starts afresh at exec (ru_maxrss keeps the peak
    of the process that forked it: here the benchmark holding the model)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def pathological() -> dict:
    """Each generated file converted and chunked in a fresh process (its own peak RSS)."""
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        cases = {
            "tidy_csv_200k_rows": write_tidy_csv(Path(tmp) / "tidy.csv", 200_000),
            "table_csv_200k_rows": write_tidy_csv(Path(tmp) / "table.csv", 200_000, value_header="amount"),
            "one_line_markdown_10mb": write_one_line_markdown(Path(tmp) / "one-line.md"),
        }
        for name, path in cases.items():
            run = subprocess.run(
                [sys.executable, "-m", "scripts.bench_ingest", "--convert", str(path)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            figures[name] = {"mb": round(path.stat().st_size / 1e6, 1), **json.loads(run.stdout.splitlines()[-1])}
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pathological-only", action="store_true", help="skip the corpus ingest (no model)")
    parser.add_argument("--convert", type=Path, help=argparse.SUPPRESS)  # one file, in this process
    args = parser.parse_args()
    if args.convert:
        print(json.dumps(convert_and_chunk(args.convert)))
        return 0
    figures: dict = {} if args.pathological_only else corpus_figures()
    figures["pathological"] = pathological()
    for key, value in figures.items():
        if key != "pathological":
            print(f"{key:<22} {value}")
    for name, case in figures["pathological"].items():
        print(f"{name:<22} " + ", ".join(f"{k} {v}" for k, v in case.items()))
    print(json.dumps(figures))
    return 0


def corpus_figures() -> dict:
    # imported here: a conversion run (`--convert`) loads only ingest/, so its peak RSS is the conversion's
    from service.ingesting import run_ingest
    from service.settings import Settings

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
    return figures


if __name__ == "__main__":
    sys.exit(main())
