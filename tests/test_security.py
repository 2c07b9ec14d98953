"""The API's guards over real HTTP (`docs/security.md`): bounded request bodies, who may read
feedback, the feedback rate limit, the Host check and `X-Content-Type-Options: nosniff`.

A real uvicorn server (`tests/servers.py`) on the shared engine; feedback goes to each
test's own data dir, so the shared corpus is never written to."""

from __future__ import annotations

import json

import httpx
import pytest

from service.security import RateLimiter, allowed_hosts, host_of
from service.settings import Settings
from tests.servers import live_api

TOKEN = "security-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MB = 1024 * 1024


def feedback_body(**overrides) -> dict:
    body = {
        "question": "Russia fixed broadband per 100 people 2019",
        "answer": "21.7",
        "answered": True,
        "value": 21.7,
        "unit": None,
        "citations": [],
        "verdict": "correct",
        "comment": None,
    }
    return {**body, **overrides}


def assert_error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message"}
    assert body["error"]["status"] == status and body["error"]["code"] == code
    return body["error"]["message"]


@pytest.fixture
def serve(tmp_path, corpus_engine):
    """Start a live API with these settings (the data dir is the test's own, for feedback)."""
    servers = []

    def start(**settings) -> httpx.Client:
        server = live_api(Settings(data_dir=tmp_path, **settings), corpus_engine)
        base = server.__enter__()
        servers.append(server)
        client = httpx.Client(base_url=base, timeout=60)
        servers.append(client)
        return client

    yield start
    for thing in reversed(servers):
        if isinstance(thing, httpx.Client):
            thing.close()
        else:
            thing.__exit__(None, None, None)


# -- bounded inputs --------------------------------------------------------------------------
def test_a_json_body_over_the_limit_is_413_declared_or_chunked(serve):
    client = serve(api_token=TOKEN)
    big = json.dumps({"question": "x" * (2 * MB)}).encode()
    message = assert_error(
        client.post("/ask", content=big, headers={"content-type": "application/json"}), 413, "payload_too_large"
    )
    assert message == "the request body is larger than the limit of 1024 KB (CITEQA_MAX_BODY_KB)"

    def chunks():  # no Content-Length: the limit applies while the body streams
        for i in range(0, len(big), 64 * 1024):
            yield big[i : i + 64 * 1024]

    chunked = client.post("/ask", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in chunked.request.headers
    assert chunked.request.headers["transfer-encoding"] == "chunked"
    assert assert_error(chunked, 413, "payload_too_large") == message
    # the same for /search and /feedback; a small body still passes
    assert_error(client.post("/search", json={"query": "x" * (2 * MB)}), 413, "payload_too_large")
    assert_error(client.post("/feedback", json=feedback_body(comment="x" * (2 * MB))), 413, "payload_too_large")
    assert client.post("/ask", json={"question": "Russia fixed broadband per 100 people 2019"}).status_code == 200


def test_the_body_limit_is_a_setting(serve):
    client = serve(max_body_kb=1)
    assert_error(client.post("/search", json={"query": "x" * 2000}), 413, "payload_too_large")
    assert client.post("/search", json={"query": "broadband Russia"}).status_code == 200


def test_feedback_fields_are_capped(serve):
    client = serve()
    message = assert_error(client.post("/feedback", json=feedback_body(comment="x" * 100_000)), 422, "invalid_request")
    assert message == "comment: string should have at most 2000 characters"
    assert_error(client.post("/feedback", json=feedback_body(question="x" * 5000)), 422, "invalid_request")
    assert client.post("/feedback", json=feedback_body(comment="x" * 2000)).status_code == 201


# -- who may read what -------------------------------------------------------------------------
def test_reading_feedback_needs_the_token(serve):
    client = serve(api_token=TOKEN)
    assert client.post("/feedback", json=feedback_body(comment="private remark")).status_code == 201
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = client.get("/feedback", headers=headers)
        assert_error(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"
        assert "private remark" not in response.text
    listing = client.get("/feedback", headers=AUTH)
    assert listing.status_code == 200
    assert [json.loads(line)["comment"] for line in listing.text.splitlines()] == ["private remark"]
    as_json = client.get("/feedback", headers={**AUTH, "Accept": "application/json"})
    assert as_json.headers["content-type"] == "application/json"


def test_reading_feedback_is_refused_when_the_server_has_no_token(serve):
    client = serve(api_token=None)
    assert client.post("/feedback", json=feedback_body()).status_code == 201  # sending needs none
    assert "CITEQA_API_TOKEN" in assert_error(client.get("/feedback"), 403, "forbidden")


def test_feedback_is_rate_limited_per_client(serve):
    client = serve(api_token=TOKEN, feedback_per_minute=3)
    for _ in range(3):
        assert client.post("/feedback", json=feedback_body()).status_code == 201
    refused = client.post("/feedback", json=feedback_body())
    message = assert_error(refused, 429, "too_many_requests")
    assert 1 <= int(refused.headers["retry-after"]) <= 20
    assert "at most 3 a minute" in message
    # the token holder (the UI with a token, an admin) is not limited; nothing else is
    assert client.post("/feedback", json=feedback_body(), headers=AUTH).status_code == 201
    assert client.post("/ask", json={"question": "broadband Russia 2019"}).status_code == 200
    assert len(client.get("/feedback", headers=AUTH).text.splitlines()) == 4


def test_feedback_can_need_the_token(serve):
    client = serve(api_token=TOKEN, feedback_needs_token=True)
    assert_error(client.post("/feedback", json=feedback_body()), 401, "unauthorized")
    assert client.post("/feedback", json=feedback_body(), headers=AUTH).status_code == 201


def test_a_foreign_host_is_400_in_the_error_shape(serve):
    client = serve(api_token=TOKEN)
    for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example"):
        response = client.get("/health", headers={"Host": host})
        message = assert_error(response, 400, "invalid_host")
        assert "CITEQA_ALLOWED_HOSTS" in message
        assert response.headers["x-content-type-options"] == "nosniff"
    assert_error(client.get("/feedback", headers={**AUTH, "Host": "evil.example"}), 400, "invalid_host")
    for host in ("localhost", "localhost:8000", "127.0.0.1:1234", "[::1]:8000", "LOCALHOST"):
        assert client.get("/health", headers={"Host": host}).status_code == 200, host


def test_allowed_hosts_is_a_setting(serve):
    client = serve(allowed_hosts="citeqa.example.org, *.team.example")
    for host in ("citeqa.example.org", "qa.team.example:443", "localhost"):
        assert client.get("/health", headers={"Host": host}).status_code == 200, host
    assert_error(client.get("/health", headers={"Host": "team.example.net"}), 400, "invalid_host")
    anyone = serve(allowed_hosts="*")
    assert anyone.get("/health", headers={"Host": "whatever.example"}).status_code == 200


def test_nosniff_on_every_response(serve):
    client = serve(api_token=TOKEN)
    responses = [
        client.get("/health"),
        client.get("/no/such/route"),
        client.get("/feedback"),  # 401
        client.post("/ask", json={"question": " "}),  # 422
        client.get("/docs"),
        client.get("/openapi.json"),
    ]
    assert [r.status_code for r in responses] == [200, 404, 401, 422, 200, 200]
    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff", response.request.url
    for response in responses[:4] + responses[5:]:
        assert response.headers["content-type"] == "application/json"


# -- the pieces, without a server --------------------------------------------------------------
def test_allowed_hosts_from_the_settings():
    assert allowed_hosts(Settings()) == ["localhost", "127.0.0.1", "::1"]
    assert allowed_hosts(Settings(host="0.0.0.0")) == ["localhost", "127.0.0.1", "::1"]
    assert allowed_hosts(Settings(host="citeqa.lan", allowed_hosts="qa.example.org [fe80::1]")) == [
        "localhost",
        "127.0.0.1",
        "::1",
        "citeqa.lan",
        "qa.example.org",
        "fe80::1",
    ]
    with pytest.raises(ValueError, match="wildcard"):
        Settings(allowed_hosts="qa.*.example")
    assert host_of("[::1]:8000") == "::1" and host_of("Example.org:80") == "example.org"
    assert host_of("") is None and host_of("a b") is None and host_of("[::1") is None


def test_the_token_bucket_refills():
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert limiter.take("a") == 0 and limiter.take("a") == 0
    assert limiter.take("a") == pytest.approx(30.0)  # one token every 30 s
    assert limiter.take("b") == 0  # per key
    now[0] = 30.0
    assert limiter.take("a") == 0 and limiter.take("a") > 0
    assert RateLimiter(0).take("a") == 0  # 0: no limit
