"""An ingest run: find files, skip the unchanged, convert the rest, embed only text never
embedded before, write everything in one transaction, then swap in a rebuilt index.

Re-ingesting an unchanged corpus converts and embeds nothing and leaves the index as it
is; a changed file's old records are replaced; `prune` removes documents whose files are
gone. A file that cannot be read is reported and the rest of the run goes on.

Every write holds the data dir's write lock (`index.writer`) from start to end, and every
ingest first checks that the index was built from the store as it is (`index_state`): one
that lags — its writer died between the commit and the swap — is rebuilt, whatever the run
itself changes.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from index.crash import crash_point
from index.embedder import Embedder
from index.folder import build_index, drop_partial_generations, index_manifest, index_state
from index.spaces import SpaceFactories, space_model_key
from index.store import DB_NAME, Store, embed_key
from index.writer import WriterBusy, exclusive_writer
from ingest.chunks import Chunk, document_chunks
from ingest.converters import CONVERTER_VERSION, ConversionError, convert, is_supported
from ingest.manifest import MANIFEST_NAME, DocumentMeta, ManifestError, find_manifest
from ingest.records import Document
from ingest.text import slugify
from service.answering.corpus import TableView
from service.answering.crosslingual import document_texts, texts_version
from service.answering.facts import StoredFacts

log = logging.getLogger(__name__)


@dataclass
class FileOutcome:
    path: str
    status: str  # added | updated | unchanged | removed | failed | skipped
    doc_id: str | None = None
    message: str | None = None
    chunks: int = 0
    table_rows: int = 0
    embedded: int = 0


@dataclass
class IngestReport:
    outcomes: list[FileOutcome] = field(default_factory=list)
    embedded: int = 0
    space_embedded: int = 0  # texts the further spaces' models embedded (`index.spaces`)
    seconds: float = 0.0
    index_rebuilt: bool = False
    repaired: str | None = None  # why the index was rebuilt although the run changed nothing
    # when datasets changed: the table cells of the documents already stored whose source
    # check (service.verification) changed, verdict or matching release; None: not re-checked
    verdicts_changed: list[dict] | None = None

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def summary(self) -> dict:
        return {
            "added": self.count("added"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "removed": self.count("removed"),
            "failed": self.count("failed"),
            "skipped": self.count("skipped"),
            "embedded": self.embedded,
            **({"space_embedded": self.space_embedded} if self.space_embedded else {}),
            "chunks": sum(o.chunks for o in self.outcomes if o.status in ("added", "updated")),
            "table_rows": sum(o.table_rows for o in self.outcomes if o.status in ("added", "updated")),
            "index_rebuilt": self.index_rebuilt,
            **({"repaired": self.repaired} if self.repaired else {}),
            **({"verdicts_changed": self.verdicts_changed} if self.verdicts_changed is not None else {}),
            "seconds": round(self.seconds, 3),
            "files": [
                {k: v for k, v in vars(o).items() if v not in (None, 0) or k in ("status", "path")}
                for o in self.outcomes
            ],
        }


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def discover(paths: list[Path]) -> tuple[list[Path], list[FileOutcome]]:
    """Files to ingest, and outcomes for what was named but cannot be ingested."""
    files: list[Path] = []
    outcomes: list[FileOutcome] = []
    for path in paths:
        if not path.exists():
            outcomes.append(FileOutcome(str(path), "failed", message="no such file or folder"))
        elif path.is_dir():
            for child in sorted(path.rglob("*")):
                if not child.is_file() or any(p.startswith(".") for p in child.relative_to(path).parts):
                    continue
                if child.name == MANIFEST_NAME:
                    continue
                if is_supported(child):
                    files.append(child)
                else:
                    outcomes.append(
                        FileOutcome(
                            str(child), "skipped", message=f"unsupported file type {child.suffix or '(none)'!r}"
                        )
                    )
        else:
            files.append(path)
    return list(dict.fromkeys(files)), outcomes


def _meta(path: Path) -> tuple[DocumentMeta, bool]:
    """The manifest entry for `path`, and whether the manifest excludes it."""
    manifest = find_manifest(path)
    if manifest is None:
        return DocumentMeta(), False
    return manifest.meta_for(path), manifest.excludes(path)


def _apply_meta(doc: Document, meta: DocumentMeta) -> None:
    doc.title = meta.title or doc.title
    doc.kind = meta.kind or doc.kind
    doc.language = meta.language or doc.language
    doc.stands_for = list(meta.stands_for)


def run_ingest(
    paths: list[Path],
    data_dir: Path,
    embedder_factory: Callable[[], Embedder],
    model_name: str,
    *,
    prune: bool = False,
    progress: bool | None = None,
    wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    spaces: SpaceFactories | None = None,
) -> IngestReport:
    """`progress=None` shows bars only on a terminal. `wait`, `on_wait`: for the write lock
    (`index.writer.exclusive_writer`; `WriterBusy` when it is not had in time). `spaces`: the
    further vector spaces to keep (`index.spaces`; None or empty: none, and any stored are dropped)."""
    started = time.perf_counter()
    report = IngestReport()
    data_dir.mkdir(parents=True, exist_ok=True)
    with exclusive_writer(data_dir, wait=wait, on_wait=on_wait):
        _ingest_locked(paths, data_dir, embedder_factory, model_name, prune, progress, report, spaces or {})
    report.seconds = time.perf_counter() - started
    return report


def _ingest_locked(
    paths, data_dir: Path, embedder_factory, model_name: str, prune: bool, progress, report, spaces: SpaceFactories
) -> None:
    store = Store(data_dir / DB_NAME)
    try:
        state = index_state(store, data_dir)
        files, early = discover([Path(p) for p in paths])
        report.outcomes.extend(early)
        pending: list[tuple[Document, str, list[Chunk], FileOutcome]] = []
        claimed: dict[str, Path] = {}
        for path in tqdm(files, desc="reading", unit="file", disable=_no_bar(progress)):
            outcome = _read_one(path, store, claimed, pending)
            if outcome:
                report.outcomes.append(outcome)

        removed: list[str] = []
        if prune:
            for stored in store.documents():
                if not Path(stored.path).exists() and stored.id not in claimed:
                    removed.append(stored.id)
                    report.outcomes.append(FileOutcome(stored.path, "removed", doc_id=stored.id))

        embedder: Embedder | None = None
        new_vectors = {}
        if pending:
            keys_texts = {
                embed_key(model_name, c.embed_text): c.embed_text for _, _, chunks, _ in pending for c in chunks
            }
            cached = store.cached_vectors(keys_texts)
            missing = [(k, t) for k, t in keys_texts.items() if k not in cached]
            if missing:
                embedder = embedder_factory()
                new_vectors = _embed(embedder, missing, progress)
            report.embedded = len(new_vectors)
            fresh = set(new_vectors)
            for _, _, chunks, outcome in pending:
                outcome.embedded = sum(1 for c in chunks if embed_key(model_name, c.embed_text) in fresh)

        before = _source_checks(store) if _data_changes(store, pending, removed) else None
        if pending or removed:
            with store.transaction() as conn:
                store.put_vectors(conn, new_vectors)
                for doc, fingerprint, chunks, _ in pending:
                    store.write_document(conn, doc, fingerprint, chunks, model_name)
                for doc_id in removed:
                    store.delete_document(conn, doc_id)
                store.drop_orphan_embeddings(conn)
            crash_point("store-committed")
        if before is not None:
            rewritten = {doc.id for doc, _, _, _ in pending}
            report.verdicts_changed = _changed(before, _source_checks(store), rewritten)

        current = index_manifest(data_dir)
        model_changed = current is not None and current.get("model") != model_name
        if model_changed:
            report.embedded += _reembed_all(store, model_name, embedder_factory, progress)
        report.space_embedded, spaces_changed = _sync_spaces(store, spaces, progress)
        if pending or removed or not state.ok or model_changed or spaces_changed:
            if not state.ok and not (pending or removed) and current is not None:
                report.repaired = state.problem
                log.warning("the index did not match the store (%s); rebuilding it", state.problem)
            dim = store.stored_dim() or (embedder or embedder_factory()).dim
            build_index(store, data_dir, model_name, dim)
            report.index_rebuilt = True
        else:
            drop_partial_generations(data_dir)
    finally:
        store.close()


def _data_changes(store: Store, pending: list, removed: list[str]) -> bool:
    """Does this run add, replace or remove source data (facts, or a `stands_for` mapping)
    that the stored documents' figures may be checked against?"""
    for doc, _, _, _ in pending:
        if doc.facts or doc.stands_for or (store.document(doc.id) and store.doc_counts(doc.id)["facts"]):
            return True
    return any(store.doc_counts(d)["facts"] for d in removed)


def _source_checks(store: Store) -> dict[tuple[str, str | None, str, str], object]:
    from service.verification import verify

    return {(c.doc_id, c.table, c.row, c.column): c for c in verify(store).cells}


def _changed(before: dict, after: dict, rewritten: set[str]) -> list[dict] | None:
    """The cells (of documents this run did not rewrite) whose verdict or release changed;
    None when no stored cell was there to re-check (a first ingest)."""
    out = []
    compared = False
    for key, old in before.items():
        new = after.get(key)
        if new is None or key[0] in rewritten:
            continue
        compared = True
        if (old.verdict, old.vintage, old.source_id) == (new.verdict, new.vintage, new.source_id):
            continue
        doc_id, table, row, column = key
        out.append(
            {
                "doc_id": doc_id, "table": table, "row": row, "column": column, "value": new.value,
                "before": {"verdict": old.verdict, "source_value": old.source_value, "source_id": old.source_id,
                           "vintage": old.vintage},
                "after": {"verdict": new.verdict, "source_value": new.source_value, "source_id": new.source_id,
                          "vintage": new.vintage},
            }
        )  # fmt: skip
    return out if compared else None


def _read_one(path: Path, store: Store, claimed: dict[str, Path], pending: list) -> FileOutcome | None:
    try:
        meta, excluded = _meta(path)
    except ManifestError as exc:
        return FileOutcome(str(path), "failed", message=str(exc))
    if excluded:
        return None
    doc_id = meta.id or slugify(path.stem)
    if doc_id in claimed:
        return FileOutcome(
            str(path),
            "failed",
            doc_id=doc_id,
            message=f"document id {doc_id!r} is already used by {claimed[doc_id]}; give one of them an id in {MANIFEST_NAME}",
        )
    try:
        sha = sha256_file(path)
    except OSError as exc:
        return FileOutcome(str(path), "failed", doc_id=doc_id, message=f"cannot read the file ({exc.strerror})")
    fingerprint = f"{sha}:{CONVERTER_VERSION}:{meta.fingerprint()}"
    existing = store.document(doc_id)
    if existing and Path(existing.path).resolve() != path.resolve() and Path(existing.path).exists():
        return FileOutcome(
            str(path),
            "failed",
            doc_id=doc_id,
            message=f"document id {doc_id!r} already belongs to {existing.path}; give this file an id in {MANIFEST_NAME}",
        )
    claimed[doc_id] = path
    if existing and existing.fingerprint == fingerprint and existing.path == str(path.resolve()):
        return FileOutcome(str(path), "unchanged", doc_id=doc_id)
    try:
        doc = convert(path, doc_id, sha)
        doc.path = str(path.resolve())
        _apply_meta(doc, meta)
        chunks = document_chunks(doc)
    except ConversionError as exc:
        claimed.pop(doc_id)
        return FileOutcome(str(path), "failed", doc_id=doc_id, message=str(exc))
    except Exception as exc:  # one bad file fails alone; the traceback is for the operator's log
        log.warning("ingesting %s failed", path, exc_info=True)
        claimed.pop(doc_id)
        return FileOutcome(
            str(path), "failed", doc_id=doc_id, message=f"cannot read the file ({exc.__class__.__name__}: {exc})"
        )
    outcome = FileOutcome(
        str(path),
        "updated" if existing else "added",
        doc_id=doc_id,
        chunks=len(chunks),
        table_rows=sum(len(t.rows) for t in doc.tables),
        message="; ".join(doc.warnings) or None,
    )
    pending.append((doc, fingerprint, chunks, outcome))
    return outcome


def _embed(
    embedder: Embedder, items: list[tuple[str, str]], progress: bool | None, batch: int = 64, desc: str = "embedding"
) -> dict:
    vectors = {}
    items = sorted(items, key=lambda kt: len(kt[1]))  # similar lengths batch with less padding
    with tqdm(total=len(items), desc=desc, unit="chunk", disable=_no_bar(progress)) as bar:
        for start in range(0, len(items), batch):
            part = items[start : start + batch]
            for (key, _), vector in zip(part, embedder.embed([t for _, t in part], batch_size=batch)):
                vectors[key] = vector
            bar.update(len(part))
    return vectors


def _reembed_all(store: Store, model_name: str, embedder_factory, progress) -> int:
    """The configured model changed: give every chunk a vector from it."""
    chunks = store.chunk_embed_texts()
    wanted = {embed_key(model_name, text): text for _, text in chunks}
    cached = store.cached_vectors(wanted)
    items = [(k, t) for k, t in wanted.items() if k not in cached]
    vectors = _embed(embedder_factory(), items, progress) if items else {}
    with store.transaction() as conn:
        store.put_vectors(conn, vectors)
        store.set_embed_keys(conn, [(chunk_id, embed_key(model_name, text)) for chunk_id, text in chunks])
        store.drop_orphan_embeddings(conn)
    return len(vectors)


def _sync_spaces(store: Store, spaces: SpaceFactories, progress) -> tuple[int, bool]:
    """Give every chunk a vector in each configured further space, and every document's texts
    that the cross-lingual reader compares questions with (`crosslingual.document_texts`) —
    embedding only texts that space's model never embedded — and forget spaces no longer
    configured. Returns the texts embedded and whether the store changed. Runs after the
    chunks are committed: a run that dies here leaves chunks or documents without such
    vectors, and the next ingest gives them theirs."""
    vectors: dict[str, np.ndarray] = {}
    updates: dict[str, tuple[str, list[tuple[str, str]], dict[str, list[tuple[str, str]]], bool, str]] = {}
    for space, (model, factory) in spaces.items():
        keyed = space_model_key(space, model)
        switched = store.space_model(space) != model
        wanted = [(chunk_id, text, embed_key(keyed, text), have) for chunk_id, text, have in store.space_keys(space)]
        stale = [(chunk_id, key) for chunk_id, _, key, have in wanted if key != have]
        stale_keys = {k for _, k in stale}
        texts = {key: text for _, text, key, _ in wanted if key in stale_keys}
        version = texts_version()
        # a new model, or new code that describes figures: every document described again
        redescribe = switched or store.space_texts_version(space) != version
        described = set() if redescribe else store.space_text_docs(space)
        doc_texts: dict[str, list[tuple[str, str]]] = {}
        # a dataset's rows are described by series, not one by one
        series: dict[str, list] = {}
        for s in StoredFacts(store).series:
            series.setdefault(s.doc_id, []).append(s)
        for doc in store.documents():
            if doc.id in described:
                continue
            refs = document_texts(
                [TableView.of(t) for t in store.tables(doc.id)],
                store.passages(doc.id),
                series.get(doc.id, []),
            )
            doc_texts[doc.id] = [(ref, embed_key(keyed, text)) for ref, text in refs.items()]
            texts.update((embed_key(keyed, text), text) for text in refs.values())
        if not stale and not doc_texts and not redescribe:
            continue
        missing = store.missing_vectors(texts)
        todo = [(key, text) for key, text in texts.items() if key in missing]
        if todo:
            vectors.update(_embed(factory(), todo, progress, desc=f"embedding ({space})"))
        updates[space] = (model, stale, doc_texts, switched, version)
    dropped = set(store.spaces()) - set(spaces)
    if not updates and not dropped:
        return 0, False
    with store.transaction() as conn:
        store.put_vectors(conn, vectors)
        for space, (model, stale, doc_texts, switched, version) in updates.items():
            if switched:
                store.clear_space_texts(conn, space)
            store.set_space_texts_version(conn, space, version)
            store.set_space_keys(conn, space, stale)
            for doc_id, keys in doc_texts.items():
                store.set_space_texts(conn, space, doc_id, keys)
            store.set_space_model(conn, space, model)
        store.drop_spaces_except(conn, list(spaces))
        store.drop_orphan_embeddings(conn)
    return len(vectors), True


def _no_bar(progress: bool | None) -> bool | None:
    return None if progress is None else not progress


def remove_documents(data_dir: Path, doc_ids: list[str], model_name: str, *, wait: float | None = None) -> IngestReport:
    """Remove documents (their records, chunks and orphaned embeddings) in one transaction,
    then rebuild the index from the store, as an ingest does. Files are left alone: a later
    ingest of the same files adds the documents back. An unknown id is a `failed` outcome."""
    started = time.perf_counter()
    report = IngestReport()
    with exclusive_writer(data_dir, wait=wait):
        _remove_locked(data_dir, doc_ids, model_name, report)
    report.seconds = time.perf_counter() - started
    return report


def _remove_locked(data_dir: Path, doc_ids: list[str], model_name: str, report: IngestReport) -> None:
    store = Store(data_dir / DB_NAME)
    try:
        removed: list[str] = []
        with store.transaction() as conn:
            for doc_id in dict.fromkeys(doc_ids):
                stored = store.document(doc_id)
                if stored is None:
                    report.outcomes.append(FileOutcome("", "failed", doc_id=doc_id, message="no such document"))
                    continue
                store.delete_document(conn, doc_id)
                removed.append(doc_id)
                report.outcomes.append(FileOutcome(stored.path, "removed", doc_id=doc_id))
            if removed:
                store.drop_orphan_embeddings(conn)
        if removed:
            crash_point("store-committed")
            current = index_manifest(data_dir) or {}
            dim = store.stored_dim() or current.get("dimension")
            if dim is None:  # nothing stored and no index to say: the model knows
                raise ValueError("cannot tell the embedding dimension; ingest something first")
            build_index(store, data_dir, current.get("model") or model_name, int(dim))
            report.index_rebuilt = True
    finally:
        store.close()


def repair_index(data_dir: Path, model_name: str, dim: Callable[[], int], *, wait: float | None = None) -> str | None:
    """Rebuild the index if it was not built from the store as it is (a write died between
    its commit and its swap), and clear what a dead build left; why it was rebuilt, or None.
    Embeds nothing: the store holds every vector. `dim()` is asked only for an empty store.
    Takes the write lock only when there is something to do (and then checks again: the
    writer it waited for may have finished the job)."""
    data_dir = Path(data_dir)
    if not (data_dir / DB_NAME).is_file():
        return None
    store = Store(data_dir / DB_NAME, readonly=True)
    try:
        ok = index_state(store, data_dir).ok
    finally:
        store.close()
    if ok:
        try:
            with exclusive_writer(data_dir, wait=0):
                drop_partial_generations(data_dir)
        except WriterBusy:
            pass  # a writer is at work; its build clears them
        return None
    with exclusive_writer(data_dir, wait=wait):
        store = Store(data_dir / DB_NAME)
        try:
            state = index_state(store, data_dir)
            if state.ok:
                return None
            log.warning("the index did not match the store (%s); rebuilding it", state.problem)
            current = index_manifest(data_dir) or {}
            build_index(store, data_dir, current.get("model") or model_name, store.stored_dim() or dim())
            return state.problem
        finally:
            store.close()
