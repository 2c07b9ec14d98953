"""`citeqa serve`: the HTTP API under uvicorn, one process holding the model and index."""

from __future__ import annotations

import logging
import os
import socket
import sys
from pathlib import Path

from index.embedder import resolve_model_path
from service.main import StartupError, check_data_dir
from service.settings import get_settings

log = logging.getLogger("citeqa.server")


def serve(host: str | None = None, port: int | None = None, data_dir: str | Path | None = None) -> None:
    """Run the API until interrupted. Raises `StartupError` (with what to do) before loading
    anything when the data dir holds no index, or when the address is unusable."""
    os.environ["HF_HUB_OFFLINE"] = "1"  # the model ships in a package; never download at run time
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    settings = get_settings()
    update: dict = {}
    if data_dir is not None:
        update["data_dir"] = Path(data_dir)
    if host is not None:
        update["host"] = host
    if port is not None:
        update["port"] = port
    settings = settings.model_copy(update=update)
    if not 0 <= settings.port <= 65535:
        raise StartupError(f"port {settings.port} is out of range (0–65535)")
    check_data_dir(settings.data_dir)

    try:
        resolve_model_path(settings.model)
    except ValueError as exc:
        raise StartupError(str(exc)) from None
    sock = bind(settings.host, settings.port)  # before the model loads: a busy port fails fast

    import uvicorn

    from service.main import create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    logging.getLogger("citeqa").setLevel(logging.INFO)
    bound_host, bound_port = sock.getsockname()[:2]
    url = f"http://{f'[{bound_host}]' if ':' in bound_host else bound_host}:{bound_port}"
    log.info("citeqa: loading model %s and the index in %s …", settings.model, settings.data_dir.resolve())

    class Server(uvicorn.Server):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                log.info("citeqa API listening on %s (OpenAPI docs at %s/docs); Ctrl+C to stop", url, url)

    if settings.host.strip("[]") in ("0.0.0.0", "::") and not settings.allowed_host_list():
        log.warning(
            "citeqa: listening on every address, but only requests for localhost pass the Host check; "
            "set CITEQA_ALLOWED_HOSTS to the names clients use (docs/security.md)"
        )
    _fewer_malloc_arenas()
    # hand the GIL over sooner (default 5 ms): the event loop then picks up a finished answer at once
    sys.setswitchinterval(0.001)
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=bound_port,
        log_level="info",
        access_log=settings.access_log,  # a line per request costs throughput; off unless asked for
        timeout_graceful_shutdown=5,
        # the client address (the feedback rate limit's key) from X-Forwarded-For, when it comes
        # from a proxy listed here (default: $FORWARDED_ALLOW_IPS or 127.0.0.1,::1); docs/security.md
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
    try:
        Server(config).run(sockets=[sock])
    finally:
        sock.close()


def _fewer_malloc_arenas() -> None:
    """glibc gives each thread its own malloc arena; two are plenty here and keep RSS down."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass  # not glibc: nothing to tune


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket on host:port, or a `StartupError` saying why not."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise StartupError(f"cannot resolve host {host!r}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock
