"""A document's own reference list and the inline markers that cite it (`[9]`, `[20; 21; 22]`, `[3-5]`)."""

from __future__ import annotations

import re

from ingest.records import Reference

REFERENCE_HEADINGS = re.compile(
    r"^(references|bibliography|works cited|sources|литература|список литературы|参考文献)\s*:?$",
    re.IGNORECASE,
)

# `[20; 21; 22]`, `[1, 2]`, `[3-5]` — but not a markdown link `[text](url)`
_MARKER = re.compile(r"\[(\d{1,3}(?:\s*[;,–—-]\s*\d{1,3})*)\](?!\()")
_ENTRY_START = re.compile(r"^\s*(?:[-*]\s+)?(\d{1,3})[.)]\s+(.*)$")
_URL_IN_ANGLES = re.compile(r"<(https?://[^>\s]*)>")
_URL_IN_LINK = re.compile(r"\]\((https?://(?:[^()\s]|\([^()\s]*\))+)\)")
_URL_IN_LINK_FULL = re.compile(r"\[([^\]]+)\]\((https?://(?:[^()\s]|\([^()\s]*\))+)\)")
_BARE_URL = re.compile(r"https?://[^\s<>()\]]+")
_URL_TAIL = re.compile(r"^[\w.\-/?&=%#~+:\\]+")
_CUT_URL = re.compile(r"<(https?://[^>\s]*)>(\.?)\s*$")


def find_markers(text: str) -> list[int]:
    """Reference numbers cited in `text`, in order of first appearance."""
    found: list[int] = []
    for match in _MARKER.finditer(text):
        for n in _expand(match.group(1)):
            if n not in found:
                found.append(n)
    return found


def strip_markers(text: str) -> str:
    return re.sub(r"\s*" + _MARKER.pattern, "", text)


def _expand(body: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*[;,]\s*", body):
        bounds = re.split(r"\s*[–—-]\s*", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            lo, hi = int(bounds[0]), int(bounds[1])
            if lo <= hi <= lo + 50:
                numbers.extend(range(lo, hi + 1))
                continue
        numbers.extend(int(b) for b in bounds if b.isdigit())
    return numbers


def parse_reference_list(lines: list[str]) -> tuple[list[Reference], list[str]]:
    """Entries of a numbered reference list, and the lines after the list ends.

    A new entry is a line numbered one past the last; a line that starts with a list
    bullet or a lower-case letter continues the entry (a page break split it);
    anything else ends the list.
    """
    entries: list[list[str]] = []
    numbers: list[int] = []
    rest_from = len(lines)
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        start = _ENTRY_START.match(line)
        if start and (not numbers or int(start.group(1)) == numbers[-1] + 1):
            numbers.append(int(start.group(1)))
            entries.append([start.group(2).strip()])
            continue
        if entries and (stripped.startswith(("- ", "* ")) or stripped[:1].islower()):
            entries[-1].append(stripped.lstrip("-* ").strip())
            continue
        if entries:
            rest_from = i
            break
    refs = [Reference(n=n, **_join_entry(parts)) for n, parts in zip(numbers, entries)]
    return refs, lines[rest_from:]


def _join_entry(parts: list[str]) -> dict:
    """Join an entry's pieces, mending a URL that a page break cut in two."""
    pieces = [parts[0]]  # joined with spaces at the end: a long entry is not copied a line at a time
    url = _first_url(parts[0])
    for part in parts[1:]:
        # a URL in angles at the end lies in the text after the last space (a URL holds none)
        cut = _CUT_URL.search(pieces[-1]) if pieces[-1].strip() else None
        tail = _URL_TAIL.match(part)
        if cut and tail and any(c in tail.group(0) for c in "./?="):
            url = cut.group(1) + cut.group(2) + tail.group(0).replace("\\", "")
            pieces[-1] = pieces[-1][: cut.start()] + f"<{url}>" + part[tail.end() :]
        else:
            pieces.append(part)
    return {"text": _clean(" ".join(pieces)), "url": url}


def _first_url(text: str) -> str | None:
    for pattern in (_URL_IN_ANGLES, _URL_IN_LINK, _BARE_URL):
        match = pattern.search(text)
        if match:
            url = match.group(1) if pattern.groups else match.group(0)
            return url.replace("\\", "").rstrip(".")
    return None


def _clean(text: str) -> str:
    text = _URL_IN_LINK_FULL.sub(r"\2", text)  # [url](url) → url
    text = text.replace("\\_", "_").replace("\\", "").replace("*", "")
    return re.sub(r"\s+", " ", text).strip()
