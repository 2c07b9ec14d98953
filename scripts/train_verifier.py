"""Train the verifier (`service/answering/models/verifier.joblib`): whether an answer the English
answerer composed holds, from what it rests on (`service/answering/verifier.py`).

    python -m scripts.train_verifier [--data-dir data-tatqa] [--paper-data-dir data]

Examples, each the features of one answer and whether it was right:
- every TAT-QA dev question asked inside its own excerpt (it holds when the kit's scorer finds
  it exact, or a span of text saying most of the gold span: token F1 >= `HOLDS_F1`, the
  annotators' bounds being no reason to refuse), and inside another dev excerpt chosen by a
  fixed seed (never holds: the answer is not there),
  with the reader trained on the other folds' excerpts, as a new report meets it;
- the paper's evaluation questions (`eval/paper_dev.jsonl`, `eval/paper_extra.jsonl`) over the
  default corpus, right or wrong by `citeqa eval`'s judge (a question the documents cannot
  answer is wrong whenever it is answered).
The threshold: the highest probability at which the verifier, out of fold (5 folds by excerpt),
costs the TAT-QA questions asked in their own excerpt at most `EM_BUDGET` points of exact match
and refuses none of the paper's right answers (in-sample: the model is fitted on them, weighted
`PAPER_WEIGHT` times a kit answer, as the product's own domain); it prints what the verifier keeps and refuses. Held-out excerpts are
never read. Deterministic.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from index.embedder_factory import load_embedder  # noqa: E402
from scripts.train_reader import KIT, SEED, folds, load_dev, load_scorer, train  # noqa: E402
from service.answering.answer import Answer, Draft  # noqa: E402
from service.answering.engine import Engine  # noqa: E402
from service.answering.verifier import FEATURES, MODEL_PATH, ROUTED, Recorder, Verifier  # noqa: E402
from service.evaluation import load_questions, score_answer  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.tatqa_eval import prediction_answer  # noqa: E402

# the threshold: the highest at which, out of fold, the verifier costs TAT-QA answers to their own
# excerpt at most this many points of exact match (each refusal of a wrong answer costs none)
# and the paper's evaluation questions none that are right
EM_BUDGET = 1.0
PAPER_WEIGHT = 10.0
BY_READER = FEATURES.index("solver_reader")
HOLDS_F1 = 0.5  # a kit answer holds at this token F1 with the gold answer (or exact)
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.02, 0.51, 0.01))
EVERY = 2.0  # `explore` at which every option is weighed
EXPLORE = (*(round(e, 2) for e in np.arange(0.1, 1.01, 0.05)), EVERY)
PAPER_FILES = ("eval/paper_dev.jsonl", "eval/paper_extra.jsonl")


def _recorded(engine: Engine, recorder: Recorder, question: str, doc_ids: list[str] | None):
    """The answer, and the options the verifier weighed (empty: it was not asked, e.g. a
    source question), the routed answer first when the routing gave one."""
    before = len(recorder.asks)
    answer = engine.ask(question, doc_ids=doc_ids)
    return answer, (recorder.asks[-1] if len(recorder.asks) > before else [])


def _ask(
    options: list,
    right: Callable[[Draft], float],
    answered: bool,
    group: str,
    kind: str,
    holds: Callable[[Draft], float] | None = None,
) -> dict:
    """One question asked: each option the verifier weighed, whether it is right (exact match)
    and whether it holds (what the verifier learns: by default, the same)."""
    holds = holds or right
    return {
        "options": [{"x": x, "right": right(draft), "holds": holds(draft)} for x, draft in options],
        "routed_right": right(options[0][1]) if options and options[0][0][ROUTED] else 0.0,
        "answered": answered,
        "group": group,
        "kind": kind,
    }


def tatqa_examples(data_dir: Path, kit: Path = KIT) -> list[dict]:
    scorer = load_scorer(kit)
    questions, tables, passages = load_dev(kit)
    contexts = sorted(tables)
    engine = Engine.load(data_dir, load_embedder(Settings().model))
    recorder = Recorder()
    rng = random.Random(SEED)
    out = []
    with threadpool_limits(1, user_api="openmp"):
        for test in folds(contexts):
            model = train([q for q in questions if q["context_id"] not in test], tables, passages, scorer)
            engine.library = engine.library._replace(reader=model, verifier=recorder)
            for q in questions:
                if q["context_id"] not in test:
                    continue

                def right(draft: Draft, q: dict = q) -> float:
                    return float(scorer.score_answer(prediction_answer(draft), q)[0])

                def holds(draft: Draft, q: dict = q) -> float:
                    # the answer rests on the gold evidence: exactly, or a span of text that
                    # says most of the gold span (the annotators' bounds are not the
                    # reader's; a sentence that says the answer is no wrong answer to refuse)
                    em, f1 = scorer.score_answer(prediction_answer(draft), q)
                    return float(em or f1 >= HOLDS_F1)

                answer, options = _recorded(engine, recorder, q["question"], [q["context_id"]])
                ask = _ask(options, right, answer.answered, q["context_id"], "own", holds)
                if not options:  # answered without the verifier (or refused before it): as it is
                    ask["routed_right"] = right(answer)  # type: ignore[arg-type]
                out.append(ask)
                other = rng.choice([c for c in contexts if c != q["context_id"]])
                answer, options = _recorded(engine, recorder, q["question"], [other])
                out.append(_ask(options, lambda _: 0.0, answer.answered, q["context_id"], "other"))
    return out


def paper_examples(data_dir: Path) -> list[dict]:
    engine = Engine.load(data_dir, load_embedder(Settings().model))
    recorder = Recorder()
    engine.library = engine.library._replace(verifier=recorder)
    out = []
    for name in PAPER_FILES:
        for item in load_questions(ROOT / name):

            def right(draft: Draft, item: dict = item) -> float:
                response = Answer(
                    item["question"], draft.answered, draft.answer, draft.value, draft.unit, draft.citations
                )
                return float(score_answer(item, response.to_dict()) and draft.answered)

            answer, options = _recorded(engine, recorder, item["question"], None)
            ask = _ask(options, right, answer.answered, "paper", "paper")
            ask["routed_right"] = float(score_answer(item, answer.to_dict()) and answer.answered)
            ask["abstain"] = item.get("kind") == "abstain"
            out.append(ask)
    return out


def fit(asks: list[dict]) -> Verifier:
    rows = [(o, a["kind"]) for a in asks for o in a["options"]]
    x = np.vstack([o["x"] for o, _ in rows])
    y = np.asarray([o.get("holds", o["right"]) for o, _ in rows]) >= 0.5
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    weight = np.asarray([PAPER_WEIGHT if kind == "paper" else 1.0 for _, kind in rows])
    model = LogisticRegression(C=1.0, max_iter=2000).fit((x - mean) / scale, y, sample_weight=weight)
    return Verifier(model.coef_[0], float(model.intercept_[0]), mean, scale, 0.5, "")


def out_of_fold(asks: list[dict], k: int = 5) -> None:
    """Each option's probability from a model fitted without its excerpt's asks (the paper's
    questions are one group, split across the folds by question), as `p` on the option."""
    groups = sorted({a["group"] for a in asks if a["group"] != "paper"})
    fold_of = {g: i for i, part in enumerate(folds(groups, k)) for g in part}
    paper_i = 0
    assignment = []
    for a in asks:
        if a["group"] == "paper":
            assignment.append(paper_i % k)
            paper_i += 1
        else:
            assignment.append(fold_of[a["group"]])
    for fold in range(k):
        model = fit([a for a, f in zip(asks, assignment) if f != fold])
        for a, f in zip(asks, assignment):
            if f == fold:
                for o in a["options"]:
                    o["p"] = model.p_holds(o["x"])


def chosen(ask: dict, threshold: float, explore: float, key: str = "p") -> dict | None:
    """The option the answerer gives (as `answerer._verified` chooses), or None for a refusal."""
    options = ask["options"]
    if not options:
        return None
    routed = options[0] if options[0]["x"][ROUTED] else None
    if routed is not None and routed[key] >= explore:
        # the solver's answer the reader replaced (the first alternative) is weighed beside it
        replaced = len(options) > 1 and routed["x"][BY_READER] and not options[1]["x"][BY_READER]
        best = max(options[:2], key=lambda o: o[key]) if replaced else routed
        return best if best[key] >= threshold else None
    best = max(options, key=lambda o: o[key])
    return best if best[key] >= threshold else None


def _given(ask: dict, threshold: float, explore: float, key: str = "p") -> tuple[bool, float]:
    """(answered, right) for one ask under the verifier; asks it never saw keep their answer."""
    if not ask["options"]:
        return ask["answered"], ask["routed_right"] if ask["answered"] else 0.0
    option = chosen(ask, threshold, explore, key)
    return option is not None, option["right"] if option is not None else 0.0


def choose_threshold(asks: list[dict], final: Verifier) -> tuple[float, float]:
    """The threshold, and the probability below which the routed answer's alternatives are
    weighed (`explore`), from out-of-fold probabilities: the highest threshold that costs the
    TAT-QA questions asked in their own excerpt at most `EM_BUDGET` points of exact match
    against answering as routed, and — with the model fitted on them, as `make eval` runs it —
    keeps every right answer to the paper's questions right and answers none it should refuse
    (and of those, one that answers the most of them right); then, for it, the lowest `explore`
    within 0.1 point of the best (weighing fewer options is faster)."""
    own = [a for a in asks if a["kind"] == "own"]
    paper = [a for a in asks if a["kind"] == "paper"]
    for a in paper:
        for o in a["options"]:
            o["p_final"] = final.p_holds(o["x"])
    routed_em = 100 * sum(a["routed_right"] if a["answered"] else 0.0 for a in own) / len(own)

    def em(t: float, e: float) -> float:
        return 100 * sum(_given(a, t, e)[1] for a in own) / len(own)

    def paper_kept(t: float, e: float) -> bool:
        return all(
            _given(a, t, e, "p_final") == (True, 1.0) if a["routed_right"] and not a.get("abstain") else True
            for a in paper
        ) and not any(a.get("abstain") and _given(a, t, e, "p_final")[0] for a in paper)

    allowed = [(t, e) for t in THRESHOLDS for e in EXPLORE if em(t, e) >= routed_em - EM_BUDGET and paper_kept(t, e)]
    if not allowed:
        raise SystemExit("no threshold keeps the paper's right answers within the EM budget")

    def paper_right(t: float, e: float) -> float:
        return sum(_given(a, t, e, "p_final")[1] for a in paper if not a.get("abstain"))

    # of those, the ones that answer the most of the paper's questions right (a right answer
    # the router missed and another option gives counts too)
    most = max(paper_right(t, e) for t, e in allowed)
    allowed = [(t, e) for t, e in allowed if paper_right(t, e) == most]
    threshold = max(t for t, _ in allowed)
    best = max(em(threshold, e) for t, e in allowed if t == threshold)
    explore = min(e for t, e in allowed if t == threshold and em(t, e) >= best - 0.1)
    return threshold, explore


def report(asks: list[dict], threshold: float, explore: float) -> dict:
    """What answering as routed, and as the verifier chooses, does by kind of question."""
    by: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for a in asks:
        b = by[a["kind"]]
        b["n"] += 1
        b["answered_before"] += a["answered"]
        b["right_before"] += a["routed_right"] if a["answered"] else 0.0
        answered, right = _given(a, threshold, explore)
        b["answered_after"] += answered
        b["right_after"] += right
    return {
        kind: {
            "n": int(b["n"]),
            "answered %": [round(100 * b["answered_before"] / b["n"], 1), round(100 * b["answered_after"] / b["n"], 1)],
            "right %": [round(100 * b["right_before"] / b["n"], 1), round(100 * b["right_after"] / b["n"], 1)],
        }
        for kind, b in sorted(by.items())
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", type=Path, default=ROOT / "data-tatqa", help="the kit, ingested (make eval-tatqa)"
    )
    parser.add_argument("--paper-data-dir", type=Path, default=ROOT / "data", help="the default corpus, ingested")
    parser.add_argument("--kit", type=Path, default=KIT)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--examples", type=Path, help="also write the examples (JSONL), for analysis")
    args = parser.parse_args(argv)
    for d in (args.data_dir, args.paper_data_dir):
        if not (d / "citeqa.db").is_file():
            print(f"nothing ingested at {d}: run `make eval-tatqa` and `make ingest` first", file=sys.stderr)
            return 2
    started = time.perf_counter()
    asks = tatqa_examples(args.data_dir, args.kit) + paper_examples(args.paper_data_dir)
    n_options = sum(len(a["options"]) for a in asks)
    print(f"{len(asks)} questions asked, {n_options} answers weighed ({time.perf_counter() - started:.0f} s)")
    out_of_fold(asks)
    verifier = fit(asks)
    if args.examples:
        args.examples.write_text(
            "".join(
                json.dumps({**a, "options": [{**o, "x": o["x"].tolist()} for o in a["options"]]}) + "\n" for a in asks
            )
        )
    threshold, explore = choose_threshold(asks, verifier)
    figures = report(asks, threshold, explore)
    print(f"threshold {threshold}, explore below {explore}; out of fold, [as routed, as the verifier chooses]:")
    print(json.dumps(figures, indent=1))
    verifier.threshold, verifier.explore = threshold, explore
    lost = [
        a
        for a in asks
        if a["kind"] == "paper" and a["routed_right"] and not _given(a, threshold, explore, "p_final")[1]
    ]
    if lost:
        print(f"warning: the fitted verifier loses {len(lost)} right answers to the paper's questions")
    verifier.version = f"verifier-{hashlib.sha1(verifier.coef.round(6).tobytes()).hexdigest()[:10]}"
    verifier.trained_on = {
        "questions": len(asks),
        "answers": n_options,
        "features": list(FEATURES),
        "threshold": threshold,
        "explore": explore,
        "em_budget": EM_BUDGET,
        "out_of_fold": figures,
    }
    verifier.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB), version {verifier.version}")
    for name, w in sorted(zip(FEATURES, verifier.coef), key=lambda t: -abs(t[1]))[:12]:
        print(f"  {name:26s} {w:+.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
