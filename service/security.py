"""The API's guards that are not about tokens (`auth.py`) or uploads (`uploads.py`); the
threat model and what each guard is for are in `docs/security.md`.

- `HostCheck`: Starlette's `TrustedHostMiddleware`, answering a foreign `Host` with the one
  JSON error shape. A web page that rebinds its own name to 127.0.0.1 (DNS rebinding) sends
  its name as `Host`, so it cannot read the API from the user's browser.
- `BodyLimit`: a request body (all but `POST /documents`, which has its own limit) larger
  than `CITEQA_MAX_BODY_KB` is refused: at once when `Content-Length` says so, and as soon as
  a chunked body grows past it while it streams. Nothing larger is ever held in memory.
- `NoSniff`: `X-Content-Type-Options: nosniff` on every response.
- `RateLimiter`: a token bucket per client address (`POST /feedback`).
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections.abc import Sequence

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import ApiError, error_response
from service.settings import Settings

KB = 1024
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
_ANY_ADDRESS = {"", "0.0.0.0", "::"}


def _path(scope: Scope) -> str:
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path


def _bare(host: str) -> str:
    """A host name or address without IPv6 brackets, lower-cased: `[::1]` → `::1`."""
    host = host.strip().lower()
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def allowed_hosts(settings: Settings) -> list[str]:
    """The `Host` names the API answers to: the local names, the address it was told to
    listen on (unless that is every address), and `CITEQA_ALLOWED_HOSTS`."""
    hosts = list(LOCAL_HOSTS)
    own = _bare(settings.host)
    if own not in _ANY_ADDRESS:
        hosts.append(own)
    hosts.extend(_bare(h) for h in settings.allowed_host_list())
    return list(dict.fromkeys(hosts))


def host_of(header: str | None) -> str | None:
    """The host part of a `Host` header (no port, no IPv6 brackets), or None if malformed."""
    value = (header or "").strip().lower()
    if not value:
        return None
    if value.startswith("["):  # [::1]:8000
        end = value.find("]")
        if end < 0 or (value[end + 1 :] and not value[end + 1 :].startswith(":")):
            return None
        host = value[1:end]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return None
        return host
    host, _, port = value.partition(":")
    if not host or (port and not port.isdigit()) or any(c in host for c in "/\\@ "):
        return None
    return host


class HostCheck(TrustedHostMiddleware):
    """`TrustedHostMiddleware` with the API's error shape (a JSON 400, not plain text) and no
    `www.` redirect; `[::1]` and `::1` are the same host. `*` allows any host."""

    def __init__(self, app: ASGIApp, allowed_hosts: Sequence[str]) -> None:
        super().__init__(app, allowed_hosts=[_bare(h) for h in allowed_hosts], www_redirect=False)

    def _allows(self, host: str) -> bool:
        return any(
            host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:]))
            for pattern in self.allowed_hosts
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allow_any or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = Headers(scope=scope).get("host")
        host = host_of(header)
        if host is not None and self._allows(host):
            await self.app(scope, receive, send)
            return
        shown = (header or "")[:100]
        message = (
            f"this server does not answer to the host {shown!r}; "
            "add it to the server's CITEQA_ALLOWED_HOSTS (see docs/security.md)"
            if header
            else "the request has no Host header"
        )
        await error_response(400, message, code="invalid_host")(scope, receive, send)


class BodyTooLarge(ApiError):
    def __init__(self, limit_kb: int):
        super().__init__(
            413,
            f"the request body is larger than the limit of {limit_kb} KB (CITEQA_MAX_BODY_KB)",
            code="payload_too_large",
        )


class BodyLimit:
    """Refuse a request body over the limit, before the app reads it (see the module doc).
    `POST /documents` is left to `UploadGuard`, which applies the upload limit."""

    def __init__(self, app: ASGIApp, *, settings: Settings):
        self.app = app
        self.limit_kb = settings.max_body_kb
        self.limit = settings.max_body_kb * KB

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"] == "POST" and _path(scope).rstrip("/") == "/documents"):
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > self.limit:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit_kb)  # FastAPI re-raises it: a 413 in the error shape
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, watched)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)  # raised where nothing turned it into a response

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        exc = BodyTooLarge(self.limit_kb)
        await error_response(exc.status_code, exc.detail, code=exc.code)(scope, receive, send)


NOSNIFF = (b"x-content-type-options", b"nosniff")


class NoSniff:
    """`X-Content-Type-Options: nosniff` on every response, errors and /docs included."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "x-content-type-options" not in headers:
                    headers.append("X-Content-Type-Options", "nosniff")
            await send(message)

        await self.app(scope, receive, with_header)


class RateLimiter:
    """A token bucket per key (a client address): `per_minute` requests at once, refilled at
    `per_minute` a minute. In-process and in memory: it forgets everything on a restart, and
    each worker process has its own. Full buckets are dropped when there are many keys."""

    MAX_KEYS = 10_000

    def __init__(self, per_minute: int, *, clock=time.monotonic):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens a second
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, when)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take one token for `key`: 0.0 when allowed, else the seconds until one is free."""
        if self.capacity <= 0:
            return 0.0
        with self._lock:
            now = self.clock()
            tokens, then = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > self.MAX_KEYS:
                    self._prune(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        full = [k for k, (t, w) in self._buckets.items() if t + (now - w) * self.rate >= self.capacity]
        for key in full:
            del self._buckets[key]

    def check(self, key: str, what: str) -> None:
        """Raise the 429 (with `Retry-After`) when `key` is over its rate."""
        wait = self.take(key)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(
                429,
                f"too many {what} from this address: at most {self.capacity:g} a minute; try again in {seconds} s",
                headers={"Retry-After": str(seconds)},
            )
