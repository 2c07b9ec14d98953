"""`citeqa eval-tatqa` (service/tatqa_eval.py): the prediction format, pure; and one run on a
tiny kit of three TAT-QA excerpts (two dev, one held out) through the real model. No accuracy
targets here: the figures are what `make eval-tatqa` reports."""

from __future__ import annotations

import json
import shutil

import pytest

from index.embedder import DEFAULT_MODEL
from service.answering.answer import Answer, Citation
from service.tatqa_eval import (
    DEFAULT_KIT,
    TatqaKitError,
    format_value,
    heldout_ids,
    load_questions,
    load_scorer,
    prediction,
    run_tatqa,
)


def citation(doc_id: str) -> Citation:
    return Citation(doc_id, doc_id, "table_row", "Table · row · 2019", None, None, None, None, [], "", None, 1.0)


def answer(*, answered=True, text="", value=None, spans=(), cited=()) -> Answer:
    return Answer("q", answered, text, value, None, [citation(d) for d in cited], spans=list(spans))


# -- the prediction line (pure) ------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "text"),
    [(36.0, "36"), (-2.5, "-2.5"), (1234567.0, "1234567"), (19.63214, "19.6321"), (0.1 + 0.2, "0.3"), (-0.00001, "0")],
)
def test_values_are_plain_numbers(value, text):
    assert format_value(value) == text


def test_one_span_is_a_string_several_a_list():
    one = prediction("q1", answer(spans=["$(9.8) million"], value=-9.8, cited=["abc", "abc", "def"]))
    assert one == {"question_id": "q1", "answer": "$(9.8) million", "cited_context_id": ["abc", "def"]}
    several = prediction("q2", answer(spans=["2019", "2018"], cited=["abc"]))
    assert several["answer"] == ["2019", "2018"]


def test_a_value_without_spans_and_a_declined_answer():
    assert prediction("q", answer(value=36.0, text="The total is 36."))["answer"] == "36"
    declined = prediction("q", answer(answered=False, text="The documents do not say.", cited=["abc"]))
    assert declined["answer"] == "" and declined["cited_context_id"] == ["abc"]


def test_the_kit_scorer_reads_the_predictions():
    scorer = load_scorer(DEFAULT_KIT)
    gold = [{"question_id": "a", "answers": ["-2.5"], "answer_type": "arithmetic", "answer_from": "table"}]
    assert scorer.score_answer(prediction("a", answer(value=-2.5))["answer"], gold[0]) == (1.0, 1.0)


def test_the_heldout_slice_is_fixed_and_a_fifth_of_the_contexts():
    ids = sorted(p.stem for p in (DEFAULT_KIT / "corpus").glob("*.md"))
    held = heldout_ids(DEFAULT_KIT)
    assert len(ids) == 277 and len(held) == round(0.2 * len(ids)) and held <= set(ids)
    lines = (DEFAULT_KIT / "heldout.txt").read_text().splitlines()
    assert lines == sorted(lines)


# -- one run on a tiny kit ------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_kit(tmp_path_factory):
    """Three excerpts of the kit, two dev and one held out, with all their questions."""
    questions = load_questions(DEFAULT_KIT)
    held = heldout_ids(DEFAULT_KIT)
    contexts = list(dict.fromkeys(q["context_id"] for q in questions))
    chosen = [c for c in contexts if c not in held][:2] + [c for c in contexts if c in held][:1]
    kit = tmp_path_factory.mktemp("tatqa-kit")
    (kit / "corpus").mkdir()
    for name in ("score.py", "heldout.txt"):
        shutil.copy(DEFAULT_KIT / name, kit / name)
    for c in chosen:
        shutil.copy(DEFAULT_KIT / "corpus" / f"{c}.md", kit / "corpus" / f"{c}.md")
    mine = [q for q in questions if q["context_id"] in chosen]
    (kit / "questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in mine))
    return kit, mine, chosen


def test_a_run_on_a_tiny_kit(tiny_kit, embedder, tmp_path):
    kit, questions, chosen = tiny_kit
    data_dir = tmp_path / "data"
    summary = run_tatqa(data_dir, kit, embedder=embedder, model_name=DEFAULT_MODEL)

    preds = [json.loads(line) for line in (data_dir / "predictions.jsonl").read_text().splitlines()]
    assert [p["question_id"] for p in preds] == [q["question_id"] for q in questions]
    for p in preds:
        assert set(p) == {"question_id", "answer", "cited_context_id"}
        assert isinstance(p["answer"], str | list) and isinstance(p["cited_context_id"], list)
        assert set(p["cited_context_id"]) <= set(chosen)  # asked inside its own excerpt

    assert summary["ingest"]["added"] == 3 and summary["questions"] == len(questions)
    slices = summary["slices"]
    assert set(slices) == {"all", "dev", "heldout"}
    held = heldout_ids(kit)
    assert slices["heldout"]["n"] == sum(q["context_id"] in held for q in questions) > 0
    assert slices["dev"]["n"] + slices["heldout"]["n"] == slices["all"]["n"] == len(questions)
    for s in slices.values():
        assert 0 <= s["answered"] <= s["n"] and s["seconds_per_question"] >= 0
        figures = [s["overall"], *s["groups"].values(), *s["by_answer_type"].values(), *s["by_answer_from"].values()]
        for fig in figures:
            if fig["n"]:
                assert 0 <= fig["em"] <= 100 and 0 <= fig["f1"] <= 100 and fig["em"] <= fig["f1"] + 1e-9
    assert set(slices["all"]["groups"]) == {"span+multi-span", "span+multi-span from table", "arithmetic+count"}

    # a second run ingests nothing; a split and a limit ask only those questions
    out = tmp_path / "heldout.jsonl"
    again = run_tatqa(data_dir, kit, split="heldout", limit=2, out=out, embedder=embedder, model_name=DEFAULT_MODEL)
    assert again["ingest"]["unchanged"] == 3 and again["ingest"]["added"] == 0
    assert set(again["slices"]) == {"heldout"} and again["questions"] == len(out.read_text().splitlines()) == 2


def test_a_bad_split_or_kit_is_a_clear_error(tmp_path, embedder):
    with pytest.raises(TatqaKitError, match="split"):
        run_tatqa(tmp_path / "d", DEFAULT_KIT, split="test", embedder=embedder)
    with pytest.raises(TatqaKitError, match="corpus"):
        run_tatqa(tmp_path / "d", tmp_path / "no-kit", embedder=embedder)


def test_the_command_prints_the_table_and_json_alone(tiny_kit, tmp_path, capsys):
    from service.cli import main

    kit, questions, _ = tiny_kit
    code = main(["eval-tatqa", "--kit", str(kit), "--data-dir", str(tmp_path / "d"), "--limit", "3", "--json"])
    captured = capsys.readouterr()
    assert code == 0
    summary = json.loads(captured.out)  # with --json, stdout is the JSON object alone; the table on stderr
    assert summary["questions"] == 3 and summary["limit"] == 3
    assert any(line.startswith("span+multi-span from table") for line in captured.err.splitlines())
    assert len((tmp_path / "d" / "predictions.jsonl").read_text().splitlines()) == 3
