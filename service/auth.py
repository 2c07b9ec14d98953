"""The bearer token that guards writes (uploading and removing documents).

The server holds one token, `CITEQA_API_TOKEN`; a write sends `Authorization: Bearer
<token>`. Without a configured token every write is refused (403), so a server started
without one is read-only; with one, a missing or wrong token is a 401.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.errors import ApiError
from service.settings import Settings

WRITES_DISABLED = (
    "writes are disabled: set CITEQA_API_TOKEN on the server and send `Authorization: Bearer <token>` "
    "with each write (`make run` sets one)"
)
CHALLENGE = {"WWW-Authenticate": "Bearer"}

# documents the scheme in OpenAPI (the "Authorize" button in /docs); the check is ours
_bearer = HTTPBearer(auto_error=False, description="the server's CITEQA_API_TOKEN")


def parse_bearer(authorization: str | None) -> str | None:
    """The token in an `Authorization: Bearer <token>` header, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def has_valid_token(settings: Settings, authorization: str | None) -> bool:
    """Whether the header carries the server's token (False when the server has none)."""
    expected, sent = settings.api_token, parse_bearer(authorization)
    return bool(expected and sent and hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8")))


def check_token(settings: Settings, authorization: str | None) -> None:
    """Raise the 403 or 401 a write gets when it may not proceed."""
    expected = settings.api_token
    if not expected:
        raise ApiError(403, WRITES_DISABLED, code="forbidden")
    sent = parse_bearer(authorization)
    if sent is None:
        raise ApiError(
            401,
            "this endpoint needs the API token: send `Authorization: Bearer <token>` "
            "(the token is the server's CITEQA_API_TOKEN)",
            code="unauthorized",
            headers=CHALLENGE,
        )
    if not hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8")):
        raise ApiError(401, "the API token is not valid", code="unauthorized", headers=CHALLENGE)


def require_token(
    request: Request, _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None
) -> None:
    """Dependency for write endpoints."""
    check_token(request.app.state.settings, request.headers.get("authorization"))
