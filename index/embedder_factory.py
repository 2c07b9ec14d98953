"""Which embedder runs the model: ONNX Runtime when it can, else sentence-transformers."""

from __future__ import annotations

import logging
from pathlib import Path

from index.embedder import DEFAULT_MODEL, Embedder
from index.torch_embedder import SentenceTransformerEmbedder

log = logging.getLogger("citeqa")

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
