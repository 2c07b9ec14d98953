"""The two figures a difference, change ratio, division or percentage uses, and their order.

Which two: the asked years of the evidence row ("… in 2018 to 2017"), else the best evidence
cell and the next one sharing its row or column ("Canada … as a percentage of the total").
In which order ("A − B" or "B − A", "A / B" or "B / A"): learned from the dev slice's gold
derivations by a small logistic model over how the two cells compare — which period is later,
which the question names first, which is larger, which is a total — crossed with the
operation (a change runs from the earlier period to the later; a share divides a part by its
whole; a ratio follows the question's order). No phrase lists.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from service.answering import operators as ops
from service.answering.corpus import CellView
from service.answering.textmatch import similar, words

TWO_OPERANDS = (ops.DIFF, ops.CHANGE_RATIO, ops.DIVIDE, ops.PERCENT_OF)
COMPARISONS = ("later", "named_first", "larger", "total")


def _sign(x: float) -> float:
    return float(x > 0) - float(x < 0)


def _mention(question: list[str], cell: CellView, other: CellView) -> int | None:
    """Where the question first names what sets the cell apart from the other (a word of its
    labels the other's lack, or its year)."""
    theirs = set(words(" ".join(other.labels)))
    own = [w for w in words(" ".join(cell.labels)) if w not in theirs and not w[0].isdigit()]
    own += [str(y) for y in cell.years if y not in other.years]
    positions = [i for i, t in enumerate(question) if any(t == w or similar(t, w) for w in own)]
    return min(positions) if positions else None


def pair_features(question: str, op: str, a: CellView, b: CellView) -> list[float]:
    """How cell a compares with cell b, once per operation (the model learns each operation's
    order separately)."""
    said = words(question)
    first_a, first_b = _mention(said, a, b), _mention(said, b, a)
    if first_a is not None and first_b is not None:
        named_first = _sign(first_b - first_a)
    else:
        named_first = float(first_a is not None) - float(first_b is not None)
    later = _sign((a.years[0] if a.years else 0) - (b.years[0] if b.years else 0)) if a.years and b.years else 0.0
    larger = _sign(abs(a.value or 0.0) - abs(b.value or 0.0))
    total = float(a.is_total) - float(b.is_total)
    comparisons = [later, named_first, larger, total]
    return [c * float(op == o) for o in TWO_OPERANDS for c in comparisons]


class OperandOrder:
    """P(a comes first | a, b, question, operation), a logistic model over `pair_features`."""

    def __init__(self) -> None:
        self.model = LogisticRegression(C=1.0, max_iter=1000)

    def fit(self, examples: list[tuple[str, str, CellView, CellView]]) -> OperandOrder:
        """`examples`: (question, operation, first operand, second operand) from gold derivations;
        each is learned in both orders."""
        x, y = [], []
        for question, op, a, b in examples:
            x += [pair_features(question, op, a, b), pair_features(question, op, b, a)]
            y += [1, 0]
        self.model.fit(np.asarray(x), np.asarray(y))
        return self

    def first(self, question: str, op: str, a: CellView, b: CellView) -> list[CellView]:
        """[a, b] or [b, a], the order the model prefers."""
        p = self.model.predict_proba(np.asarray([pair_features(question, op, a, b)]))[0, 1]
        return [a, b] if p >= 0.5 else [b, a]


def gold_operands(derivation: str, cells: list[CellView]) -> tuple[CellView, CellView] | None:
    """The two cells a gold derivation's first two figures are (`14,766-10,875`), preferring a
    pair that shares a row or a column; None when the figures are not both cells."""
    numbers = ops.derivation_numbers(derivation)
    if len(numbers) < 2 or numbers[0] == numbers[1]:
        return None
    firsts = [c for c in cells if c.value is not None and abs(c.value) == numbers[0]]
    seconds = [c for c in cells if c.value is not None and abs(c.value) == numbers[1]]
    pairs = [(a, b) for a in firsts for b in seconds if a is not b]
    if not pairs:
        return None
    return min(pairs, key=lambda ab: 0 if (ab[0].row == ab[1].row or ab[0].col == ab[1].col) else 1)
