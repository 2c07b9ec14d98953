"""Writes through the HTTP API: upload and remove documents (bearer token), and feedback.

Real model, real ingest, real FAISS, real HTTP. Every test gets its own small data dir (the
second report, ingested with the shared model), so the shared `corpus_data` is never
touched and no test depends on another's writes."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from fastapi.testclient import TestClient

from index.feedback_store import FEEDBACK_DB
from index.store import DB_NAME
from service.answering.engine import Engine
from service.engine_slot import EngineSlot
from service.evaluation import load_questions
from service.main import create_app
from service.settings import Settings
from service.uploads import sanitize_filename
from tests.conftest import SECOND_REPORT
from tests.servers import LOCAL, live_api

TOKEN = "test-token-5f1c"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BASE_DOC = "lakeland-water-report"

HARBOR = """# Harbor City Transit Review 2023

## Ferries

Ferry ridership recovered strongly in 2023, led by the North Line [1].

**Table 1: Ferry passengers by route (unit: thousand passengers)**

| Route | 2021 | 2022 | 2023 |
|---|---|---|---|
| North Line | 310 | 402 | 455 |
| Island Loop | 120 | 151 | 188 |

Source: Harbor City Port Authority.

## REFERENCES

1. *Harbor City Port Authority. Ferry Statistics 2023*. Available at: <https://example.org/harbor/ferry-2023> (accessed 01.02.2024).
"""
FERRY_QUESTION = "How many passengers did the North Line ferry carry in 2022?"
SUMMARY_KEYS = {
    "space_embedded",  # the upload's texts in the cross-lingual space (the default keeps one)
    "added",
    "updated",
    "unchanged",
    "removed",
    "failed",
    "skipped",
    "embedded",
    "chunks",
    "table_rows",
    "index_rebuilt",
    "seconds",
    "files",
}
EVAL_KEYS = {
    "id",
    "kind",
    "lang",
    "question",
    "numbers",
    "text",
    "table",
    "refs",
    "verdict",
    "comment",
    "answer",
    "stored_at",
}


@pytest.fixture
def site(tmp_path, ingest, embedder):
    """A private data dir holding the second report, its engine, and a client with a token."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SECOND_REPORT, corpus / SECOND_REPORT.name)
    data_dir = tmp_path / "data"
    report = ingest([corpus], data_dir)
    assert not report.failed
    engine = Engine.load(data_dir, embedder)
    settings = Settings(data_dir=data_dir, api_token=TOKEN)
    with TestClient(create_app(settings, engine=engine), base_url=LOCAL) as client:
        yield SimpleNamespace(
            client=client, data_dir=data_dir, uploads=data_dir / "uploads", corpus=corpus, engine=engine
        )
    engine.store.close()


def upload(client, name: str, content: bytes | str, *, headers=AUTH, **fields):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        "/documents", files={"file": (name, data, "application/octet-stream")}, data=fields, headers=headers
    )


def doc_ids(client) -> list[str]:
    return [d["id"] for d in client.get("/documents").json()["documents"]]


def files_in(folder: Path) -> list[str]:
    """Everything in the uploads folder but its manifest (hidden temporaries included)."""
    return sorted(p.name for p in folder.iterdir() if p.name != "manifest.toml") if folder.exists() else []


def assert_error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status and body["error"]["code"] == code
    return body["error"]["message"]


# -- the token ----------------------------------------------------------------------------
def test_writes_are_refused_when_the_server_has_no_token(site):
    settings = Settings(data_dir=site.data_dir, api_token=None)
    with TestClient(create_app(settings, engine=site.engine), base_url=LOCAL) as client:
        for response in (
            upload(client, "harbor.md", HARBOR),
            upload(client, "harbor.md", HARBOR, headers={}),
            client.delete(f"/documents/{BASE_DOC}", headers=AUTH),
        ):
            message = assert_error(response, 403, "forbidden")
            assert message.startswith("writes are disabled: set CITEQA_API_TOKEN on the server")
            assert "Authorization: Bearer <token>" in message and "make run" in message
        assert doc_ids(client) == [BASE_DOC]
    assert files_in(site.uploads) == []


def test_a_missing_or_wrong_token_is_401(site):
    client = site.client
    cases = [
        upload(client, "harbor.md", HARBOR, headers={}),
        upload(client, "harbor.md", HARBOR, headers={"Authorization": "Bearer wrong"}),
        upload(client, "harbor.md", HARBOR, headers={"Authorization": f"Basic {TOKEN}"}),
        upload(client, "harbor.md", HARBOR, headers={"Authorization": f"Bearer {TOKEN}x"}),
        client.delete(f"/documents/{BASE_DOC}"),
        client.delete(f"/documents/{BASE_DOC}", headers={"Authorization": "Bearer nope"}),
    ]
    for response in cases:
        assert_error(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"
    assert doc_ids(client) == [BASE_DOC]
    assert files_in(site.uploads) == []


# -- upload, ask, list, re-upload, remove --------------------------------------------------
def test_upload_then_ask_list_reupload_and_delete(site):
    client = site.client
    response = upload(client, "../../etc/Harbor Transit 2023.md", HARBOR, title="Harbor City Transit Review")
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"summary", "document"}
    summary, document = body["summary"], body["document"]
    assert set(summary) == SUMMARY_KEYS
    assert (summary["added"], summary["failed"], summary["index_rebuilt"]) == (1, 0, True)
    assert summary["chunks"] > 0 and summary["table_rows"] == 2
    assert summary["files"] == [
        {
            "path": "Harbor-Transit-2023.md",
            "status": "added",
            "doc_id": "harbor-transit-2023",
            "chunks": summary["chunks"],
            "table_rows": 2,
            "embedded": summary["embedded"],
        }
    ]
    # the document, exactly as GET /documents/{id} shows it
    assert document["id"] == "harbor-transit-2023" and document["title"] == "Harbor City Transit Review"
    assert document["path"] == "Harbor-Transit-2023.md" and document["counts"]["tables"] == 1
    assert client.get("/documents/harbor-transit-2023").json() == document
    assert doc_ids(client) == ["harbor-transit-2023", BASE_DOC]
    # saved under a safe name, with its title in the uploads manifest
    assert files_in(site.uploads) == ["Harbor-Transit-2023.md"]
    manifest = (site.uploads / "manifest.toml").read_text()
    assert 'path = "Harbor-Transit-2023.md"' in manifest and 'title = "Harbor City Transit Review"' in manifest

    # the new engine is live: the answer comes from the uploaded table
    answer = client.post("/ask", json={"question": FERRY_QUESTION}).json()
    assert answer["answered"] and answer["value"] == pytest.approx(402)
    top = answer["citations"][0]
    assert (top["doc_id"], top["table"], top["row"]) == ("harbor-transit-2023", "Table 1", "North Line")
    assert client.get("/health").json()["counts"]["documents"] == 2

    # the same file again changes nothing, and is not an error
    again = upload(client, "Harbor Transit 2023.md", HARBOR)
    assert again.status_code == 200, again.text
    assert again.json()["summary"]["unchanged"] == 1 and again.json()["summary"]["added"] == 0
    assert again.json()["document"]["title"] == "Harbor City Transit Review"  # the manifest entry stays

    # removal: records, chunks, the file and its manifest entry
    removed = client.delete("/documents/harbor-transit-2023", headers=AUTH)
    assert removed.status_code == 200, removed.text
    assert removed.json()["removed"] == "harbor-transit-2023"
    assert (
        set(removed.json()["summary"]) == SUMMARY_KEYS - {"space_embedded"}
        and removed.json()["summary"]["removed"] == 1
    )
    results = client.post("/search", json={"query": "North Line ferry passengers 2022", "top_k": 20}).json()
    assert results["results"] and all(r["doc_id"] == BASE_DOC for r in results["results"])
    assert not client.post("/ask", json={"question": FERRY_QUESTION}).json()["answered"]
    gone = client.get("/documents/harbor-transit-2023")
    assert assert_error(gone, 404, "not_found").startswith("no document 'harbor-transit-2023'; documents: ")
    assert doc_ids(client) == [BASE_DOC]
    assert files_in(site.uploads) == []
    assert "Harbor-Transit-2023.md" not in (site.uploads / "manifest.toml").read_text()
    with sqlite3.connect(site.data_dir / DB_NAME) as conn:
        assert conn.execute("SELECT COUNT(*) FROM chunks WHERE doc_id = 'harbor-transit-2023'").fetchone()[0] == 0


def test_doc_id_and_title_from_the_form_and_a_conflicting_id(site):
    client = site.client
    response = upload(client, "ferries.md", HARBOR, doc_id="harbor-2023", title="Harbor ferries")
    assert response.status_code == 201, response.text
    assert response.json()["document"]["id"] == "harbor-2023"
    assert response.json()["document"]["title"] == "Harbor ferries"
    # an id another file holds is a conflict, and nothing is kept
    clash = upload(client, "other.md", HARBOR.replace("402", "403"), doc_id=BASE_DOC)
    message = assert_error(clash, 409, "conflict")
    assert f"document id '{BASE_DOC}' is already used by {SECOND_REPORT.name}" in message
    assert "/" not in message.split("DELETE")[0]  # no server paths
    assert files_in(site.uploads) == ["ferries.md"]
    assert sorted(doc_ids(client)) == sorted([BASE_DOC, "harbor-2023"])
    # a blank doc_id is no doc_id; a malformed one is a 422
    bad = upload(client, "x.md", HARBOR, doc_id="../etc")
    assert assert_error(bad, 422, "invalid_request").startswith("doc_id: ")


def test_an_unreadable_file_is_422_and_not_kept(site):
    client = site.client
    cases = [
        ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage\n%%EOF", "broken.pdf: not a readable PDF"),
        ("empty.md", b"", "empty.md: the file is empty"),
        ("header-only.csv", b"country,year,value\n", "header-only.csv: the CSV has a header but no data rows"),
    ]
    for name, content, start in cases:
        message = assert_error(upload(client, name, content), 422, "invalid_document")
        assert message.startswith(start), message
        assert files_in(site.uploads) == []
    assert doc_ids(client) == [BASE_DOC]


def test_a_bad_new_version_keeps_the_old_one(site):
    client = site.client
    assert upload(client, "harbor.md", HARBOR).status_code == 201
    assert assert_error(upload(client, "harbor.md", b""), 422, "invalid_document") == "harbor.md: the file is empty"
    assert files_in(site.uploads) == ["harbor.md"]
    assert (site.uploads / "harbor.md").read_text() == HARBOR
    assert client.post("/ask", json={"question": FERRY_QUESTION}).json()["value"] == pytest.approx(402)


def test_unsupported_types_and_malformed_forms(site):
    client = site.client
    message = assert_error(upload(client, "notes.docx", b"PK\x03\x04"), 415, "unsupported_media_type")
    assert message == "unsupported file type '.docx'; send one of .pdf, .md, .markdown, .txt, .csv"
    assert_error(upload(client, "README", b"hello"), 415, "unsupported_media_type")
    assert_error(client.post("/documents", data={"title": "x"}, headers=AUTH), 422, "invalid_request")
    two = client.post(
        "/documents",
        files=[
            ("file", ("a.md", b"# A\n\ntext", "text/markdown")),
            ("file", ("b.md", b"# B\n\ntext", "text/markdown")),
        ],
        headers=AUTH,
    )
    assert assert_error(two, 422, "invalid_request").startswith("send exactly one file")
    extra = upload(client, "a.md", HARBOR, titel="typo")
    assert assert_error(extra, 422, "invalid_request") == "titel: unknown form field; send file, doc_id, title"
    assert files_in(site.uploads) == []


def test_too_large_is_413(site):
    settings = Settings(data_dir=site.data_dir, api_token=TOKEN, max_upload_mb=1)
    with TestClient(create_app(settings, engine=site.engine), base_url=LOCAL) as client:
        just_over = b"# Big\n\n" + b"x" * (1024 * 1024)  # past the limit, within the form's slack
        far_over = b"# Big\n\n" + b"x" * (3 * 1024 * 1024)  # refused before the body is read
        for content in (just_over, far_over):
            message = assert_error(upload(client, "big.md", content), 413, "payload_too_large")
            assert message == "the file is larger than the limit of 1 MB (CITEQA_MAX_UPLOAD_MB)"
        assert upload(client, "harbor.md", HARBOR).status_code == 201  # small files still pass
    assert files_in(site.uploads) == ["harbor.md"]


# -- removal ------------------------------------------------------------------------------
def test_delete_unknown_is_404_listing_the_known_ones(site):
    message = assert_error(site.client.delete("/documents/no-such-doc", headers=AUTH), 404, "not_found")
    assert message == f"no document 'no-such-doc'; documents: {BASE_DOC}"


def test_deleting_a_corpus_document_keeps_its_file(site, ingest):
    client = site.client
    removed = client.delete(f"/documents/{BASE_DOC}", headers=AUTH)
    assert removed.status_code == 200, removed.text
    assert removed.json()["summary"]["files"] == [{"path": SECOND_REPORT.name, "status": "removed", "doc_id": BASE_DOC}]
    assert doc_ids(client) == []
    assert client.post("/search", json={"query": "Northgate water withdrawals"}).json() == {"results": []}
    assert not client.post("/ask", json={"question": "Northgate water withdrawals in 2022?"}).json()["answered"]
    assert (site.corpus / SECOND_REPORT.name).is_file()  # not an upload: the file stays
    # a later ingest of the folder adds it back
    assert ingest([site.corpus], site.data_dir).summary()["added"] == 1


# -- feedback -----------------------------------------------------------------------------
def feedback_body(**overrides) -> dict:
    body = {
        "question": FERRY_QUESTION,
        "answer": "North Line, 2022: 402 thousand passengers (Table 1).",
        "answered": True,
        "value": 402.0,
        "unit": "thousand passengers",
        "citations": [],
        "verdict": "correct",
        "comment": None,
    }
    return {**body, **overrides}


def test_feedback_round_trip_in_the_eval_format(site, tmp_path):
    client = site.client
    asked = client.post("/ask", json={"question": "Northgate fresh water withdrawals in 2022"}).json()
    assert asked["answered"] and asked["citations"][0]["kind"] == "table_row"
    posts = [
        feedback_body(
            question=asked["question"],
            answer=asked["answer"],
            value=asked["value"],
            unit=asked["unit"],
            citations=asked["citations"],
        ),
        feedback_body(
            question="Сколько воды забрал Нортгейт в 2022 году?",
            answered=False,
            answer="The documents do not say.",
            value=None,
            unit=None,
            verdict="wrong",
            comment="Table 1 has it: 118.0",
        ),
        feedback_body(
            question="2023年太阳能发电量是多少?",
            value=2140,
            verdict="wrong",
            citations=[{**asked["citations"][0], "kind": "passage", "table": None, "refs": [{"n": 2, "text": "x"}]}],
        ),
    ]
    stored = []
    for body in posts:
        response = client.post("/feedback", json=body)
        assert response.status_code == 201, response.text
        assert set(response.json()) == {"id", "stored_at"} and isinstance(response.json()["id"], int)
        at = datetime.fromisoformat(response.json()["stored_at"])
        assert at.tzinfo is not None and at.utcoffset().total_seconds() == 0
        assert abs((datetime.now(UTC) - at).total_seconds()) < 120
        stored.append(response.json())
    assert [s["id"] for s in stored] == sorted({s["id"] for s in stored})

    listing = client.get("/feedback", headers=AUTH)
    assert listing.status_code == 200 and listing.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in listing.text.splitlines()]
    assert len(lines) == 3 and listing.text.endswith("\n")
    for line in lines:
        assert set(line) == EVAL_KEYS
    first, russian, chinese = lines
    cited = asked["citations"][0]
    assert first == {
        "id": f"fb-{stored[0]['id']}",
        "kind": "table_cell",
        "lang": "en",
        "question": asked["question"],
        "numbers": [asked["value"]],
        "text": [],
        "table": cited["table"],
        "refs": [r["n"] for r in cited["refs"]],
        "verdict": "correct",
        "comment": None,
        "answer": asked["answer"],
        "stored_at": stored[0]["stored_at"],
    }
    assert first["table"] == "Table 1" and first["numbers"] == [pytest.approx(118.0)]
    assert (russian["kind"], russian["lang"], russian["numbers"], russian["table"], russian["refs"]) == (
        "abstain",
        "ru",
        [],
        None,
        [],
    )
    assert russian["comment"] == "Table 1 has it: 118.0" and russian["verdict"] == "wrong"
    assert (chinese["kind"], chinese["lang"], chinese["numbers"], chinese["refs"]) == ("prose", "zh", [], [2])

    wrong = [
        json.loads(line)
        for line in client.get("/feedback", params={"verdict": "wrong"}, headers=AUTH).text.splitlines()
    ]
    assert [w["id"] for w in wrong] == [russian["id"], chinese["id"]]
    as_json = client.get("/feedback", headers={**AUTH, "Accept": "application/json"})
    assert as_json.headers["content-type"] == "application/json" and as_json.json() == {"feedback": lines}

    # the lines are an evaluation file `citeqa eval` reads
    path = tmp_path / "feedback.jsonl"
    path.write_text(listing.text)
    assert [q["id"] for q in load_questions(path)] == [line["id"] for line in lines]

    # kept apart from the store: a write that rebuilds the store leaves it alone
    assert (site.data_dir / FEEDBACK_DB).is_file()
    with sqlite3.connect(site.data_dir / DB_NAME) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "feedback" not in tables
    assert upload(client, "harbor.md", HARBOR).status_code == 201
    assert client.get("/feedback", headers=AUTH).text == listing.text


def test_feedback_needs_no_token_but_a_valid_body(site):
    settings = Settings(data_dir=site.data_dir, api_token=None)
    with TestClient(create_app(settings, engine=site.engine), base_url=LOCAL) as client:
        assert site.client.get("/feedback", headers=AUTH).text == ""  # reading it needs the token
        assert client.post("/feedback", json=feedback_body()).status_code == 201
        cases = [
            (feedback_body(verdict="maybe"), "verdict: input should be 'correct' or 'wrong'"),
            (feedback_body(comment="x" * 2001), "comment: string should have at most 2000 characters"),
            (feedback_body(question=" "), "question: must not be blank"),
            (feedback_body(question="x" * 1001), "question: string should have at most 1000 characters"),
            ({k: v for k, v in feedback_body().items() if k != "verdict"}, "verdict: field required"),
            (feedback_body(citations=[{"doc_id": "x"}]), None),
            (feedback_body(verdcit="correct"), "verdcit: extra inputs are not permitted"),
        ]
        for body, expected in cases:
            message = assert_error(client.post("/feedback", json=body), 422, "invalid_request")
            if expected:
                assert message == expected
        assert_error(site.client.get("/feedback", params={"verdict": "maybe"}, headers=AUTH), 422, "invalid_request")
        assert len(site.client.get("/feedback", headers=AUTH).text.splitlines()) == 1


# -- engines are swapped, never pulled from under a request ---------------------------------
def test_a_swapped_out_engine_closes_when_its_last_request_ends(site, embedder):
    state = SimpleNamespace(engine=Engine.load(site.data_dir, embedder))
    slot = EngineSlot(state, owned=True)
    old = slot.acquire()
    new = Engine.load(site.data_dir, embedder)
    slot.swap(new)
    assert slot.acquire() is new
    assert old.store.documents()  # still open: a request holds it
    slot.release(old)
    with pytest.raises(sqlite3.ProgrammingError):
        old.store.documents()
    slot.release(new)
    slot.shutdown()
    with pytest.raises(sqlite3.ProgrammingError):
        new.store.documents()
    assert state.engine is None


# -- a real server ------------------------------------------------------------------------
def test_upload_then_ask_through_uvicorn_while_others_read(site):
    settings = Settings(data_dir=site.data_dir, api_token=TOKEN)
    statuses: list[int] = []
    stop = threading.Event()

    def read_all_the_time(base: str):
        with httpx.Client(base_url=base, timeout=30) as http:
            while not stop.is_set():
                statuses.append(http.post("/search", json={"query": "ferry passengers water", "top_k": 5}).status_code)

    with live_api(settings, site.engine) as base:
        readers = [threading.Thread(target=read_all_the_time, args=(base,)) for _ in range(2)]
        try:
            for reader in readers:
                reader.start()
            with httpx.Client(base_url=base, timeout=60) as http:
                assert http.post("/documents", files={"file": ("harbor.md", HARBOR.encode())}).status_code == 401
                created = http.post("/documents", files={"file": ("harbor.md", HARBOR.encode())}, headers=AUTH)
                assert created.status_code == 201, created.text
                assert created.json()["document"]["id"] == "harbor"
                answer = http.post("/ask", json={"question": FERRY_QUESTION}).json()
                assert answer["answered"] and answer["value"] == pytest.approx(402)
                assert answer["citations"][0]["doc_id"] == "harbor"
                assert http.delete("/documents/harbor", headers=AUTH).status_code == 200
                assert http.get("/documents/harbor").status_code == 404
        finally:
            stop.set()
            for reader in readers:
                if reader.is_alive():
                    reader.join(timeout=30)
        assert statuses and set(statuses) == {200}


def test_file_names_are_sanitised():
    assert sanitize_filename("../../etc/passwd.md") == "passwd.md"
    assert sanitize_filename("C:\\Users\\me\\Report (final).PDF") == "Report-final.pdf"
    assert sanitize_filename(".hidden.md") == "hidden.md"
    assert sanitize_filename("数字经济 白皮书.pdf") == "数字经济-白皮书.pdf"
    assert sanitize_filename("a\x00b;rm -rf.txt") == "a-b-rm-rf.txt"
    assert sanitize_filename("") == "upload"
