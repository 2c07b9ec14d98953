"""Whether an answer holds, and which of the answers the English answerer could give: a learned
check of every answer before it is given.

The answerer's solvers and the general reader each pick the best evidence they can find; the
best evidence in a document that does not hold the answer is still some cell or sentence, and
the hand-set guards (years said, names said, few of the question's informative words unsaid)
let about one in five such readings through (measured: TAT-QA questions asked inside another
report's excerpt). The verifier is a logistic model over what the answer rests on — which
solver composed it, what it cites, how much of the question the cited place leaves unsaid,
whether it names the asked years and names, how sure the reader was of the operation, whether
a quantity was asked and a figure given — trained by `scripts/train_verifier.py` on answers to
TAT-QA dev questions asked inside their own excerpt (right or wrong by the kit's scorer) and
inside another excerpt (all wrong), and on the paper's evaluation questions. Its threshold is
chosen by the same script. Evaluated with numpy (a dot product): no model call on the hot path.

The answerer's routing (its solvers first, the general reader where they fail or where it
computes what they would only look up) picks one answer; where the verifier doubts it (below
`explore`), the other answers the solvers and the reader could give are weighed too — the
solver's own draft, the reader's table reading, its clause of the text — and the likeliest to
hold is given, if any holds. Whether an option is the routed one, the reader's confidence in
it and whether it passes the hand-set guards are features, not gates: the routing's choices
are kept where the data bears them out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np

from ingest.periods import period_year
from service.answering import operators as ops
from service.answering.answer import Draft
from service.answering.evidence import asked_figure
from service.answering.matching import is_percent_unit
from service.answering.textmatch import letters_only, similar, words

MODEL_PATH = Path(__file__).with_name("models") / "verifier.joblib"

SOLVERS = ("value", "derived", "compare", "label", "reader")
CITED = ("table_row", "passage", "fact")
OPERATIONS = (
    ops.SPAN, ops.MULTI_SPAN, ops.COUNT, *ops.ARITHMETIC, ops.ARGMAX, ops.ARGMAX_ROW, ops.LIST_ROWS, ops.LIST_PERIODS,
    ops.OTHER,
)  # fmt: skip
FEATURES = (
    *(f"solver_{s}" for s in SOLVERS),
    *(f"cited_{c}" for c in CITED),
    *(f"op_{o}" for o in OPERATIONS),
    "op_confidence",
    "text_likely",
    "unsaid_cited",  # share of the question's informative words the cited place does not say
    "unsaid_document",  # … the cited table (or passage) does not say (a question about another report)
    "years_asked",
    "years_cited",  # share of the asked years the cited place names
    "names_asked",
    "names_cited",  # share of the question's names the cited place says
    "has_value",  # the answer is a figure
    "percent_unit",
    "spans",
    "asks_quantity",
    "quantity_without_figure",  # a quantity asked and no figure given
    "citation_score",
    "content_unsaid",  # share of the question's grounded words, however common, the cited place does not say
    "row_unsaid",  # share of the cited row's label the question does not say (`Depreciation expense` for "total expenses")
    "column_unsaid",  # … of the cited column's label
    "routed",  # the answer the answerer's routing chose (the others are options it passed over)
    "reading_confidence",  # the general reader's confidence in its reading (0: a solver's draft)
    "holds",  # the reading passes the hand-set guards of years, names and words said (`answerer._holds`)
    "text_asked",  # the routing would offer a clause of the text before a looked-up figure
    "both_unsaid",  # the cited row names a thing the question does not, and the question one the cited place does not
    "asks_period",  # the wh-phrase asks which year or date
    "period_not_given",  # a period asked and something other than periods given
    "op_shortfall",  # how much less likely the operation model finds the answer's operation than its likeliest
)

ROUTED = FEATURES.index("routed")
_ASKS_QUANTITY = re.compile(
    r"^\s*(?:how (?:much|many|large|big|high|low|small|long)|what (?:amount|number|percentage|share))\b", re.I
)


_ASKS_PERIOD = re.compile(r"\b(?:which|what)\s+(?:fiscal\s+)?(?:years?|dates?)\b", re.I)


def asks_period(question: str) -> bool:
    """The question's wh-phrase asks for a period: "In which year …", "What years …"."""
    return bool(_ASKS_PERIOD.search(question))


def asks_quantity(question: str) -> bool:
    """The question's wh-phrase asks how much, how many or how large."""
    return bool(_ASKS_QUANTITY.search(question))


@dataclass(frozen=True)
class Evidence:
    """What an answer rests on, as the answerer knows it."""

    question: str
    years: list[int]
    names: list[str]
    operation: tuple[str, float]
    text_likely: float
    unsaid_cited: float
    unsaid_document: float
    cited_text: str
    names_said: float = 1.0  # share of the question's names the cited place says
    content_unsaid: float = 0.0
    row_unsaid: float = 0.0
    column_unsaid: float = 0.0
    routed: bool = True  # the answer the routing chose; False: an option it passed over
    holds: bool = True
    text_asked: bool = False
    # how much less likely the operation model finds the answer's operation than its likeliest:
    # 0 for an answer by the likeliest operation (and for one by no operation), so that only the
    # runner-up operations' readings are told apart by it
    op_shortfall: float = 0.0


def features(evidence: Evidence, draft: Draft) -> np.ndarray:
    citation = draft.citations[0] if draft.citations else None
    years = evidence.years
    names = evidence.names
    # the operation the answer was reached by (a runner-up's reading, a superlative's) where it
    # names one; else the one the operation model finds likeliest
    op = draft.operation or evidence.operation[0]
    op_p = evidence.operation[1]
    quantity = asks_quantity(evidence.question)
    # a label's answer (a "which …" question's) is its name or period: the figure beside it only backs it
    figure_answer = draft.solver != "label"
    has_value = figure_answer and draft.value is not None
    has_figure = has_value or any(asked_figure(s) is not None for s in draft.spans)
    period = asks_period(evidence.question)
    periods_given = bool(draft.spans) and all(period_year(s) is not None for s in draft.spans)
    row = [
        *(float(draft.solver == s) for s in SOLVERS),
        *(float(citation is not None and citation.kind == c) for c in CITED),
        *(float(op == o or (o == ops.OTHER and op not in OPERATIONS)) for o in OPERATIONS),
        op_p,
        evidence.text_likely,
        evidence.unsaid_cited,
        evidence.unsaid_document,
        float(len(years)),
        sum(str(y) in evidence.cited_text for y in years) / len(years) if years else 1.0,
        float(len(names)),
        evidence.names_said,
        float(has_value),
        float(figure_answer and is_percent_unit(draft.unit)),
        float(min(len(draft.spans), 5)),
        float(quantity),
        float(quantity and not has_figure),
        float(citation.score) if citation is not None else 0.0,
        evidence.content_unsaid,
        evidence.row_unsaid,
        evidence.column_unsaid,
        float(evidence.routed),
        draft.confidence,
        float(evidence.holds),
        float(evidence.text_asked),
        evidence.row_unsaid * float(evidence.unsaid_cited > 0),  # a thing unsaid on each side: another thing
        float(period),
        float(period and not periods_given),
        evidence.op_shortfall,
    ]
    return np.asarray(row, dtype=np.float64)


def label_unsaid(weights: Callable[[str], float], question: str, label: str | None) -> float:
    """The share of a label's words (by weight; periods and figures aside) the question does not say."""
    said = letters_only(words(question))
    label_words = [w for w in letters_only(words(label or "")) if period_year(w) is None]
    total = sum(weights(w) for w in label_words)
    if not total:
        return 0.0
    return sum(weights(w) for w in label_words if not any(similar(w, q) for q in said)) / total


@dataclass
class Verifier:
    """A standardised logistic model, the probability from which an answer is given, and the
    one below which the routed answer's alternatives are weighed too."""

    coef: np.ndarray
    intercept: float
    mean: np.ndarray
    scale: np.ndarray
    threshold: float
    version: str
    trained_on: dict = field(default_factory=dict)
    explore: float = 0.0  # 0: the routed answer only

    def p_holds(self, x: np.ndarray) -> float:
        z = float(((x - self.mean) / self.scale) @ self.coef + self.intercept)
        return 1.0 / (1.0 + np.exp(-z))

    def record(self, options: list[tuple[np.ndarray, Draft]]) -> None:
        """Nothing: a trained verifier keeps no answers (see `Recorder`)."""

    def save(self, path: Path = MODEL_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path, compress=3)


class Recorder:
    """Weighs every answer the answerer could give, gives the routed one, and keeps each
    option's features and draft: how `scripts/train_verifier.py` sees what the answerer could give."""

    version = "recorder"
    threshold = 0.5
    explore = 2.0  # every option is weighed

    def __init__(self) -> None:
        self.asks: list[list[tuple[np.ndarray, Draft]]] = []

    def p_holds(self, x: np.ndarray) -> float:
        return float(x[ROUTED])  # the routed answer is given, no other

    def record(self, options: list[tuple[np.ndarray, Draft]]) -> None:
        self.asks.append(options)


def load_verifier(path: Path = MODEL_PATH) -> Verifier | None:
    """The shipped verifier, or None when it has not been built (`make train-verifier`)."""
    return joblib.load(path) if path.is_file() else None
