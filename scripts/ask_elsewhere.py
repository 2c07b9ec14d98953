"""Every TAT-QA question asked inside another excerpt than its own (chosen by a fixed seed):
the documents there do not hold its answer, so each answer given is a wrong one. Prints the
share answered, dev and held-out apart — how often a question about another report gets a
figure instead of "The documents do not say" (some questions, "What does the table show?", are
answerable in any excerpt; the share counts them too).

    python -m scripts.ask_elsewhere [--data-dir data-tatqa] [--seed 7] [--json]   # make eval-tatqa-elsewhere

Needs the kit ingested (`make eval-tatqa`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from service.tatqa_eval import DEFAULT_KIT, heldout_ids, kit_not_ingested, load_questions, slice_of  # noqa: E402

SEED = 7


def other_excerpts(questions: list[dict], seed: int = SEED) -> list[str]:
    """For each question in order, another excerpt of the kit than its own (seeded, so every
    run asks the same pairs)."""
    contexts = sorted({q["context_id"] for q in questions})
    rng = random.Random(seed)
    return [rng.choice([c for c in contexts if c != q["context_id"]]) for q in questions]


def ask_elsewhere(data_dir: Path, kit: Path = DEFAULT_KIT, seed: int = SEED) -> dict:
    from index.embedder_factory import load_embedder
    from service.answering.engine import Engine
    from service.settings import Settings

    questions = load_questions(kit)
    heldout = heldout_ids(kit)
    engine = Engine.load(data_dir, load_embedder(Settings().model))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # split → [answered, asked]
    for q, other in zip(questions, other_excerpts(questions, seed)):
        tally = counts[slice_of(q, heldout)]
        tally[0] += engine.ask(q["question"], doc_ids=[other]).answered
        tally[1] += 1
    return {
        split: {"answered": a, "asked": n, "answered %": round(100 * a / n, 2)}
        for split, (a, n) in sorted(counts.items())
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", type=Path, default=ROOT / "data-tatqa", help="the kit, ingested (make eval-tatqa)"
    )
    parser.add_argument("--kit", type=Path, default=DEFAULT_KIT)
    parser.add_argument("--seed", type=int, default=SEED, help="which other excerpt each question is asked in")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = parser.parse_args(argv)
    if problem := kit_not_ingested(args.data_dir):
        print(problem, file=sys.stderr)
        return 2
    started = time.perf_counter()
    figures = ask_elsewhere(args.data_dir, args.kit, args.seed)
    for split, f in figures.items():
        print(
            f"{split:8s} answered {f['answered']:4d} of {f['asked']:4d} asked in another excerpt ({f['answered %']:.2f}%)"
        )
    print(f"{time.perf_counter() - started:.0f} s")
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
