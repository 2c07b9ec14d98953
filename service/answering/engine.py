"""The answer engine: retrieval plus the extractive, structured answerer.

One object holds the store, the loaded index, the embedder and an in-memory snapshot of
the corpus. `ask` and `search` (blocking) and `ask_async` and `search_async` (in the server's
event loop) run the same steps, so the evaluation measures exactly what users get.
"""

from __future__ import annotations

import threading
import time
from functools import cached_property
from pathlib import Path

from index.embedder import Embedder
from index.folder import LoadedIndex, load_index
from index.search import Searcher, run_steps, run_steps_async
from index.spaces import CROSSLINGUAL, shared_query_embedder
from index.store import DB_NAME, Store
from service.answering import gloss
from service.answering.answer import Answer, SearchResult
from service.answering.answerer import Library, answer_steps
from service.answering.citations import hit_citation
from service.answering.corpus import Corpus
from service.answering.crosslingual_model import load_crosslingual_model
from service.answering.matching import Matcher
from service.answering.normalise import QuestionNormaliser
from service.answering.passage_figures import SentenceWords, load_passage_figure_model
from service.answering.reader import load_model
from service.answering.text_vectors import StoredTextVectors
from service.answering.verifier import load_verifier
from service.settings import get_settings
from service.verification import SourceChecks

NOT_FOUND = "The documents do not say."


class Engine:
    def __init__(self, store: Store, index: LoadedIndex, embedder: Embedder):
        self.store = store
        self.index = index
        self.embedder = embedder
        self.searcher = Searcher(store, index, embedder, space_embedder=self._space_embedder)
        self.corpus = Corpus(store)
        self.matcher = Matcher(self.corpus)  # indexes every table's labels and context, once
        self.reader = load_model()  # the general reader's learned models, shipped with the code
        # typos, abbreviations and casing, read against the documents' own words
        self.normaliser = QuestionNormaliser(self.corpus.texts(), (p.text for p in self.corpus.passages.values()))
        # which figure of a passage in another language answers an English question
        figures = load_passage_figure_model() if gloss.available() else None
        self.library = Library(
            self.searcher,
            self.corpus,
            self.matcher,
            self.reader,
            self.normaliser,
            lambda: self.source_checks,
            load_crosslingual_model() if CROSSLINGUAL in index.spaces else None,
            StoredTextVectors(store, CROSSLINGUAL) if CROSSLINGUAL in index.spaces else None,
            get_settings().crosslingual_fallback,
            load_verifier(),
            figures,
            self.normaliser.counts,
            self._other_language_sentences() if figures is not None else None,
        )
        self._checks_lock = threading.Lock()

    def _other_language_sentences(self) -> SentenceWords | None:
        """The words of every sentence of the documents not in English, read once per index
        (`passage_figures.SentenceWords`); None when every document is in English."""
        docs = self.corpus.docs
        texts = [p.text for p in self.corpus.passages.values() if docs[p.doc_id].language not in (None, "en")]
        return SentenceWords(texts) if texts else None

    def _space_embedder(self, space: str) -> Embedder:
        """The query embedder of a further vector space the index holds (its model, per the manifest)."""
        return shared_query_embedder(self.index.manifest["spaces"][space]["model"])

    @classmethod
    def load(cls, data_dir: Path, embedder: Embedder) -> Engine:
        store = Store(Path(data_dir) / DB_NAME, readonly=True)
        return cls(store, load_index(Path(data_dir)), embedder)

    def search(self, query: str, top_k: int = 5, doc_ids: list[str] | None = None) -> list[SearchResult]:
        return run_steps(self._search_steps(query, top_k, doc_ids))

    async def search_async(self, query: str, top_k: int = 5, doc_ids: list[str] | None = None) -> list[SearchResult]:
        """`search` for the event loop: free while the model embeds the query."""
        return await run_steps_async(self._search_steps(query, top_k, doc_ids))

    def ask(self, question: str, top_k: int = 5, doc_ids: list[str] | None = None) -> Answer:
        return run_steps(self._ask_steps(question, top_k, doc_ids))

    async def ask_async(self, question: str, top_k: int = 5, doc_ids: list[str] | None = None) -> Answer:
        """`ask` for the event loop: free while the model embeds the question."""
        return await run_steps_async(self._ask_steps(question, top_k, doc_ids))

    def _search_steps(self, query: str, top_k: int, doc_ids: list[str] | None):
        hits = yield from self.searcher.search_steps(query, top_k=top_k, doc_ids=doc_ids)
        return [hit_citation(self.corpus, h) for h in hits]

    def _ask_steps(self, question: str, top_k: int, doc_ids: list[str] | None):
        started = time.perf_counter()
        # the answer carries the source check of its first cited figure (`Library.checks`)
        result = yield from answer_steps(self.library, question, top_k=top_k, doc_ids=doc_ids)
        result.timings_ms["total"] = round((time.perf_counter() - started) * 1000, 2)
        return result

    def crosslingual_status(self) -> dict | None:
        """The cross-lingual space's model and the question model's version, or None."""
        space = self.index.manifest.get("spaces", {}).get(CROSSLINGUAL)
        if space is None:
            return None
        across = self.library.across
        figures = self.library.passage_figures
        return {
            "model": space.get("model"),
            "question_model": across.version if across else None,
            "passage_figure_model": figures.version if figures else None,
        }

    @cached_property
    def source_checks(self) -> SourceChecks:
        """The table cells' source checks (`service.verification`), a document's on the first
        answer that cites it."""
        with self._checks_lock:
            return SourceChecks(self.store, self.corpus)

    def counts(self) -> dict:
        return self.store.counts()
