"""Several API processes on one data dir (issue 15: replicas see one library): a document
uploaded to one is answered by the other without a restart, and a document removed through
the other is gone from the first. Two real `citeqa serve` processes, real HTTP, real model."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from scripts.bench_service import stop_server
from tests.conftest import ROOT, SECOND_REPORT
from tests.servers import free_port
from tests.test_recovery import FERRY_QUESTION, HARBOR

TOKEN = "test-token-replicas"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def data_dir(tmp_path, ingest) -> Path:
    """A data dir holding one report (not the one uploaded below)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SECOND_REPORT, corpus / SECOND_REPORT.name)
    assert not ingest([corpus], tmp_path / "data").failed
    return tmp_path / "data"


@contextmanager
def replica(data_dir: Path, log: Path) -> Iterator[httpx.Client]:
    """`citeqa serve` in its own process on `data_dir`, polling for others' writes every 0.2 s."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITEQA_")}
    env.update(
        HF_HUB_OFFLINE="1",
        PYTHONPATH=str(ROOT),
        CITEQA_API_TOKEN=TOKEN,
        CITEQA_RELOAD_SECONDS="0.2",
        CITEQA_CROSSLINGUAL_MODEL="",  # the data dir keeps no cross-lingual space
    )
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--data-dir", str(data_dir)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            _wait(lambda: _healthy(client), 120, "the replica did not start", proc, log)
            yield client
    finally:
        stop_server(proc)


def _healthy(client: httpx.Client) -> bool:
    try:
        return client.get("/health").json().get("status") == "ok"
    except httpx.HTTPError:
        return False


def _wait(
    condition: Callable[[], bool],
    seconds: float,
    message: str,
    proc: subprocess.Popen | None = None,
    log: Path | None = None,
) -> None:
    """Until `condition` holds; else fail with `message` (and the server's log as it is then)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if (proc is not None and proc.poll() is not None) or time.monotonic() >= deadline:
            pytest.fail(f"{message}:\n{log.read_text()[-2000:]}" if log else message)
        time.sleep(0.2)


def _documents(client: httpx.Client) -> list[str]:
    return [d["id"] for d in client.get("/documents").json()["documents"]]


def test_two_api_processes_on_one_data_dir_see_each_others_writes(data_dir, tmp_path):
    with replica(data_dir, tmp_path / "a.log") as a, replica(data_dir, tmp_path / "b.log") as b:
        assert b.post("/ask", json={"question": FERRY_QUESTION}).json()["answered"] is False

        uploaded = a.post("/documents", files={"file": ("harbor.md", HARBOR.encode(), "text/markdown")}, headers=AUTH)
        assert uploaded.status_code in (200, 201), uploaded.text
        _wait(lambda: "harbor" in _documents(b) and _healthy(b), 60, "the other replica did not load the upload")
        answer = b.post("/ask", json={"question": FERRY_QUESTION}).json()
        assert answer["answered"] and answer["value"] == pytest.approx(402)
        assert answer["citations"][0]["doc_id"] == "harbor"

        assert b.delete("/documents/harbor", headers=AUTH).status_code == 200
        _wait(lambda: "harbor" not in _documents(a) and _healthy(a), 60, "the first replica kept the removed document")
        assert a.post("/ask", json={"question": FERRY_QUESTION}).json()["answered"] is False
