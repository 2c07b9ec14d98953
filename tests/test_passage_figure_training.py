"""The passage-figure model is built from data by `scripts/train_passage_figures.py`: here from a
made-up fixture (a ferry operator's report excerpts), with the real multilingual e5 model."""

from __future__ import annotations

import numpy as np
import pytest

from scripts.train_passage_figures import Example, Features, fit
from service.answering.passage_figures import candidates

EXCERPTS = [
    "In 2021, passenger revenue rose to $48.2 million, while freight revenue was $12.7 million. "
    "Fuel costs were $9.4 million.",
    "Staff numbers grew to 1,240 people in 2022 from 1,105 people in 2021. Training spending was $0.8 million.",
    "Capital expenditure was $31.5 million in 2020, of which $22.0 million went to two new vessels.",
    "The on-time rate improved to 94.1% in 2022, against 91.3% in 2021.",
    "Net debt fell to $105.6 million at the end of 2022. Cash was $18.9 million.",
    "Ticket sales made online reached 62% of all sales in 2022, up from 55% in 2020.",
    "Maintenance costs were $7.3 million in 2022 and $6.1 million in 2021.",
    "The fleet carried 3.2 million passengers in 2022 and 410,000 vehicles.",
]
QUESTIONS = [
    ("What was freight revenue in 2021?", 0, 12.7),
    ("How many staff did the company have in 2022?", 1, 1240),
    ("How much capital expenditure went to new vessels in 2020?", 2, 22.0),
    ("What was the on-time rate in 2021?", 3, 91.3),
    ("How much cash did the company hold at the end of 2022?", 4, 18.9),
    ("What share of ticket sales was made online in 2020?", 5, 55),
    ("What were maintenance costs in 2022?", 6, 7.3),
    ("How many vehicles did the fleet carry in 2022?", 7, 410_000),
]


@pytest.fixture(scope="module")
def trained():
    examples = [Example(q, [EXCERPTS[i]], gold, [EXCERPTS[(i + 3) % len(EXCERPTS)]]) for q, i, gold in QUESTIONS]
    features = Features()
    return fit(examples, features), features


def test_the_model_trains_from_a_fixture_into_a_threshold_and_a_least_cover(trained):
    model, _ = trained
    assert 0 < model.threshold < 1
    assert 0 <= model.least_cover <= 1
    assert model.coef.shape == model.mean.shape == model.scale.shape
    assert model.version.endswith("-q8")


def test_the_trained_model_puts_the_gold_figure_first_for_most_of_its_questions(trained):
    model, features = trained
    first = 0
    for question, i, gold in QUESTIONS:
        found = features.of(question, [EXCERPTS[i]])
        chosen = found[int(np.argmax(model.probabilities(np.stack([c.features for c in found]))))]
        first += chosen.figure.value == pytest.approx(gold)
    assert first >= 6, first


def test_training_is_deterministic(trained):
    model, features = trained
    again = fit([Example(q, [EXCERPTS[i]], g, [EXCERPTS[(i + 3) % len(EXCERPTS)]]) for q, i, g in QUESTIONS], features)
    assert np.array_equal(again.coef, model.coef) and again.threshold == model.threshold


def test_the_training_reads_the_same_candidates_as_the_answerer():
    # training reads every figure (`with_unit=False`); the answerer those with a unit
    text = EXCERPTS[7]
    every = candidates(text, "How many vehicles did the fleet carry in 2022?", [2022], [], {}, with_unit=False)
    with_unit = candidates(text, "How many vehicles did the fleet carry in 2022?", [2022], [], {})
    assert {c.figure.value for c in with_unit} <= {c.figure.value for c in every}
    assert 410_000 in {c.figure.value for c in every}
