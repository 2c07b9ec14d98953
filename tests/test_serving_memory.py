"""What a serving process keeps of the corpus (issue 15): the cross-lingual texts' vectors are
read a document at a time, a bounded number kept; beyond `corpus.TABLES_HELD` tables, tables are
read when a question needs them, the last read kept up to a number of cells; a table's labels
are held once per label, not once per cell; a table's text is written when asked for."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.spaces import CROSSLINGUAL
from service.answering import corpus as corpus_module
from service.answering.corpus import TableViews
from service.answering.engine import Engine
from service.answering.matching import CellWords
from service.answering.question import WordSet
from service.answering.text_vectors import StoredTextVectors


def test_text_vectors_read_on_demand_are_the_stored_ones(corpus_engine):
    store = corpus_engine.store
    every = store.space_text_vectors(CROSSLINGUAL)
    assert len(every) > 500
    lazy = StoredTextVectors(store, CROSSLINGUAL, cached=300)  # fewer than the corpus holds
    assert lazy and len(lazy._docs) == 0  # nothing read at load
    for key, vector in every.items():
        assert np.array_equal(lazy.get(key), vector)
    assert 0 < lazy._docs.currsize <= 300  # the last documents read, within the bound
    assert lazy.get(("no-such-document", "x")) is None
    assert lazy.get((next(iter(every))[0], "no-such-reference")) is None


def test_a_space_without_texts_is_falsy(corpus_engine):
    assert not StoredTextVectors(corpus_engine.store, "no-such-space")


def test_the_engine_reads_text_vectors_on_demand(corpus_engine):
    assert isinstance(corpus_engine.library.text_vectors, StoredTextVectors)


def test_cells_share_their_labels_word_sets(corpus_engine):
    matcher = corpus_engine.matcher
    for info in matcher.tables:
        table = info.table
        sets = {id(part) for cell in table.cells for part in matcher.words_of(cell).parts}
        labels = {label for cell in table.cells for label in (*cell.row_keys, *cell.column)}
        assert len(sets) <= len(labels)  # one per label (per axis), however many cells
    big = max(matcher.tables, key=lambda i: len(i.table.cells))
    assert len(big.table.cells) > 2 * len({label for c in big.table.cells for label in (*c.row_keys, *c.column)})


def test_a_tables_text_is_written_from_its_words(corpus_engine):
    matcher = corpus_engine.matcher
    info = next(i for i in matcher.tables if i.table.caption)
    text = matcher.table_text(info.table)
    assert info.table.caption in text and all(k in text for keys in info.table.row_keys for k in keys)
    assert matcher.table_stems(info.table)


def test_tables_beyond_the_held_number_are_read_on_demand_within_a_bound(corpus_engine):
    store = corpus_engine.store
    held = TableViews(store)
    assert held.held and len(held) == len(store.table_keys()) >= 10
    lazy = TableViews(store, held=0, cached_cells=400)
    assert not lazy.held and len(lazy._views) == 0  # nothing read at load
    biggest = 0
    for key in lazy.keys:
        view = lazy[key]
        cells = [(c.row, c.col, c.raw, c.value) for c in view.cells]
        assert cells == [(c.row, c.col, c.raw, c.value) for c in held[key].cells] and key in lazy
        assert lazy.get(key) is view or len(view.cells) >= 400  # kept, unless larger than the bound
        biggest = max(biggest, len(view.cells))
        assert lazy._views.currsize <= 400
    assert lazy.get(("no-such-document", "t1")) is None and ("no-such-document", "t1") not in lazy
    assert [t.id for t in lazy.values()] == [t.id for t in held.values()]
    doc = lazy.keys[0][0]
    assert [t.id for t in lazy.of_document(doc)] == [t.id for t in held.of_document(doc)]
    assert lazy.count_of(doc) == len(held.of_document(doc)) and lazy.count_of("no-such-document") == 0


def test_an_engine_that_reads_tables_on_demand_answers_as_one_that_holds_them(
    corpus_data, corpus_engine, embedder, monkeypatch
):
    lines = (Path(__file__).parent.parent / "eval" / "paper_dev.jsonl").read_text().splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    monkeypatch.setattr(corpus_module, "TABLES_HELD", 0)
    engine = Engine.load(corpus_data.data_dir, embedder)
    try:
        assert not engine.corpus.tables.held and engine.matcher.tables == []
        for q in questions[:12]:
            lazy, held = engine.ask(q["question"]), corpus_engine.ask(q["question"])
            assert (lazy.answer, lazy.value) == (held.answer, held.value), q["question"]
            assert [(c.doc_id, c.table, c.row, c.column) for c in lazy.citations] == [
                (c.doc_id, c.table, c.row, c.column) for c in held.citations
            ]
    finally:
        engine.store.close()


@pytest.mark.unit
@pytest.mark.parametrize(
    "token", ["russia", "russian", "subscriptions", "security", "cyber", "gdp", "rank", "china", "zzz", "2019"]
)
def test_cell_words_answer_as_the_union_would(token):
    parts = (WordSet(["russia", "rank"]), WordSet(["cybersecurity", "index"]), WordSet(["subscription", "gdp"]))
    union = WordSet(w for part in parts for w in part)
    cell = CellWords(parts)
    assert cell.has(token) == union.has(token)
    assert cell.words == union.words and set(cell) == set(union)
    assert cell and not CellWords(())


def test_the_words_read_at_load_are_those_a_table_is_worked_out_with(corpus_engine):
    # a corpus beyond `TABLES_HELD` reads only these at load (its word weights and vocabulary)
    matcher = corpus_engine.matcher
    assert matcher.tables
    for info in matcher.tables:
        assert matcher.said_words(info.table) == (info.context.words, info.label_tokens.words)
