"""Uploaded files: where they live, what they may be called, and their manifest.

Uploads are saved in `<data_dir>/uploads/` under a sanitised file name, written to a hidden
temporary name first and then renamed, so the folder never holds half a file. The folder
has its own `manifest.toml` (the same format as `corpus/manifest.toml`), holding the id and
title given with an upload; it is rewritten atomically on every change.

`UploadGuard` runs before the multipart body is read: a write without a valid token, or a
body larger than the limit, is refused before the server stores a byte of it.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
import unicodedata
import uuid
from pathlib import Path, PurePath
from typing import Any, BinaryIO

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ingest.manifest import MANIFEST_NAME
from service.auth import check_token
from service.errors import ApiError, error_response
from service.settings import Settings

UPLOADS = "uploads"
ACCEPTED = (".pdf", ".md", ".markdown", ".txt", ".csv")
MB = 1024 * 1024
FORM_SLACK = 64 * 1024  # multipart boundaries, part headers and the small form fields
MAX_STEM = 100
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)
DOC_ID = re.compile(r"^\w[\w.\-]{0,127}$", re.UNICODE)
_HEADER = "# Documents uploaded through the API (POST /documents). Rewritten by the server.\n"


def uploads_dir(data_dir: Path) -> Path:
    return Path(data_dir) / UPLOADS


def accepted_types() -> str:
    return ", ".join(ACCEPTED)


def sanitize_filename(name: str | None) -> str:
    """A safe file name from a client's: the last path component, letters, digits, `.`,
    `-` and `_` only, no leading dot, the suffix lower-cased. `../../etc/x.md` → `x.md`."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"-{2,}", "-", _UNSAFE.sub("-", stem)).strip("-._")[:MAX_STEM].strip("-._") or "upload"
    suffix = _UNSAFE.sub("", suffix).lower()
    return f"{stem}.{suffix}" if suffix else stem


def suffix_of(name: str | None) -> str:
    return PurePath((name or "").replace("\\", "/")).suffix.lower()


def too_large(settings: Settings) -> ApiError:
    return ApiError(413, f"the file is larger than the limit of {settings.max_upload_mb} MB (CITEQA_MAX_UPLOAD_MB)")


# -- saving ------------------------------------------------------------------------------
def save_stream(source: BinaryIO, folder: Path, suffix: str, limit: int) -> tuple[Path, int]:
    """Copy an upload to a hidden temporary file in `folder`; (path, size). Raises
    OverflowError (and leaves nothing behind) when it is longer than `limit` bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".upload-{uuid.uuid4().hex}{suffix}.part"
    size = 0
    try:
        with tmp.open("wb") as out:
            while block := source.read(1 << 20):
                size += len(block)
                if size > limit:
                    raise OverflowError(size)
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, size


# -- the uploads manifest ----------------------------------------------------------------
def _toml_str(value: str) -> str:
    # a JSON string is a TOML basic string, except that TOML wants DEL escaped too
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _toml_str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_str(key)


def dump_manifest(data: dict) -> str:
    lines = [_HEADER]
    for key, value in data.items():
        if key != "document":
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}\n")
    for entry in data.get("document", []):
        lines.append("\n[[document]]\n")
        lines.extend(f"{_toml_key(k)} = {_toml_value(v)}\n" for k, v in entry.items())
    return "".join(lines)


class UploadsManifest:
    """`<uploads>/manifest.toml`: one `[[document]]` entry per uploaded file that has an id
    or title of its own. It always exists once anything was uploaded, so the ingest's
    search for a manifest stops in the uploads folder and never reads one further up."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / MANIFEST_NAME

    def read(self) -> dict:
        if not self.path.is_file():
            return {"document": []}
        data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        data.setdefault("document", [])
        return data

    def snapshot(self) -> str | None:
        return self.path.read_text(encoding="utf-8") if self.path.is_file() else None

    def restore(self, text: str | None) -> None:
        if text is None:
            self.path.unlink(missing_ok=True)
        else:
            self._write_text(text)

    def entry(self, file_name: str) -> dict | None:
        return next((e for e in self.read()["document"] if e.get("path") == file_name), None)

    def put(self, file_name: str, *, doc_id: str | None, title: str | None) -> None:
        """Add or replace the entry for `file_name` (fields not given keep their value)."""
        data = self.read()
        old: dict[str, Any] = next((e for e in data["document"] if e.get("path") == file_name), {})
        entry = {**old, "path": file_name}
        if doc_id:
            entry["id"] = doc_id
        if title:
            entry["title"] = title
        data["document"] = [e for e in data["document"] if e.get("path") != file_name]
        if set(entry) != {"path"}:
            data["document"].append(entry)
        self.write(data)

    def remove(self, file_name: str) -> None:
        data = self.read()
        kept = [e for e in data["document"] if e.get("path") != file_name]
        if len(kept) != len(data["document"]):
            data["document"] = kept
            self.write(data)

    def ensure(self) -> None:
        if not self.path.is_file():
            self.write({"document": []})

    def write(self, data: dict) -> None:
        self._write_text(dump_manifest(data))

    def _write_text(self, text: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{MANIFEST_NAME}.{uuid.uuid4().hex}.tmp"
        with tmp.open("w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)


# -- before the body is read ---------------------------------------------------------------
class UploadGuard:
    """For `POST /documents`: check the token and the declared size before the body is
    parsed, and stop a body (chunked or not) that grows past the limit while it streams."""

    def __init__(self, app: ASGIApp, *, settings: Settings):
        self.app = app
        self.settings = settings

    def _applies(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "POST":
            return False
        path, root = scope["path"], scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        return path.rstrip("/") == "/documents"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._applies(scope):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self.settings.max_upload_mb * MB + FORM_SLACK
        try:
            check_token(self.settings, headers.get("authorization"))
            length = headers.get("content-length", "")
            if length.isdigit() and int(length) > limit:
                raise too_large(self.settings)
        except ApiError as exc:
            response = error_response(exc.status_code, exc.detail, code=exc.code, headers=exc.headers)
            await response(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large(self.settings)  # FastAPI re-raises it from the form parser
            return message

        await self.app(scope, limited, send)
