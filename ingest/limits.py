"""Bounds on what one file may make, so a pathological upload fails with a clear message
instead of holding the ingest for hours or the server's memory for good.

The figures come from measurements (docs/benchmarks.md, "Reliability: linear-time ingest
(issue 14)"): converting and chunking a table costs about 12 µs and 0.35 KB a cell of its
grid (200,000 rows × 4 columns: 10 s, 320 MB peak), so the largest table allowed converts in
about 12 s within ~400 MB; embedding its rows is what then takes long (~25 chunks a second
on 2 cores). No real report or dataset comes near them (the largest table in corpus/ and
eval/ has 138 cells and 12 columns, the largest dataset 212 rows; the most headings
a document has is 20).
"""

from __future__ import annotations

# a table's cells (its grid's rows × columns), its rows (a CSV dataset's too) and its columns
MAX_TABLE_CELLS = 1_000_000
MAX_TABLE_ROWS = 500_000
MAX_TABLE_COLUMNS = 2_000
# a tidy dataset's rows (one fact each): its facts are stored and read by indexed queries, not
# held in the server's memory, and embedded a series at a time (a 200,000-row WDI-shaped
# dataset ingested in 6.4 minutes within 0.84 GB on a busy machine: docs/benchmarks.md,
# twenty-fourth session; conversion holds every row, ~0.6 KB each, so 2M rows stay near 2 GB)
MAX_DATASET_ROWS = 2_000_000
# headings (`#` lines and bold heading lines) in one document
MAX_HEADINGS = 20_000
# the longest chunk or passage text: about the model's 256 word pieces in English (it reads no
# further) and no shorter than the longest passage a real document in corpus/ makes (a
# 1,943-character table of contents in the CAICT white paper)
MAX_CHUNK_CHARS = 2_000
# a heading, caption or column label longer than this is cut (with `…`): it is repeated in
# every passage or row sentence under it
MAX_LABEL_CHARS = 500


class LimitError(ValueError):
    """A file over one of the limits above; the message names the limit and the figure."""


def trim_label(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """`text`, or its first `limit` characters cut at a word and marked `…` when longer."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"
