"""The documents list and ingest summaries, as plain data for the Documents page."""

from __future__ import annotations

import pandas as pd

COLUMNS = ["title", "id", "kind", "language", "pages", "chunks", "tables", "ingested at", "file"]


def documents_frame(documents: list[dict]) -> pd.DataFrame:
    rows = [
        {
            "title": d["title"],
            "id": d["id"],
            "kind": d["kind"],
            "language": d.get("language") or "",
            "pages": d.get("pages"),
            "chunks": d["counts"]["chunks"],
            "tables": d["counts"]["tables"],
            "ingested at": (d.get("ingested_at") or "").replace("T", " ").replace("Z", " UTC"),
            "file": d.get("path") or "",
        }
        for d in documents
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["pages"] = frame["pages"].astype("Int64")
    return frame


def summary_text(summary: dict) -> str:
    """ "added 1 · updated 0 · … — 12 chunks (3 table rows), 12 embedded" from an ingest summary."""
    counts = " · ".join(f"{k} {summary.get(k, 0)}" for k in ("added", "updated", "unchanged", "removed", "failed"))
    extra = []
    if "chunks" in summary:
        rows = f" ({summary['table_rows']} table rows)" if summary.get("table_rows") else ""
        extra.append(f"{summary['chunks']} chunks{rows}")
    if "embedded" in summary:
        extra.append(f"{summary['embedded']} embedded")
    return counts + (" — " + ", ".join(extra) if extra else "")


def file_notes(summary: dict) -> list[str]:
    """One line per file the summary reports on: status, id, path and any message."""
    notes = []
    for f in summary.get("files") or []:
        if isinstance(f, dict):
            parts = [str(f.get("status", "")), str(f.get("doc_id") or ""), str(f.get("path") or "")]
            line = " · ".join(p for p in parts if p)
            if f.get("message"):
                line += f": {f['message']}"
            notes.append(line)
        else:
            notes.append(str(f))
    return notes
