"""The benchmark's HTTP clients: as thin as a load generator should be (keep-alive HTTP/1.1,
one pre-encoded request, responses read by Content-Length), so the figures measure the
server and the benchmark leaves the two cores to it. httpx costs ~0.4 ms more per request
in Python; the benchmark reports it beside, for comparison."""

from __future__ import annotations

import asyncio
import http.client
import json


def post_bytes(path: str, payload: dict, host: str) -> bytes:
    body = json.dumps(payload).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class SyncClient:
    """One keep-alive connection (the standard library's)."""

    def __init__(self, host: str, port: int, timeout: float = 60):
        self._conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def post(self, path: str, payload: dict) -> tuple[int, bytes]:
        # the body goes as bytes, so headers and body leave in one send (no Nagle delay)
        self._conn.request(
            "POST", path, body=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
        )
        response = self._conn.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self._conn.close()


class AsyncConnection:
    """One keep-alive connection over asyncio streams."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self._reader, self._writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> AsyncConnection:
        return cls(*await asyncio.open_connection(host, port))

    async def send(self, request: bytes) -> tuple[int, bytes]:
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = next(
            (int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")), None
        )
        if length is None:
            raise ConnectionError("response without Content-Length")
        return status, await self._reader.readexactly(length)

    async def close(self) -> None:
        self._writer.close()
        await self._writer.wait_closed()
