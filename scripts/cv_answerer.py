"""The whole answerer on the TAT-QA dev slice, cross-validated: every dev question asked through
`Engine.ask` inside its own excerpt, with the reader's models trained on the other folds' excerpts
(5 folds, the same as `scripts.train_reader --check`). The shipped model is trained on all of the
dev slice, so `citeqa eval-tatqa --split dev` is in-sample; this is the honest estimate of what a
new report gets, short of the held-out slice.

    python -m scripts.cv_answerer [--data-dir data-tatqa]     # after `make eval-tatqa` ingested the kit

Prints EM by answer type and source and the benchmark's target groups; `--json` prints them as
one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from index.embedder_factory import load_embedder  # noqa: E402
from scripts.train_reader import GROUPS, KIT, folds, load_dev, load_scorer, train  # noqa: E402
from service.answering.engine import Engine  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.tatqa_eval import kit_not_ingested, prediction_answer  # noqa: E402


def cross_validate(data_dir: Path, kit: Path = KIT, out: Path | None = None) -> dict:
    scorer = load_scorer(kit)
    questions, tables, passages = load_dev(kit)
    engine = Engine.load(data_dir, load_embedder(Settings().model))
    by: dict[str, list[float]] = defaultdict(list)
    lines = []
    with threadpool_limits(1, user_api="openmp"):
        for test in folds(list(tables)):
            model = train([q for q in questions if q["context_id"] not in test], tables, passages, scorer)
            engine.library = engine.library._replace(reader=model)
            for q in questions:
                if q["context_id"] not in test:
                    continue
                answer = engine.ask(q["question"], doc_ids=[q["context_id"]])
                predicted = prediction_answer(answer)
                em, _ = scorer.score_answer(predicted, q)
                if out is not None:
                    lines.append(
                        {
                            **{k: q.get(k) for k in ("question_id", "context_id", "question", "answer_type")},
                            **{k: q.get(k) for k in ("answer_from", "answers", "derivation", "scale")},
                            "prediction": predicted,
                            "sentence": answer.answer,
                            "em": em,
                        }
                    )
                kinds = ["all", f"{q['answer_type']}/{q['answer_from']}"]
                kinds += [
                    g
                    for g, (types, where) in GROUPS.items()
                    if q["answer_type"] in types and where in (None, q["answer_from"])
                ]
                for kind in kinds:
                    by[kind].append(em)
    if out is not None:
        out.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    return {kind: {"n": len(v), "em": round(100 * sum(v) / len(v), 1)} for kind, v in sorted(by.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", type=Path, default=ROOT / "data-tatqa", help="the kit, ingested (make eval-tatqa)"
    )
    parser.add_argument("--kit", type=Path, default=KIT)
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    parser.add_argument(
        "--out", type=Path, help="also write each question's prediction and score (JSONL), for error analysis"
    )
    args = parser.parse_args(argv)
    if problem := kit_not_ingested(args.data_dir):
        print(problem, file=sys.stderr)
        return 2
    started = time.perf_counter()
    figures = cross_validate(args.data_dir, args.kit, args.out)
    for kind, f in figures.items():
        print(f"{kind:28s} n={f['n']:5d}  EM {f['em']:5.1f}")
    print(f"{time.perf_counter() - started:.0f} s")
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
