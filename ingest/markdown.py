"""Markdown and plain text → passages with section paths, tables, and the reference list.

Handles what converted reports really contain: headings (also bold-only heading lines),
paragraphs split by a page break, inline citation markers, a numbered REFERENCES
section, GitHub pipe tables, and the `Table N` + bold caption + tab-separated rows form
with an optional `Source:` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.limits import MAX_HEADINGS, LimitError, trim_label
from ingest.numbers import is_unit_label
from ingest.records import Document, Passage, content_id
from ingest.references import REFERENCE_HEADINGS, find_markers, parse_reference_list
from ingest.tables import build_table, clean_cell
from ingest.text import detect_language, sentence_spans, windows
from ingest.textfile import read_text_file

MAX_PASSAGE_CHARS = 900

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_TABLE_LABEL = re.compile(
    r"^\s*(?:\*\*)?((?:Table|Tab\.|Таблица|Табл\.|表)\s*[\dIVXivx]+[A-Za-z]?)(?:\*\*)?\s*(?:[.:：]\s*(.*?))?\s*(?:\*\*)?\s*$"
)
_PIPE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
# the words that open a line saying where figures come from (`Source: World Bank`)
PROVENANCE_LABELS = ("Source", "Sources", "Источник", "来源", "資料來源")
_SOURCE_LINE = re.compile(rf"^\s*(?:\*\*|_)?({'|'.join(PROVENANCE_LABELS)}|Note)\s*[:：]", re.IGNORECASE)
_TERMINAL = tuple('.!?:;。！？；)"”»')
MAX_CAPTION_CHARS = 120
# a heading that names no table in particular (`## Table` over a report excerpt)
_GENERIC_HEADING = re.compile(
    r"^(?:tables?|text|data|figures?|exhibits?|appendix|appendices|notes?|contents|untitled|attachments?|\d+)$",
    re.IGNORECASE,
)
# a sentence that introduces the table after it
_INTRODUCES = re.compile(
    r"\b(?:following|below|as follows|tables?|tabular|summari[sz]\w*|shows?|presents?|sets? (?:forth|out)|lists?)\b|:$",
    re.IGNORECASE,
)
# a sentence that speaks of a table, not of a numbered one (`Table 5`)
_MENTIONS_TABLE = re.compile(r"\b(?:tables?|tabular)\b(?!\s*(?:\d|[IVX]+\b))", re.IGNORECASE)
_LEADS_IN = re.compile(r"\b(?:the following|as follows|below)\b.*:$", re.IGNORECASE)
_PARENTHESIS = re.compile(r"\([^()]{3,100}\)")


@dataclass
class _Block:
    text: str
    start: int
    end: int
    section: list[str]
    kind: str = "paragraph"


@dataclass
class _PendingTable:
    """A table as found, built once the whole document is read (its caption may come from
    the text after it)."""

    grid: list[list[str]]
    label: str | None
    caption: str
    source_note: str | None
    section: list[str]
    block_index: int  # the first paragraph after the table
    run_start: int  # the first of the paragraphs right before it (no heading or table between)
    before: list[str]  # the last two of those, nearest last
    heading: str | None  # the nearest heading


@dataclass
class _State:
    doc_id: str
    headings: list[tuple[int, str]] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)
    tables: list = field(default_factory=list)
    pending: list[_PendingTable] = field(default_factory=list)
    references: list = field(default_factory=list)
    title: str | None = None
    run_start: int = 0  # the first paragraph since the last heading or table
    n_headings: int = 0

    @property
    def section(self) -> list[str]:
        return [title for _, title in self.headings]

    def push_heading(self, level: int, title: str) -> None:
        self.n_headings += 1
        if self.n_headings > MAX_HEADINGS:
            raise _TooManyHeadings
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, title))
        self.run_start = len(self.blocks)

    def add_table(self, grid, label: str | None, caption: str, source_note: str | None) -> None:
        before = [b.text for b in self.blocks[self.run_start :][-2:]]
        heading = self.headings[-1][1] if self.headings else None
        self.pending.append(
            _PendingTable(
                grid, label, caption, source_note, self.section, len(self.blocks), self.run_start, before, heading
            )
        )
        self.run_start = len(self.blocks)


class _TooManyHeadings(Exception):
    pass


def convert_markdown(path: Path, doc_id: str, sha256: str) -> Document:
    source = read_text_file(path)
    text = source.text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ValueError("the file is empty")
    state = _State(doc_id=doc_id)
    lines = text.split("\n")
    offsets = _line_offsets(lines)
    try:
        _parse(lines, offsets, 0, len(lines), state)
    except _TooManyHeadings:
        n = max(MAX_HEADINGS + 1, sum(1 for line in lines if line.startswith("#") and _HEADING.match(line)))
        raise LimitError(
            f"the document has {n:,} headings; citeqa reads at most {MAX_HEADINGS:,} headings a document"
        ) from None
    _build_tables(state)

    known = {r.n for r in state.references}
    passages = _passages(state, known)
    for table in state.tables:
        table.refs = [n for n in table.refs if n in known]
    return Document(
        id=doc_id,
        title=state.title or path.stem,
        kind="report",
        path=str(path),
        sha256=sha256,
        language=detect_language(text),
        passages=passages,
        tables=state.tables,
        references=state.references,
        warnings=source.warnings,
    )


def _line_offsets(lines: list[str]) -> list[int]:
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    offsets.append(pos)
    return offsets


def _clean_inline(text: str) -> str:
    text = re.sub(r"<sup>\s*\d+\s*</sup>", "", text)  # footnote marks
    text = re.sub(r"</?sup>", "", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\((https?://[^)]+)\)", r"\1", text)
    return clean_cell(text.replace("*", ""))


def _parse(lines: list[str], offsets: list[int], i: int, end: int, state: _State) -> None:
    para: list[int] = []

    def flush() -> None:
        if not para:
            return
        raw = " ".join(lines[j].strip() for j in para)
        start, stop = offsets[para[0]], offsets[para[-1]] + len(lines[para[-1]])
        para.clear()
        if _is_bold_heading(raw):
            level = state.headings[-1][0] if state.headings else 2
            state.push_heading(level, _clean_inline(raw))
            return
        state.blocks.append(_Block(raw, start, stop, state.section))

    while i < end:
        line = lines[i]
        stripped = line.strip()
        heading = _HEADING.match(line)
        if heading:
            flush()
            title = trim_label(_clean_inline(heading.group(2)))
            if REFERENCE_HEADINGS.match(title.strip("*: ")):
                state.push_heading(len(heading.group(1)), title)
                i = _parse_references(lines, i + 1, end, state)
                continue
            if state.title is None and len(heading.group(1)) == 1:
                state.title = title
            state.push_heading(len(heading.group(1)), title)
            i += 1
            continue
        label = _TABLE_LABEL.match(line)
        if label and not para and _looks_like_table_ahead(lines, i + 1, end):
            flush()
            i = _parse_tab_table(lines, offsets, i, end, label, state)
            continue
        if stripped.startswith("|") and i + 1 < end and _PIPE_SEPARATOR.match(lines[i + 1]):
            flush()
            i = _parse_pipe_table(lines, i, end, state)
            continue
        if "\t" in line and not para and _tab_run_length(lines, i, end) >= 2:
            flush()
            i = _parse_tab_table(lines, offsets, i, end, None, state)
            continue
        if not stripped:
            flush()
        else:
            para.append(i)
        i += 1
    flush()


def _is_bold_heading(raw: str) -> bool:
    s = raw.strip()
    return (
        s.startswith("**")
        and s.endswith("**")
        and s.count("**") == 2
        and len(s) < 200
        and not s[:-2].rstrip().endswith((",", ";", ":"))
        and not _TABLE_LABEL.match(s)
    )


def _tab_run_length(lines: list[str], i: int, end: int) -> int:
    n = 0
    while i < end and "\t" in lines[i]:
        n += 1
        i += 1
    return n


def _looks_like_table_ahead(lines: list[str], i: int, end: int) -> bool:
    """A `Table N` line starts a table when a caption or tab rows follow within a few lines."""
    for j in range(i, min(end, i + 8)):
        if "\t" in lines[j] or (
            lines[j].strip().startswith("|") and j + 1 < end and _PIPE_SEPARATOR.match(lines[j + 1])
        ):
            return True
    return False


def _parse_tab_table(lines, offsets, i, end, label_match, state: _State) -> int:
    label = caption = None
    caption_parts: list[str] = []
    if label_match:
        label = re.sub(r"\s+", " ", label_match.group(1)).strip()
        if (label_match.group(2) or "").strip():
            caption_parts.append(label_match.group(2).strip())
        i += 1
        # caption: text lines before the first row (bold, possibly over several lines)
        while i < end and "\t" not in lines[i] and not lines[i].strip().startswith("|"):
            if lines[i].strip():
                caption_parts.append(lines[i].strip())
            i += 1
            if len(caption_parts) > 6:
                break
    caption = " ".join(caption_parts)
    grid: list[list[str]] = []
    while i < end:
        if "\t" in lines[i]:
            grid.append(lines[i].split("\t"))
            i += 1
        elif not lines[i].strip() and _next_nonblank_has_tab(lines, i, end):
            i += 1  # a stray blank line inside the table
        else:
            break
    if not grid and i < end and lines[i].strip().startswith("|"):
        return _parse_pipe_table(lines, i, end, state, label=label, caption=caption)
    source_note, i = _source_note(lines, i, end)
    state.add_table(grid, label, caption, source_note)
    return i


def _next_nonblank_has_tab(lines, i, end) -> bool:
    j = i
    while j < end and not lines[j].strip():
        j += 1
    return j < end and j - i <= 2 and "\t" in lines[j]


def _source_note(lines, i, end) -> tuple[str | None, int]:
    j = i
    while j < end and not lines[j].strip():
        j += 1
    if j < end and _SOURCE_LINE.match(lines[j]):
        return _clean_inline(lines[j].strip()), j + 1
    return None, i


def _split_pipe_row(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [c.replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]


def _parse_pipe_table(lines, i, end, state: _State, label=None, caption=None) -> int:
    if label is None and state.blocks:
        prev = state.blocks[-1]
        match = _TABLE_LABEL.match(prev.text)
        if match:
            state.blocks.pop()
            label = re.sub(r"\s+", " ", match.group(1)).strip()
            caption = (match.group(2) or "").strip()
    grid = [_split_pipe_row(lines[i])]
    i += 2  # header and separator
    while i < end and lines[i].strip().startswith("|"):
        grid.append(_split_pipe_row(lines[i]))
        i += 1
    source_note, i = _source_note(lines, i, end)
    state.add_table(grid, label, caption or "", source_note)
    return i


def _build_tables(state: _State) -> None:
    """Build the tables found. A table the document gives no label is `Table N` (its place
    among the document's tables) unless the document uses that label itself; a table
    without a caption is described by the sentence that introduces it, its heading, or the
    first sentence after it that speaks of a table. The text after a table runs up to the
    paragraphs that lead to the next table (those are the next table's)."""
    given = {p.label for p in state.pending if p.label}
    for n, pending in enumerate(state.pending):
        following = state.pending[n + 1].run_start if n + 1 < len(state.pending) else len(state.blocks)
        after = [b.text for b in state.blocks[pending.block_index : following]]
        notes = [note for note in map(_scale_note, [*reversed(pending.before), *after[:1]]) if note]
        notes += [note for note in map(_scale_note, _table_sentences(after)) if note]
        label = pending.label
        if label is None:
            number = len(state.tables) + 1
            label = f"Table {number}" if f"Table {number}" not in given else f"Unlabelled table {number}"
        caption = pending.caption or _context_caption(pending, after, notes)
        table = build_table(
            state.doc_id,
            label,
            caption,
            pending.grid,
            source_note=pending.source_note,
            section=pending.section,
            notes=notes,
        )
        if table:
            state.tables.append(table)


def _scale_note(text: str) -> str | None:
    """A paragraph that says what a table's figures are in (`(Tabular amounts in millions)`),
    or the bracket of a sentence that does (`… as follows (in thousands):`)."""
    text = _clean_inline(text)
    if len(text) <= 160 and is_unit_label(text):
        return text
    return next((m.group(0) for m in _PARENTHESIS.finditer(text) if is_unit_label(m.group(0))), None)


def _context_caption(pending: _PendingTable, after: list[str], notes: list[str]) -> str:
    intro = None
    for text in reversed(pending.before):
        text = _clean_inline(text)
        if len(text) <= 160 and is_unit_label(text):
            continue  # a scale line, not a description
        spans = sentence_spans(text)
        if spans:
            s, e = spans[-1]
            intro = text[s:e]
        break
    if intro and _INTRODUCES.search(intro.rstrip()):
        return _trim_caption(intro)
    heading = (pending.heading or "").strip(" .:")
    if heading and not _GENERIC_HEADING.match(heading):
        return _trim_caption(heading)
    if intro:
        return _trim_caption(intro)
    for sentence in _table_sentences(after):
        return _trim_caption(sentence)
    return _trim_caption(notes[0]) if notes else ""


def _table_sentences(after: list[str]) -> list[str]:
    """Sentences after a table (up to the next one) that speak of a table: `The following
    table presents…`, `… consists of the following (in millions):`."""
    found = []
    for text in after[:12]:
        text = _clean_inline(text)
        for s, e in sentence_spans(text):
            sentence = text[s:e]
            if _MENTIONS_TABLE.search(sentence) or _LEADS_IN.search(sentence):
                found.append(sentence)
    return found


def _trim_caption(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip().rstrip(":").strip()
    if len(text) <= MAX_CAPTION_CHARS:
        return text
    cut = text[: MAX_CAPTION_CHARS - 1]
    cut = cut[: cut.rfind(" ")] if " " in cut else cut
    return cut.rstrip(" ,;:") + "…"


def _parse_references(lines, i, end, state: _State) -> int:
    stop = i
    while stop < end and not _HEADING.match(lines[stop]):
        stop += 1
    refs, rest = parse_reference_list(lines[i:stop])
    state.references.extend(refs)
    consumed = stop - len(rest)
    if rest:  # text after the list (a footer, a date line) is ordinary text
        state.headings.pop()
    return consumed


def _passages(state: _State, known_refs: set[int]) -> list[Passage]:
    merged = _merge_page_breaks(state.blocks)
    passages: list[Passage] = []
    seen: dict[str, int] = {}
    for block in merged:
        for s, e in windows(block.text, MAX_PASSAGE_CHARS):
            raw = block.text[s:e]
            text = _clean_inline(raw)
            if not text:
                continue
            refs = [n for n in find_markers(raw) if n in known_refs]
            occurrence = seen.get(text, 0)
            seen[text] = occurrence + 1
            start = block.start + min(s, block.end - block.start)
            end = block.start + min(e, block.end - block.start)
            passages.append(
                Passage(
                    id=content_id(state.doc_id, "passage", text, occurrence),
                    text=text,
                    section=block.section,
                    page=None,
                    char_start=start,
                    char_end=end,
                    refs=refs,
                )
            )
    return passages


def _merge_page_breaks(blocks: list[_Block]) -> list[_Block]:
    """Join a paragraph that a page break cut: it ends mid-sentence and the next starts in lower case."""
    out: list[_Block] = []
    parts: list[list[str]] = []  # the texts each block of `out` joins (joined once, at the end)
    for block in blocks:
        prev = out[-1] if out else None
        if (
            prev
            and prev.section == block.section
            and not parts[-1][-1].rstrip().endswith(_TERMINAL)
            and block.text[:1].islower()
        ):
            parts[-1].append(block.text)
            prev.end = block.end
            continue
        out.append(_Block(block.text, block.start, block.end, block.section))
        parts.append([block.text])
    for merged, texts in zip(out, parts):
        if len(texts) > 1:
            merged.text = " ".join(texts)
    return out
