"""Query embeddings on one model thread, batched, and overlapped with the caller's work.

`submit` hands a query to the model thread and returns as soon as the model is running on
it, with a future for the vector: the caller then does the work that does not need the
vector (reading the question, lexical search) while the model computes, instead of after.
Queries that arrive while the model is busy are embedded together in its next call, so the
model's per-call cost (it streams all its weights once per call) is shared under load.
`embed` is `submit(...).result()`, except that a lone query when the model is idle runs
right in the caller's thread (no hand-off).
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future

import numpy as np

from index.embedder import Embedder


class _Job:
    __slots__ = ("texts", "future", "started")

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.future: Future = Future()
        self.started = threading.Event()


class BatchingEmbedder:
    def __init__(self, inner: Embedder, *, max_batch: int = 32):
        self.inner = inner
        self.name = inner.name
        self.backend = inner.backend
        self.dim = inner.dim
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._model_lock = threading.Lock()  # one model call at a time
        self._worker = threading.Thread(target=self._run, name="embedding-batcher", daemon=True)
        self._worker.start()

    def embed(self, texts: list[str], *, batch_size: int = 64, started=None) -> np.ndarray:
        if len(texts) > self.max_batch:  # bulk work goes straight through
            return self.inner.embed(texts, batch_size=batch_size, started=started)
        if self._model_lock.acquire(blocking=False):
            try:  # the model is idle: embed right here, with no hand-off to another thread
                return self.inner.embed(texts, started=started)
            finally:
                self._model_lock.release()
        future = self.submit(texts)
        if started:
            started()
        return future.result()

    def submit(self, texts: list[str]) -> Future:
        """Queue `texts` for the model thread; returns once the model runs on them (or has
        failed), with the future of their vectors."""
        job = _Job(texts)
        self._queue.put(job)
        job.started.wait()
        return job.future

    def _run(self) -> None:
        while True:
            jobs = [self._queue.get()]
            size = len(jobs[0].texts)
            while size < self.max_batch:
                try:
                    job = self._queue.get_nowait()  # take what is already waiting; never wait for more
                except queue.Empty:
                    break
                jobs.append(job)
                size += len(job.texts)
            texts = [t for job in jobs for t in job.texts]

            def started(jobs=jobs) -> None:
                for job in jobs:
                    job.started.set()

            try:
                with self._model_lock:
                    vectors = self.inner.embed(texts, started=started)
            except Exception as exc:  # every waiting request learns of the failure
                started()
                for job in jobs:
                    job.future.set_exception(exc)
                continue
            started()  # in case the model never said so
            start = 0
            for job in jobs:
                job.future.set_result(vectors[start : start + len(job.texts)])
                start += len(job.texts)
