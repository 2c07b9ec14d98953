"""The index as a folder with a manifest, built from the store and swapped in atomically.

`<data>/index` is a symlink to `<data>/indexes/<generation>/`. A build writes a new
generation beside the live one and then replaces the symlink in one rename, so a
reader sees either the old index or the new one, never half of either.

The manifest records the store's stamp at build time (`Store.stamp`, new with every change):
an index whose stamp is not the store's lags it — a write died between committing the store
and swapping the index in — and `index_state` says so; the next start or ingest rebuilds it.
Builds and deletions of generations happen only under the data dir's write lock
(`index.writer`).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np

from index.crash import crash_point
from index.dense import DenseIndex
from index.lexical import LexicalIndex
from index.store import Store
from index.tokenize import tokenizer_version
from index.writer import holds_lock

LINK = "index"
SPACES = "spaces"  # a generation's folder of further vector spaces, one FAISS index each
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
    spaces: dict[str, DenseIndex] = field(default_factory=dict)  # further vector spaces by name


class IndexMissing(RuntimeError):
    pass


def build_index(store: Store, data_dir: Path, model: str, dim: int) -> Path:
    """Build a generation from the store and swap it in; the caller holds the write lock."""
    assert holds_lock(data_dir), "build_index needs the data dir's write lock (index.writer.exclusive_writer)"
    drop_partial_generations(data_dir)
    stamp = store.stamp()
    rows, matrix = store.chunk_vectors()
    ids = np.array([r["faiss_id"] for r in rows], dtype=np.int64)
    if len(rows) and matrix.shape[1] != dim:
        raise ValueError(f"stored vectors have dimension {matrix.shape[1]}, the model gives {dim}")
    generation = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    root = data_dir / GENERATIONS
    tmp = root / f".{generation}.tmp"
    tmp.mkdir(parents=True)
    dense = DenseIndex.build(ids, matrix, dim)
    dense.save(tmp)
    LexicalIndex.build(ids, [r["embed_text"] for r in rows]).save(tmp)
    spaces = {}
    for space in store.spaces():
        space_ids, vectors = store.space_vectors(space)
        if not space_ids:
            continue
        folder = tmp / SPACES / space
        folder.mkdir(parents=True)
        space_dim = int(vectors.shape[1])
        space_index = DenseIndex.build(np.array(space_ids, dtype=np.int64), vectors, space_dim)
        space_index.save(folder)
        spaces[space] = {
            "model": store.space_model(space),
            "dimension": space_dim,
            "chunks": len(space_ids),
            "faiss": space_index.kind,
        }
    counts = store.counts()
    manifest = {
        "generation": generation,
        "model": model,
        "dimension": dim,
        "metric": "inner_product",
        "faiss": dense.kind,  # exact up to `index.dense.EXACT_MAX_VECTORS`, approximate beyond
        "lexical": "bm25s",
        "tokenizer": tokenizer_version(),
        "counts": {"chunks": len(rows), "documents": counts["documents"]},
        "spaces": spaces,  # further vector spaces (`index.spaces`), each with its own FAISS index
        "store_stamp": stamp,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "citeqa_version": citeqa_version(),
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))
    crash_point("index-written")
    final = root / generation
    tmp.rename(final)
    crash_point("generation-placed")
    link_tmp = data_dir / f".{LINK}.{generation}"
    link_tmp.symlink_to(Path(GENERATIONS) / generation)
    current = data_dir / LINK
    if current.is_dir() and not current.is_symlink():
        # a copy of the data dir that followed the link (`cp -L`, Python's copytree, some backup
        # tools) holds a generation as a plain folder, which no rename can replace: it is derived
        # from the store like every generation, so it goes, and the link takes its place
        shutil.rmtree(current)
    os.replace(link_tmp, current)
    _drop_old_generations(root, keep={generation, _previous(root, generation)})
    return final


def _previous(root: Path, current: str) -> str | None:
    names = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != current)
    return names[-1] if names else None


# a generation younger than this is never deleted: a reader that resolved the link may still
# be opening it (loading reads every file into memory within a second or two)
READER_GRACE_SECONDS = 120


def _drop_old_generations(root: Path, keep: set[str | None]) -> None:
    # keep the previous generation too: a reader may still be opening it
    now = time.time()
    for path in root.iterdir():
        if path.name in keep or path.name.startswith("."):
            continue
        try:
            young = now - path.stat().st_mtime < READER_GRACE_SECONDS
        except OSError:
            continue
        if not young:
            shutil.rmtree(path, ignore_errors=True)


def drop_partial_generations(data_dir: Path) -> list[str]:
    """Remove what a build that died left behind: `.<generation>.tmp` folders and temporary
    links. Only the write lock's holder may call it (no other build can be running)."""
    removed = []
    root = data_dir / GENERATIONS
    if root.is_dir():
        for path in root.glob(".*.tmp"):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    for path in data_dir.glob(f".{LINK}.*"):
        if path.is_symlink():
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed


@dataclass
class IndexState:
    ok: bool
    problem: str | None = None  # why the index does not serve the store as it is


def index_state(store: Store, data_dir: Path) -> IndexState:
    """Whether the index in `data_dir` was built from the store as it is now."""
    return manifest_state(index_manifest(data_dir), store)


def manifest_state(manifest: dict | None, store: Store) -> IndexState:
    """Whether the index with this manifest was built from the store as it is now."""
    if manifest is None:
        return IndexState(False, "no index has been built from the store")
    if manifest.get("tokenizer") != tokenizer_version():
        return IndexState(False, "the index was built with another lexical tokenizer")
    stamp = store.stamp()
    if "store_stamp" not in manifest:  # an index from before stamps: its counts must agree
        if stamp is None and manifest.get("counts", {}).get("chunks") == store.counts()["chunks"]:
            return IndexState(True)
        return IndexState(False, "the index predates the store's last change")
    if manifest["store_stamp"] != stamp:
        return IndexState(False, "the index lags the store (a write stopped before its index was swapped in)")
    return IndexState(True)


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
        spaces={p.name: DenseIndex.load(p) for p in sorted((path / SPACES).glob("*")) if p.is_dir()},
    )
