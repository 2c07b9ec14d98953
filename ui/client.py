"""A small HTTP client for the citeqa API. The UI talks to the service only through this.

Every failure becomes one of two exceptions with a message for people and the next step:
`ApiUnavailable` (nothing answers at the URL, or it answers too slowly) and `ApiError`
(the API answered with its error shape `{"error": {"status", "code", "message"}}`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx

CONNECT_TIMEOUT = 5.0
START_HINT = "Start it with `make run` or `citeqa serve`, or point the UI elsewhere with CITEQA_API_URL."


class ClientError(Exception):
    """Base of the errors a page shows: `message` says what happened, `hint` what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class ApiUnavailable(ClientError):
    """Nothing answered at the API's URL (refused, unresolvable, timed out)."""


class ApiError(ClientError):
    """The API answered with an error."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message, _hint(status, code, message))
        self.status = status
        self.code = code


def _hint(status: int, code: str, message: str) -> str:
    if status == 401:
        return "The UI's token was not accepted: set the same CITEQA_API_TOKEN for the API and the UI."
    if status == 403 and "CITEQA_API_TOKEN" in message:
        return "Restart the API with CITEQA_API_TOKEN set (make run does this), and give the UI the same token."
    if status == 403:
        return "The UI's token does not allow this."
    if status == 404 and message.startswith("no such endpoint"):
        return "The API at this URL is older than the UI or not citeqa; update and restart it."
    if status == 400 and code == "invalid_host":
        return "Add the host name of the UI's CITEQA_API_URL to the API's CITEQA_ALLOWED_HOSTS."
    if status == 413 and "CITEQA_MAX_UPLOAD_MB" in message:
        return "Upload a smaller file."
    if status == 429:
        return "Wait a little and try again."
    if status == 415:
        return "Upload a PDF, markdown, text or CSV file."
    if status >= 500:
        return "The API's log has the details."
    return ""


class ApiClient:
    """Methods named after the endpoints; each returns the decoded JSON body."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout: float = 60.0,
        *,
        upload_timeout: float = 900.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token or None
        self.timeout = timeout
        self.upload_timeout = upload_timeout
        headers = {"Accept": "application/json", "User-Agent": "citeqa-ui"}
        # a server that does not take the connection within a few seconds is down, not busy
        limits = httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT))
        self._http = httpx.Client(base_url=self.base_url, timeout=limits, headers=headers, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def can_write(self) -> bool:
        return self.token is not None

    # -- transport --------------------------------------------------------------------
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def _send(
        self, method: str, path: str, *, auth: bool = False, timeout: float | None = None, **kwargs
    ) -> httpx.Response:
        headers = {**kwargs.pop("headers", {}), **(self._auth() if auth else {})}
        try:
            response = self._http.request(
                method,
                path,
                headers=headers,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
                **kwargs,
            )
        except httpx.ConnectTimeout:
            raise ApiUnavailable(
                f"The citeqa API at {self.base_url} is not reachable (the connection timed out).", START_HINT
            ) from None
        except httpx.TimeoutException:
            wait = timeout if timeout is not None else self.timeout
            raise ApiUnavailable(
                f"The citeqa API at {self.base_url} did not answer within {wait:g} s.",
                "It may still be loading or busy; try again, or raise CITEQA_API_TIMEOUT.",
            ) from None
        except httpx.TransportError as exc:
            raise ApiUnavailable(
                f"The citeqa API at {self.base_url} is not reachable ({_reason(exc)}).", START_HINT
            ) from None
        if response.status_code >= 400:
            raise _error_from(response)
        return response

    def _json(self, method: str, path: str, **kwargs) -> Any:
        response = self._send(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise ApiError(
                response.status_code, "bad_response", f"{self.base_url}{path} did not answer with JSON"
            ) from None

    # -- endpoints --------------------------------------------------------------------
    def health(self) -> dict:
        return self._json("GET", "/health")

    def ask(self, question: str, top_k: int = 5, doc_ids: list[str] | None = None) -> dict:
        body = {"question": question, "top_k": top_k, "filters": {"doc_ids": list(doc_ids)} if doc_ids else None}
        return self._json("POST", "/ask", json=body)

    def search(self, query: str, top_k: int = 5, doc_ids: list[str] | None = None) -> dict:
        body = {"query": query, "top_k": top_k, "filters": {"doc_ids": list(doc_ids)} if doc_ids else None}
        return self._json("POST", "/search", json=body)

    def documents(self) -> list[dict]:
        return self._json("GET", "/documents")["documents"]

    def document(self, doc_id: str) -> dict:
        return self._json("GET", f"/documents/{_segment(doc_id)}")

    def tables(self, doc_id: str) -> list[dict]:
        return self._json("GET", f"/documents/{_segment(doc_id)}/tables")["tables"]

    def table(self, doc_id: str, label: str) -> dict:
        return self._json("GET", f"/documents/{_segment(doc_id)}/tables/{_segment(label)}")

    def references(self, doc_id: str) -> list[dict]:
        return self._json("GET", f"/documents/{_segment(doc_id)}/references")["references"]

    def verification(self, doc_id: str) -> dict:
        """`GET /documents/{id}/verification`: `{"cells", "summary", "doc_ids", "reference_flags", "releases"}`."""
        return self._json("GET", f"/documents/{_segment(doc_id)}/verification")

    def upload(
        self,
        filename: str,
        content: bytes,
        *,
        doc_id: str | None = None,
        title: str | None = None,
        content_type: str | None = None,
    ) -> dict:
        """`POST /documents`: ingest one file. Returns `{"summary", "document"}`."""
        data = {k: v for k, v in {"doc_id": doc_id, "title": title}.items() if v}
        files = {"file": (filename, content, content_type or _mime(filename))}
        return self._json("POST", "/documents", auth=True, files=files, data=data, timeout=self.upload_timeout)

    def delete_document(self, doc_id: str) -> dict:
        """`DELETE /documents/{id}`. Returns `{"removed", "summary"}`."""
        return self._json("DELETE", f"/documents/{_segment(doc_id)}", auth=True, timeout=self.upload_timeout)

    def feedback(
        self,
        answer: dict,
        verdict: str,
        comment: str | None = None,
    ) -> dict:
        """`POST /feedback` about an `/ask` answer; verdict is "correct" or "wrong"."""
        if verdict not in ("correct", "wrong"):
            raise ValueError(f"verdict must be 'correct' or 'wrong', not {verdict!r}")
        body = {
            "question": answer["question"],
            "answer": answer["answer"],
            "answered": answer["answered"],
            "value": answer.get("value"),
            "unit": answer.get("unit"),
            "citations": answer.get("citations", []),
            "verdict": verdict,
            "comment": (comment or "").strip() or None,
        }
        return self._json("POST", "/feedback", auth=self.can_write, json=body)

    def feedback_entries(self, verdict: str | None = None) -> Iterator[dict]:
        """`GET /feedback` (NDJSON: one evaluation item a line), one entry at a time; needs the token."""
        params = {"verdict": verdict} if verdict else None
        headers = {"Accept": "application/x-ndjson"}
        response = self._send("GET", "/feedback", auth=True, params=params, headers=headers)
        for line in response.text.splitlines():
            if line.strip():
                yield json.loads(line)


def _segment(value: str) -> str:
    return quote(value, safe="")


def _mime(filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return {
        "pdf": "application/pdf",
        "md": "text/markdown",
        "markdown": "text/markdown",
        "txt": "text/plain",
        "csv": "text/csv",
    }.get(suffix, "application/octet-stream")


def _reason(exc: httpx.TransportError) -> str:
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "name or service not known" in lowered or "nodename nor servname" in lowered or "getaddrinfo" in lowered:
        return "unknown host"
    return text


def _error_from(response: httpx.Response) -> ApiError:
    status = response.status_code
    try:
        error = response.json()["error"]
        return ApiError(int(error.get("status", status)), str(error.get("code", "error")), str(error["message"]))
    except (ValueError, KeyError, TypeError):
        text = " ".join(response.text.split())[:200] or response.reason_phrase
        return ApiError(status, "error", f"the API answered {status}: {text}")
