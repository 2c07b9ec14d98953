"""Query embeddings batched across threads equal the ones computed one by one."""

from __future__ import annotations

import threading

import numpy as np

from index.batching import BatchingEmbedder


def test_concurrent_queries_get_their_own_vectors(embedder):
    batching = BatchingEmbedder(embedder, max_batch=8)
    questions = [f"What was the digital economy share of GDP in {year}?" for year in range(2000, 2024)]
    expected = embedder.embed(questions)
    results: dict[int, np.ndarray] = {}

    def ask(i: int) -> None:
        results[i] = batching.embed([questions[i]])[0]

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(questions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, vector in results.items():
        assert np.allclose(vector, expected[i], atol=1e-5), questions[i]
    assert len(results) == len(questions)


def test_a_failing_model_call_reaches_the_caller(embedder):
    class Broken:
        name, backend, dim = embedder.name, embedder.backend, embedder.dim

        def embed(self, texts, *, batch_size=64):
            raise RuntimeError("model unavailable")

    batching = BatchingEmbedder(Broken())
    try:
        batching.embed(["anything"])
    except RuntimeError as exc:
        assert "model unavailable" in str(exc)
    else:
        raise AssertionError("the error was swallowed")
