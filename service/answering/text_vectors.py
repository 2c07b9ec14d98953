"""The cross-lingual space's vectors of each document's texts (table cells' descriptions,
figures' clauses, dataset series: `crosslingual.document_texts`), read from the store a document
at a time when a question first needs them. A corpus of reports holds a vector per table cell —
at 50,000 chunks, ~90,000 vectors and ~150 MB — which a serving process should not keep whole;
the last documents read stay cached, up to `CACHED_VECTORS` vectors."""

from __future__ import annotations

import threading
from typing import Protocol

import numpy as np
from cachetools import LRUCache

from index.store import Store

CACHED_VECTORS = 20_000  # ~30 MB of 384-dimension vectors: the default corpus's every text, several times over


class TextVectors(Protocol):
    """(document, reference) → vector."""

    def get(self, key: tuple[str, str], default: np.ndarray | None = None) -> np.ndarray | None: ...

    def __bool__(self) -> bool: ...


class StoredTextVectors:
    """`TextVectors` of one space, read on demand from the store."""

    def __init__(self, store: Store, space: str, cached: int = CACHED_VECTORS):
        self._store = store
        self._space = space
        self._docs: LRUCache[str, dict[str, np.ndarray]] = LRUCache(maxsize=cached, getsizeof=len)
        self._lock = threading.Lock()  # the API's threads share the store's connection and the cache
        self._any = store.has_space_texts(space)

    def get(self, key: tuple[str, str], default: np.ndarray | None = None) -> np.ndarray | None:
        return self.of_document(key[0]).get(key[1], default)

    def of_document(self, doc_id: str) -> dict[str, np.ndarray]:
        """Every text vector of one document, by reference."""
        with self._lock:
            vectors = self._docs.get(doc_id)
            if vectors is None:
                vectors = self._store.document_text_vectors(self._space, doc_id)
                if 0 < len(vectors) <= self._docs.maxsize:  # a larger document is read each time
                    self._docs[doc_id] = vectors
            return vectors

    def __bool__(self) -> bool:
        return self._any
