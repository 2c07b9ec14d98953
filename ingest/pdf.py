"""PDF → passages that know their page, via pypdf.

Opens PDFs that carry only an owner password (empty user password, AES included),
cleans what text extraction mangles (lone surrogates, NULs), drops running headers and
page numbers, joins wrapped lines (without a space between CJK characters), and keeps
lines that hold several figures as they are, so a table's numbers stay beside their labels.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ingest.records import Document, Passage, content_id
from ingest.references import find_markers
from ingest.text import detect_language, is_cjk, windows
from ingest.textfile import pdf_problem

MAX_PASSAGE_CHARS = 900
MAX_PASSAGE_CHARS_CJK = 250  # about one token a character: keep within the model's 256 tokens

_BAD_CHARS = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?\s*(?:/\s*\d+)?\s*$", re.IGNORECASE)
_NUMBER_TOKEN = re.compile(r"(?<![\w.])[-−]?\d[\d,.]*%?")
_HEADING = re.compile(
    r"^(第[一二三四五六七八九十\d]+[章节部分]|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）"
    r"|\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z\u4e00-\u9fff]|[IVX]+\.\s+[A-Z])[^，,。;；]*$"
)
_ENDS_SENTENCE = tuple(".!?。！？：:;；")

logging.getLogger("pypdf").setLevel(logging.ERROR)


class PdfError(ValueError):
    pass


def open_pdf(path: Path) -> PdfReader:
    problem = pdf_problem(path)
    if problem:
        raise PdfError(problem)
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfError("the PDF needs a password to open")
        _ = len(reader.pages)
    except PdfError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise PdfError(f"not a readable PDF ({exc.__class__.__name__}: {exc})") from exc
    except Exception as exc:  # pypdf raises many kinds on damaged files
        raise PdfError(f"not a readable PDF ({exc.__class__.__name__}: {exc})") from exc
    return reader


def convert_pdf(path: Path, doc_id: str, sha256: str) -> Document:
    reader = open_pdf(path)
    page_lines: list[list[str]] = []
    warnings: list[str] = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # one broken page must not lose the rest
            warnings.append(f"page {number}: text extraction failed ({exc.__class__.__name__})")
            text = ""
        text = _BAD_CHARS.sub("", text)
        page_lines.append([ln.strip() for ln in text.split("\n")])

    furniture = _running_lines(page_lines)
    empty_pages: list[int] = []
    blocks: list[tuple[int, list[str], str]] = []  # (page, section, text)
    section: list[str] = []
    carry = False  # the last block ran off the end of its page mid-sentence
    for number, lines in enumerate(page_lines, start=1):
        lines = [ln for ln in lines if ln and ln not in furniture and not _PAGE_NUMBER.match(ln)]
        if not lines:
            empty_pages.append(number)
            continue
        for i, (kind, block) in enumerate(_blocks(lines)):
            if kind == "heading":
                section = [block]
                carry = False
                continue
            if i == 0 and carry and blocks:
                prev_page, prev_sec, prev_text = blocks[-1]
                blocks[-1] = (prev_page, prev_sec, _join([prev_text, block]))
            else:
                blocks.append((number, list(section), block))
            carry = kind == "text" and not block.endswith(_ENDS_SENTENCE)

    passages: list[Passage] = []
    seen: Counter[str] = Counter()
    offset = 0
    for number, sec, block in blocks:
        limit = MAX_PASSAGE_CHARS_CJK if sum(map(is_cjk, block)) > len(block) / 3 else MAX_PASSAGE_CHARS
        for s, e in windows(block, limit):
            piece = block[s:e]
            occurrence = seen[piece]
            seen[piece] += 1
            passages.append(
                Passage(
                    id=content_id(doc_id, "passage", number, piece, occurrence),
                    text=piece,
                    section=sec,
                    page=number,
                    char_start=offset + s,
                    char_end=offset + e,
                    refs=find_markers(piece),
                )
            )
        offset += len(block) + 1
    if empty_pages:
        warnings.append(f"{len(empty_pages)} page(s) without extractable text: {_ranges(empty_pages)}")
    if not passages:
        raise PdfError("the PDF has no extractable text (scanned images need OCR first)")
    title = _title(reader, page_lines, path)
    return Document(
        id=doc_id,
        title=title,
        kind="report",
        path=str(path),
        sha256=sha256,
        language=detect_language("\n".join(text for _, _, text in blocks)),
        pages=len(page_lines),
        passages=passages,
        warnings=warnings,
    )


def _running_lines(page_lines: list[list[str]]) -> set[str]:
    """Lines repeated on many pages (running headers and footers)."""
    if len(page_lines) < 4:
        return set()
    counts = Counter(ln for lines in page_lines for ln in set(lines[:2] + lines[-2:]) if ln)
    return {ln for ln, c in counts.items() if c >= max(3, len(page_lines) * 0.3)}


def _is_figure_line(line: str) -> bool:
    """A table row that survived extraction: several figures and no sentence punctuation."""
    return len(_NUMBER_TOKEN.findall(line)) >= 2 and len(line) < 120 and not re.search(r"[，。、；]|[.;,]\s", line)


def _blocks(lines: list[str]):
    """Yield ("heading", text) and ("text", paragraph) from one page's lines."""
    para: list[str] = []
    typical = sorted(len(ln) for ln in lines)[len(lines) // 2] if lines else 0

    def flush():
        if para:
            yield "text", _join(para)
            para.clear()

    for line in lines:
        if len(line) <= 40 and _HEADING.match(line) and not line.endswith(_ENDS_SENTENCE):
            yield from flush()
            yield "heading", line
            continue
        if _is_figure_line(line):
            yield from flush()
            yield "figures", line
            continue
        para.append(line)
        if line.endswith(_ENDS_SENTENCE) and len(line) < typical * 0.8:
            yield from flush()
    yield from flush()


def _join(lines: list[str]) -> str:
    out = lines[0]
    for line in lines[1:]:
        if out.endswith("-") and not out.endswith(" -"):
            out = out[:-1] + line
        elif out and line and (is_cjk(out[-1]) or is_cjk(line[0]) or out[-1] in "，。、；：（）《》“”"):
            out += line
        else:
            out += " " + line
    return out


def _title(reader: PdfReader, page_lines: list[list[str]], path: Path) -> str:
    try:
        metadata = reader.metadata
        meta_title = metadata.get("/Title") if metadata else None
    except Exception:
        meta_title = None
    if meta_title and str(meta_title).strip():
        return _BAD_CHARS.sub("", str(meta_title)).strip()
    for lines in page_lines[:2]:
        candidates = [ln for ln in lines if 4 <= len(ln) <= 80 and not _PAGE_NUMBER.match(ln)]
        if candidates:
            return max(candidates[:5], key=len)
    return path.stem


def _ranges(numbers: list[int]) -> str:
    parts, start, prev = [], numbers[0], numbers[0]
    for n in numbers[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"{start}" if start == prev else f"{start}–{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)
