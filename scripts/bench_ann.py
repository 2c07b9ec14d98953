"""Approximate-index benchmark (issue 15): the dense index at 50k and 500k chunks, exact and
approximate, with the approximate index's recall@10 against exact search.

The chunks are synthetic, built from real ones: every chunk vector of the default corpus and of
the TAT-QA excerpts (the stores in `--data-dir` and `--tatqa-dir`, ~4,300 real texts embedded by
the main model), repeated with a small random perturbation (each copy ~0.85 cosine from its
original, as a reworded excerpt would be) up to N. The queries are real questions (TAT-QA's and
the paper's evaluation files) embedded by the same model. Prints, per size: build seconds,
search p50 (one thread, as the server searches) and recall@10 against
exact; a search within one document's chunks as well. Records nothing (docs/benchmarks.md).
`make bench-ann`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.dense import DenseIndex  # noqa: E402
from index.store import DB_NAME, Store  # noqa: E402

NOISE = 0.03  # per dimension: a copy's cosine to its original is ~1/√(1 + 384·0.03²) ≈ 0.86


def real_vectors(*data_dirs: Path) -> np.ndarray:
    found = []
    for data in data_dirs:
        if (data / DB_NAME).exists():
            store = Store(data / DB_NAME, readonly=True)
            try:
                found.append(store.chunk_vectors()[1])
            finally:
                store.close()
    if not found:
        raise SystemExit("no stored chunk vectors: run `make ingest` (and `make eval-tatqa`) first")
    return np.vstack([m for m in found if len(m)])


def synthetic(real: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for start in range(0, n, 50_000):
        stop = min(n, start + 50_000)
        part = real[np.arange(start, stop) % len(real)] + NOISE * rng.standard_normal((stop - start, real.shape[1]))
        out[start:stop] = part / np.linalg.norm(part, axis=1, keepdims=True)
    return out


def questions(limit: int) -> list[str]:
    texts = []
    for path in sorted((ROOT / "eval").glob("paper_*.jsonl")) + [ROOT / "eval" / "tatqa" / "questions.jsonl"]:
        if path.exists():
            texts += [json.loads(line)["question"] for line in path.read_text().splitlines() if line.strip()]
    rng = np.random.default_rng(1)
    return [texts[i] for i in sorted(rng.choice(len(texts), size=min(limit, len(texts)), replace=False))]


def measure(vectors: np.ndarray, queries: np.ndarray, doc_size: int) -> dict:
    ids = np.arange(len(vectors), dtype=np.int64) * 7919 + 11
    started = time.perf_counter()
    exact = DenseIndex.build(ids, vectors, vectors.shape[1], exact_max=len(vectors))
    exact_build = time.perf_counter() - started
    started = time.perf_counter()
    approx = DenseIndex.build(ids, vectors, vectors.shape[1], exact_max=0)
    approx_build = time.perf_counter() - started
    one_doc = set(ids[:: max(1, len(ids) // doc_size)][:doc_size].tolist())  # a report's chunks, scattered
    figures: dict = {"chunks": len(vectors), "approximate_index": approx.kind}
    for name, index, build in (("exact", exact, exact_build), ("approximate", approx, approx_build)):
        times, within = [], []
        for q in queries:
            t = time.perf_counter()
            index.search(q, 10)
            times.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            index.search(q, 10, one_doc)
            within.append((time.perf_counter() - t) * 1000)
        figures[name] = {
            "build_s": round(build, 2),
            "search_p50_ms": round(statistics.median(times), 3),
            "search_one_doc_p50_ms": round(statistics.median(within), 3),
        }
    recall = [len({i for i, _ in exact.search(q, 10)} & {i for i, _ in approx.search(q, 10)}) / 10 for q in queries]
    recall_doc = [
        len({i for i, _ in exact.search(q, 10, one_doc)} & {i for i, _ in approx.search(q, 10, one_doc)}) / 10
        for q in queries
    ]
    figures["recall_at_10"] = round(float(np.mean(recall)), 4)
    figures["recall_at_10_min"] = round(float(np.min(recall)), 2)
    figures["recall_at_10_one_doc"] = round(float(np.mean(recall_doc)), 4)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50000,500000", help="chunk counts (default 50000,500000)")
    parser.add_argument("--queries", type=int, default=300, help="questions asked (default 300)")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--tatqa-dir", type=Path, default=ROOT / "data-tatqa")
    args = parser.parse_args()
    from service.settings import get_settings

    real = real_vectors(args.data_dir, args.tatqa_dir)
    embedder = get_settings().embedder()
    queries = np.asarray(embedder.embed(questions(args.queries)), dtype=np.float32)
    print(f"{len(real):,} real chunk vectors, {len(queries)} questions", flush=True)
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        figures = measure(synthetic(real, n), queries, doc_size=40)
        results.append(figures)
        print(json.dumps(figures), flush=True)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
