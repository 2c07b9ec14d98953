"""`citeqa eval-tatqa`: the TAT-QA kit in `eval/tatqa/` run through `Engine.ask`, scored by
the kit's own `score.py`.

Every question is asked inside its own report excerpt (`doc_ids=[context_id]`: the document
id of `corpus/<context_id>.md` is the file stem), the way an analyst asks about a report they
have just ingested. Each `Answer` becomes one TAT-QA prediction line (`prediction`); the
predictions go to a JSONL file and are scored with the kit's scorer, imported from the kit
as it is (nothing of it is copied here). Figures are reported for the whole run and for the
"dev" and "heldout" slices separately (`eval/tatqa/SPLIT.md`): the held-out excerpts are
never looked at while building.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from index.embedder import Embedder
from index.store import DB_NAME
from service.answering.answer import Answer, Draft

DEFAULT_KIT = Path(__file__).resolve().parent.parent / "eval" / "tatqa"
SPLITS = ("all", "dev", "heldout")
ANSWER_TYPES = ("span", "multi-span", "arithmetic", "count")
ANSWER_FROM = ("table", "text", "table-text")
# the target groups: (name, answer types, answer_from or None for any)
GROUPS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("span+multi-span", ("span", "multi-span"), None),
    ("span+multi-span from table", ("span", "multi-span"), "table"),
    ("arithmetic+count", ("arithmetic", "count"), None),
)


class TatqaKitError(Exception):
    """The kit folder or the data dir is not what the run needs; the message says what to fix."""


# -- the kit ---------------------------------------------------------------------------
def load_scorer(kit: Path) -> ModuleType:
    """The kit's `score.py`, imported as a module from where it lies."""
    path = Path(kit) / "score.py"
    if not path.is_file():
        raise TatqaKitError(f"no scorer at {path}")
    spec = importlib.util.spec_from_file_location("tatqa_kit_score", path)
    if spec is None or spec.loader is None:
        raise TatqaKitError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def heldout_ids(kit: Path) -> set[str]:
    """The held-out context ids (`heldout.txt`, one a line); every other context is dev."""
    path = Path(kit) / "heldout.txt"
    if not path.is_file():
        raise TatqaKitError(f"no {path}: the held-out slice is fixed once (eval/tatqa/SPLIT.md)")
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def load_questions(kit: Path) -> list[dict]:
    path = Path(kit) / "questions.jsonl"
    if not path.is_file():
        raise TatqaKitError(f"no questions at {path}")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def kit_not_ingested(data_dir: Path) -> str | None:
    """Why `data_dir` holds no ingested kit for the scripts that read it (`make eval-tatqa`
    ingests it), or None when it does."""
    if (Path(data_dir) / DB_NAME).is_file():
        return None
    return f"no ingested kit at {data_dir}: run `make eval-tatqa` first"


def slice_of(question: dict, heldout: set[str]) -> str:
    return "heldout" if question["context_id"] in heldout else "dev"


# -- one prediction --------------------------------------------------------------------
def format_value(value: float) -> str:
    """A number as plain text: no thousands separators, at most 4 decimals (`-2.5`, `36`)."""
    text = f"{round(value, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def prediction_answer(answer: Answer | Draft) -> str | list[str]:
    """The answer as the document prints it (one span, or the list of several); else the
    computed value; else "" when the answerer declined. An answer with neither spans nor a
    value gives its sentence (the scorer then gives partial credit by tokens)."""
    if answer.spans:
        return answer.spans[0] if len(answer.spans) == 1 else list(answer.spans)
    if answer.value is not None:
        return format_value(answer.value)
    if not answer.answered:
        return ""
    return answer.answer


def prediction(question_id: str, answer: Answer) -> dict:
    """One TAT-QA prediction line (the kit's README and score.py give the format)."""
    return {
        "question_id": question_id,
        "answer": prediction_answer(answer),
        "cited_context_id": list(dict.fromkeys(c.doc_id for c in answer.citations)),
    }


# -- scores ----------------------------------------------------------------------------
def _pct(x: float) -> float:
    return round(100 * x, 2)


def _figures(scorer: ModuleType, gold: list[dict], preds: list[dict]) -> dict:
    """The scorer's overall EM/F1 (and citation accuracy) of `gold`, in percent."""
    if not gold:
        return {"n": 0}
    summary, _ = scorer.evaluate(gold, preds)
    o = summary["overall"]
    return {"n": o["n"], "em": _pct(o["em"]), "f1": _pct(o["f1"]), "cite": _pct(o["cite"])}


def score_slice(scorer: ModuleType, gold: list[dict], preds: list[dict], answered: set[str], seconds: dict) -> dict:
    """EM/F1 of one slice: overall, by answer type, by where the answer is, and the target groups."""
    out: dict[str, Any] = {
        "n": len(gold),
        "answered": sum(1 for g in gold if g["question_id"] in answered),
        "seconds_per_question": round(sum(seconds[g["question_id"]] for g in gold) / len(gold), 4) if gold else None,
        "overall": _figures(scorer, gold, preds),
    }
    types = list(ANSWER_TYPES) + sorted({g["answer_type"] for g in gold} - set(ANSWER_TYPES))
    froms = list(ANSWER_FROM) + sorted({g["answer_from"] for g in gold} - set(ANSWER_FROM))
    out["by_answer_type"] = {t: _figures(scorer, [g for g in gold if g["answer_type"] == t], preds) for t in types}
    out["by_answer_from"] = {f: _figures(scorer, [g for g in gold if g["answer_from"] == f], preds) for f in froms}
    out["groups"] = {
        name: _figures(
            scorer,
            [g for g in gold if g["answer_type"] in kinds and (where is None or g["answer_from"] == where)],
            preds,
        )
        for name, kinds, where in GROUPS
    }
    return out


# -- the run ---------------------------------------------------------------------------
def run_tatqa(
    data_dir: Path,
    kit: Path = DEFAULT_KIT,
    *,
    split: str = "all",
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    out: Path | None = None,
    embedder: Embedder | None = None,
    model_name: str | None = None,
    ingest_progress: bool | None = False,
) -> dict:
    """Ingest the kit's corpus into `data_dir` (unchanged files are skipped), ask every
    question of `split` (the first `limit` of them, in file order) inside its own excerpt,
    write the predictions to `out` (default `data_dir/predictions.jsonl`) and score them.

    `embedder`: one model for ingest and questions (tests share the session's); by default
    the configured one (`get_settings()`), every core for ingest and one thread a question.
    """
    from index.folder import IndexMissing
    from service.answering.engine import Engine
    from service.ingesting import run_ingest
    from service.settings import get_settings

    if split not in SPLITS:
        raise TatqaKitError(f"split {split!r} is not one of {', '.join(SPLITS)}")
    if limit is not None and limit < 1:
        raise TatqaKitError("limit must be at least 1")
    kit, data_dir = Path(kit), Path(data_dir)
    corpus = kit / "corpus"
    if not corpus.is_dir():
        raise TatqaKitError(f"no corpus folder at {corpus}")
    scorer = load_scorer(kit)
    heldout = heldout_ids(kit)
    questions = [q for q in load_questions(kit) if split == "all" or slice_of(q, heldout) == split]
    if limit is not None:
        questions = questions[:limit]

    settings = get_settings()
    model = model_name or settings.model
    report = run_ingest(
        [corpus],
        data_dir,
        (lambda: embedder) if embedder is not None else (lambda: settings.embedder(bulk=True)),
        model,
        progress=ingest_progress,
    )
    if report.failed:
        raise TatqaKitError("; ".join(f"{o.path}: {o.message}" for o in report.failed))
    try:
        engine = Engine.load(data_dir, embedder if embedder is not None else settings.embedder())
    except IndexMissing as exc:
        raise TatqaKitError(str(exc)) from exc

    preds: list[dict] = []
    answered: set[str] = set()
    seconds: dict[str, float] = {}
    try:
        missing = sorted({q["context_id"] for q in questions if engine.store.document(q["context_id"]) is None})
        if missing:
            raise TatqaKitError(
                f"{len(missing)} context(s) are not documents in {data_dir} (e.g. {missing[0]}): "
                "the document id of corpus/<context_id>.md must be its stem"
            )
        for i, q in enumerate(questions, start=1):
            started = time.perf_counter()
            answer = engine.ask(q["question"], doc_ids=[q["context_id"]])
            seconds[q["question_id"]] = time.perf_counter() - started
            if answer.answered:
                answered.add(q["question_id"])
            preds.append(prediction(q["question_id"], answer))
            if progress:
                progress(i, len(questions))
    finally:
        engine.store.close()

    out = Path(out) if out is not None else data_dir / "predictions.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for p in preds:
            fh.write(json.dumps(p, ensure_ascii=False) + "\n")

    ingest = report.summary()
    ingest.pop("files")
    slices = {"all": questions} if split == "all" else {}
    for name in ("dev", "heldout"):
        if split in ("all", name):
            slices[name] = [q for q in questions if slice_of(q, heldout) == name]
    total = sum(seconds.values())
    return {
        "kit": str(kit),
        "data_dir": str(data_dir),
        "predictions": str(out),
        "split": split,
        "limit": limit,
        "model": model,
        "ingest": ingest,
        "questions": len(questions),
        "answered": len(answered),
        "seconds": round(total, 3),
        "seconds_per_question": round(total / len(questions), 4) if questions else None,
        "slices": {name: score_slice(scorer, gold, preds, answered, seconds) for name, gold in slices.items()},
    }


# -- the table -------------------------------------------------------------------------
def _rows() -> Iterable[tuple[str, str | None, str]]:
    """(label, section of a slice's figures or None for "overall", key in that section)."""
    yield "overall", None, "overall"
    for name, _, _ in GROUPS:
        yield name, "groups", name
    for t in ANSWER_TYPES:
        yield f"type {t}", "by_answer_type", t
    for f in ANSWER_FROM:
        yield f"from {f}", "by_answer_from", f


def render(summary: dict) -> str:
    """The figures as a table: one row a group, n / EM / F1 for each slice side by side."""
    names = list(summary["slices"])
    label_w, cell = 28, "{:>5} {:>6} {:>6}"
    lines = [
        f"TAT-QA ({summary['kit']}), split {summary['split']}"
        + (f", first {summary['limit']}" if summary["limit"] else "")
        + f": {summary['questions']} questions, {summary['answered']} answered, "
        f"{summary['seconds']:.1f} s ({summary['seconds_per_question'] or 0:.3f} s/question)",
        f"predictions: {summary['predictions']}",
        f"ingest: added {summary['ingest']['added']} · updated {summary['ingest']['updated']} · "
        f"unchanged {summary['ingest']['unchanged']} — {summary['ingest']['seconds']:.1f} s",
        "",
        " " * label_w + "   ".join(f"{n:^19}" for n in names),
        " " * label_w + "   ".join(cell.format("n", "EM", "F1") for _ in names),
    ]
    for label, section, key in _rows():
        cells = []
        for n in names:
            figures = summary["slices"][n]
            fig = figures[key] if section is None else figures[section].get(key, {"n": 0})
            cells.append(
                cell.format(fig["n"], f"{fig['em']:.2f}", f"{fig['f1']:.2f}") if fig["n"] else cell.format(0, "-", "-")
            )
        lines.append(f"{label:<{label_w}}" + "   ".join(cells))
    lines.append("")
    for n, s in summary["slices"].items():
        if not s["n"]:
            lines.append(f"{n}: no questions")
            continue
        lines.append(
            f"{n}: {s['n']} questions, {s['answered']} answered ({100 * s['answered'] / s['n']:.1f}%), "
            f"own excerpt cited first {s['overall']['cite']:.2f}%, {s['seconds_per_question']:.3f} s/question"
        )
    return "\n".join(lines)


def stderr_progress(i: int, n: int) -> None:
    if sys.stderr.isatty():
        print(f"\r{i}/{n}", end="" if i < n else "\n", file=sys.stderr, flush=True)
