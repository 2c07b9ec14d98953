"""The API against its own OpenAPI schema: schemathesis generates requests from /openapi.json
(valid ones and, for the operations that take a body or a query, invalid ones) and checks
every response:

- no 5xx (`not_a_server_error`; in process, an unhandled exception fails the case too);
- the status code is one the schema lists (`status_code_conformance`);
- the body matches the schema of that status (`response_schema_conformance`), errors included
  (`{"error": {"status", "code", "message"}}`);
- the content type is the documented one (`content_type_conformance`).

The real app in process (ASGI), real model, real store and index. The read endpoints run on
the shared read-only `corpus_engine`; the writes (uploads, removals, feedback) on a private
data dir with a token, so nothing the other tests read is changed.

Bounded and repeatable: hypothesis drives each operation's strategy itself (`derandomize`,
no example database, no shrinking), `MAX_EXAMPLES` generated cases per operation and mode,
after explicit cases for the stored documents. (schemathesis' own `parametrize` needs
`request.node._nodeid`, which pytest 9 no longer has.)
"""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, example, given, settings

from service.answering.engine import Engine
from service.main import create_app
from service.settings import Settings
from tests.conftest import SECOND_REPORT

MAX_EXAMPLES = 50
TOKEN = "contract-token-7d2e"
CHECKS = {
    "enabled": False,
    "not_a_server_error": {"enabled": True},
    "status_code_conformance": {"enabled": True},
    "content_type_conformance": {"enabled": True},
    "response_schema_conformance": {"enabled": True},
}


def _config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": 14,
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "no-shrink": True},
            "checks": CHECKS,
        }
    )


@pytest.fixture(scope="module")
def read_schema(corpus_engine, corpus_data):
    # schemathesis calls the app as `testserver`: a host the API is told to answer to
    app = create_app(
        Settings(data_dir=corpus_data.data_dir, api_token=None, allowed_hosts="testserver"), engine=corpus_engine
    )
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=_config())


@pytest.fixture(scope="module")
def write_schema(tmp_path_factory, ingest, embedder):
    root = tmp_path_factory.mktemp("contract-writes")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SECOND_REPORT, corpus / SECOND_REPORT.name)
    data_dir = root / "data"
    assert not ingest([corpus], data_dir).failed
    engine = Engine.load(data_dir, embedder)
    app = create_app(Settings(data_dir=data_dir, api_token=TOKEN, allowed_hosts="testserver"), engine=engine)
    yield schemathesis.openapi.from_asgi("/openapi.json", app, config=_config())
    engine.store.close()


POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
# (method, path, modes): invalid inputs for the operations that take a body or a query
# (the others have no input a request could get wrong: any string is a document id)
READS = [
    ("GET", "/health", [POSITIVE]),
    ("GET", "/documents", [POSITIVE]),
    ("GET", "/documents/{doc_id}", [POSITIVE]),
    ("GET", "/documents/{doc_id}/tables", [POSITIVE]),
    ("GET", "/documents/{doc_id}/tables/{label}", [POSITIVE]),
    ("GET", "/documents/{doc_id}/references", [POSITIVE]),
    ("GET", "/documents/{doc_id}/verification", [POSITIVE]),
    ("POST", "/ask", [POSITIVE, NEGATIVE]),
    ("POST", "/search", [POSITIVE, NEGATIVE]),
]
# the writes, on the private data dir; GET /feedback reads the feedback the POSTs stored
WRITES = [
    ("POST", "/documents", [POSITIVE, NEGATIVE]),
    ("DELETE", "/documents/{doc_id}", [POSITIVE, NEGATIVE]),
    ("POST", "/feedback", [POSITIVE, NEGATIVE]),
    ("GET", "/feedback", [POSITIVE, NEGATIVE]),
]


def _params(operations):
    return [
        pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")
        for method, path, modes in operations
        for mode in modes
    ]


def _run(schema, method: str, path: str, mode, examples=(), headers: dict | None = None) -> list[int]:
    """MAX_EXAMPLES generated cases of one operation (after the explicit `examples`, path
    parameters that exist), each sent and checked; the status codes they got."""
    operation = schema[path][method]
    statuses: list[int] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failure, reported as is
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        statuses.append(case.call_and_validate(headers=headers).status_code)

    if mode is POSITIVE:
        for params in examples:
            check = example(case=operation.Case(path_parameters=params))(check)
    check()
    return statuses


def test_every_operation_is_checked(read_schema):
    listed = {(method, path) for method, path, _ in READS + WRITES}
    served = {(op.ok().method.upper(), op.ok().path) for op in read_schema.get_all_operations()}
    assert served == listed


@pytest.mark.parametrize(("method", "path", "mode"), _params(READS))
def test_read_endpoints_keep_their_contract(read_schema, corpus_engine, method, path, mode):
    examples = []
    if "{doc_id}" in path:  # the stored documents and their tables, not only ids that 404
        for doc in corpus_engine.store.documents():
            tables = corpus_engine.store.tables(doc.id)
            if "{label}" not in path:
                examples.append({"doc_id": doc.id})
            elif tables:
                examples.append({"doc_id": doc.id, "label": tables[0].label})
    statuses = _run(read_schema, method, path, mode, examples)
    print(f"{method} {path} {mode.value}: {len(statuses)} cases, statuses {sorted(set(statuses))}")
    assert statuses
    if mode is POSITIVE:  # valid requests reach the endpoint (not stopped at the host check) and some succeed
        assert 400 not in statuses and any(200 <= s < 300 for s in statuses)


@pytest.mark.parametrize(("method", "path", "mode"), _params(WRITES))
def test_write_endpoints_keep_their_contract(write_schema, method, path, mode):
    examples = [{"doc_id": "lakeland-water-report"}] if "{doc_id}" in path else []
    statuses = _run(write_schema, method, path, mode, examples, headers={"Authorization": f"Bearer {TOKEN}"})
    print(f"{method} {path} {mode.value}: {len(statuses)} cases, statuses {sorted(set(statuses))}")
    assert statuses


def test_feedback_with_an_integer_json_cannot_carry_is_refused_not_stored(write_schema):
    # found by the run above: such a citation was stored, and every GET /feedback then failed (500)
    citation = {
        "doc_id": "d",
        "doc_title": "D",
        "kind": "passage",
        "locator": "p. 1",
        "snippet": "s",
        "score": 1.0,
        "refs": [{"n": 2**64, "text": "t"}],
    }
    body = {"question": "q?", "answer": "a", "answered": True, "citations": [citation], "verdict": "wrong"}
    with TestClient(write_schema.app, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        response = client.post("/feedback", json=body)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["message"].startswith("citations[0].refs[0].n: ")
        assert client.get("/feedback").status_code == 200
