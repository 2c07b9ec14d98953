"""SQLite: the one source of truth for documents, passages, tables, cells, facts,
references, chunks and their embeddings. The FAISS and lexical indexes are derived
from it and can always be rebuilt from it without embedding anything again.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.chunks import Chunk, series_description
from ingest.records import Cell, Document, Fact, Passage, Reference, Row, Table

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
-- each series of a dataset's facts (one indicator for one entity, in one unit, from one source
-- title), written with its facts: what the answerer holds in memory instead of the rows
CREATE TABLE IF NOT EXISTS fact_series (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
    indicator TEXT NOT NULL, entity TEXT NOT NULL, unit TEXT, source_title TEXT, count INTEGER NOT NULL,
    indicator_code TEXT, figures INTEGER NOT NULL, description TEXT NOT NULL, PRIMARY KEY (doc_id, seq)
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, faiss_id INTEGER NOT NULL UNIQUE,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL, ref_id TEXT NOT NULL, text TEXT NOT NULL, embed_text TEXT NOT NULL,
    locator TEXT NOT NULL, table_label TEXT, page INTEGER, embed_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, dim INTEGER NOT NULL, vector BLOB NOT NULL);
-- a chunk's vector in each further vector space (`index.spaces`: the cross-lingual model's)
CREATE TABLE IF NOT EXISTS chunk_spaces (
    chunk_id TEXT NOT NULL REFERENCES chunks(id) ON DELETE CASCADE, space TEXT NOT NULL, embed_key TEXT NOT NULL,
    PRIMARY KEY (chunk_id, space)
);
-- what else a further space holds vectors of, per document: table cells' descriptions and the
-- clauses around passages' figures (`service.answering.crosslingual`), by a reference in the document
CREATE TABLE IF NOT EXISTS space_texts (
    space TEXT NOT NULL, doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ref TEXT NOT NULL, embed_key TEXT NOT NULL, PRIMARY KEY (space, doc_id, ref)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS facts_entity ON facts(entity, year);
-- the answerer reads a dataset's facts by series and year, or by a figure's year and value
-- (`service.answering.facts`), never all of them
CREATE INDEX IF NOT EXISTS facts_series ON facts(doc_id, indicator, entity, year);
CREATE INDEX IF NOT EXISTS facts_value ON facts(year, value);
CREATE INDEX IF NOT EXISTS cells_table ON cells(table_id);
"""

DB_NAME = "citeqa.db"  # the store's file in a data dir

COUNTED = ("documents", "passages", "tables", "cells", "facts", "references", "chunks", "embeddings")


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


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
        if not readonly:
            self._upgrade()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self, *, stamped: bool = True) -> Iterator[sqlite3.Connection]:
        """All of an ingest's writes land together or not at all. A transaction that changed
        anything gives the store a new stamp, in the same commit: an index records the stamp
        it was built from, so an index that lags its store is seen (`index.folder.index_state`).
        `stamped=False`: writes of data derived from the store alone, which no index lags."""
        self.conn.execute("BEGIN IMMEDIATE")
        before = self.conn.total_changes
        try:
            yield self.conn
            if stamped and self.conn.total_changes != before:
                self._set_meta(self.conn, "stamp", uuid.uuid4().hex)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def stamp(self) -> str | None:
        """The stamp of the store's last change (None: never changed since stamps exist)."""
        try:
            return self._meta("stamp")
        except sqlite3.OperationalError:  # a store from before stamps, opened read-only
            return None

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
        self._insert_document(conn, doc, fingerprint)
        self._insert_passages(conn, doc)
        for seq, table in enumerate(doc.tables):
            self._insert_table(conn, doc.id, seq, table)
        self._insert_facts(conn, doc)
        if doc.facts:
            self._insert_series(conn, doc.id)
        self._insert_chunks(conn, doc.id, chunks, model)

    @staticmethod
    def _insert_document(conn: sqlite3.Connection, doc: Document, fingerprint: str) -> None:
        conn.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                doc.id, doc.title, doc.kind, doc.path, doc.sha256, fingerprint, doc.language, doc.pages,
                _json(doc.warnings), time.time(),
            ),
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO doc_references VALUES (?,?,?,?)", [(doc.id, r.n, r.text, r.url) for r in doc.references]
        )
        conn.executemany("INSERT OR IGNORE INTO stands_for VALUES (?,?,?)", [(doc.id, t, n) for t, n in doc.stands_for])

    @staticmethod
    def _insert_passages(conn: sqlite3.Connection, doc: Document) -> None:
        conn.executemany(
            "INSERT INTO passages VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (p.id, doc.id, i, p.text, _json(p.section), p.page, p.char_start, p.char_end, _json(p.refs))
                for i, p in enumerate(doc.passages)
            ],
        )

    @staticmethod
    def _insert_table(conn: sqlite3.Connection, doc_id: str, seq: int, t: Table) -> None:
        conn.execute(
            "INSERT INTO tables VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                t.id, doc_id, seq, t.label, t.caption, t.unit, t.source_note, _json(t.refs), _json(t.stub),
                _json(t.columns), t.page, _json(t.section), len(t.rows), len(t.columns),
            ),
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO table_rows VALUES (?,?,?,?,?,?)",
            [(t.id, doc_id, r, row.label, _json(row.keys), row.text) for r, row in enumerate(t.rows)],
        )
        conn.executemany(
            "INSERT INTO cells VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (t.id, doc_id, c.row, c.col, t.rows[c.row].label, _json(t.columns[c.col]), c.raw, c.value, c.unit)
                for c in t.cells
            ],
        )

    @staticmethod
    def _insert_facts(conn: sqlite3.Connection, doc: Document) -> None:
        conn.executemany(
            "INSERT INTO facts VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    f.id, doc.id, i, f.indicator, f.indicator_code, f.entity, f.year, f.raw, f.value, f.unit,
                    f.source_id, f.source_title, _json(f.provenance),
                )
                for i, f in enumerate(doc.facts)
            ],
        )  # fmt: skip

    @staticmethod
    def _insert_chunks(conn: sqlite3.Connection, doc_id: str, chunks: list[Chunk], model: str) -> None:
        conn.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    c.id, faiss_id(c.id), doc_id, c.kind, c.ref_id, c.text, c.embed_text, c.locator, c.table,
                    c.page, embed_key(model, c.embed_text),
                )
                for c in chunks
            ],
        )  # fmt: skip

    def chunk_embed_texts(self) -> list[tuple[str, str]]:
        """Every chunk's (id, embed text)."""
        return [(r[0], r[1]) for r in self.conn.execute("SELECT id, embed_text FROM chunks")]

    @staticmethod
    def set_embed_keys(conn: sqlite3.Connection, keys: list[tuple[str, str]]) -> None:
        """Point chunks at other vectors: (chunk id, embed key) pairs (after a model change)."""
        conn.executemany("UPDATE chunks SET embed_key = ? WHERE id = ?", [(k, i) for i, k in keys])

    def stored_dim(self) -> int | None:
        row = self.conn.execute("SELECT dim FROM embeddings LIMIT 1").fetchone()
        return row[0] if row else None

    def delete_document(self, conn: sqlite3.Connection, doc_id: str) -> None:
        conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def drop_orphan_embeddings(self, conn: sqlite3.Connection) -> None:
        conn.execute(
            "DELETE FROM embeddings WHERE key NOT IN "
            "(SELECT embed_key FROM chunks UNION SELECT embed_key FROM chunk_spaces UNION SELECT embed_key FROM space_texts)"
        )

    # -- further vector spaces ---------------------------------------------------------
    def spaces(self) -> list[str]:
        """The further vector spaces the store holds vectors of."""
        try:
            return [r[0] for r in self.conn.execute("SELECT DISTINCT space FROM chunk_spaces ORDER BY space")]
        except sqlite3.OperationalError:  # a store from before spaces, opened read-only
            return []

    def space_keys(self, space: str) -> list[tuple[str, str, str | None]]:
        """Every chunk's (id, embed text, its key in `space` or None)."""
        return [
            (r[0], r[1], r[2])
            for r in self.conn.execute(
                "SELECT c.id, c.embed_text, s.embed_key FROM chunks c "
                "LEFT JOIN chunk_spaces s ON s.chunk_id = c.id AND s.space = ?",
                (space,),
            )
        ]

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @staticmethod
    def _set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def space_model(self, space: str) -> str | None:
        """The model whose vectors `space` holds."""
        return self._meta(f"space:{space}")

    @staticmethod
    def set_space_model(conn: sqlite3.Connection, space: str, model: str) -> None:
        Store._set_meta(conn, f"space:{space}", model)

    def space_texts_version(self, space: str) -> str | None:
        """The version of the code that described the documents' texts in `space`."""
        return self._meta(f"texts:{space}")

    @staticmethod
    def set_space_texts_version(conn: sqlite3.Connection, space: str, version: str) -> None:
        Store._set_meta(conn, f"texts:{space}", version)

    @staticmethod
    def set_space_keys(conn: sqlite3.Connection, space: str, keys: list[tuple[str, str]]) -> None:
        """Point chunks at their vectors in `space`: (chunk id, embed key) pairs."""
        conn.executemany("INSERT OR REPLACE INTO chunk_spaces VALUES (?,?,?)", [(i, space, k) for i, k in keys])

    @staticmethod
    def drop_spaces_except(conn: sqlite3.Connection, keep: list[str]) -> int:
        """Forget the vector spaces no longer configured; how many chunk vectors went."""
        marks = ",".join("?" * len(keep))
        where = f"WHERE space NOT IN ({marks})" if keep else ""
        gone = conn.execute(f"DELETE FROM chunk_spaces {where}", keep).rowcount
        conn.execute(f"DELETE FROM space_texts {where}", keep)
        for prefix in ("space:", "texts:"):
            conn.execute(
                f"DELETE FROM meta WHERE key LIKE '{prefix}%' AND substr(key, {len(prefix) + 1}) NOT IN ({marks})"
                if keep else f"DELETE FROM meta WHERE key LIKE '{prefix}%'",
                keep,
            )  # fmt: skip
        return gone

    def space_text_docs(self, space: str) -> set[str]:
        """The documents whose texts `space` holds vectors of."""
        try:
            return {
                r[0] for r in self.conn.execute("SELECT DISTINCT doc_id FROM space_texts WHERE space = ?", (space,))
            }
        except sqlite3.OperationalError:  # a store from before space texts, opened read-only
            return set()

    @staticmethod
    def set_space_texts(conn: sqlite3.Connection, space: str, doc_id: str, keys: list[tuple[str, str]]) -> None:
        """A document's texts in `space`: (reference, embed key) pairs, replacing what was there.
        A document with none gets one empty reference, so it is not described again."""
        conn.execute("DELETE FROM space_texts WHERE space = ? AND doc_id = ?", (space, doc_id))
        conn.executemany(
            "INSERT INTO space_texts VALUES (?,?,?,?)", [(space, doc_id, ref, key) for ref, key in keys or [("", "")]]
        )

    @staticmethod
    def clear_space_texts(conn: sqlite3.Connection, space: str) -> None:
        conn.execute("DELETE FROM space_texts WHERE space = ?", (space,))

    def space_text_vectors(self, space: str) -> dict[tuple[str, str], np.ndarray]:
        """Every document text's vector in `space`, by (document, reference)."""
        return {(doc_id, ref): v for doc_id, ref, v in self._space_text_rows(space)}

    def document_text_vectors(self, space: str, doc_id: str) -> dict[str, np.ndarray]:
        """One document's text vectors in `space`, by reference."""
        return {ref: v for _, ref, v in self._space_text_rows(space, doc_id)}

    def _space_text_rows(self, space: str, doc_id: str | None = None) -> list[tuple[str, str, np.ndarray]]:
        where, args = ("AND t.doc_id = ?", (space, doc_id)) if doc_id is not None else ("", (space,))
        try:
            rows = self.conn.execute(
                "SELECT t.doc_id, t.ref, e.vector FROM space_texts t JOIN embeddings e ON e.key = t.embed_key "
                f"WHERE t.space = ? {where}",
                args,
            ).fetchall()
        except sqlite3.OperationalError:
            return []
        return [(r[0], r[1], np.frombuffer(r[2], dtype=np.float32)) for r in rows]

    def has_space_texts(self, space: str) -> bool:
        """Whether any document has a text vector in `space` (a document without texts has a
        placeholder row, whose key is empty)."""
        try:
            found = self.conn.execute(
                "SELECT 1 FROM space_texts WHERE space = ? AND embed_key != '' LIMIT 1", (space,)
            ).fetchone()
        except sqlite3.OperationalError:
            return False
        return found is not None

    def missing_vectors(self, keys: Iterable[str]) -> set[str]:
        """Which of `keys` have no stored vector (reads keys only, not vectors)."""
        keys = list(dict.fromkeys(keys))
        have: set[str] = set()
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            marks = ",".join("?" * len(batch))
            have.update(r[0] for r in self.conn.execute(f"SELECT key FROM embeddings WHERE key IN ({marks})", batch))
        return set(keys) - have

    def space_vectors(self, space: str) -> tuple[list[int], np.ndarray]:
        """Every chunk's faiss id and vector in `space`, in the main space's order."""
        rows = self.conn.execute(
            "SELECT c.faiss_id, e.vector FROM chunks c JOIN chunk_spaces s ON s.chunk_id = c.id AND s.space = ? "
            "JOIN embeddings e ON e.key = s.embed_key ORDER BY c.faiss_id",
            (space,),
        ).fetchall()
        if not rows:
            return [], np.zeros((0, 0), dtype=np.float32)
        return [r[0] for r in rows], np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])

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
    def chunk_texts(self, ids: Iterable[int]) -> Iterator[tuple[int, str]]:
        """(faiss id, text) of each chunk in `ids`, a batch at a time (none held)."""
        for r in self._by_faiss_ids("SELECT faiss_id, text FROM chunks c WHERE c.faiss_id IN ({})", ids):
            yield r[0], r[1]

    def chunks_by_faiss_id(self, ids: Iterable[int]) -> dict[int, sqlite3.Row]:
        select = (
            "SELECT c.*, d.title AS doc_title FROM chunks c JOIN documents d ON d.id = c.doc_id "
            "WHERE c.faiss_id IN ({})"
        )
        return {r["faiss_id"]: r for r in self._by_faiss_ids(select, ids)}

    def _by_faiss_ids(self, select: str, ids: Iterable[int]) -> Iterator[sqlite3.Row]:
        """The rows of `select` (its `IN ({})` filled) for `ids`, 500 ids a query (SQLite's
        limit on bound parameters is lower on older builds)."""
        ids = list(ids)
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            yield from self.conn.execute(select.format(",".join("?" * len(batch))), batch)

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

    def references(self, doc_id: str) -> list[Reference]:
        rows = self.conn.execute("SELECT n, text, url FROM doc_references WHERE doc_id = ? ORDER BY n", (doc_id,))
        return [Reference(r["n"], r["text"], r["url"]) for r in rows]

    def stands_for(self) -> list[tuple[str, str, int]]:
        """Every (dataset doc id, report doc id, reference number) the datasets stand for."""
        rows = self.conn.execute("SELECT doc_id, target_doc, n FROM stands_for ORDER BY doc_id, target_doc, n")
        return [(r["doc_id"], r["target_doc"], r["n"]) for r in rows]

    def tables(self, doc_id: str | None = None) -> list[Table]:
        """A document's tables (every table when `doc_id` is None), in document order."""
        where, args = ("WHERE doc_id = ?", (doc_id,)) if doc_id is not None else ("", ())
        rows = self.conn.execute(f"SELECT * FROM tables {where} ORDER BY doc_id, seq", args).fetchall()
        return [self._table(r) for r in rows]

    def table_keys(self) -> list[tuple[str, str]]:
        """(document, table id) of every table, in the order of `tables()`."""
        return [(r[0], r[1]) for r in self.conn.execute("SELECT doc_id, id FROM tables ORDER BY doc_id, seq")]

    def table_by_id(self, doc_id: str, table_id: str) -> Table | None:
        """One table by its id, with its rows and cells."""
        row = self.conn.execute("SELECT * FROM tables WHERE doc_id = ? AND id = ?", (doc_id, table_id)).fetchone()
        return self._table(row) if row else None

    def table(self, doc_id: str, label: str) -> Table | None:
        """One table by its label (case-insensitive), with its rows and cells."""
        row = self.conn.execute(
            "SELECT * FROM tables WHERE doc_id = ? AND lower(label) = lower(?)", (doc_id, label)
        ).fetchone()
        return self._table(row) if row else None

    def _table(self, row: sqlite3.Row) -> Table:
        table = Table(
            id=row["id"],
            label=row["label"],
            caption=row["caption"],
            unit=row["unit"],
            source_note=row["source_note"],
            refs=json.loads(row["refs"]),
            stub=json.loads(row["stub"]),
            columns=json.loads(row["columns"]),
            rows=[],
            cells=[],
            page=row["page"],
            section=json.loads(row["section"]),
            doc_id=row["doc_id"],
        )
        key = (row["doc_id"], row["id"])
        table.rows = [
            Row(r["label"], json.loads(r["keys"]), r["text"])
            for r in self.conn.execute(
                "SELECT label, keys, text FROM table_rows WHERE doc_id = ? AND table_id = ? ORDER BY row", key
            )
        ]
        table.cells = [
            Cell(c["row"], c["col"], c["raw"], c["value"], c["unit"])
            for c in self.conn.execute(
                "SELECT row, col, raw, value, unit FROM cells WHERE doc_id = ? AND table_id = ? ORDER BY row, col", key
            )
        ]
        return table

    def passages(self, doc_id: str | None = None) -> list[Passage]:
        where, args = ("WHERE doc_id = ?", (doc_id,)) if doc_id is not None else ("", ())
        return [
            Passage(
                p["id"], p["text"], json.loads(p["section"]), p["page"], p["char_start"], p["char_end"],
                json.loads(p["refs"]), doc_id=p["doc_id"],
            )
            for p in self.conn.execute(f"SELECT * FROM passages {where} ORDER BY doc_id, seq", args)
        ]  # fmt: skip

    def facts(self, doc_id: str | None = None) -> list[Fact]:
        where, args = ("doc_id = ?", (doc_id,)) if doc_id is not None else ("1", ())
        return [f for _, f in self._facts(where, args)]

    def _facts(self, where: str, args: tuple) -> list[tuple[int, Fact]]:
        """Facts matching `where`, with their row numbers, in the store's order (document, row)."""
        return [
            (
                f["seq"],
                Fact(
                    f["id"], f["indicator"], f["indicator_code"], f["entity"], f["year"], f["raw"], f["value"],
                    f["unit"], f["source_id"], f["source_title"], json.loads(f["provenance"]), doc_id=f["doc_id"],
                ),
            )
            for f in self.conn.execute(f"SELECT * FROM facts WHERE {where} ORDER BY doc_id, seq", args)
        ]  # fmt: skip

    # a dataset's facts by indexed reads (`facts_series`, `facts_value`; `service.answering.facts`)
    def fact_series(self) -> list[tuple]:
        """Each series of the datasets' facts — (document, indicator, entity, unit, source title)
        — with its count of rows, its indicator code, its rows with a value and a year, and its
        description (`ingest.chunks.series_description`), in the order its first row is stored.
        Written with the facts, so reading them costs a row a series, not a scan of every fact."""
        columns = "doc_id, indicator, entity, unit, source_title, count, indicator_code, figures, description"
        try:
            return [tuple(r) for r in self.conn.execute(f"SELECT {columns} FROM fact_series ORDER BY doc_id, seq")]
        except sqlite3.OperationalError:  # a store from before the table, opened read-only
            return [(r[0], *r[2:]) for doc_id in self._fact_docs() for r in self._grouped_series(doc_id)]

    def _grouped_series(self, doc_id: str) -> list[tuple]:
        """A document's series grouped from its facts: the rows of `fact_series`."""
        title = self.conn.execute("SELECT title FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
        rows = self.conn.execute(
            "SELECT MIN(seq), indicator, entity, unit, source_title, COUNT(*), MIN(indicator_code), "
            "SUM(value IS NOT NULL AND year IS NOT NULL), MIN(year), MAX(year) FROM facts WHERE doc_id = ? "
            "GROUP BY indicator, entity, unit, source_title ORDER BY MIN(seq)",
            (doc_id,),
        )
        return [
            (
                doc_id,
                *r[:8],
                series_description(r[1], r[2], r[3], None if r[8] is None else (r[8], r[9]), r[4] or title),
            )
            for r in rows
        ]

    def _insert_series(self, conn: sqlite3.Connection, doc_id: str) -> None:
        conn.executemany("INSERT INTO fact_series VALUES (?,?,?,?,?,?,?,?,?,?)", self._grouped_series(doc_id))

    def _fact_docs(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT doc_id FROM facts ORDER BY doc_id")]

    def _upgrade(self) -> None:
        """A store written by an older citeqa gains the series table, from its facts, once.
        Derived data only, so the store keeps its stamp and the index stays current."""
        if self._meta("fact_series") is not None:
            return
        with self.transaction(stamped=False) as conn:
            conn.execute("DELETE FROM fact_series")
            for doc_id in self._fact_docs():
                self._insert_series(conn, doc_id)
            self._set_meta(conn, "fact_series", "1")

    def fact(self, doc_id: str, fact_id: str) -> Fact | None:
        found = self._facts("doc_id = ? AND id = ?", (doc_id, fact_id))
        return found[0][1] if found else None

    def series_facts(
        self, doc_id: str, indicator: str, entity: str, unit: str | None, source_title: str | None, year: int | None
    ) -> list[tuple[int, Fact]]:
        """One series' facts (of `year`, when given) with their row numbers."""
        where = "doc_id = ? AND indicator = ? AND entity = ? AND unit IS ? AND source_title IS ?"
        args: tuple = (doc_id, indicator, entity, unit, source_title)
        return self._facts(where, args) if year is None else self._facts(f"{where} AND year = ?", (*args, year))

    def year_facts(self, doc_id: str, year: int, *, entity: str | None, indicator: str | None) -> list[Fact]:
        """A dataset's facts of one year, of one entity or indicator when given."""
        where, args = "doc_id = ? AND year = ?", [doc_id, year]
        if entity is not None:
            where, args = where + " AND entity = ?", [*args, entity]
        if indicator is not None:
            where, args = where + " AND indicator = ?", [*args, indicator]
        return [f for _, f in self._facts(where, tuple(args))]

    def facts_between(self, year: int, low: float, high: float) -> list[Fact]:
        """Facts of `year` whose value is in [low, high] and not 0."""
        return [f for _, f in self._facts("year = ? AND value BETWEEN ? AND ? AND value != 0", (year, low, high))]

    def standing_for(self, target_doc: str) -> dict[int, list[str]]:
        """For each reference number of `target_doc`, the corpus documents that stand for it."""
        out: dict[int, list[str]] = {}
        for r in self.conn.execute(
            "SELECT doc_id, n FROM stands_for WHERE target_doc = ? ORDER BY doc_id", (target_doc,)
        ):
            out.setdefault(r["n"], []).append(r["doc_id"])
        return out
