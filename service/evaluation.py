"""Scoring `citeqa eval`: questions with gold answers (format in `eval/README.md`) run
through `Engine.ask` — the code path behind `POST /ask` — and `Engine.search`.

The scoring functions are pure: they take one question (`item`, a dict as read from the
jsonl file) and one response (a dict shaped like the `/ask` response) and return a verdict.

Rules, as `eval/README.md` states them, with the choices it leaves open made explicit:

- Numbers match within 0.5 % relative (`|got - gold| <= 0.005 * |gold|`; exact for 0).
- A response with a non-null `value`: that value must match one of `numbers`. For
  `compare`, a number in the answer sentence may match instead.
- A response without a `value`: a number in the `answer` text counts, provided the text
  names at most 4 figures besides years. Numbers are read with thousand separators (space,
  no-break space, comma between groups of three digits) ignored, and a decimal comma
  followed by one or two digits (`18,2`) read as a decimal point. Years are 4-digit
  integers 1900–2100. Not counted as figures either: reference markers (`[20]`,
  `[20, 21]`) and document labels (`Table 6`, `Figure 2`), and digits glued to letters
  (`5G`, `B2C`). Signs are ignored in the sentence (`-` is as often a dash as a minus).
- `text`: every string must appear, case-insensitively, in the answer or in the snippet or
  a reference entry's text of any citation.
- `abstain`: right iff `answered` is false.
- `missing` (the table has no value there): right iff the response does not claim a number:
  `answered` is false, or `value` is null and the answer says the value is missing / not
  available / not reported (see `MISSING_WORDS`).
- Any other kind: `answered: false` is wrong.
- `source`: right only when the text check and the citation are both right.
- Citation (questions with a `table` or non-empty `refs`): right when one of the top 3
  citations has that `table` label (compared case- and space-insensitively), or carries one
  of the gold refs (by `n`). Judged on the citations given, whether or not the response
  answered.
- By language (`by_lang`, from each item's `lang`): answer and citation accuracy as above, and
  `right_and_cited`, the share with a right answer and no wrong citation (a citation is judged
  only for questions with a gold `table` or `refs`).
- Retrieval hit@k: `Engine.search(question, top_k=5)`; a hit when a result at rank <= k has
  the gold table or carries a gold ref. Questions with neither are skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

TOLERANCE = 0.005
MAX_FIGURES = 4
TOP_CITATIONS = 3
HIT_KS = (1, 5)

# -- reading numbers -----------------------------------------------------------------
_LETTER = r"A-Za-z\u00c0-\u024f\u0400-\u04ff"
_NUMBER = re.compile(
    rf"""
    (?<![\d.{_LETTER}])                               # not inside a number or a word
    (?P<int>\d{{1,3}}(?:[ \u00a0\u202f,]\d{{3}})+(?!\d)|\d+)
    (?:
        (?P<frac>\.\d+)
      | ,(?P<comma_frac>\d{{1,2}})(?![\d,])            # decimal comma: 18,2
    )?
    (?![\d{_LETTER}])                                  # not glued to a word: 5G
    """,
    re.VERBOSE,
)
_REF_MARKER = re.compile(r"\[\s*\d+(?:\s*[,–-]\s*\d+)*\s*\]")
_LABEL = re.compile(r"\b(?:Table|Tab\.|Figure|Fig\.|Chart|Appendix|Section)\s*\d+(?:\.\d+)*", re.IGNORECASE)

MISSING_WORDS = re.compile(
    r"\b(?:missing|not available|unavailable|no value|no figure|no data|not reported|not given|not provided|"
    r"not stated|not listed|not shown|blank|empty|n/a|does not (?:say|give|report|list|show|provide|state)|"
    r"do not (?:say|give|report|list|show|provide|state)|has no|have no|is not in)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    value: float
    is_year: bool


def numbers_in(text: str) -> list[Figure]:
    """Figures named in a sentence, in order (reference markers and table labels left out)."""
    text = _REF_MARKER.sub(" ", text or "")
    text = _LABEL.sub(" ", text)
    out = []
    for m in _NUMBER.finditer(text):
        digits = re.sub(r"[ \u00a0\u202f,]", "", m["int"])
        frac = m["frac"] or (f".{m['comma_frac']}" if m["comma_frac"] else "")
        year = not frac and len(digits) == 4 and digits == m["int"] and 1900 <= int(digits) <= 2100
        out.append(Figure(float(digits + frac), year))
    return out


def close(got: float, gold: float, tolerance: float = TOLERANCE) -> bool:
    if gold == 0:
        return got == 0
    return abs(got - gold) <= tolerance * abs(gold)


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        found = numbers_in(value)
        return found[0].value if len(found) == 1 else None
    return None


def value_matches(value: Any, gold: list[float]) -> bool:
    got = _as_float(value)
    return got is not None and any(close(got, g) for g in gold)


def sentence_matches(answer: str, gold: list[float], max_figures: int = MAX_FIGURES) -> bool:
    """A number in the sentence matches, and the sentence names at most `max_figures` non-years."""
    figures = numbers_in(answer)
    if sum(not f.is_year for f in figures) > max_figures:
        return False
    return any(close(f.value, g) or close(-f.value, g) for f in figures for g in gold)


# -- scoring one response ------------------------------------------------------------
def _citations(response: dict) -> list[dict]:
    return [c for c in response.get("citations") or [] if isinstance(c, dict)]


def cited_texts(response: dict) -> list[str]:
    """The answer, the cited snippets and the cited reference entries' texts."""
    texts = [response.get("answer") or ""]
    for c in _citations(response):
        texts.append(c.get("snippet") or c.get("text") or "")
        for ref in c.get("refs") or []:
            if isinstance(ref, dict):
                texts.append(ref.get("text") or "")
    return texts


def text_matches(item: dict, response: dict) -> bool:
    wanted = [t for t in item.get("text") or [] if t]
    if not wanted:
        return True
    haystack = "\n".join(cited_texts(response)).casefold()
    return all(t.casefold() in haystack for t in wanted)


def numbers_match(item: dict, response: dict) -> bool:
    gold = [float(n) for n in item.get("numbers") or []]
    if not gold:
        return True
    answer = response.get("answer") or ""
    if response.get("value") is not None:
        if value_matches(response["value"], gold):
            return True
        return item.get("kind") == "compare" and sentence_matches(answer, gold)
    return sentence_matches(answer, gold)


def says_missing(answer: str) -> bool:
    return bool(MISSING_WORDS.search(answer or ""))


def score_answer(item: dict, response: dict) -> bool:
    """Is the answer right? (For `source`, the citation must be right too.)"""
    kind = item.get("kind")
    answered = bool(response.get("answered"))
    if kind == "abstain":
        return not answered
    if kind == "missing":
        return not answered or (response.get("value") is None and says_missing(response.get("answer") or ""))
    if not answered:
        return False
    ok = numbers_match(item, response) and text_matches(item, response)
    if kind == "source":
        ok = ok and score_citation(item, response) is True
    return ok


def _norm_label(label: Any) -> str:
    return " ".join(str(label).split()).casefold() if label else ""


def _ref_numbers(citation: dict) -> set[int]:
    out = set()
    for ref in citation.get("refs") or []:
        n: Any = ref.get("n") if isinstance(ref, dict) else ref  # int() below rejects what is not a number
        try:
            out.add(int(n))
        except (TypeError, ValueError):
            continue
    return out


def citation_hits(item: dict, citation: dict) -> bool:
    """Does this one citation name the gold table or carry a gold ref?"""
    table = _norm_label(item.get("table"))
    if table and _norm_label(citation.get("table")) == table:
        return True
    gold_refs = {int(n) for n in item.get("refs") or []}
    return bool(gold_refs & _ref_numbers(citation))


def has_gold_source(item: dict) -> bool:
    return bool(item.get("table")) or bool(item.get("refs"))


def score_citation(item: dict, response: dict, top: int = TOP_CITATIONS) -> bool | None:
    """Right when one of the top citations names the gold table or a gold ref; None when not judged."""
    if not has_gold_source(item):
        return None
    return any(citation_hits(item, c) for c in _citations(response)[:top])


def retrieval_hits(item: dict, results: list[dict], ks: tuple[int, ...] = HIT_KS) -> dict[int, bool] | None:
    """hit@k for search results (best first); None when the question has no gold table or refs."""
    if not has_gold_source(item):
        return None
    first = next((i for i, r in enumerate(results) if citation_hits(item, r)), None)
    return {k: first is not None and first < k for k in ks}


# -- reading the question file -------------------------------------------------------
class EvalInputError(ValueError):
    """A question file that cannot be read; the message names the line."""


def load_questions(path: Path) -> list[dict]:
    path = Path(path)
    if not path.is_file():
        raise EvalInputError(f"no question file at {path}")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalInputError(f"{path}: cannot read: {exc}") from exc
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalInputError(f"{where}: invalid JSON: {exc.msg} (column {exc.colno})") from exc
        if not isinstance(item, dict):
            raise EvalInputError(f"{where}: expected a JSON object, got {type(item).__name__}")
        question = item.get("question")
        if not isinstance(question, str) or not question.strip():
            raise EvalInputError(f"{where}: missing `question` (a non-empty string)")
        for key in ("numbers", "text", "refs"):
            value = item.get(key)
            if value is None:
                continue
            if not isinstance(value, list):
                raise EvalInputError(f"{where}: `{key}` must be a list")
        if any(isinstance(n, bool) or not isinstance(n, int | float) for n in item.get("numbers") or []):
            raise EvalInputError(f"{where}: `numbers` must hold numbers")
        if any(not isinstance(t, str) for t in item.get("text") or []):
            raise EvalInputError(f"{where}: `text` must hold strings")
        if any(isinstance(n, bool) or not isinstance(n, int) for n in item.get("refs") or []):
            raise EvalInputError(f"{where}: `refs` must hold integers")
        if item.get("table") is not None and not isinstance(item["table"], str):
            raise EvalInputError(f"{where}: `table` must be a string or null")
        item.setdefault("id", f"line{number}")
        item.setdefault("kind", "unknown")
        items.append(item)
    if not items:
        raise EvalInputError(f"{path}: no questions")
    return items


# -- running and reporting -----------------------------------------------------------
@dataclass
class Outcome:
    item: dict
    response: dict
    answer_ok: bool
    citation_ok: bool | None
    hits: dict[int, bool] | None

    @property
    def failed(self) -> bool:
        return not self.answer_ok or self.citation_ok is False


def judge(item: dict, response: dict, search_results: list[dict] | None = None) -> Outcome:
    hits = retrieval_hits(item, search_results) if search_results is not None else None
    return Outcome(item, response, score_answer(item, response), score_citation(item, response), hits)


def _ratio(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _locator(c: dict) -> str:
    where = c.get("locator") or c.get("table") or ""
    refs = sorted(_ref_numbers(c))
    tail = f" refs {refs}" if refs else ""
    return f"{c.get('doc_id', '?')} · {where}{tail}"


def failure(o: Outcome) -> dict:
    item, response = o.item, o.response
    return {
        "id": item.get("id"),
        "kind": item.get("kind"),
        "question": item.get("question"),
        "expected": {k: item.get(k) for k in ("numbers", "text", "table", "refs")},
        "got": {
            "answered": response.get("answered"),
            "answer": response.get("answer"),
            "value": response.get("value"),
            "unit": response.get("unit"),
            "citations": [_locator(c) for c in _citations(response)[:TOP_CITATIONS]],
        },
        "answer_ok": o.answer_ok,
        "citation_ok": o.citation_ok,
    }


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def summary(self) -> dict:
        outs = self.outcomes
        by_kind = _grouped(outs, "kind")  # an item without a kind counts under None
        by_lang = _grouped(outs, "lang", right_and_cited=True)  # without a `lang`, under None
        hits = [o.hits for o in outs if o.hits is not None]
        return {
            "n": len(outs),
            "answer_accuracy": _ratio([o.answer_ok for o in outs]),
            "citation_accuracy": _ratio([o.citation_ok for o in outs if o.citation_ok is not None]),
            "abstention_accuracy": _ratio([o.answer_ok for o in outs if o.item.get("kind") == "abstain"]),
            "hit_at_1": _ratio([h[1] for h in hits]),
            "hit_at_5": _ratio([h[5] for h in hits]),
            "by_kind": by_kind,
            "by_lang": by_lang,
            "failures": [failure(o) for o in outs if o.failed],
        }


def _grouped(outs: list[Outcome], key: str, *, right_and_cited: bool = False) -> dict[str | None, dict]:
    """Accuracy per value of an item's `key` (`kind`, `lang`), in the order they first come."""
    out: dict[str | None, dict] = {}
    for value in dict.fromkeys(o.item.get(key) for o in outs):
        group = [o for o in outs if o.item.get(key) == value]
        out[value] = {
            "n": len(group),
            "answer_accuracy": _ratio([o.answer_ok for o in group]),
            "citation_accuracy": _ratio([o.citation_ok for o in group if o.citation_ok is not None]),
        }
        if right_and_cited:
            out[value]["right_and_cited"] = _ratio([not o.failed for o in group])
    return out


def _pct(value: float | None) -> str:
    return "   –  " if value is None else f"{value * 100:5.1f}%"


def render(summary: dict) -> str:
    lines = [f"{'kind':<14} {'n':>3}  {'answer':>7}  {'citation':>8}"]
    for kind, s in summary["by_kind"].items():
        lines.append(f"{kind:<14} {s['n']:>3}  {_pct(s['answer_accuracy']):>7}  {_pct(s['citation_accuracy']):>8}")
    lines.append(
        f"{'overall':<14} {summary['n']:>3}  {_pct(summary['answer_accuracy']):>7}  "
        f"{_pct(summary['citation_accuracy']):>8}"
    )
    lines.append("")
    lines.append(f"{'lang':<14} {'n':>3}  {'answer':>7}  {'citation':>8}  {'right+cited':>11}")
    for lang, s in summary["by_lang"].items():
        lines.append(
            f"{lang or '?':<14} {s['n']:>3}  {_pct(s['answer_accuracy']):>7}  {_pct(s['citation_accuracy']):>8}  "
            f"{_pct(s['right_and_cited']):>11}"
        )
    lines.append("")
    lines.append(f"abstention accuracy  {_pct(summary['abstention_accuracy'])}")
    lines.append(f"retrieval hit@1      {_pct(summary['hit_at_1'])}")
    lines.append(f"retrieval hit@5      {_pct(summary['hit_at_5'])}")
    failures = summary["failures"]
    lines.append("")
    lines.append(f"failures: {len(failures)}" if failures else "failures: none")
    for f in failures:
        wrong = ", ".join(
            w for w, ok in (("answer", f["answer_ok"]), ("citation", f["citation_ok"] is not False)) if not ok
        )
        exp, got = f["expected"], f["got"]
        expected = ", ".join(f"{k} {v}" for k, v in (("numbers", exp["numbers"]), ("text", exp["text"])) if v) or (
            "answered: false" if f["kind"] == "abstain" else "no figure claimed" if f["kind"] == "missing" else ""
        )
        source = ", ".join(p for p in (exp["table"] or "", f"refs {exp['refs']}" if exp["refs"] else "") if p)
        lines.append(f"- {f['id']} [{f['kind']}] wrong {wrong}: {f['question']}")
        lines.append(f"    expected: {expected or '–'}{' · source: ' + source if source else ''}")
        lines.append(f"    got: answered={got['answered']} value={got['value']!r} answer={got['answer']!r}")
        for loc in got["citations"]:
            lines.append(f"      cites {loc}")
    return "\n".join(lines)


def run_eval(engine, items: list[dict], *, top_k: int = 5, progress=None) -> Report:
    """Ask every question through `engine.ask` (as `/ask` does) and search it for hit@k."""
    report = Report()
    for i, item in enumerate(items, start=1):
        response = engine.ask(item["question"], top_k=top_k).to_dict()
        results = (
            [asdict(r) for r in engine.search(item["question"], top_k=max(HIT_KS))] if has_gold_source(item) else None
        )
        report.outcomes.append(judge(item, response, results))
        if progress:
            progress(i, len(items))
    return report
