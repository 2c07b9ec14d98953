"""Dense vectors in FAISS: IndexIDMap2 over inner product (vectors are unit length, so
inner product is cosine). A narrow backend: build, search, save, load."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np


class DenseIndex:
    FILE = "dense.faiss"

    def __init__(self, index: faiss.Index):
        self.index = index

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, dim: int) -> DenseIndex:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        if len(ids):
            index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
        return cls(index)

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    def search(self, vector: np.ndarray, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        if self.size == 0:
            return []
        k = min(k, self.size)
        params = None
        if allowed is not None:
            if not allowed:
                return []
            selector = faiss.IDSelectorBatch(np.fromiter(allowed, dtype=np.int64))
            params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]  # SWIG takes kwargs; the stubs do not say so
        # one query needs one thread (faster even at 200k vectors), and a team of OpenMP
        # threads left spinning after each search would keep the other core busy for nothing,
        # slowing the model. The setting is per calling thread, hence on every search.
        faiss.omp_set_num_threads(1)
        scores, ids = self.index.search(vector.reshape(1, -1).astype(np.float32), k, params=params)
        found = ids[0] != -1
        return list(zip(ids[0][found].tolist(), scores[0][found].tolist()))

    def vector(self, faiss_id: int) -> np.ndarray:
        """A stored vector, by its id (IndexIDMap2 keeps the id map for this)."""
        return np.asarray(self.index.reconstruct(int(faiss_id)), dtype=np.float32)

    def save(self, folder: Path) -> None:
        faiss.write_index(self.index, str(folder / self.FILE))

    @classmethod
    def load(cls, folder: Path) -> DenseIndex:
        return cls(faiss.read_index(str(folder / cls.FILE)))
