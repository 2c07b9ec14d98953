"""Hybrid search: dense (FAISS) and lexical (BM25) rankings fused, with an optional
document filter, returning chunks with what a person needs to find them again."""

from __future__ import annotations

from concurrent.futures import Future
from typing import NamedTuple

import numpy as np

from index.embedder import Embedder
from index.folder import LoadedIndex
from index.hybrid import reciprocal_rank_fusion
from index.store import Store


class Hit(NamedTuple):
    chunk_id: str
    faiss_id: int
    doc_id: str
    doc_title: str
    kind: str
    ref_id: str
    text: str
    locator: str
    table: str | None
    page: int | None
    score: float
    dense_rank: int | None
    lexical_rank: int | None

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "doc_id": self.doc_id,
            "doc_title": self.doc_title,
            "kind": self.kind,
            "locator": self.locator,
            "table": self.table,
            "page": self.page,
            "score": round(self.score, 6),
        }


class Searcher:
    def __init__(self, store: Store, index: LoadedIndex, embedder: Embedder, *, pool: int = 50):
        self.store = store
        self.index = index
        self.embedder = embedder
        self.pool = pool
        # the chunks the loaded index knows, kept in memory (as tuples of `Hit`'s first
        # fields, in its order): a query then reads no disk and builds a hit in one call
        ids = [int(i) for i in index.lexical.ids]
        self._chunks = {
            fid: (
                row["id"], fid, row["doc_id"], row["doc_title"], row["kind"], row["ref_id"],
                row["text"], row["locator"], row["table_label"], row["page"],
            )
            for fid, row in (store.chunks_by_faiss_id(ids) if ids else {}).items()
        }  # fmt: skip

    def search(self, query: str, top_k: int = 5, doc_ids: list[str] | None = None) -> list[Hit]:
        """Search in this thread, start to end (nothing to overlap with the model)."""
        return self.start(query, top_k, doc_ids, hand_off=False).hits()

    def start(
        self, query: str, top_k: int = 5, doc_ids: list[str] | None = None, *, hand_off: bool = True
    ) -> PendingSearch:
        """Begin a search: the query goes to the model thread (when the embedder can `submit`),
        and while the model embeds it the lexical ranking is computed and the caller may do
        work of its own; `hits()` then waits for the vector and finishes."""
        allowed = set(self.store.faiss_ids_for_docs(doc_ids)) if doc_ids else None
        if allowed is not None and not allowed:
            return PendingSearch(self, None, [], top_k, allowed)
        submit = getattr(self.embedder, "submit", None) if hand_off else None
        if submit is not None:
            vector = submit([query])
        else:
            vector = Future()
            vector.set_result(self.embedder.embed([query]))
        pool = max(self.pool, top_k * 2)
        return PendingSearch(self, vector, self.index.lexical.search(query, pool, allowed), top_k, allowed)

    def _fuse(
        self, vector: np.ndarray, lexical: list[tuple[int, float]], top_k: int, allowed: set[int] | None
    ) -> list[Hit]:
        dense = self.index.dense.search(vector, max(self.pool, top_k * 2), allowed)
        fused = reciprocal_rank_fusion([dense, lexical])
        dense_rank = {i: r for r, (i, _) in enumerate(dense, start=1)}
        lexical_rank = {i: r for r, (i, _) in enumerate(lexical, start=1)}
        chunks = self._chunks
        hits: list[Hit] = []
        seen_facts: set[tuple[str, str]] = set()
        for fid, score in fused:
            chunk = chunks.get(fid)
            if chunk is None:  # the index is a generation older than the store
                continue
            hit = Hit(*chunk, score, dense_rank.get(fid), lexical_rank.get(fid))
            if hit.kind == "fact":
                # the same figure in several vintages of a dataset: show the best one only
                key = (hit.doc_id, hit.locator)
                if key in seen_facts:
                    continue
                seen_facts.add(key)
            hits.append(hit)
            if len(hits) == top_k:
                break
        return hits


class PendingSearch:
    """A search whose query vector may still be computing."""

    def __init__(self, searcher: Searcher, vector: Future | None, lexical, top_k: int, allowed: set[int] | None):
        self._searcher, self._vector, self._lexical = searcher, vector, lexical
        self._top_k, self._allowed = top_k, allowed

    def hits(self) -> list[Hit]:
        if self._vector is None:  # the filter leaves nothing to search
            return []
        return self._searcher._fuse(self._vector.result()[0], self._lexical, self._top_k, self._allowed)
