"""The documents list and what an upload or a delete did, in plain words, for the Documents page."""

from __future__ import annotations

import pandas as pd

COLUMNS = ["title", "id", "kind", "language", "pages", "chunks", "tables", "ingested at", "file"]
UNKNOWN = "—"


def _when(stamp: str | None) -> str:
    """ "2026-11-30T05:09:24Z" → "2026-11-30 05:09 UTC" (minutes are enough to read)."""
    if not stamp:
        return UNKNOWN
    text = stamp.replace("T", " ")
    utc = text.endswith("Z")
    text = text.rstrip("Z")
    day, _, time = text.partition(" ")
    return f"{day} {time[:5]}".strip() + (" UTC" if utc else "")


def documents_frame(documents: list[dict]) -> pd.DataFrame:
    """One row a document, every cell text: an unknown page count is "—", never "None"."""
    rows = [
        {
            "title": d["title"],
            "id": d["id"],
            "kind": d["kind"],
            "language": d.get("language") or UNKNOWN,
            "pages": str(d["pages"]) if d.get("pages") is not None else UNKNOWN,
            "chunks": str(d["counts"]["chunks"]),
            "tables": str(d["counts"]["tables"]),
            "ingested at": _when(d.get("ingested_at")),
            "file": d.get("path") or UNKNOWN,
        }
        for d in documents
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _contents(document: dict) -> str:
    counts = document.get("counts") or {}
    return f"{_plural(int(counts.get('tables', 0)), 'table')}, {_plural(int(counts.get('chunks', 0)), 'passage')}"


def upload_message(result: dict, name: str) -> tuple[bool, str]:
    """What `POST /documents` did, in words: (ok, text), e.g. (True, "Added ‘Harbour note’: 0 tables,
    1 passage"). A failed file is (False, "Could not add NAME: why")."""
    summary = result.get("summary") or {}
    document = result.get("document") or {}
    title = document.get("title") or name
    files = [f for f in summary.get("files") or [] if isinstance(f, dict)]
    failed = [f for f in files if f.get("status") == "failed"]
    if failed or summary.get("failed"):
        why = "; ".join(str(f.get("message") or "the file could not be read") for f in failed) or "unknown error"
        return False, f"Could not add {name}: {why}"
    status = next((str(f.get("status")) for f in files if f.get("status")), "")
    if not status:
        status = next((k for k in ("added", "updated", "unchanged") if summary.get(k)), "added")
    if status == "unchanged":
        return True, f"Unchanged ‘{title}’: the same file was added before ({_contents(document)})"
    verb = "Updated" if status == "updated" else "Added"
    return True, f"{verb} ‘{title}’: {_contents(document)}"


def delete_message(title: str, summary: dict) -> tuple[bool, str]:
    """What `DELETE /documents/{id}` did, in words."""
    files = [f for f in summary.get("files") or [] if isinstance(f, dict)]
    failed = [f for f in files if f.get("status") == "failed"]
    if failed or summary.get("failed"):
        why = "; ".join(str(f.get("message") or "unknown error") for f in failed) or "unknown error"
        return False, f"Could not delete ‘{title}’: {why}"
    return True, f"Deleted ‘{title}’: answers no longer cite it"
