"""The `citeqa` command as a user runs it (a real subprocess, real model, real index)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT, SECOND_REPORT


def citeqa(*args, data_dir, check=True):
    env = {**os.environ, "CITEQA_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def last_json(result):
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_search_json_returns_table_row_in_top_3(corpus_data):
    result = citeqa(
        "search",
        "fixed broadband subscriptions per 100 people Russia 2019",
        "--top-k",
        "3",
        "--json",
        data_dir=corpus_data.data_dir,
    )
    results = last_json(result)["results"]
    assert len(results) == 3
    assert set(results[0]) >= {"text", "doc_id", "locator", "table", "page", "score"}
    assert any(r["table"] == "Table 6" and "22.52" in r["text"] for r in results)


def test_stats_and_tables(corpus_data):
    stats = last_json(citeqa("stats", "--json", data_dir=corpus_data.data_dir))
    for key in ("documents", "passages", "tables", "cells", "facts", "references", "chunks"):
        assert key in stats
    assert stats["tables"] == 14 and stats["documents"] == 11
    tables = citeqa("tables", "song-2024", data_dir=corpus_data.data_dir).stdout
    assert "Table 6" in tables and "6×4" in tables and "unit: person" in tables
    missing = citeqa("tables", "no-such-doc", data_dir=corpus_data.data_dir, check=False)
    assert missing.returncode == 2 and "no document 'no-such-doc'" in missing.stderr


def test_ingest_json_summary_and_exit_code(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 nope")
    data = tmp_path / "data"
    result = citeqa(
        "ingest", str(SECOND_REPORT), str(broken), "--json", "--data-dir", str(data), data_dir=data, check=False
    )
    assert result.returncode == 1, "a failed file is reported in the exit code"
    summary = last_json(result)
    assert {k: summary[k] for k in ("added", "updated", "unchanged", "removed", "failed")} == {
        "added": 1,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
        "failed": 1,
    }
    assert summary["embedded"] > 0
    assert "failed: " in result.stdout and "not a readable PDF" in result.stdout
    again = last_json(citeqa("ingest", str(SECOND_REPORT), "--json", "--data-dir", str(data), data_dir=data))
    assert (again["unchanged"], again["embedded"]) == (1, 0)


def test_commands_without_a_store_say_what_to_do(tmp_path):
    result = citeqa("search", "anything", data_dir=tmp_path / "nothing", check=False)
    assert result.returncode == 2
    assert "run `citeqa ingest PATH` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_model_the_onnx_backend_cannot_run_is_a_clear_error(corpus_data, tmp_path, monkeypatch):
    from index.embedder import DEFAULT_MODEL, resolve_model_path

    folder = tmp_path / "model"
    folder.mkdir()
    for item in resolve_model_path(DEFAULT_MODEL).iterdir():
        if item.name != "tokenizer.json":
            (folder / item.name).symlink_to(item, target_is_directory=item.is_dir())
    monkeypatch.setenv("CITEQA_EMBEDDING_BACKEND", "onnx")
    monkeypatch.setenv("CITEQA_MODEL", str(folder))
    result = citeqa("search", "broadband", data_dir=corpus_data.data_dir, check=False)
    assert result.returncode == 2
    assert "no tokenizer.json" in result.stderr and "Traceback" not in result.stderr
