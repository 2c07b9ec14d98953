"""Ingest in linear time, within limits, in bounded chunks (issue 14, items 3 and 4).

Linear time is checked without a clock: the lines of ingest/ code run while converting a
table are counted (a trace function), and a 50k-row table may run at most 15 times the
lines of a 5k-row one (linear is 10 times; the quadratic row sentences were 100 times, and
the count stops there instead of running for minutes).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import ingest
from ingest.chunks import Chunk, document_chunks
from ingest.converters import convert
from ingest.csv_dataset import convert_csv
from ingest.limits import MAX_CHUNK_CHARS, MAX_HEADINGS, MAX_TABLE_CELLS, MAX_TABLE_COLUMNS, trim_label
from ingest.text import split_text, windows
from scripts.bench_ingest import write_one_line_markdown, write_tidy_csv

INGEST_DIR = str(Path(ingest.__file__).parent)
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class _OverBudget(BaseException):
    """Raised from the trace function: a run over its budget of lines (not a converter error)."""


class LineCounter:
    """Counts the lines of ingest/ code run (sys.settrace), up to a budget."""

    def __init__(self, budget: float = float("inf")):
        self.lines = 0
        self.budget = budget

    def _global(self, frame, event, arg):
        return self._local if frame.f_code.co_filename.startswith(INGEST_DIR) else None

    def _local(self, frame, event, arg):
        if event == "line":
            self.lines += 1
            if self.lines > self.budget:
                raise _OverBudget
        return self._local

    def run(self, fn, *args):
        sys.settrace(self._global)
        try:
            return fn(*args)
        finally:
            sys.settrace(None)


def _convert_and_chunk(path: Path) -> list[Chunk]:
    return document_chunks(convert(path, "t", "sha"))


def _lines_for(path: Path, budget: float = float("inf")) -> int:
    counter = LineCounter(budget)
    try:
        counter.run(_convert_and_chunk, path)
    except _OverBudget:
        pytest.fail(f"converting {path.name} ran over {budget:,.0f} lines of ingest code: not linear")
    return counter.lines


def _markdown_table(path: Path, rows: int) -> Path:
    lines = ["# Report", "", "The following table shows the items.", "", "| Item | 2019 | 2020 |", "|---|---|---|"]
    lines += [f"| item {i} | {i} | {i + 1} |" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- linear time


def test_a_50k_row_csv_table_converts_in_linear_time(tmp_path):
    # `amount` is no value column's name: the rows become one table (the quadratic path)
    small = _lines_for(write_tidy_csv(tmp_path / "small.csv", 5_000, value_header="amount"))
    large = _lines_for(write_tidy_csv(tmp_path / "large.csv", 50_000, value_header="amount"), budget=15 * small)
    assert large < 15 * small


def test_a_markdown_table_converts_in_linear_time(tmp_path):
    small = _lines_for(_markdown_table(tmp_path / "small.md", 2_000))
    large = _lines_for(_markdown_table(tmp_path / "large.md", 20_000), budget=15 * small)
    assert large < 15 * small


# ---------------------------------------------------------------- bounded chunks


def test_a_10mb_one_line_markdown_becomes_bounded_chunks_in_order(tmp_path):
    path = write_one_line_markdown(tmp_path / "one-line.md", 10_000_000)
    original = path.read_text(encoding="utf-8")
    doc = convert(path, "one-line", "sha")
    chunks = document_chunks(doc)
    assert len(doc.passages) > 5_000
    assert max(len(p.text) for p in doc.passages) <= MAX_CHUNK_CHARS
    assert max(len(c.text) for c in chunks) <= MAX_CHUNK_CHARS
    assert max(len(c.embed_text) for c in chunks) <= MAX_CHUNK_CHARS
    # every word kept, in order, cut only at spaces
    assert " ".join(p.text for p in doc.passages) == original.strip()
    assert [c.text for c in chunks] == [p.text for p in doc.passages]
    starts = [p.char_start for p in doc.passages]
    assert starts == sorted(starts) and all(p.char_end - p.char_start <= MAX_CHUNK_CHARS for p in doc.passages)


def test_a_line_without_spaces_is_cut_hard(tmp_path):
    path = tmp_path / "blob.md"
    path.write_text("# Blob\n\n" + "x" * 50_000 + "\n", encoding="utf-8")
    doc = convert(path, "blob", "sha")
    assert "".join(p.text for p in doc.passages) == "x" * 50_000
    assert max(len(p.text) for p in doc.passages) <= MAX_CHUNK_CHARS
    assert {tuple(p.section) for p in doc.passages} == {("Blob",)}  # each piece keeps its citation
    chunks = document_chunks(doc)
    assert len({c.id for c in chunks}) == len(chunks)  # identical pieces, distinct ids


def test_a_huge_table_cell_becomes_bounded_chunks(tmp_path):
    path = tmp_path / "cell.md"
    huge = " ".join(f"word{i}" for i in range(100_000))
    path.write_text(f"# T\n\n| Item | Note |\n|---|---|\n| a | {huge} |\n| b | short |\n", encoding="utf-8")
    doc = convert(path, "cell", "sha")
    chunks = document_chunks(doc)
    table = doc.tables[0]
    rows = [c for c in chunks if c.kind == "table_row" and c.ref_id == f"{table.id}:0"]
    assert len(rows) > 1 and all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
    assert len({c.id for c in chunks}) == len(chunks)
    assert {c.locator for c in rows} == {rows[0].locator}  # same table, same row
    assert " ".join(c.text for c in rows) == table.rows[0].text  # the row sentence, in order
    assert any(c.text == table.rows[1].text for c in chunks)  # a normal row is one chunk, as before


def test_a_long_yearly_series_becomes_bounded_chunks(tmp_path):
    path = tmp_path / "series.csv"
    path.write_text("country,indicator,year,value\n" + "".join(f"China,GDP,{1000 + i},{i}\n" for i in range(3_000)))
    chunks = document_chunks(convert_csv(path, "series", "sha"))
    assert len(chunks) > 1 and all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
    assert "1000: 0;" in chunks[0].text and "3999: 2999." in chunks[-1].text
    # each chunk cites its own facts: together, every fact once
    ids = [i for c in chunks for i in c.ref_id.split(",")]
    assert len(ids) == len(set(ids)) == 3_000


# ---------------------------------------------------------------- limits through the ingest pipeline


@pytest.fixture(scope="module")
def over_limits(tmp_path_factory, ingest):
    """A folder with a normal report and one file over each limit, ingested once."""
    folder = tmp_path_factory.mktemp("limits") / "corpus"
    folder.mkdir()
    (folder / "lakeland-water-report.md").write_text(
        (FIXTURES / "lakeland-water-report.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    columns = MAX_TABLE_COLUMNS + 1
    header = "| Item | " + " | ".join(f"c{j}" for j in range(columns - 1)) + " |"
    (folder / "wide.md").write_text(
        "\n".join(["# Wide", "", header, "|" + "---|" * columns, "| a | " + " | ".join(["1"] * (columns - 1)) + " |"])
        + "\n",
        encoding="utf-8",
    )
    width = 1_000  # 1,001 rows × 1,000 columns: 1,001,000 cells
    rows = MAX_TABLE_CELLS // width + 1
    with (folder / "cells.csv").open("w", encoding="utf-8") as fh:
        fh.write("name," + ",".join(f"c{j}" for j in range(width - 1)) + "\n")
        for _ in range(rows):
            fh.write("r," + ",".join(["1"] * (width - 1)) + "\n")
    headings = "".join(f"## Heading {i}\n\nText {i}.\n\n" for i in range(MAX_HEADINGS + 1))
    (folder / "headings.md").write_text(headings, encoding="utf-8")
    report = ingest([folder], tmp_path_factory.mktemp("limits-data"))
    return {Path(o.path).name: o for o in report.outcomes}


def test_a_table_over_the_column_limit_fails_alone(over_limits):
    outcome = over_limits["wide.md"]
    assert outcome.status == "failed"
    assert outcome.message == "table 'Table 1' has 2,001 columns; citeqa reads at most 2,000 columns a table"


def test_a_table_over_the_cell_limit_fails_alone(over_limits):
    outcome = over_limits["cells.csv"]
    assert outcome.status == "failed"
    assert outcome.message == (
        "table 'cells' has 1,001,000 cells (1,001 rows × 1,000 columns); citeqa reads at most 1,000,000 cells a table"
    )


def test_a_document_over_the_headings_limit_fails_alone(over_limits):
    outcome = over_limits["headings.md"]
    assert outcome.status == "failed"
    assert outcome.message == "the document has 20,001 headings; citeqa reads at most 20,000 headings a document"


def test_the_rest_of_the_folder_still_ingests(over_limits):
    outcome = over_limits["lakeland-water-report.md"]
    assert outcome.status == "added" and outcome.chunks > 0 and outcome.table_rows > 0


# ---------------------------------------------------------------- the splitting function (model-free)


@pytest.mark.unit
def test_split_text_keeps_text_that_fits():
    assert split_text("A short text. Two sentences.", 100) == ["A short text. Two sentences."]
    assert split_text("", 100) == [""]


@pytest.mark.unit
def test_split_text_cuts_at_sentences_first():
    text = "First sentence here. Second sentence here. Third one."
    assert split_text(text, 45) == ["First sentence here. Second sentence here.", "Third one."]


@pytest.mark.unit
def test_split_text_cuts_a_long_sentence_at_spaces():
    text = " ".join(["word"] * 100)  # 499 characters, no sentence end
    pieces = split_text(text, 50)
    assert all(len(p) <= 50 for p in pieces) and " ".join(pieces) == text
    assert all(not p.startswith(" ") and not p.endswith(" ") for p in pieces)


@pytest.mark.unit
def test_split_text_cuts_a_long_word_hard():
    pieces = split_text("y" * 125, 50)
    assert pieces == ["y" * 50, "y" * 50, "y" * 25]


@pytest.mark.unit
def test_split_text_mixes_sentences_words_and_hard_cuts():
    text = "Short one. " + "z" * 120 + " then some words to end. Last."
    pieces = split_text(text, 40)
    assert all(len(p) <= 40 for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


@pytest.mark.unit
def test_windows_bound_only_a_sentence_over_the_hard_limit():
    long_sentence = "a " * 600  # 1,200 characters: over 900, under the hard limit, kept whole as before
    assert windows(long_sentence.strip(), 900) == [(0, 1199)]
    huge = "b " * 5_000
    spans = windows(huge.strip(), 900)
    assert len(spans) > 1 and all(e - s <= 900 for s, e in spans)


@pytest.mark.unit
def test_trim_label():
    assert trim_label("Revenue") == "Revenue"
    trimmed = trim_label("word " * 500, 100)
    assert len(trimmed) <= 100 and trimmed.endswith("…")
