"""Hybrid search: dense (FAISS) and lexical (BM25) rankings fused, with an optional
document filter, returning chunks with what a person needs to find them again.

A search is written as steps (a generator) that yield what they wait for: first for the
model to start on the query, then for its vector. The same steps run blocking (`run_steps`:
the CLI, the evaluation, tests) or in the server's event loop (`run_steps_async`), which is
then free while the model computes; between the two waits the caller does the work that
needs no vector."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable, Generator
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
from cachetools import LRUCache

from index.batching import EmbeddingJob
from index.dense import DenseIndex
from index.embedder import Embedder
from index.folder import LoadedIndex
from index.hybrid import reciprocal_rank_fusion
from index.store import Store
from ingest.text import passage_language

CHUNK_CACHE = 20_000  # chunks a searcher keeps after reading them (~1–3 KB each)
# `Hit`'s fields a chunk fixes: id, faiss id, document, its title, kind, ref id, text, locator, table, page
ChunkFields = tuple[str, int, str, str, str, str, str, str, str | None, int | None]


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
    def __init__(
        self,
        store: Store,
        index: LoadedIndex,
        embedder: Embedder,
        *,
        pool: int = 50,
        space_embedder: Callable[[str], Embedder] | None = None,
    ):
        self.store = store
        self.index = index
        self.embedder = embedder
        self.pool = pool
        # a further vector space's query embedder, by space name (`index.spaces`)
        self.space_embedder = space_embedder
        # a hit's chunk is read from the store when a search ranks it (one indexed query for a
        # window of candidates), and the most recently read are kept: a library's text is not
        # held in every serving process (issue 15)
        self._rows: LRUCache[int, ChunkFields] = LRUCache(maxsize=CHUNK_CACHE)
        self._rows_lock = threading.Lock()  # the API's threads share the store's connection
        # each chunk's language (by script): the cross-lingual space ranks each language's
        # chunks among their own, and words are matched in the question's language only;
        # worked out here, while loading, not on a user's first question
        ids = [int(i) for i in index.lexical.ids]
        self._languages = {fid: sys.intern(passage_language(text)) for fid, text in store.chunk_texts(ids)}

    def search(
        self, query: str, top_k: int = 5, doc_ids: list[str] | None = None, space: str | None = None
    ) -> list[Hit]:
        return run_steps(self.search_steps(query, top_k, doc_ids, space))

    def search_steps(
        self, query: str, top_k: int = 5, doc_ids: list[str] | None = None, space: str | None = None
    ) -> Steps:
        pending = self.start(query, top_k, doc_ids, space)
        yield pending.started()
        pending.rank_lexically()  # while the model embeds the query
        return (yield pending.finished())

    def has_space(self, space: str) -> bool:
        """Whether the index holds the further vector space `space` and its model can be had."""
        return space in self.index.spaces and self.space_embedder is not None

    def start(
        self, query: str, top_k: int = 5, doc_ids: list[str] | None = None, space: str | None = None
    ) -> PendingSearch:
        """Hand the query to the model thread (when the embedder has one; otherwise embed it now).
        `space`: search that further vector space densely instead of the main one (when the
        index has it; otherwise the main one)."""
        allowed = self._allowed(doc_ids)
        if allowed is not None and not allowed:
            return PendingSearch(self, None, query, top_k, allowed)
        embedder, dense = self.embedder, self.index.dense
        if space is not None and self.has_space(space):
            assert self.space_embedder is not None
            embedder, dense = self.space_embedder(space), self.index.spaces[space]
        submit = getattr(embedder, "submit", None)
        job = submit([query]) if submit else EmbeddingJob.done(embedder.embed([query]))
        return PendingSearch(self, job, query, top_k, allowed, dense)

    def _fuse(
        self,
        vector: np.ndarray,
        lexical: list[tuple[int, float]],
        top_k: int,
        allowed: set[int] | None,
        dense_index: DenseIndex | None = None,
    ) -> list[Hit]:
        dense = (dense_index or self.index.dense).search(vector, self._pool(top_k), allowed)
        if dense_index is not None and dense_index is not self.index.dense:
            # a multilingual model, and lexical search all the more, rank text in the question's
            # own language first (a Russian question finds the Russian abstract before the English
            # table it asks about): each language's chunks are ranked among their own (dense and
            # lexical fused), and the languages' rankings interleaved
            dense_by, lexical_by = self._by_language(dense), self._by_language(lexical)
            fused = reciprocal_rank_fusion(
                [
                    [(fid, 0.0) for fid, _ in reciprocal_rank_fusion([ranked, lexical_by.get(language, [])])]
                    for language, ranked in dense_by.items()
                ]
            )
        else:
            fused = reciprocal_rank_fusion([dense, lexical])
        dense_rank = {i: r for r, (i, _) in enumerate(dense, start=1)}
        lexical_rank = {i: r for r, (i, _) in enumerate(lexical, start=1)}
        return self._hits(fused, dense_rank, lexical_rank, top_k)

    def _hits(
        self, fused: list[tuple[int, float]], dense_rank: dict[int, int], lexical_rank: dict[int, int], top_k: int
    ) -> list[Hit]:
        hits: list[Hit] = []
        seen_facts: set[tuple[str, str]] = set()
        window = max(2 * top_k, 16)  # candidates read at once; a skipped duplicate reads on
        for start in range(0, len(fused), window):
            part = fused[start : start + window]
            chunks = self._chunk_rows([fid for fid, _ in part])
            for fid, score in part:
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
                    return hits
        return hits

    def _chunk_rows(self, fids: list[int]) -> dict[int, ChunkFields]:
        """`Hit`'s first fields of each chunk in `fids` the store holds: from the cache of the
        last `CHUNK_CACHE` read, else from the store."""
        with self._rows_lock:
            cache = self._rows
            found = {fid: cache[fid] for fid in fids if fid in cache}  # reading one marks it recent
            missing = [fid for fid in fids if fid not in found]
            if missing:
                for fid, row in self.store.chunks_by_faiss_id(missing).items():
                    found[fid] = cache[fid] = (
                        row["id"], fid, row["doc_id"], row["doc_title"], row["kind"], row["ref_id"],
                        row["text"], row["locator"], row["table_label"], row["page"],
                    )  # fmt: skip
            return found

    def _by_language(self, ranked: list[tuple[int, float]]) -> dict[str, list[tuple[int, float]]]:
        languages = self._languages
        groups: dict[str, list[tuple[int, float]]] = {}
        for fid, score in ranked:
            groups.setdefault(languages.get(fid, "en"), []).append((fid, score))
        return groups

    def each_language(
        self, vector: np.ndarray, lexical_query: str, space: str, top_k: int, doc_ids: list[str] | None = None
    ) -> list[Hit]:
        """The hits of a question already embedded in the further space `space`, each language's
        searched apart (dense and lexical pools of their own), ordered within a language by their
        cosine to `vector`, the languages interleaved. One pool over all holds the question's own
        language alone (a Chinese question's nearest 100 chunks are Chinese; the English row it
        asks about is 116th). Lexical search adds the chunks the dense pools missed, and does not
        order them: across languages, words match only names and numbers, which say where and
        when, not what."""
        allowed = self._allowed(doc_ids)
        dense = self.index.spaces.get(space)
        if dense is None or (allowed is not None and not allowed):
            return []
        pool = self._pool(top_k)
        lexical_by = self.index.lexical.search_groups(lexical_query, pool, self.lexical_masks, allowed)
        rankings = []
        for language, ids in self._ids_by_language.items():
            within = ids if allowed is None else ids & allowed
            if not within:
                continue
            ranked = dict(dense.search(vector, pool, within))
            for fid, _ in lexical_by.get(language, []):
                if fid not in ranked:
                    ranked[fid] = float(dense.vector(fid) @ vector)
            rankings.append(sorted(ranked.items(), key=lambda f: -f[1]))
        return self._hits(reciprocal_rank_fusion(rankings), {}, {}, top_k)

    def lexical_hits(self, query: str, top_k: int, doc_ids: list[str] | None = None) -> list[Hit]:
        """The hits of a word search alone (no model): for a second wording of a question whose
        vector is known already."""
        allowed = self._allowed(doc_ids)
        if allowed is not None and not allowed:
            return []
        lexical = self.index.lexical.search(query, self._pool(top_k), allowed)
        return self._hits(lexical, {}, {fid: r for r, (fid, _) in enumerate(lexical, start=1)}, top_k)

    @cached_property
    def _ids_by_language(self) -> dict[str, set[int]]:
        groups: dict[str, set[int]] = {}
        for fid, language in self._languages.items():
            groups.setdefault(language, set()).add(fid)
        return groups

    @cached_property
    def lexical_masks(self) -> dict[str, np.ndarray]:
        """Each language's rows of the BM25 corpus."""
        return {language: self.index.lexical.mask(ids) for language, ids in self._ids_by_language.items()}

    def similarity(self, space: str, vector: np.ndarray, faiss_ids: list[int]) -> list[float]:
        """The cosine of `vector` to each chunk's vector in the further space `space`."""
        dense = self.index.spaces[space]
        return [float(dense.vector(i) @ vector) for i in faiss_ids]

    def language_of(self, hit: Hit) -> str:
        return self._languages.get(hit.faiss_id, "en")

    def other_languages(self, language: str) -> bool:
        """Whether the index holds chunks in another language than `language`."""
        return any(found != language for found in self._language_set)

    @cached_property
    def _language_set(self) -> frozenset[str]:
        return frozenset(self._languages.values())

    def _allowed(self, doc_ids: list[str] | None) -> set[int] | None:
        """The chunks of `doc_ids` (None: every chunk)."""
        return set(self.store.faiss_ids_for_docs(doc_ids)) if doc_ids else None

    def _pool(self, top_k: int) -> int:
        return max(self.pool, top_k * 2)


class PendingSearch:
    """A search whose query the model may still be embedding."""

    def __init__(self, searcher: Searcher, job: EmbeddingJob | None, query: str, top_k: int, allowed, dense=None):
        self._searcher, self._job, self._query = searcher, job, query
        self._top_k, self._allowed, self._dense = top_k, allowed, dense
        self._lexical: list[tuple[int, float]] | None = None
        self.vector: np.ndarray | None = None  # the query's vector, once the hits are in

    def started(self) -> Wait:
        """The wait until the model runs on the query (the GIL is then free for the caller)."""
        return Wait(self, "started")

    def finished(self) -> Wait:
        """The wait for the hits."""
        return Wait(self, "hits")

    def rank_lexically(self) -> None:
        if self._lexical is None and self._job is not None:
            self._lexical = self._searcher.index.lexical.search(
                self._query, self._searcher._pool(self._top_k), self._allowed
            )

    def _hits(self, vector: np.ndarray) -> list[Hit]:
        self.vector = vector[0]
        self.rank_lexically()
        return self._searcher._fuse(vector[0], self._lexical or [], self._top_k, self._allowed, self._dense)


class Wait(NamedTuple):
    """What a step waits for: the model to start (`started`), or the hits (`hits`)."""

    search: PendingSearch
    what: str

    def result(self) -> Any:
        job = self.search._job
        if job is None:  # the filter leaves nothing to search
            return None if self.what == "started" else []
        if self.what == "started":
            return job.wait_started()
        return self.search._hits(job.future.result())

    async def result_async(self) -> Any:
        job = self.search._job
        if job is None:
            return None if self.what == "started" else []
        if self.what == "started":
            if not job.is_started():
                loop = asyncio.get_running_loop()
                started = loop.create_future()
                job.when_started(lambda: loop.call_soon_threadsafe(_set_done, started))
                await started
            return None
        return self.search._hits(await asyncio.wrap_future(job.future))


def _set_done(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


Steps = Generator[Wait, Any, Any]


def run_steps(steps: Steps) -> Any:
    """Run steps to the end, blocking on each wait."""
    try:
        wait = next(steps)
        while True:
            wait = steps.send(wait.result())
    except StopIteration as stop:
        return stop.value


async def run_steps_async(steps: Steps) -> Any:
    """Run steps to the end, awaiting each wait: the event loop serves others meanwhile."""
    try:
        wait = next(steps)
        while True:
            wait = steps.send(await wait.result_async())
    except StopIteration as stop:
        return stop.value
