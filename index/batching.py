"""Query embeddings on one model thread, batched, and overlapped with the caller's work.

`submit` hands texts to the model thread and returns at once with an `EmbeddingJob`: the
caller waits (blocking or in asyncio) until the model *runs* on them, then does the work
that does not need their vectors (reading the question, lexical search) while the model
computes, instead of after. (Waiting for the start matters: until the model runs it needs
the GIL, which the caller's Python would hold.) Texts that arrive while the model is busy are
embedded together in its next call, so the model's per-call cost (it streams all its weights
once per call) is shared under load. `embed` is for callers with nothing to overlap: a lone
query when the model is idle runs right in the caller's thread (no hand-off).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

import numpy as np

from index.embedder import Embedder


class EmbeddingJob:
    """Texts handed to the model: `future` holds their vectors; `when_started` callbacks run
    (on the model thread) once the model runs on them, or has failed."""

    __slots__ = ("texts", "future", "_started", "_lock", "_callbacks")

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.future: Future = Future()
        self._started = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], object]] = []  # what a callback returns is ignored

    @classmethod
    def done(cls, vectors: np.ndarray) -> EmbeddingJob:
        """A job computed already (by an embedder that cannot hand work to a model thread)."""
        job = cls([])
        job.future.set_result(vectors)
        job.mark_started()
        return job

    def mark_started(self) -> None:
        with self._lock:
            if self._started.is_set():
                return
            self._started.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def is_started(self) -> bool:
        return self._started.is_set()

    def wait_started(self) -> None:
        self._started.wait()

    def when_started(self, callback: Callable[[], object]) -> None:
        with self._lock:
            if not self._started.is_set():
                self._callbacks.append(callback)
                return
        callback()


class BatchingEmbedder:
    def __init__(self, inner: Embedder, *, max_batch: int = 32):
        self.inner = inner
        self.name = inner.name
        self.backend = inner.backend
        self.dim = inner.dim
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[EmbeddingJob] = queue.SimpleQueue()
        self._model_lock = threading.Lock()  # one model call at a time
        self._worker = threading.Thread(target=self._run, name="embedding-batcher", daemon=True)
        self._worker.start()

    def embed(self, texts: list[str], *, batch_size: int = 64, started: Callable[[], None] | None = None) -> np.ndarray:
        if len(texts) > self.max_batch:  # bulk work goes straight through
            return self.inner.embed(texts, batch_size=batch_size, started=started)
        if self._model_lock.acquire(blocking=False):
            try:  # the model is idle: embed right here, with no hand-off to another thread
                return self.inner.embed(texts, started=started)
            finally:
                self._model_lock.release()
        job = self.submit(texts)
        if started:
            job.when_started(started)
        return job.future.result()

    def submit(self, texts: list[str]) -> EmbeddingJob:
        """Queue `texts` for the model thread."""
        job = EmbeddingJob(texts)
        self._queue.put(job)
        return job

    def _run(self) -> None:
        while True:
            jobs: list[EmbeddingJob] = []
            size = 0
            job = self._queue.get()
            while True:
                # a job whose waiter went away (a cancelled request) is dropped; once marked
                # running, a future can no longer be cancelled under the model's feet
                if job.future.set_running_or_notify_cancel():
                    jobs.append(job)
                    size += len(job.texts)
                else:
                    job.mark_started()
                if size >= self.max_batch:
                    break
                try:
                    job = self._queue.get_nowait()  # take what is already waiting; never wait for more
                except queue.Empty:
                    break
            if not jobs:
                continue
            texts = [t for job in jobs for t in job.texts]

            def started(jobs=jobs) -> None:
                for job in jobs:
                    job.mark_started()

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
