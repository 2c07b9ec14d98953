"""Reading figures as people print them: `108 381`, `1,361`, `16.50`, `—`, `3.20E+12`."""

from __future__ import annotations

import re

MISSING_MARKS = {"", "—", "–", "-", "−", "n/a", "na", "n.a.", "..", "…", "null", "none"}

_NUMBER = re.compile(
    r"""^
    (?P<sign>[-−+])?
    (?P<int>\d{1,3}(?:[ \u00a0\u202f,]\d{3})+|\d+)
    (?P<frac>\.\d+)?
    (?P<exp>[eE][-+]?\d+)?
    \s*%?
    $""",
    re.VERBOSE,
)


def parse_number(raw: str) -> float | None:
    """The numeric value of a cell or token, or None when it is missing or not a number."""
    text = raw.strip().replace("\\", "")
    if text.lower() in MISSING_MARKS:
        return None
    match = _NUMBER.match(text)
    if not match:
        return None
    digits = re.sub(r"[ \u00a0\u202f,]", "", match["int"])
    value = float(digits + (match["frac"] or "") + (match["exp"] or ""))
    return -value if match["sign"] in ("-", "−") else value


def is_missing(raw: str) -> bool:
    return raw.strip().lower() in MISSING_MARKS


def is_year(raw: str) -> bool:
    text = raw.strip()
    return len(text) == 4 and text.isdigit() and 1800 <= int(text) <= 2200


def format_number(value: float) -> str:
    """Print a figure without float noise: 22.52, 108381, 1.396."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value)}"
    return f"{value:.6g}" if abs(value) < 1e6 else f"{value:,.2f}"
