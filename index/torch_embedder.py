"""The sentence-transformers (torch) embedder: the fallback when ONNX cannot run the model."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from index.embedder import DEFAULT_MODEL, resolve_model_path


class SentenceTransformerEmbedder:
    def __init__(self, model: str = DEFAULT_MODEL, *, threads: int | None = None, bulk_threads: int | None = None):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        self._torch = torch
        # one thread is fastest for a single short query; a batch of them is faster on all cores
        self._threads = threads
        self._bulk_threads = bulk_threads
        self.name = model
        self.backend = "torch"
        self._model = SentenceTransformer(str(resolve_model_path(model)), device="cpu", local_files_only=True)
        dim = self._model.get_embedding_dimension()
        assert dim is not None, f"{model}: the model does not say its embedding dimension"
        self.dim = int(dim)

    def embed(self, texts: list[str], *, batch_size: int = 64, started: Callable[[], None] | None = None) -> np.ndarray:
        if started:
            started()  # torch releases the GIL in its kernels, not in encode's Python around them
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._bulk_threads and self._threads:
            self._torch.set_num_threads(self._bulk_threads if len(texts) >= 4 else self._threads)
        vectors = self._model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
