"""Users' verdicts on answers, kept in their own SQLite file, `<data_dir>/feedback.db`.

It is not in `citeqa.db` on purpose: ingests, uploads and removals rewrite the store, and
feedback must outlive all of them. Each item can be read back as a line of the evaluation
file format (`eval/README.md`), so `citeqa eval` can run users' questions again.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

FEEDBACK_DB = "feedback.db"

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    stored_at REAL NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    answered INTEGER NOT NULL,
    value REAL,
    unit TEXT,
    citations TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('correct', 'wrong')),
    comment TEXT
);
CREATE INDEX IF NOT EXISTS feedback_verdict ON feedback(verdict);
"""

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_KIND_BY_CITATION = {"table_row": "table_cell", "fact": "table_cell", "passage": "prose"}


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def language(question: str) -> str:
    if _CYRILLIC.search(question):
        return "ru"
    if _CJK.search(question):
        return "zh"
    return "en"


def eval_item(row: dict) -> dict:
    """A stored item as a line of an evaluation file (plus verdict, comment, answer, stored_at).

    `kind`: `abstain` when the answer was "the documents do not say", else by the first
    citation: a table row or a dataset figure is `table_cell`, a passage is `prose`.
    `numbers`: the answer's value when the user called it correct. `table` and `refs`: the
    first citation's. `text` is left empty: a verdict does not say which words matter."""
    citations = row["citations"]
    first = citations[0] if citations else None
    if not row["answered"]:
        kind = "abstain"
    else:
        kind = _KIND_BY_CITATION.get(first["kind"], "prose") if first else "prose"
    correct = row["verdict"] == "correct"
    return {
        "id": f"fb-{row['id']}",
        "kind": kind,
        "lang": language(row["question"]),
        "question": row["question"],
        "numbers": [row["value"]] if correct and row["value"] is not None else [],
        "text": [],
        "table": first.get("table") if first else None,
        "refs": [r["n"] for r in first.get("refs") or []] if first else [],
        "verdict": row["verdict"],
        "comment": row["comment"],
        "answer": row["answer"],
        "stored_at": iso(row["stored_at"]),
    }


class FeedbackStore:
    """Opens a connection per call: feedback is rare, and that is safe from any thread."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")  # a stored verdict survives a power cut
        conn.executescript(SCHEMA)
        return conn

    def add(
        self,
        *,
        question: str,
        answer: str,
        answered: bool,
        value: float | None,
        unit: str | None,
        citations: list[dict],
        verdict: str,
        comment: str | None,
    ) -> tuple[int, float]:
        stored_at = time.time()
        with closing(self._connect()) as conn:
            cursor = conn.execute(
                "INSERT INTO feedback (stored_at, question, answer, answered, value, unit, citations, verdict, comment)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    stored_at,
                    question,
                    answer,
                    int(answered),
                    value,
                    unit,
                    json.dumps(citations, ensure_ascii=False),
                    verdict,
                    comment,
                ),
            )
            row_id = cursor.lastrowid
            assert row_id is not None  # an INSERT sets it
            return int(row_id), stored_at

    def items(self, verdict: str | None = None) -> list[dict]:
        if not self.path.is_file():
            return []
        query = "SELECT * FROM feedback" + (" WHERE verdict = ?" if verdict else "") + " ORDER BY id"
        with closing(self._connect()) as conn:
            rows = conn.execute(query, (verdict,) if verdict else ()).fetchall()
        items = []
        for row in rows:
            item = dict(row)
            item["answered"] = bool(item["answered"])
            item["citations"] = json.loads(item["citations"])
            items.append(item)
        return items
