"""Crashes and concurrent writers: the store and the index always end up agreeing.

A real `citeqa ingest` process is killed at each named point of a write (`index/crash.py`:
`os._exit`, as abrupt as `kill -9`); the next ingest, or the next start of the service, must
find the index lagging its store and rebuild it, and leave no half-built generation behind.
Two writers — processes, or the API and the CLI — take turns on one data dir's write lock.
Real model, real FAISS, real subprocesses, real HTTP.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from index.crash import EXIT_CODE, POINTS
from index.folder import GENERATIONS, index_state
from index.store import DB_NAME, Store
from index.writer import WriterBusy, exclusive_writer
from service.answering.engine import Engine
from service.cli import main as cli
from service.main import load_engine
from service.settings import Settings
from tests.conftest import ROOT, SECOND_REPORT
from tests.servers import live_api

TOKEN = "test-token-rec"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HARBOR = """# Harbor City Transit Review 2023

Ferry ridership recovered strongly in 2023, led by the North Line.

**Table 1: Ferry passengers by route (unit: thousand passengers)**

| Route | 2021 | 2022 | 2023 |
|---|---|---|---|
| North Line | 310 | 402 | 455 |
| Island Loop | 120 | 151 | 188 |
"""
FERRY_QUESTION = "How many passengers did the North Line ferry carry in 2022?"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITEQA_")}
    return {**env, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT), **extra}


def citeqa(*args: str, **env: str) -> subprocess.CompletedProcess:
    """The real CLI in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        cwd=ROOT,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def site(tmp_path, ingest):
    """A data dir holding the second report, and a new report beside it, not yet ingested."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SECOND_REPORT, corpus / SECOND_REPORT.name)
    data_dir = tmp_path / "data"
    assert not ingest([corpus], data_dir).failed
    harbor = tmp_path / "new" / "harbor.md"
    harbor.parent.mkdir()
    harbor.write_text(HARBOR)
    return data_dir, harbor


def state(data_dir: Path):
    store = Store(data_dir / DB_NAME, readonly=True)
    try:
        return index_state(store, data_dir)
    finally:
        store.close()


def partial_generations(data_dir: Path) -> list[str]:
    return sorted(p.name for p in (data_dir / GENERATIONS).glob(".*.tmp"))


def found(data_dir: Path, embedder) -> set[str]:
    """The documents a search for the new report's words finds."""
    engine = Engine.load(data_dir, embedder)
    try:
        return {hit.doc_id for hit in engine.search("Harbor City North Line ferry passengers", top_k=10)}
    finally:
        engine.store.close()


@pytest.mark.parametrize("point", POINTS)
def test_a_write_killed_at_any_point_is_repaired_by_the_next_ingest(site, point, ingest, embedder, capsys):
    data_dir, harbor = site
    killed = citeqa("ingest", str(harbor), "--data-dir", str(data_dir), CITEQA_CRASH_AT=point)
    assert killed.returncode == EXIT_CODE, killed.stderr

    # the store holds the new document, the index does not: seen, and said
    assert not state(data_dir).ok
    assert (point == "index-written") == bool(partial_generations(data_dir))
    assert "harbor" not in found(data_dir, embedder)
    assert cli(["stats", "--data-dir", str(data_dir), "--json"]) == 1
    stats = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert stats["index_ok"] is False and "lags the store" in stats["index_problem"]

    # the same ingest again: nothing to convert, but the index is rebuilt from the store
    report = ingest([harbor], data_dir)
    assert report.count("unchanged") == 1 and report.index_rebuilt and "lags the store" in report.repaired
    assert state(data_dir).ok and partial_generations(data_dir) == []
    assert "harbor" in found(data_dir, embedder)
    # and a third run has nothing to do
    assert not ingest([harbor], data_dir).index_rebuilt


def test_a_killed_write_is_repaired_when_the_service_starts(site, tmp_path):
    data_dir, harbor = site
    assert citeqa("ingest", str(harbor), "--data-dir", str(data_dir), CITEQA_CRASH_AT="index-written").returncode == (
        EXIT_CODE
    )
    assert not state(data_dir).ok and partial_generations(data_dir)

    settings = Settings(data_dir=data_dir, api_token=TOKEN, reload_seconds=0)
    engine = load_engine(settings)  # what `citeqa serve` runs at start
    assert state(data_dir).ok and partial_generations(data_dir) == []
    with live_api(settings, engine) as base, httpx.Client(base_url=base, timeout=60) as http:
        health = http.get("/health").json()
        assert health["status"] == "ok" and health["index_problem"] is None
        answer = http.post("/ask", json={"question": FERRY_QUESTION}).json()
        assert answer["answered"] and answer["value"] == pytest.approx(402)

        # another process writes behind the server's back (and this one does not reload):
        # /health says the index it serves is stale
        other = tmp_path / "other.md"
        other.write_text(HARBOR.replace("Harbor City", "Port Mira"))
        assert citeqa("ingest", str(other), "--data-dir", str(data_dir)).returncode == 0
        health = http.get("/health").json()
        assert health["status"] == "stale" and "lags the store" in health["index_problem"]
    engine.store.close()


def test_a_running_api_loads_what_a_cli_ingest_wrote(site, embedder, tmp_path):
    data_dir, harbor = site
    settings = Settings(data_dir=data_dir, api_token=TOKEN, reload_seconds=0.2)
    engine = Engine.load(data_dir, embedder)
    with live_api(settings, engine) as base, httpx.Client(base_url=base, timeout=60) as http:
        assert http.post("/ask", json={"question": FERRY_QUESTION}).json()["answered"] is False
        assert citeqa("ingest", str(harbor), "--data-dir", str(data_dir)).returncode == 0
        deadline = time.monotonic() + 60
        while "harbor" not in [d["id"] for d in http.get("/documents").json()["documents"]] or (
            http.get("/health").json()["status"] != "ok"
        ):
            assert time.monotonic() < deadline, "the API did not load the new index"
            time.sleep(0.2)
        answer = http.post("/ask", json={"question": FERRY_QUESTION}).json()
        assert answer["answered"] and answer["value"] == pytest.approx(402)
        assert answer["citations"][0]["doc_id"] == "harbor"
    engine.store.close()


# -- one writer at a time ------------------------------------------------------------------
HOLDER = """
import sys, time
from pathlib import Path
from index.writer import exclusive_writer
with exclusive_writer(Path(sys.argv[1])):
    print("holding", flush=True)
    sys.stdin.readline()  # until the test says so (or kills us)
"""


class Holder:
    """Another process that holds the data dir's write lock until released or killed."""

    def __init__(self, data_dir: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(data_dir)],
            cwd=ROOT,
            env=_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "holding"

    def release(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        self.proc.wait(timeout=30)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=30)


def test_a_second_writer_waits_or_is_told_busy(site, embedder, ingest):
    data_dir, harbor = site
    holder = Holder(data_dir)
    try:
        with pytest.raises(WriterBusy, match="is writing"):
            with exclusive_writer(data_dir, wait=0):
                pass
        refused = citeqa("ingest", str(harbor), "--data-dir", str(data_dir), "--no-wait")
        assert refused.returncode == 2 and "is writing" in refused.stderr
        assert "harbor" not in [d.id for d in _documents(data_dir)]

        # the API: `wait=false` is a 409 `busy` that changes nothing; a waiting upload goes
        # through as soon as the other writer is done
        settings = Settings(data_dir=data_dir, api_token=TOKEN)
        engine = Engine.load(data_dir, embedder)
        with live_api(settings, engine) as base, httpx.Client(base_url=base, timeout=120) as http:
            busy = http.post(
                "/documents", params={"wait": "false"}, files={"file": ("harbor.md", HARBOR.encode())}, headers=AUTH
            )
            assert busy.status_code == 409 and busy.json()["error"]["code"] == "busy", busy.text
            assert str(data_dir) not in busy.text
            assert [d["id"] for d in http.get("/documents").json()["documents"]] == ["lakeland-water-report"]
            assert not (data_dir / "uploads" / "harbor.md").exists()

            result: dict = {}
            waiting = threading.Thread(
                target=lambda: result.update(
                    response=http.post("/documents", files={"file": ("harbor.md", HARBOR.encode())}, headers=AUTH)
                )
            )
            waiting.start()
            time.sleep(1.0)
            assert waiting.is_alive()  # still waiting for the other writer
            holder.kill()  # dies holding the lock: the OS releases it
            waiting.join(timeout=120)
            assert result["response"].status_code == 201, result["response"].text
            assert http.post("/ask", json={"question": FERRY_QUESTION}).json()["value"] == pytest.approx(402)
        engine.store.close()
    finally:
        if holder.proc.poll() is None:
            holder.kill()
    assert state(data_dir).ok


def test_the_cli_and_the_api_writing_at_once_end_consistent(site, embedder, tmp_path):
    data_dir, harbor = site
    other = tmp_path / "port-mira.md"
    other.write_text(HARBOR.replace("Harbor City", "Port Mira"))
    settings = Settings(data_dir=data_dir, api_token=TOKEN)
    engine = Engine.load(data_dir, embedder)
    with live_api(settings, engine) as base, httpx.Client(base_url=base, timeout=300) as http:
        cli_run = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "ingest", str(other), "--data-dir", str(data_dir)],
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        uploaded = http.post("/documents", files={"file": ("harbor.md", HARBOR.encode())}, headers=AUTH)
        out, err = cli_run.communicate(timeout=300)
        assert cli_run.returncode == 0, err
        assert uploaded.status_code == 201, uploaded.text
    engine.store.close()
    assert {d.id for d in _documents(data_dir)} == {"lakeland-water-report", "harbor", "port-mira"}
    assert state(data_dir).ok
    fresh = Engine.load(data_dir, embedder)
    try:
        hits = {h.doc_id for h in fresh.search("North Line ferry passengers", top_k=10)}
        assert {"harbor", "port-mira"} <= hits
    finally:
        fresh.store.close()


def _documents(data_dir: Path):
    store = Store(data_dir / DB_NAME, readonly=True)
    try:
        return store.documents()
    finally:
        store.close()
