"""Micro-batching for query embeddings: texts that arrive while the model is busy are
embedded together in its next call. A lone query runs at once in its own thread; under load
the model's per-call overhead is shared, which is what lets two cores serve many clients."""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future

import numpy as np

from index.embedder import Embedder


class BatchingEmbedder:
    def __init__(self, inner: Embedder, *, max_batch: int = 32):
        self.inner = inner
        self.name = inner.name
        self.backend = inner.backend
        self.dim = inner.dim
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[list[str], Future]] = queue.SimpleQueue()
        self._model_lock = threading.Lock()  # one model call at a time
        self._worker = threading.Thread(target=self._run, name="embedding-batcher", daemon=True)
        self._worker.start()

    def embed(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        if len(texts) > self.max_batch:  # bulk work goes straight through
            return self.inner.embed(texts, batch_size=batch_size)
        if self._model_lock.acquire(blocking=False):
            try:  # the model is idle: embed right here, with no hand-off to another thread
                return self.inner.embed(texts)
            finally:
                self._model_lock.release()
        future: Future = Future()
        self._queue.put((texts, future))
        return future.result()

    def _run(self) -> None:
        while True:
            jobs = [self._queue.get()]
            size = len(jobs[0][0])
            while size < self.max_batch:
                try:
                    job = self._queue.get_nowait()  # take what is already waiting; never wait for more
                except queue.Empty:
                    break
                jobs.append(job)
                size += len(job[0])
            texts = [t for job_texts, _ in jobs for t in job_texts]
            try:
                with self._model_lock:
                    vectors = self.inner.embed(texts)
            except Exception as exc:  # every waiting request learns of the failure
                for _, future in jobs:
                    future.set_exception(exc)
                continue
            start = 0
            for job_texts, future in jobs:
                future.set_result(vectors[start : start + len(job_texts)])
                start += len(job_texts)
