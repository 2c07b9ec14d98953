"""The source check (`GET /documents/{id}/verification`, an answer's `source_check`) in words:
verdict labels and colours, the answer card's badge, the Verification page's rows. Plain
functions over the API's JSON, no Streamlit."""

from __future__ import annotations

import re
from typing import Literal

import pandas as pd

from ui.text import format_value

VERDICTS = ("agrees", "differs", "scale", "other-indicator", "other-period", "no-source-data")

BadgeColour = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray", "grey", "primary"]
# st.badge colours and Material icons, one per verdict
COLOUR: dict[str, BadgeColour] = {
    "agrees": "green",
    "differs": "red",
    "scale": "orange",
    "other-indicator": "violet",
    "other-period": "blue",
    "no-source-data": "gray",
}
ICON = {
    "agrees": ":material/check_circle:",
    "differs": ":material/cancel:",
    "scale": ":material/straighten:",
    "other-indicator": ":material/swap_horiz:",
    "other-period": ":material/event_repeat:",
    "no-source-data": ":material/help:",
}
MEANING = {
    "agrees": "a release of the cited data gives the figure",
    "differs": "no release of the cited data gives the figure",
    "scale": "the figure matches only at another power of ten",
    "other-indicator": "the figure matches another indicator better than the cited one",
    "other-period": "the figure matches another year of the same series",
    "no-source-data": "no cited dataset in the corpus holds the series",
}
_DATE = re.compile(r"(\d{4}(?:-\d\d){1,2})$")


def release(vintage: str | None) -> str:
    """A release as people read it: the date a vintage ends with (`OWID_WDI_2023-04` →
    `2023-04`), else the vintage itself."""
    if not vintage:
        return "—"
    m = _DATE.search(vintage)
    return m.group(1) if m else vintage


def source_name(dataset: str | None, titles: dict[str, str] | None = None) -> str:
    """A dataset by the part of its title before the colon (`World Bank WDI: Fixed broadband …`
    → `World Bank WDI`), else its id."""
    if not dataset:
        return "the source data"
    title = (titles or {}).get(dataset, "")
    return title.split(":", 1)[0].strip() or dataset


def near(value: float | None, like: float | None) -> str:
    """A source figure printed with one digit more than the cell it is compared with
    (`22.52492332` beside `22.52` reads `22.525`)."""
    if value is None:
        return "—"
    shown = format_value(like) if like is not None else ""
    decimals = len(shown.split(".", 1)[1]) + 1 if "." in shown else 1
    return format_value(round(float(value), decimals))


def badge_label(check: dict, titles: dict[str, str] | None = None) -> str:
    """The answer card's badge: `agrees with World Bank WDI, release 2023-04`, `differs from
    World Bank WDI: 22.52 vs 23.1`, `scale: ×10 against …`, `other indicator: …`, `other
    period: …`."""
    verdict = check.get("verdict", "")
    source = source_name(check.get("source_id"), titles)
    cell = format_value(check.get("value"))
    theirs = near(check.get("source_value"), check.get("value"))
    if verdict == "agrees":
        return f"agrees with {source}, release {release(check.get('vintage'))}"
    if verdict == "differs":
        return f"differs from {source}: {cell} vs {theirs}"
    if verdict == "scale":
        return f"scale: {cell} vs {theirs} in {source} (a unit error?)"
    if verdict == "other-indicator":
        code = check.get("indicator_code") or "another indicator"
        return f"other indicator: {cell} is {code} in {source}, not the cited series"
    if verdict == "other-period":
        return f"other period: {cell} matches another year in {source}"
    return "no source data"


def cell_key(cell: dict) -> str:
    """One cell of a verification, as an option of the page's cell picker."""
    return f"{cell['table']} · {cell['row']} · {cell['column']}"


def filtered(cells: list[dict], table: str | None = None, verdict: str | None = None) -> list[dict]:
    return [c for c in cells if (table is None or c["table"] == table) and (verdict is None or c["verdict"] == verdict)]


def summary(cells: list[dict]) -> dict[str, int]:
    """Cells per verdict, every verdict listed (0 where none)."""
    counts = dict.fromkeys(VERDICTS, 0)
    for c in cells:
        counts[c["verdict"]] = counts.get(c["verdict"], 0) + 1
    return counts


def cells_frame(cells: list[dict], titles: dict[str, str] | None = None) -> pd.DataFrame:
    """The page's listing: one row per cell, as text (a missing value is `—`)."""
    rows = [
        {
            "table": c["table"],
            "row": c["row"],
            "column": c["column"],
            "value": c.get("raw") or format_value(c.get("value")),
            "verdict": c["verdict"],
            "source value": format_value(c.get("source_value")),
            "source": source_name(c.get("source_id"), titles) if c.get("source_id") else "—",
            "release": release(c.get("vintage")),
            "refs": ", ".join(f"[{n}]" for n in c.get("refs") or []) or "—",
        }
        for c in cells
    ]
    columns = ["table", "row", "column", "value", "verdict", "source value", "source", "release", "refs"]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def source_fact(cell: dict, titles: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """The source row beside a cell: (field, value) pairs: dataset, indicator, country, year,
    value, release, and what the verdict adds (factor, matched year, the cited series)."""
    if not cell.get("source_id") and not cell.get("evidence"):
        return []
    dataset = cell.get("source_id")
    indicator = cell.get("indicator") or "—"
    if cell.get("indicator_code"):
        indicator = f"{indicator} ({cell['indicator_code']})"
    fact = cell.get("fact_id")
    entity = next((e["entity"] for e in cell.get("evidence") or [] if e.get("fact_id") == fact), None)
    pairs = [
        ("dataset", f"{source_name(dataset, titles)} ({dataset})" if dataset else "—"),
        ("indicator", indicator),
        ("country", entity or cell.get("country") or "—"),
        ("year", str(cell.get("matched_year") or cell.get("year") or "—")),
        ("value", format_value(cell.get("source_value"))),
        ("release", cell.get("vintage") or "—"),
    ]
    if cell.get("relative_difference") is not None:
        pairs.append(("relative difference", f"{cell['relative_difference']:+.2%}"))
    if cell.get("factor") is not None:
        pairs.append(("factor", f"×{format_value(cell['factor'])}"))
    if cell.get("cited_indicator_code"):
        pairs.append(("cited series", f"{cell['cited_indicator_code']}: {format_value(cell.get('cited_value'))}"))
    if cell.get("vintages_tried"):
        pairs.append(("releases tried", ", ".join(cell["vintages_tried"])))
    if cell.get("vintages_agreeing"):
        pairs.append(("releases agreeing", ", ".join(cell["vintages_agreeing"])))
    return pairs


def evidence_frame(cell: dict) -> pd.DataFrame:
    """Every source fact the cell was compared with: dataset, release, indicator, country,
    year, value, whether it agrees, the relative difference."""
    rows = [
        {
            "dataset": e["dataset"],
            "release": e["vintage"],
            "indicator": e.get("indicator_code") or e["indicator"],
            "country": e["entity"],
            "year": str(e["year"]) if e.get("year") is not None else "—",
            "value": e.get("raw") or format_value(e.get("value")),
            "agrees": {True: "yes", False: "no"}.get(e.get("agrees"), "—"),
            "difference": f"{e['relative_difference']:+.2%}" if e.get("relative_difference") is not None else "—",
        }
        for e in cell.get("evidence") or []
    ]
    columns = ["dataset", "release", "indicator", "country", "year", "value", "agrees", "difference"]
    return pd.DataFrame(rows, columns=columns, dtype=object)
