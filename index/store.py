"""SQLite: the one source of truth for documents, passages, tables, cells, facts,
references, chunks and their embeddings. The FAISS and lexical indexes are derived
from it and can always be rebuilt from it without embedding anything again.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.chunks import Chunk
from ingest.records import Document

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL,
    sha256 TEXT NOT NULL, fingerprint TEXT NOT NULL, language TEXT, pages INTEGER,
    warnings TEXT NOT NULL DEFAULT '[]', ingested_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS doc_references (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    n INTEGER NOT NULL, text TEXT NOT NULL, url TEXT, PRIMARY KEY (doc_id, n)
);
CREATE TABLE IF NOT EXISTS stands_for (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    target_doc TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (doc_id, target_doc, n)
);
CREATE TABLE IF NOT EXISTS passages (
    id TEXT NOT NULL, doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, text TEXT NOT NULL, section TEXT NOT NULL, page INTEGER,
    char_start INTEGER, char_end INTEGER, refs TEXT NOT NULL, PRIMARY KEY (doc_id, id)
);
CREATE TABLE IF NOT EXISTS tables (
    id TEXT NOT NULL, doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, label TEXT NOT NULL, caption TEXT NOT NULL, unit TEXT, source_note TEXT,
    refs TEXT NOT NULL, stub TEXT NOT NULL, columns TEXT NOT NULL, page INTEGER, section TEXT NOT NULL,
    n_rows INTEGER NOT NULL, n_cols INTEGER NOT NULL, PRIMARY KEY (doc_id, id)
);
CREATE TABLE IF NOT EXISTS table_rows (
    table_id TEXT NOT NULL, doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    row INTEGER NOT NULL, label TEXT NOT NULL, keys TEXT NOT NULL, text TEXT NOT NULL,
    PRIMARY KEY (doc_id, table_id, row)
);
CREATE TABLE IF NOT EXISTS cells (
    table_id TEXT NOT NULL, doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    row INTEGER NOT NULL, col INTEGER NOT NULL, row_label TEXT NOT NULL, column_path TEXT NOT NULL,
    raw TEXT NOT NULL, value REAL, unit TEXT, PRIMARY KEY (doc_id, table_id, row, col)
);
CREATE TABLE IF NOT EXISTS facts (
    id TEXT NOT NULL, doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, indicator TEXT NOT NULL, indicator_code TEXT, entity TEXT NOT NULL,
    year INTEGER, raw TEXT NOT NULL, value REAL, unit TEXT, source_id TEXT, source_title TEXT,
    provenance TEXT NOT NULL, PRIMARY KEY (doc_id, id)
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, faiss_id INTEGER NOT NULL UNIQUE,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL, ref_id TEXT NOT NULL, text TEXT NOT NULL, embed_text TEXT NOT NULL,
    locator TEXT NOT NULL, table_label TEXT, page INTEGER, embed_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, dim INTEGER NOT NULL, vector BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS facts_entity ON facts(entity, year);
CREATE INDEX IF NOT EXISTS cells_table ON cells(table_id);
"""

COUNTED = ("documents", "passages", "tables", "cells", "facts", "references", "chunks", "embeddings")


def faiss_id(chunk_id: str) -> int:
    """FAISS needs int64 ids: the chunk's content hash, folded to 63 bits."""
    return int(chunk_id[:16], 16) & 0x7FFF_FFFF_FFFF_FFFF


def embed_key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\x1f{text}".encode()).hexdigest()[:32]


@dataclass
class StoredDocument:
    id: str
    title: str
    kind: str
    path: str
    sha256: str
    fingerprint: str
    language: str | None
    pages: int | None
    warnings: list[str]
    ingested_at: float


class Store:
    def __init__(self, path: Path, *, readonly: bool = False):
        self.path = Path(path)
        if readonly:
            self.conn = sqlite3.connect(
                f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, isolation_level=None
            )
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.executescript(SCHEMA)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys=ON")

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All of an ingest's writes land together or not at all."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- documents -------------------------------------------------------------------
    def documents(self) -> list[StoredDocument]:
        rows = self.conn.execute("SELECT * FROM documents ORDER BY id").fetchall()
        return [self._doc(r) for r in rows]

    def document(self, doc_id: str) -> StoredDocument | None:
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return self._doc(row) if row else None

    @staticmethod
    def _doc(row: sqlite3.Row) -> StoredDocument:
        data = dict(row)
        data["warnings"] = json.loads(data["warnings"])
        return StoredDocument(**data)

    def write_document(
        self, conn: sqlite3.Connection, doc: Document, fingerprint: str, chunks: list[Chunk], model: str
    ) -> None:
        """Replace everything stored for `doc.id` (call inside `transaction`)."""
        conn.execute("DELETE FROM documents WHERE id = ?", (doc.id,))
        conn.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                doc.id,
                doc.title,
                doc.kind,
                doc.path,
                doc.sha256,
                fingerprint,
                doc.language,
                doc.pages,
                json.dumps(doc.warnings, ensure_ascii=False),
                time.time(),
            ),
        )
        conn.executemany(
            "INSERT INTO doc_references VALUES (?,?,?,?)", [(doc.id, r.n, r.text, r.url) for r in doc.references]
        )
        conn.executemany("INSERT OR IGNORE INTO stands_for VALUES (?,?,?)", [(doc.id, t, n) for t, n in doc.stands_for])
        conn.executemany(
            "INSERT INTO passages VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (
                    p.id,
                    doc.id,
                    i,
                    p.text,
                    json.dumps(p.section, ensure_ascii=False),
                    p.page,
                    p.char_start,
                    p.char_end,
                    json.dumps(p.refs),
                )
                for i, p in enumerate(doc.passages)
            ],
        )
        for seq, t in enumerate(doc.tables):
            conn.execute(
                "INSERT INTO tables VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    t.id,
                    doc.id,
                    seq,
                    t.label,
                    t.caption,
                    t.unit,
                    t.source_note,
                    json.dumps(t.refs),
                    json.dumps(t.stub, ensure_ascii=False),
                    json.dumps(t.columns, ensure_ascii=False),
                    t.page,
                    json.dumps(t.section, ensure_ascii=False),
                    len(t.rows),
                    len(t.columns),
                ),
            )
            conn.executemany(
                "INSERT INTO table_rows VALUES (?,?,?,?,?,?)",
                [
                    (t.id, doc.id, r, row.label, json.dumps(row.keys, ensure_ascii=False), row.text)
                    for r, row in enumerate(t.rows)
                ],
            )
            conn.executemany(
                "INSERT INTO cells VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (
                        t.id,
                        doc.id,
                        c.row,
                        c.col,
                        t.rows[c.row].label,
                        json.dumps(t.columns[c.col], ensure_ascii=False),
                        c.raw,
                        c.value,
                        c.unit,
                    )
                    for c in t.cells
                ],
            )
        conn.executemany(
            "INSERT INTO facts VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    f.id,
                    doc.id,
                    i,
                    f.indicator,
                    f.indicator_code,
                    f.entity,
                    f.year,
                    f.raw,
                    f.value,
                    f.unit,
                    f.source_id,
                    f.source_title,
                    json.dumps(f.provenance, ensure_ascii=False),
                )
                for i, f in enumerate(doc.facts)
            ],
        )
        conn.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    c.id,
                    faiss_id(c.id),
                    doc.id,
                    c.kind,
                    c.ref_id,
                    c.text,
                    c.embed_text,
                    c.locator,
                    c.table,
                    c.page,
                    embed_key(model, c.embed_text),
                )
                for c in chunks
            ],
        )

    def delete_document(self, conn: sqlite3.Connection, doc_id: str) -> None:
        conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def drop_orphan_embeddings(self, conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM embeddings WHERE key NOT IN (SELECT embed_key FROM chunks)")

    # -- embeddings ------------------------------------------------------------------
    def cached_vectors(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        keys = list(dict.fromkeys(keys))
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            marks = ",".join("?" * len(batch))
            for row in self.conn.execute(f"SELECT key, vector FROM embeddings WHERE key IN ({marks})", batch):
                found[row["key"]] = np.frombuffer(row["vector"], dtype=np.float32)
        return found

    def put_vectors(self, conn: sqlite3.Connection, vectors: dict[str, np.ndarray]) -> None:
        conn.executemany(
            "INSERT OR REPLACE INTO embeddings VALUES (?,?,?)",
            [(k, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for k, v in vectors.items()],
        )

    def chunk_vectors(self) -> tuple[list[sqlite3.Row], np.ndarray]:
        """Every chunk (id, faiss id, embed text) with its vector, in a stable order."""
        rows = self.conn.execute(
            "SELECT c.id, c.faiss_id, c.embed_text, e.vector FROM chunks c JOIN embeddings e ON e.key = c.embed_key "
            "ORDER BY c.faiss_id"
        ).fetchall()
        if not rows:
            return [], np.zeros((0, 0), dtype=np.float32)
        matrix = np.vstack([np.frombuffer(r["vector"], dtype=np.float32) for r in rows])
        return rows, matrix

    # -- reads -----------------------------------------------------------------------
    def chunks_by_faiss_id(self, ids: Iterable[int]) -> dict[int, sqlite3.Row]:
        out: dict[int, sqlite3.Row] = {}
        ids = list(ids)
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            marks = ",".join("?" * len(batch))
            rows = self.conn.execute(
                f"SELECT c.*, d.title AS doc_title FROM chunks c JOIN documents d ON d.id = c.doc_id "
                f"WHERE c.faiss_id IN ({marks})",
                batch,
            ).fetchall()
            out.update((r["faiss_id"], r) for r in rows)
        return out

    def faiss_ids_for_docs(self, doc_ids: Iterable[str]) -> list[int]:
        doc_ids = list(doc_ids)
        marks = ",".join("?" * len(doc_ids))
        sql = f"SELECT faiss_id FROM chunks WHERE doc_id IN ({marks})"
        return [r[0] for r in self.conn.execute(sql, doc_ids)]

    def counts(self) -> dict[str, int]:
        table_of = {"references": "doc_references"}
        return {
            name: self.conn.execute(f"SELECT COUNT(*) FROM {table_of.get(name, name)}").fetchone()[0]
            for name in COUNTED
        }

    def doc_counts(self, doc_id: str) -> dict[str, int]:
        out = {}
        for name, table in (
            ("passages", "passages"),
            ("tables", "tables"),
            ("cells", "cells"),
            ("facts", "facts"),
            ("references", "doc_references"),
            ("chunks", "chunks"),
        ):
            out[name] = self.conn.execute(f"SELECT COUNT(*) FROM {table} WHERE doc_id = ?", (doc_id,)).fetchone()[0]
        return out

    def tables(self, doc_id: str) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT * FROM tables WHERE doc_id = ? ORDER BY seq", (doc_id,)).fetchall()

    def table(self, doc_id: str, label: str) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT * FROM tables WHERE doc_id = ? AND lower(label) = lower(?)", (doc_id, label)
        ).fetchone()

    def table_rows(self, doc_id: str, table_id: str) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM table_rows WHERE doc_id = ? AND table_id = ? ORDER BY row", (doc_id, table_id)
        ).fetchall()

    def cells(self, doc_id: str, table_id: str) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM cells WHERE doc_id = ? AND table_id = ? ORDER BY row, col", (doc_id, table_id)
        ).fetchall()

    def references(self, doc_id: str) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT * FROM doc_references WHERE doc_id = ? ORDER BY n", (doc_id,)).fetchall()

    def standing_for(self, target_doc: str) -> dict[int, list[str]]:
        """For each reference number of `target_doc`, the corpus documents that stand for it."""
        out: dict[int, list[str]] = {}
        for r in self.conn.execute(
            "SELECT doc_id, n FROM stands_for WHERE target_doc = ? ORDER BY doc_id", (target_doc,)
        ):
            out.setdefault(r["n"], []).append(r["doc_id"])
        return out
