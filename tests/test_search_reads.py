"""A searcher reads a hit's chunk from the store when a search ranks it, and keeps only the
most recently read (issue 15: a library's text is not held in every serving process)."""

from __future__ import annotations

from index import search
from index.search import Searcher
from service.answering.engine import Engine

QUERIES = [
    "China digital economy scale 2019",
    "Russia internet users share of population",
    "E-Government Development Index ranking",
    "mobile cellular subscriptions per 100 people",
    "ICT goods exports",
]


def test_hits_are_the_same_whatever_the_searchers_cache_holds(corpus_data, embedder, monkeypatch):
    engine = Engine.load(corpus_data.data_dir, embedder)
    try:
        before = [engine.searcher.search(q, top_k=8) for q in QUERIES]
        monkeypatch.setattr(search, "CHUNK_CACHE", 5)  # every search now reads most of its hits
        small = Searcher(engine.store, engine.searcher.index, embedder)
        assert len(small._rows) == 0  # nothing read at load: no chunk text held
        after = [small.search(q, top_k=8) for q in QUERIES]
        assert after == before and all(len(hits) == 8 for hits in after)
        assert len(small._rows) == 5  # bounded
        again = [small.search(q, top_k=8) for q in QUERIES]
        assert again == before
    finally:
        engine.store.close()
