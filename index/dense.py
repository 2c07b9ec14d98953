"""Dense vectors in FAISS over inner product (vectors are unit length, so inner product is
cosine). A narrow backend: build, search, save, load.

The index type is chosen by size. Up to `EXACT_MAX_VECTORS` every vector is compared
(`IndexIDMap2(IndexFlatIP)`: exact, ~1 ms at 20k vectors, but ~3 ms at 50k). Beyond it,
an inverted-file index: the vectors are clustered into about 2·√n lists at build time and a
query compares only the `nprobe` lists nearest to it, so a search costs a few percent of an
exact one. Its vectors are stored as 8-bit codes (a scalar quantizer over each vector's offset
from its list's centre: a quarter of the memory of float32, which at 500k chunks and two vector
spaces is 1.1 GB of a serving process's RSS saved). Its recall against exact search is measured in
`scripts/bench_ann.py` (docs/benchmarks.md) and bounded in `tests/test_dense_index.py`.
IVF rather than HNSW: it builds in seconds (the index is rebuilt from the store by every
ingest), removes ids, and takes the same id selectors as the exact index.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import faiss
import numpy as np

EXACT_MAX_VECTORS = 20_000  # searched exactly up to here; an IVF index beyond (50k: recall@10 0.97, ~15× faster)
LISTS_PER_ROOT = 2  # an IVF index's lists, ~2·√n: below FAISS's 4–16·√n, trained 3× faster, same recall
TRAIN_PER_LIST = 64  # vectors its clustering is trained on, per list (FAISS warns under 39)
PROBED_FRACTION = 1 / 16  # of its lists a query compares (recall ≥ 0.99 on clustered vectors)
FILTER_EXACT_MAX = 20_000  # a search limited to at most this many chunks compares each of them


class DenseIndex:
    FILE = "dense.faiss"

    def __init__(self, index: faiss.Index):
        self.index = index
        self.ivf = index if isinstance(index, faiss.IndexIVF) else None
        self.nprobe = 0
        if self.ivf is not None:
            self.nprobe = max(1, min(self.ivf.nlist, math.ceil(self.ivf.nlist * PROBED_FRACTION)))

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, dim: int, *, exact_max: int = EXACT_MAX_VECTORS) -> DenseIndex:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ids = ids.astype(np.int64)
        if len(ids) <= exact_max:
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
            if len(ids):
                index.add_with_ids(vectors, ids)
            return cls(index)
        nlist = max(1, int(LISTS_PER_ROOT * math.sqrt(len(ids))))
        ivf = faiss.IndexIVFScalarQuantizer(
            faiss.IndexFlatIP(dim), dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        # a fixed sample, so the same store builds the same index
        sample = np.random.default_rng(0).choice(len(ids), size=min(len(ids), nlist * TRAIN_PER_LIST), replace=False)
        faiss.omp_set_num_threads(os.cpu_count() or 1)  # building may use every core (searching does not)
        ivf.train(vectors[np.sort(sample)])
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]  # a vector by its id (`vector`)
        ivf.add_with_ids(vectors, ids)
        return cls(ivf)

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    @property
    def kind(self) -> str:
        """What the manifest records: the FAISS index and how it is searched."""
        if self.ivf is None:
            return "IndexIDMap2(IndexFlatIP)"
        coded = "8-bit" if isinstance(self.ivf, faiss.IndexIVFScalarQuantizer) else "float32"
        return f"{type(self.ivf).__name__}(nlist={self.ivf.nlist}, nprobe={self.nprobe}, {coded}, inner_product)"

    def search(self, vector: np.ndarray, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        if self.size == 0:
            return []
        k = min(k, self.size)
        query = vector.reshape(1, -1).astype(np.float32)
        # one query needs one thread (faster even at 200k vectors), and a team of OpenMP
        # threads left spinning after each search would keep the other core busy for nothing,
        # slowing the model. The setting is per calling thread, hence on every search.
        faiss.omp_set_num_threads(1)
        params: faiss.SearchParameters | None = None
        if allowed is not None:
            if not allowed:
                return []
            selector = faiss.IDSelectorBatch(np.fromiter(allowed, dtype=np.int64))
            if self.ivf is not None:
                # a few documents' chunks may sit in lists the query would not probe: every list
                # is probed, and only their vectors compared (the selector is asked first)
                nprobe = self.ivf.nlist if len(allowed) <= FILTER_EXACT_MAX else self.nprobe
                params = faiss.SearchParametersIVF(sel=selector, nprobe=nprobe)  # type: ignore[call-arg]
            else:
                params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]  # SWIG takes kwargs; the stubs do not say so
        elif self.ivf is not None:
            params = faiss.SearchParametersIVF(nprobe=self.nprobe)  # type: ignore[call-arg]
        scores, ids = self.index.search(query, k, params=params)
        found = ids[0] != -1
        return list(zip(ids[0][found].tolist(), scores[0][found].tolist()))

    def vector(self, faiss_id: int) -> np.ndarray:
        """A stored vector, by its id (IndexIDMap2 keeps the id map for this; an IVF index its
        direct map, and decodes its 8-bit code: within ~1% of the vector)."""
        return np.asarray(self.index.reconstruct(int(faiss_id)), dtype=np.float32)

    def save(self, folder: Path) -> None:
        faiss.write_index(self.index, str(folder / self.FILE))

    @classmethod
    def load(cls, folder: Path) -> DenseIndex:
        return cls(faiss.read_index(str(folder / cls.FILE)))
