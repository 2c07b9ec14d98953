"""The default embedder: a sentence-transformers model run by ONNX Runtime.

The vectors are those of sentence-transformers (the export is checked against it), a short
query embeds about 2.5× faster on this CPU, and the serving process needs neither torch nor
transformers. The ONNX file is exported once per model, in a separate process, into a cache
folder keyed by a hash of the weights.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from index.embedder import resolve_model_path
from index.onnx_model import SentenceModelSpec, default_cache_dir, onnx_file

log = logging.getLogger("citeqa")
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent
BULK_MIN = 4  # texts in one call from which the all-cores session is used
EXPORT_TIMEOUT_S = 900
TOKEN_BUDGET = 4096  # tokens in one model call (padding included): bounds the memory of a batch


class ExportFailed(RuntimeError):
    """The model could not be exported to ONNX; the message holds the exporter's last words."""


def ensure_export(folder: Path, spec: SentenceModelSpec, name: str, cache_dir: Path) -> Path:
    """The model's ONNX file, exported (in a child process, with torch) when not cached yet."""
    target = onnx_file(spec, name, cache_dir)
    if target.is_file():
        return target
    log.info("exporting %s to ONNX once, into %s …", name, target.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(_PACKAGE_ROOT), os.environ.get("PYTHONPATH")])))
    env.setdefault("HF_HUB_OFFLINE", "1")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "index.onnx_export", str(folder), str(target)],
            capture_output=True, text=True, env=env, check=False, timeout=EXPORT_TIMEOUT_S,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise ExportFailed(f"exporting {name} to ONNX took over {EXPORT_TIMEOUT_S} s; gave up") from None
    if proc.returncode != 0 or not target.is_file():
        last = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        raise ExportFailed(f"exporting {name} to ONNX failed:\n{last}")
    return target


class OnnxEmbedder:
    def __init__(
        self,
        path: Path,
        spec: SentenceModelSpec,
        *,
        name: str,
        threads: int | None = None,
        bulk_threads: int | None = None,
    ):
        import onnxruntime  # noqa: F401  (fail here, clearly, when it is not installed)
        from tokenizers import Tokenizer

        self.name = name
        self.backend = "onnx"
        self._path = Path(path)
        self._lowercase = spec.lowercase
        self._session = self._open(threads or os.cpu_count() or 1)
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.dim = int(self._session.get_outputs()[0].shape[-1])
        # one thread is fastest for a single short query; a batch is faster on all cores
        self._bulk_threads = bulk_threads if bulk_threads and bulk_threads != threads else None
        self._bulk_session = None
        self._bulk_lock = threading.Lock()
        self._tokenizer = Tokenizer.from_file(str(spec.tokenizer_file))
        self._tokenizer.enable_truncation(_max_length(spec))
        self._tokenizer.no_padding()  # batches are padded here, each to its own longest text
        pad_token = _pad_token(spec.path)
        self._pad_id = (self._tokenizer.token_to_id(pad_token) if pad_token else None) or 0

    @classmethod
    def for_model(
        cls,
        model: str,
        *,
        threads: int | None = None,
        bulk_threads: int | None = None,
        cache_dir: Path | None = None,
    ) -> OnnxEmbedder:
        folder = resolve_model_path(model)
        spec = SentenceModelSpec.read(folder)
        cache = Path(cache_dir) if cache_dir else default_cache_dir()
        path = ensure_export(folder, spec, model, cache)
        try:
            return cls(path, spec, name=model, threads=threads, bulk_threads=bulk_threads)
        except Exception as exc:  # onnxruntime's errors share no base class but Exception
            log.warning("the cached ONNX export %s cannot be read (%s); exporting again", path, exc)
            path.unlink(missing_ok=True)
            path = ensure_export(folder, spec, model, cache)
            return cls(path, spec, name=model, threads=threads, bulk_threads=bulk_threads)

    def _open(self, threads: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # idle threads sleep instead of spinning: under load the other core runs Python
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(str(self._path), options, providers=["CPUExecutionProvider"])

    def _session_for(self, n: int):
        if n < BULK_MIN or not self._bulk_threads:
            return self._session
        with self._bulk_lock:
            if self._bulk_session is None:
                self._bulk_session = self._open(self._bulk_threads)
        return self._bulk_session

    def embed(self, texts: list[str], *, batch_size: int = 64, started: Callable[[], None] | None = None) -> np.ndarray:
        if not texts:
            if started:
                started()
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._lowercase:
            texts = [t.lower() for t in texts]
        session = self._session_for(len(texts))
        encodings = self._tokenizer.encode_batch(texts)  # truncated to the model's limit
        if len(texts) == 1:
            return self._run(session, encodings, started)
        # Texts of similar length go together (less padding), and a batch holds at most
        # TOKEN_BUDGET tokens: attention memory grows with the square of the length.
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        start = 0
        while start < len(order):
            longest = len(encodings[order[start]].ids)
            size = max(1, min(batch_size, TOKEN_BUDGET // max(1, longest)))
            chosen = order[start : start + size]
            out[chosen] = self._run(session, [encodings[i] for i in chosen], started)
            started = None
            start += size
        return out

    def _run(self, session, encodings, started: Callable[[], None] | None = None) -> np.ndarray:
        length = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), length), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), length), dtype=np.int64)
        types = np.zeros((len(encodings), length), dtype=np.int64)
        for row, e in enumerate(encodings):
            n = len(e.ids)
            ids[row, :n] = e.ids
            mask[row, :n] = 1
            types[row, :n] = e.type_ids
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = types
        if started:
            started()  # session.run releases the GIL
        return np.ascontiguousarray(session.run(None, feed)[0], dtype=np.float32)


def _tokenizer_config(folder: Path) -> dict:
    file = folder / "tokenizer_config.json"
    return json.loads(file.read_text()) if file.is_file() else {}


def _max_length(spec: SentenceModelSpec) -> int:
    """sentence-transformers' rule: its own limit, or the tokenizer's when that is lower."""
    limit = _tokenizer_config(spec.path).get("model_max_length")
    return min(spec.max_length, int(limit)) if isinstance(limit, int | float) and limit > 0 else spec.max_length


def _pad_token(folder: Path) -> str | None:
    token = _tokenizer_config(folder).get("pad_token")
    if token is None:
        special = folder / "special_tokens_map.json"
        token = json.loads(special.read_text()).get("pad_token") if special.is_file() else None
    return token.get("content") if isinstance(token, dict) else token
