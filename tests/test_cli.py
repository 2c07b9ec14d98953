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


def stdout_json(result):
    """With `--json` the whole of stdout is one JSON object (`citeqa … --json | jq` works)."""
    assert result.stdout.count("\n") == 1, result.stdout[:500]
    return json.loads(result.stdout)


last_json = stdout_json  # its old name (other test modules import it)


def test_search_json_returns_table_row_in_top_3(corpus_data):
    result = citeqa(
        "search",
        "fixed broadband subscriptions per 100 people Russia 2019",
        "--top-k",
        "3",
        "--json",
        data_dir=corpus_data.data_dir,
    )
    results = stdout_json(result)["results"]
    assert len(results) == 3
    assert set(results[0]) >= {"text", "doc_id", "locator", "table", "page", "score"}
    assert any(r["table"] == "Table 6" and "22.52" in r["text"] for r in results)


def test_stats_and_tables(corpus_data):
    stats = stdout_json(citeqa("stats", "--json", data_dir=corpus_data.data_dir))
    for key in ("documents", "passages", "tables", "cells", "facts", "references", "chunks"):
        assert key in stats
    assert stats["tables"] == 14 and stats["documents"] == 11
    tables = citeqa("tables", "song-2024", data_dir=corpus_data.data_dir).stdout
    assert "Table 6" in tables and "6×4" in tables and "unit: person" in tables
    missing = citeqa("tables", "no-such-doc", data_dir=corpus_data.data_dir, check=False)
    assert missing.returncode == 2 and "no document 'no-such-doc'" in missing.stderr
    tables_json = stdout_json(citeqa("tables", "song-2024", "--json", data_dir=corpus_data.data_dir))
    assert tables_json["doc_id"] == "song-2024" and len(tables_json["tables"]) >= 6


def test_ingest_json_summary_and_exit_code(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 nope")
    data = tmp_path / "data"
    result = citeqa(
        "ingest", str(SECOND_REPORT), str(broken), "--json", "--data-dir", str(data), data_dir=data, check=False
    )
    assert result.returncode == 1, "a failed file is reported in the exit code"
    summary = stdout_json(result)
    assert {k: summary[k] for k in ("added", "updated", "unchanged", "removed", "failed")} == {
        "added": 1,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
        "failed": 1,
    }
    assert summary["embedded"] > 0
    assert "failed: " in result.stderr and "not a readable PDF" in result.stderr, "human lines go to stderr"
    again = stdout_json(citeqa("ingest", str(SECOND_REPORT), "--json", "--data-dir", str(data), data_dir=data))
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


def test_unknown_document_ids_are_usage_errors_naming_the_known_ones(corpus_data):
    for args in (
        ("search", "broadband", "--doc", "song-2024", "--doc", "nope"),
        ("ask", "What was the size of Russia's digital economy in 2019?", "--doc", "nope"),
        ("remove", "nope"),
    ):
        result = citeqa(*args, data_dir=corpus_data.data_dir, check=False)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "no document 'nope'" in result.stderr and "song-2024" in result.stderr, args
        assert result.stdout == "" and "Traceback" not in result.stderr


def test_a_closed_pipe_ends_quietly(corpus_data):
    """`citeqa stats | head -1`: the reader goes away before citeqa writes; no traceback."""
    env = {**os.environ, "CITEQA_DATA_DIR": str(corpus_data.data_dir), "HF_HUB_OFFLINE": "1"}
    for args in (["stats"], ["search", "broadband", "--json"]):
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        process.stdout.close()  # before it writes a byte
        stderr = process.stderr.read()
        code = process.wait(timeout=300)
        assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
        assert code in (0, 141), (code, stderr)
    shell = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m service.cli stats | head -1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert shell.stdout.startswith("documents") and "Traceback" not in shell.stderr


def test_ask_prints_the_answer_value_and_citation(corpus_data):
    question = "What was the size of Russia's digital economy in 2019?"  # eval/paper_dev.jsonl q006
    human = citeqa("ask", question, data_dir=corpus_data.data_dir)
    assert "value: 3076 billion dollars" in human.stdout
    assert "song-2024 · Table 2 · Digital economy · 2019" in human.stdout
    assert "table: Table 2 · row: Digital economy · column: 2019" in human.stdout
    assert "[24] " in human.stdout, "the reference entries behind the cited row"
    answer = stdout_json(citeqa("ask", question, "--json", "--doc", "song-2024", data_dir=corpus_data.data_dir))
    assert answer["answered"] is True and answer["value"] == 3076 and answer["unit"] == "billion dollars"
    first = answer["citations"][0]
    assert (first["doc_id"], first["table"], first["row"], first["column"]) == (
        "song-2024",
        "Table 2",
        "Digital economy",
        "2019",
    )
    assert {r["n"] for r in first["refs"]} >= {24, 25}


def test_ask_exits_1_when_the_documents_do_not_say(corpus_data):
    result = citeqa("ask", "What is the population of Mars in 2019?", data_dir=corpus_data.data_dir, check=False)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("The documents do not say")
    as_json = citeqa("ask", "What is the population of Mars?", "--json", data_dir=corpus_data.data_dir, check=False)
    assert as_json.returncode == 1 and stdout_json(as_json)["answered"] is False


def test_remove_takes_a_document_out_of_the_store_and_the_index(small_corpus, ingest, tmp_path):
    data = tmp_path / "data"
    report = ingest([small_corpus], data)
    doc_ids = sorted(o.doc_id for o in report.outcomes if o.status == "added")
    assert len(doc_ids) == 2
    gone, kept = (d for d in doc_ids if d.startswith("itu")), (d for d in doc_ids if not d.startswith("itu"))
    gone_id, kept_id = next(gone), next(kept)

    unknown = citeqa("remove", gone_id, "nope", data_dir=data, check=False)
    assert unknown.returncode == 2 and "no document 'nope'" in unknown.stderr and gone_id in unknown.stderr
    assert stdout_json(citeqa("stats", "--json", data_dir=data))["documents"] == 2, "nothing removed on an error"

    result = citeqa("remove", gone_id, "--json", data_dir=data)
    assert stdout_json(result)["removed"] == [gone_id]
    assert f"removed: {gone_id}" in result.stderr and "manifest.toml" in result.stderr
    assert (small_corpus / "itu_gci_2020.csv").is_file(), "the file is left alone"

    stats = stdout_json(citeqa("stats", "--json", data_dir=data))
    assert stats["documents"] == 1 and stats["index_ok"] is True
    hits = stdout_json(citeqa("search", "Global Cybersecurity Index", "--json", data_dir=data))["results"]
    assert hits and {h["doc_id"] for h in hits} == {kept_id}
    again = citeqa("search", "cybersecurity", "--doc", gone_id, data_dir=data, check=False)
    assert again.returncode == 2 and f"no document {gone_id!r}" in again.stderr
