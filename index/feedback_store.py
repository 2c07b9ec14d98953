"""Users' verdicts on answers, kept in their own SQLite file, `<data_dir>/feedback.db`.

It is not in `citeqa.db` on purpose: ingests, uploads and removals rewrite the store, and
feedback must outlive all of them. Like `store.py`, this module alone speaks its SQL and
decodes its JSON columns; `service/feedback.py` turns items into evaluation questions.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
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
