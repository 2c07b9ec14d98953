"""The benchmark's HTTP clients: as thin as a load generator should be (keep-alive HTTP/1.1
over a plain socket, each request encoded once, responses read by Content-Length), so the
figures measure the server and the benchmark leaves the two cores to it. The standard
library's `http.client` costs ~0.18 ms more per request in Python and httpx ~0.4 ms; the
benchmark reports the httpx figure beside, for comparison."""

from __future__ import annotations

import asyncio
import json
import socket

_HEAD_END = b"\r\n\r\n"


def post_bytes(path: str, payload: dict, host: str) -> bytes:
    body = json.dumps(payload).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def parse_head(head: bytes) -> tuple[int, int]:
    """(status, Content-Length) of a response head; a response without a length is an error
    (the server always sends one)."""
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            return status, int(value)
    raise ConnectionError("response without Content-Length")


class SyncClient:
    """One keep-alive connection over a blocking socket."""

    def __init__(self, host: str, port: int, timeout: float = 60):
        self._address, self._timeout = (host, port), timeout
        self._host = f"{host}:{port}"
        self._connect()

    def _connect(self) -> None:
        self._sock = socket.create_connection(self._address, timeout=self._timeout)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""

    def post(self, path: str, payload: dict) -> tuple[int, bytes]:
        try:
            return self._exchange(post_bytes(path, payload, self._host))
        except (OSError, ValueError):  # ConnectionError is an OSError
            self.close()  # a half-read response would garble the next one: start afresh
            self._connect()
            raise

    def _exchange(self, request: bytes) -> tuple[int, bytes]:
        self._sock.sendall(request)
        buffer = self._buffer
        while (end := buffer.find(_HEAD_END)) < 0:
            buffer += self._recv()
        status, length = parse_head(buffer[:end])
        start = end + len(_HEAD_END)
        while len(buffer) < start + length:
            buffer += self._recv()
        self._buffer = buffer[start + length :]
        return status, buffer[start : start + length]

    def _recv(self) -> bytes:
        data = self._sock.recv(1 << 16)
        if not data:
            raise ConnectionError("the server closed the connection")
        return data

    def close(self) -> None:
        self._sock.close()


class AsyncConnection:
    """One keep-alive connection over asyncio streams."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self._reader, self._writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> AsyncConnection:
        return cls(*await asyncio.open_connection(host, port))

    async def send(self, request: bytes) -> tuple[int, bytes]:
        self._writer.write(request)
        status, length = parse_head((await self._reader.readuntil(_HEAD_END))[: -len(_HEAD_END)])
        return status, await self._reader.readexactly(length)

    async def close(self) -> None:
        self._writer.close()
        await self._writer.wait_closed()
