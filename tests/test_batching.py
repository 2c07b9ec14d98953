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

        def embed(self, texts, *, batch_size=64, started=None):
            raise RuntimeError("model unavailable")

    batching = BatchingEmbedder(Broken())
    try:
        batching.embed(["anything"])
    except RuntimeError as exc:
        assert "model unavailable" in str(exc)
    else:
        raise AssertionError("the error was swallowed")


class _GatedModel:
    """A model whose run the test holds open: says when it starts, then waits for the gate."""

    def __init__(self, inner, *, fail_before_start: bool = False):
        self.name, self.backend, self.dim = inner.name, inner.backend, inner.dim
        self.inner, self.fail_before_start = inner, fail_before_start
        self.running, self.gate = threading.Event(), threading.Event()

    def embed(self, texts, *, batch_size=64, started=None):
        if self.fail_before_start:
            raise RuntimeError("no model")
        if started:
            started()
        self.running.set()
        assert self.gate.wait(10), "the test never opened the gate"
        return self.inner.embed(texts)


def test_a_submitted_job_says_when_the_model_runs_so_the_caller_can_work_meanwhile(embedder):
    model = _GatedModel(embedder)
    batching = BatchingEmbedder(model)
    heard: list[str] = []
    job = batching.submit(["What was the digital economy share of GDP in 2020?"])
    job.wait_started()
    assert model.running.wait(10) and not job.future.done()  # running, not finished
    job.when_started(lambda: heard.append("late"))  # a callback added after the start runs at once
    assert heard == ["late"]
    model.gate.set()
    vector = job.future.result(timeout=10)
    assert np.allclose(vector, embedder.embed(["What was the digital economy share of GDP in 2020?"]), atol=1e-5)


def test_submit_does_not_hang_when_the_model_fails_before_it_starts(embedder):
    batching = BatchingEmbedder(_GatedModel(embedder, fail_before_start=True))
    job = batching.submit(["anything"])
    job.wait_started()
    try:
        job.future.result(timeout=10)
    except RuntimeError as exc:
        assert "no model" in str(exc)
    else:
        raise AssertionError("the error was swallowed")


def test_a_cancelled_job_is_dropped_and_the_model_thread_carries_on(embedder):
    """A request that goes away (its awaiting task cancelled) must not stop the model thread."""
    import asyncio

    model = _GatedModel(embedder)
    batching = BatchingEmbedder(model)
    first = batching.submit(["first"])
    assert model.running.wait(10)  # the model is busy with the first job
    gone = batching.submit(["gone"])

    async def abandon() -> None:
        waiting = asyncio.ensure_future(asyncio.wrap_future(gone.future))
        await asyncio.sleep(0)
        waiting.cancel()  # as when a request's task is cancelled: wrap_future cancels the job

    asyncio.run(abandon())
    assert gone.future.cancelled()
    model.gate.set()
    assert first.future.result(timeout=10).shape == (1, embedder.dim)
    later = batching.submit(["later"])
    assert np.allclose(later.future.result(timeout=10), embedder.embed(["later"]), atol=1e-5)
    gone.wait_started()  # a dropped job's waiters are released, not left hanging


def test_answers_are_the_same_with_the_model_on_its_own_thread(corpus_engine, corpus_data, embedder):
    """The server overlaps reading the question with embedding it, in its event loop; the
    answers must not change, blocking or awaited."""
    import asyncio

    from service.answering.engine import Engine

    overlapped = Engine.load(corpus_data.data_dir, BatchingEmbedder(embedder))
    questions = [
        ("What were Russia's fixed broadband subscriptions per 100 people in 2019?", None),
        ("Which country had more mobile cellular subscriptions in 2020, China or Russia?", None),
        ("Where does the 45.5 trillion yuan figure come from?", None),
        ("2021年数字经济占GDP比重是多少？", None),
        ("What was Narnia's GDP in 2019?", None),
        ("Fixed broadband subscriptions per 100 people in 2019", ["song-2024"]),
    ]
    try:
        for question, doc_ids in questions:
            plain = corpus_engine.ask(question, doc_ids=doc_ids)
            blocking = overlapped.ask(question, doc_ids=doc_ids)
            awaited = asyncio.run(overlapped.ask_async(question, doc_ids=doc_ids))
            for answer in (plain, blocking, awaited):
                answer.timings_ms = {}
            assert blocking == plain and awaited == plain, question
        found = corpus_engine.search("broadband Russia", top_k=5)
        assert overlapped.search("broadband Russia", top_k=5) == found
        assert asyncio.run(overlapped.search_async("broadband Russia", top_k=5)) == found
        assert asyncio.run(overlapped.search_async("broadband Russia", doc_ids=["no-such-doc"])) == []
    finally:
        overlapped.store.close()
