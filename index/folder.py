"""The index as a folder with a manifest, built from the store and swapped in atomically.

`<data>/index` is a symlink to `<data>/indexes/<generation>/`. A build writes a new
generation beside the live one and then replaces the symlink in one rename, so a
reader sees either the old index or the new one, never half of either.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from index.dense import DenseIndex
from index.lexical import LexicalIndex
from index.store import Store
from index.tokenize import tokenizer_version

LINK = "index"
GENERATIONS = "indexes"
MANIFEST = "manifest.json"


def citeqa_version() -> str:
    try:
        return metadata.version("citeqa")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@dataclass
class LoadedIndex:
    path: Path
    manifest: dict
    dense: DenseIndex
    lexical: LexicalIndex


class IndexMissing(RuntimeError):
    pass


def build_index(store: Store, data_dir: Path, model: str, dim: int) -> Path:
    rows, matrix = store.chunk_vectors()
    ids = np.array([r["faiss_id"] for r in rows], dtype=np.int64)
    if len(rows) and matrix.shape[1] != dim:
        raise ValueError(f"stored vectors have dimension {matrix.shape[1]}, the model gives {dim}")
    generation = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    root = data_dir / GENERATIONS
    tmp = root / f".{generation}.tmp"
    tmp.mkdir(parents=True)
    DenseIndex.build(ids, matrix, dim).save(tmp)
    LexicalIndex.build(ids, [r["embed_text"] for r in rows]).save(tmp)
    counts = store.counts()
    manifest = {
        "generation": generation,
        "model": model,
        "dimension": dim,
        "metric": "inner_product",
        "faiss": "IndexIDMap2(IndexFlatIP)",
        "lexical": "bm25s",
        "tokenizer": tokenizer_version(),
        "counts": {"chunks": len(rows), "documents": counts["documents"]},
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "citeqa_version": citeqa_version(),
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))
    final = root / generation
    tmp.rename(final)
    link_tmp = data_dir / f".{LINK}.{generation}"
    link_tmp.symlink_to(Path(GENERATIONS) / generation)
    os.replace(link_tmp, data_dir / LINK)
    _drop_old_generations(root, keep={generation, _previous(root, generation)})
    return final


def _previous(root: Path, current: str) -> str | None:
    names = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != current)
    return names[-1] if names else None


def _drop_old_generations(root: Path, keep: set[str | None]) -> None:
    # keep the previous generation too: a reader may still be opening it
    for path in root.iterdir():
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def index_manifest(data_dir: Path) -> dict | None:
    path = data_dir / LINK / MANIFEST
    return json.loads(path.read_text()) if path.exists() else None


def load_index(data_dir: Path) -> LoadedIndex:
    link = data_dir / LINK
    if not (link / MANIFEST).exists():
        raise IndexMissing(f"no index in {data_dir}; run `citeqa ingest PATH` first")
    path = link.resolve()  # pin one generation for the whole load
    return LoadedIndex(
        path=path,
        manifest=json.loads((path / MANIFEST).read_text()),
        dense=DenseIndex.load(path),
        lexical=LexicalIndex.load(path),
    )
