"""Text for Streamlit markdown: escaping, highlighted spans, figures, reference entries.

Everything that comes from a document is escaped before it reaches `st.markdown`, so a `$`,
`*`, `_`, `[` or `<` in a snippet is shown as written (no LaTeX, no emphasis, no HTML).
"""

from __future__ import annotations

import re
from urllib.parse import quote

# characters that start inline markdown, HTML, a LaTeX formula or a Streamlit directive
_INLINE = re.compile(r"([\\`*_\[\]{}<>$~|:#])")
# block starts: headings, lists, quotes, numbered lists, rules
_LINE_START = re.compile(r"^(\s*)(\d+(?=[.)](?:\s|$))|[-+=](?=[\s\-=+]|$))", re.MULTILINE)

HIGHLIGHT = "orange-background"


def escape_markdown(text: str, *, line_start: bool = True) -> str:
    """`text` shown literally by `st.markdown` (line breaks kept). With `line_start=False` the
    text continues a line, so its beginning cannot start a heading or a list."""
    text = _INLINE.sub(r"\\\1", text)
    if not line_start:
        return _LINE_START.sub(_escape_block, "x" + text)[1:]
    return _LINE_START.sub(_escape_block, text)


def _escape_block(match: re.Match) -> str:
    indent, mark = match.group(1), match.group(2)
    return indent + (mark + "\\" if mark.isdigit() else "\\" + mark)


def highlight_markdown(snippet: str, span: list[int] | tuple[int, int] | None) -> str:
    """The snippet, escaped, with `[start, end)` shown bold on a highlighted background."""
    if not span or len(span) != 2:
        return escape_markdown(snippet)
    start, end = max(0, int(span[0])), min(len(snippet), int(span[1]))
    if start >= end:
        return escape_markdown(snippet)
    before, marked, after = snippet[:start], snippet[start:end], snippet[end:]
    inner = escape_markdown(marked.strip(), line_start=not before)
    tail = escape_markdown(after, line_start=False)
    return f"{escape_markdown(before)}:{HIGHLIGHT}[**{inner}**]{tail}"


def format_value(value: float | int | None) -> str:
    """22.52 → "22.52", 157.0 → "157", 12768.0 → "12,768", 0.000123 → "0.000123"."""
    if value is None:
        return "—"
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    text = repr(value)
    if "e" in text or "E" in text:
        return f"{value:g}"
    decimals = min(len(text.split(".", 1)[1]), 6)
    return f"{value:,.{decimals}f}"


def figure(value: float | int | None, unit: str | None) -> str:
    """The figure with its unit, as people write it: "22.52 per 100 people", "39.8%"."""
    number = format_value(value)
    if not unit:
        return number
    return f"{number}{unit}" if unit.startswith("%") else f"{number} {unit}"


def _safe_url(url: str) -> str:
    return quote(url.strip(), safe=":/?#[]@!$&'*+,;=%~-._")


def reference_markdown(ref: dict) -> str:
    """`[n] text` with the entry's URL as a link, shown once: in place where the text prints
    it (`Available at: <https://…>`), else after the text."""
    text = ref.get("text") or ""
    url = ref.get("url")
    head = f"\\[{ref['n']}\\] "
    if not (url and url.lower().startswith(("http://", "https://"))):
        return head + escape_markdown(text)
    target = _safe_url(url).replace("(", "%28").replace(")", "%29")
    for printed in (f"<{url}>", url):
        at = text.find(printed)
        if at >= 0:
            link = f"[{escape_markdown(url, line_start=False)}]({target})"
            rest = escape_markdown(text[at + len(printed) :], line_start=False)
            return head + escape_markdown(text[:at]) + link + rest
    return head + escape_markdown(text) + f" — [link]({target})"


def one_line(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
