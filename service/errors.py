"""One JSON shape for every error the API returns, rendered by one set of handlers:

    {"error": {"status": 404, "code": "not_found", "message": "no document 'x'; documents: a, b"}}

`code` is a stable machine word; `message` is for people. A traceback never leaves the
server: unexpected exceptions are logged and answered with a 500 `internal_error`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ExceptionHandler

log = logging.getLogger("citeqa.api")

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str


class ErrorResponse(BaseModel):
    """The shape of every error response."""

    error: ErrorBody


class ApiError(StarletteHTTPException):
    """An HTTP error with an explicit `code` (otherwise derived from the status)."""

    def __init__(self, status: int, message: str, *, code: str | None = None, headers: dict | None = None):
        super().__init__(status_code=status, detail=message, headers=headers)
        self.code = code or code_for(status)


def code_for(status: int) -> str:
    if status in CODES:
        return CODES[status]
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def error_response(
    status: int, message: str, *, code: str | None = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"status": status, "code": code or code_for(status), "message": message}}
    # set here too, not only by the NoSniff middleware: a 500 is rendered outside it
    return JSONResponse(body, status_code=status, headers={**(headers or {}), "X-Content-Type-Options": "nosniff"})


def _default_phrase(status: int) -> str | None:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return None


async def http_exception_handler(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    status = exc.status_code
    detail = exc.detail if isinstance(exc.detail, str) else None
    generic = detail is None or detail == _default_phrase(status)
    if status == 404 and generic:
        message = f"no such endpoint: {request.method} {request.url.path} (see /docs)"
    elif status == 405 and generic:
        allowed = (exc.headers or {}).get("Allow") or (exc.headers or {}).get("allow")
        message = f"method {request.method} is not allowed on {request.url.path}"
        if allowed:
            message += f"; allowed: {allowed}"
    elif generic:
        message = _default_phrase(status) or "error"
    else:
        message = detail
    code = getattr(exc, "code", None)
    return error_response(status, message, code=code, headers=getattr(exc, "headers", None))


def _field(loc: tuple | list) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        where, parts = parts[0], parts[1:]
        if not parts:
            return "request body" if where == "body" else where
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out


def _describe(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    loc = tuple(error.get("loc", ()))
    if kind == "json_invalid":
        reason = (error.get("ctx") or {}).get("error", "decode error")
        pos = loc[1] if len(loc) > 1 else None
        at = f" at character {pos}" if isinstance(pos, int) else ""
        return f"request body is not valid JSON{at}: {reason}"
    field = _field(loc)
    if kind == "missing" and field == "request body":
        return "request body is missing; send a JSON object"
    if kind == "model_attributes_type" and field == "request body":
        return "request body must be a JSON object"
    msg = error.get("msg", "invalid value")
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return f"{field}: {msg[:1].lower() + msg[1:]}"


async def validation_exception_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    messages = list(dict.fromkeys(_describe(e) for e in errors)) or ["invalid request"]
    return error_response(422, "; ".join(messages), code="invalid_request")


async def unhandled_exception_handler(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal server error; the server log has the details", code="internal_error")


def install_error_handlers(app: FastAPI) -> None:
    # Starlette types a handler as taking any Exception; each of these is registered for
    # (and only ever called with) its own exception class
    app.add_exception_handler(StarletteHTTPException, cast(ExceptionHandler, http_exception_handler))
    app.add_exception_handler(RequestValidationError, cast(ExceptionHandler, validation_exception_handler))
    app.add_exception_handler(Exception, unhandled_exception_handler)


def error_responses(*statuses: int) -> dict[int | str, dict]:
    """OpenAPI `responses` entries for the error shape."""
    return {s: {"model": ErrorResponse, "description": HTTPStatus(s).phrase} for s in statuses}
