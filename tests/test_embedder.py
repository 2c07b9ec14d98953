"""The ONNX Runtime embedder against sentence-transformers, its export cache, and the
fallback when a model cannot be exported."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.embedder import DEFAULT_MODEL, resolve_model_path
from index.embedder_factory import load_embedder
from index.onnx_embedder import OnnxEmbedder
from index.onnx_model import SentenceModelSpec, UnsupportedModel, onnx_file
from index.torch_embedder import SentenceTransformerEmbedder

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    "What were Russia's fixed broadband subscriptions per 100 people in 2019?",
    "2021年数字经济占GDP比重是多少？",
    "Каков объём цифровой экономики России?",
    "Table 6 · 2019 · Fixed broadband subscriptions (per 100 people) / Russia: 23.2",
    "word " * 600,  # longer than the model's 256 tokens: both must truncate the same way
    "",
]


@pytest.fixture(scope="module")
def reference():
    return SentenceTransformerEmbedder(DEFAULT_MODEL)


def test_the_default_embedder_is_onnx_and_gives_sentence_transformers_vectors(embedder, reference):
    assert isinstance(embedder, OnnxEmbedder)
    ours = embedder.embed(TEXTS)
    theirs = reference.embed(TEXTS)
    assert ours.shape == theirs.shape == (len(TEXTS), 384)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert float(np.min((ours * theirs).sum(axis=1))) > 0.9999


def test_one_text_and_a_batch_give_the_same_vector(embedder):
    alone = embedder.embed([TEXTS[0]])[0]
    batched = embedder.embed(TEXTS, batch_size=2)[0]  # sorted by length and padded with others
    assert float(alone @ batched) > 0.99999


def test_long_texts_are_split_by_the_token_budget_and_keep_their_order(embedder):
    from index.onnx_embedder import TOKEN_BUDGET

    texts = [f"{i} " + "digital economy broadband " * (20 + 15 * (i % 7)) for i in range(40)]
    assert 40 * 256 > TOKEN_BUDGET  # more than one model call
    together = embedder.embed(texts)
    one_by_one = np.vstack([embedder.embed([t]) for t in texts])
    assert float(np.min((together * one_by_one).sum(axis=1))) > 0.99999


def _model_copy(tmp_path: Path, pooling: dict | None = None) -> Path:
    """The packaged model's files linked into a folder whose pooling config may differ."""
    source = resolve_model_path(DEFAULT_MODEL)
    folder = tmp_path / "model"
    folder.mkdir()
    for item in source.iterdir():
        (folder / item.name).symlink_to(item, target_is_directory=item.is_dir())
    if pooling is not None:
        (folder / "1_Pooling").unlink()
        (folder / "1_Pooling").mkdir()
        (folder / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    return folder


def test_the_export_is_made_once_checked_reused_and_made_again_when_damaged(tmp_path, caplog):
    cache = tmp_path / "cache"
    first = OnnxEmbedder.for_model(DEFAULT_MODEL, threads=1, cache_dir=cache)
    exported = list(cache.glob("*.onnx"))
    assert len(exported) == 1 and exported[0].name.startswith(DEFAULT_MODEL)
    stamp = exported[0].stat().st_mtime_ns
    second = OnnxEmbedder.for_model(DEFAULT_MODEL, threads=1, cache_dir=cache)
    assert exported[0].stat().st_mtime_ns == stamp  # not exported again
    assert list(cache.iterdir()) == exported  # no temporary files left behind
    np.testing.assert_allclose(first.embed(TEXTS[:2]), second.embed(TEXTS[:2]), atol=1e-6)

    exported[0].write_bytes(b"not a model")  # a damaged cache
    with caplog.at_level(logging.WARNING, logger="citeqa"):
        third = OnnxEmbedder.for_model(DEFAULT_MODEL, threads=1, cache_dir=cache)
    assert "cannot be read" in caplog.text
    assert exported[0].stat().st_size > 1_000_000
    np.testing.assert_allclose(third.embed(TEXTS[:2]), first.embed(TEXTS[:2]), atol=1e-6)


def test_the_cache_key_follows_the_model(tmp_path):
    spec = SentenceModelSpec.read(resolve_model_path(DEFAULT_MODEL))
    cls_pooling = SentenceModelSpec.read(
        _model_copy(tmp_path, {"word_embedding_dimension": 384, "pooling_mode_cls_token": True})
    )
    assert spec.pooling == "mean" and cls_pooling.pooling == "cls"
    assert onnx_file(spec, DEFAULT_MODEL, tmp_path) != onnx_file(cls_pooling, DEFAULT_MODEL, tmp_path)


def test_a_model_onnx_cannot_reproduce_falls_back_to_sentence_transformers(tmp_path, caplog):
    folder = _model_copy(
        tmp_path, {"word_embedding_dimension": 384, "pooling_mode_mean_sqrt_len_tokens": True}
    )  # a pooling the export does not implement
    with pytest.raises(UnsupportedModel, match="pooling"):
        load_embedder(str(folder), backend="onnx", cache_dir=tmp_path / "cache")
    with caplog.at_level(logging.WARNING, logger="citeqa"):
        fallback = load_embedder(str(folder), backend="auto", cache_dir=tmp_path / "cache")
    assert isinstance(fallback, SentenceTransformerEmbedder)
    assert "ONNX path is not available" in caplog.text
    assert not (tmp_path / "cache").exists()  # nothing was exported


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="not one of auto, onnx, torch"):
        load_embedder(DEFAULT_MODEL, backend="tensorflow")


def test_the_service_process_never_imports_torch(corpus_data, embedder):
    """The serving path (settings → embedder → engine) runs on ONNX Runtime alone, which is
    what keeps the server's memory small."""
    script = (
        "import sys; from pathlib import Path\n"
        "from service.main import load_engine\n"
        "from service.settings import Settings\n"
        f"engine = load_engine(Settings(data_dir=Path({str(corpus_data.data_dir)!r})))\n"
        "assert engine.ask('What was the share of the digital economy in GDP?').citations\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_queries_keep_to_one_core(corpus_data, embedder):
    """A query is embedded and searched on one core. (FAISS's OpenMP threads, left to
    themselves, spin beside the model after each search and keep the second core busy.)"""
    import threading
    import time

    from index.folder import load_index

    dense = load_index(corpus_data.data_dir).dense
    share: list[float] = []

    def queries() -> None:  # on a fresh thread, as the server's worker threads are
        process, wall = time.process_time(), time.perf_counter()
        for i in range(60):
            dense.search(embedder.embed([TEXTS[i % 4]])[0], 80)
        share.append((time.process_time() - process) / (time.perf_counter() - wall))

    worker = threading.Thread(target=queries)
    worker.start()
    worker.join()
    assert share and share[0] < 1.4, f"the process used {share[0]:.2f} cores for one stream of queries"
