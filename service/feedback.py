"""Users' verdicts on answers as evaluation questions: each stored item (`index/feedback_store.py`)
read back as a line of the evaluation file format (`eval/README.md`), so `citeqa eval` can run
users' questions again.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_KIND_BY_CITATION = {"table_row": "table_cell", "fact": "table_cell", "passage": "prose"}


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def language(question: str) -> str:
    if _CYRILLIC.search(question):
        return "ru"
    if _CJK.search(question):
        return "zh"
    return "en"


def eval_item(row: dict) -> dict:
    """A stored item as a line of an evaluation file (plus verdict, comment, answer, stored_at).

    `kind`: `abstain` when the answer was "the documents do not say", else by the first
    citation: a table row or a dataset figure is `table_cell`, a passage is `prose`.
    `numbers`: the answer's value when the user called it correct. `table` and `refs`: the
    first citation's. `text` is left empty: a verdict does not say which words matter."""
    citations = row["citations"]
    first = citations[0] if citations else None
    if not row["answered"]:
        kind = "abstain"
    else:
        kind = _KIND_BY_CITATION.get(first["kind"], "prose") if first else "prose"
    correct = row["verdict"] == "correct"
    return {
        "id": f"fb-{row['id']}",
        "kind": kind,
        "lang": language(row["question"]),
        "question": row["question"],
        "numbers": [row["value"]] if correct and row["value"] is not None else [],
        "text": [],
        "table": first.get("table") if first else None,
        "refs": [r["n"] for r in first.get("refs") or []] if first else [],
        "verdict": row["verdict"],
        "comment": row["comment"],
        "answer": row["answer"],
        "stored_at": iso(row["stored_at"]),
    }
