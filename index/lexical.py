"""BM25 over the same chunks as the dense index (bm25s), saved in the index folder."""

from __future__ import annotations

import json
from pathlib import Path

import bm25s
import numpy as np

from index.tokenize import tokenize


class LexicalIndex:
    def __init__(self, ids: np.ndarray, model: bm25s.BM25 | None):
        self.ids = ids  # row i of the BM25 corpus is chunk faiss id ids[i]
        self._model = model

    @classmethod
    def build(cls, ids: np.ndarray, texts: list[str]) -> LexicalIndex:
        if not texts:
            return cls(ids, None)
        model = bm25s.BM25()
        # an empty token list would break bm25s; keep every row present
        model.index([tokenize(t) or ["\x00"] for t in texts], show_progress=False)
        return cls(ids, model)

    def search(self, query: str, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        scores = self._scores(query)
        if scores is None:
            return []
        if allowed is not None:
            scores = np.where(self.mask(allowed), scores, 0.0)
        return self._best(scores, k)

    def search_groups(
        self, query: str, k: int, groups: dict[str, np.ndarray], allowed: set[int] | None = None
    ) -> dict[str, list[tuple[int, float]]]:
        """The `k` best of each group of chunks (`groups`: a name -> its `mask`), scored once."""
        scores = self._scores(query)
        if scores is None:
            return {}
        if allowed is not None:
            scores = np.where(self.mask(allowed), scores, 0.0)
        return {name: self._best(np.where(within, scores, 0.0), k) for name, within in groups.items()}

    def mask(self, faiss_ids: set[int]) -> np.ndarray:
        """Which rows of the BM25 corpus are among `faiss_ids`."""
        return np.isin(self.ids, np.fromiter(faiss_ids, dtype=np.int64))

    def _scores(self, query: str) -> np.ndarray | None:
        if self._model is None:  # built from no texts
            return None
        tokens = [t for t in tokenize(query) if t in self._model.vocab_dict]
        return self._model.get_scores(tokens) if tokens else None

    def _best(self, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
        if k < len(scores):  # the k best without sorting them all
            top = np.argpartition(-scores, k - 1)[:k]
            top = top[np.argsort(-scores[top], kind="stable")]
        else:
            top = np.argsort(-scores, kind="stable")
        top = top[scores[top] > 0]
        return list(zip(self.ids[top].tolist(), scores[top].tolist()))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "ids.npy", self.ids)
        if self._model is not None:
            self._model.save(str(folder / "bm25"))
        (folder / "lexical.json").write_text(json.dumps({"empty": self._model is None}))

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        ids = np.load(folder / "ids.npy")
        empty = json.loads((folder / "lexical.json").read_text())["empty"]
        return cls(ids, None if empty else bm25s.BM25.load(str(folder / "bm25")))
