"""The general reader: a question and the tables of the documents it may be about in, a
`Reading` out — the operation, the cells used, the answer as printed (spans) or computed
(value), and how sure it is.

Learned parts, trained together by `scripts/train_reader.py` and shipped as one small file
(`models/reader.joblib`): the operation (`operators.py`), the evidence cells (`evidence.py`),
for "which year was largest / smallest" questions (and "how many years did … exceed N") the
direction, the order of two operands (`operands.py`), which words of a question the documents
must say (`textmatch.Grounding`), the span of running text (`spans.py`), and the router that
puts the table's span or the text's first.
What is left here is arithmetic and bookkeeping: which asked year is earlier, which cells
share a row or a column, the order the question names things in, which figures are past a
figure the question names, which run of rows a list question's items are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from statistics import mean

import joblib
from threadpoolctl import threadpool_limits

from ingest.numbers import format_number, printed_decimals, read_scale, without_note_mark
from ingest.periods import is_period_word, period_year
from ingest.records import Passage
from ingest.text import sentence_around
from service.answering import operators as ops
from service.answering.corpus import CellView, TableView
from service.answering.evidence import Asked, cell_period, score_cells
from service.answering.forest import compiled
from service.answering.matching import is_percent_unit
from service.answering.operands import TWO_OPERANDS, OperandOrder
from service.answering.operators import FastTextClassifier
from service.answering.spans import Candidate, is_figure, score_spans, sentence_figures
from service.answering.textmatch import Grounding, WordWeights, content_words, letters_only, similar, stem, words

MODEL_PATH = Path(__file__).with_name("models") / "reader.joblib"
EVIDENCE = 0.5  # a cell the model is at least this sure of is evidence (a probability, not a weight)
SECOND = 0.2  # a second operand may be less sure than the first: the pair shares a row or a column
TEXT_FIRST = 0.5  # from this chance that the text answers rather than a table, the text reading goes first
INFORMATIVE = 0.45  # a word's learned weight from which it names what is asked (`cash`, not `what`)
GROUNDED = 0.5  # a word its evidence says with at least this chance (judged in its question) names what is asked


@dataclass
class ReaderModel:
    operators: object  # sklearn Pipeline: question → operation
    direction: object  # sklearn Pipeline: question → "max" | "min"
    cells: object  # sklearn classifier: cell features → evidence or not
    spans: object  # sklearn classifier: span candidate features → the answer or not
    weights: WordWeights
    version: str
    trained_on: dict = field(default_factory=dict)
    source: object = None  # sklearn Pipeline: question → "text" | "table" (where its answer is printed)
    grounding: Grounding | None = None  # how often the documents say a word a question says
    order: OperandOrder | None = None  # which of two operands comes first ("A − B" or "B − A")
    router: object = None  # sklearn classifier: `route_features` → whether the text reading goes first
    kind: object = None  # sklearn Pipeline: question → "figure" | "words" (what its answer is)

    def save(self, path: Path = MODEL_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path, compress=3)

    def __post_init__(self) -> None:
        self.compile()

    def compile(self) -> None:
        """The classifiers evaluated without scikit-learn's per-call overhead (same output)."""
        self.fast_operators = FastTextClassifier(self.operators)  # type: ignore[arg-type]
        self.fast_direction = FastTextClassifier(self.direction)  # type: ignore[arg-type]
        self.fast_source = FastTextClassifier(self.source) if self.source is not None else None  # type: ignore[arg-type]
        self.fast_kind = FastTextClassifier(self.kind) if self.kind is not None else None  # type: ignore[arg-type]
        # the cell and span models evaluated without scikit-learn's per-tree calls (same output)
        self.fast_cells = compiled(self.cells)  # type: ignore[arg-type]
        self.fast_spans = compiled(self.spans)  # type: ignore[arg-type]

    def text_likely(self, question: str) -> float:
        """How likely the answer is printed in running text rather than in a table."""
        return _chance(self.fast_source, question, "text")

    def figure_likely(self, question: str) -> float:
        """How likely the answer is a figure (an amount, a rate, a year) rather than words (a
        clause, a name): "What did the obligations represent?" asks for words."""
        return _chance(self.fast_kind, question, "figure")

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        # compiled classifiers are rebuilt on load; `_informative`'s memo is a cache, never saved
        rebuilt = ("fast_operators", "fast_direction", "fast_source", "fast_kind", "fast_cells", "fast_spans")
        for name in (*rebuilt, "_informative_memo"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.compile()


def _chance(classifier: FastTextClassifier | None, question: str, label: str) -> float:
    """A question classifier's probability of `label` (1.0 without the classifier: an older model)."""
    if classifier is None:
        return 1.0
    probabilities = classifier.predict_proba([question])[0]
    return float(probabilities[list(classifier.classes_).index(label)])


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_PATH) -> ReaderModel | None:
    """The shipped model, or None when it has not been built (`make train-reader`)."""
    if not path.is_file():
        return None
    # scoring a question's cells is a few hundred rows: one OpenMP thread does it fastest, and
    # idle OpenMP threads would spin beside the embedding model (as FAISS's did)
    threadpool_limits(1, user_api="openmp")
    return joblib.load(path)


@dataclass
class Reading:
    op: str
    op_confidence: float
    cells: list[CellView]  # the evidence used, in the order the arithmetic uses it
    confidence: float  # the evidence model's probability for the weakest cell (or the span) used
    spans: list[str] = field(default_factory=list)
    value: float | None = None
    arithmetic: str = ""  # the derivation, for a computed figure: "81.1 − 94.7 = −13.6"
    text: Candidate | None = None  # the span of a passage, for an answer read from text
    # for a span of text: the span model's probability that the answer is in its sentence (its
    # candidates' summed, at most 1), however the annotators would have bounded it
    support: float = 0.0


def read(model: ReaderModel, question: str, tables: list[TableView], passages: list[Passage]) -> Reading | None:
    """The reading the models prefer (see `readings`)."""
    return next(readings(model, question, tables, passages), None)


def readings(
    model: ReaderModel,
    question: str,
    tables: list[TableView],
    passages: list[Passage],
    direction: str | None = None,
    operation: tuple[str, float] | None = None,
    words: bool = False,
) -> Iterator[Reading]:
    """The table reading and the text reading, the one the router (a model of where the answer
    is printed, from the question and both readings' confidences) prefers first.
    Arithmetic, counts, lists and "which year" questions are read from tables only.
    `direction` ("max" or "min"), when the caller knows it, overrides the learned one;
    `operation`, when the caller has classified the question already, is used as it is;
    `words`: the question asks for words, not a figure (the text reading is more than a figure)."""
    table = read_tables(model, question, tables, direction, operation) if tables else None
    if table is not None and table.op not in (ops.SPAN, ops.MULTI_SPAN):
        yield table
        return
    # a span may be a cell or a clause of the text: both are read, and the router orders them
    op = operation[0] if operation is not None else table.op if table is not None else classify(model, question)[0]
    text = read_text(model, question, passages, several=op == ops.MULTI_SPAN, words=words) if passages else None
    if table is None or text is None:
        yield from (r for r in (table, text) if r is not None)
    elif text_first(model, question, table, text) >= TEXT_FIRST:
        yield from (text, table)
    else:
        yield from (table, text)


def route_features(text_likely: float, table: Reading, text: Reading) -> list[float]:
    """What decides between a table's span and the text's: how likely the question's answer is
    printed in running text (from its wording), and how sure each reading is."""
    return [text_likely, table.confidence, text.confidence, table.op_confidence]


def text_first(model: ReaderModel, question: str, table: Reading, text: Reading) -> float:
    """The chance that the text reading, not the table's, answers the question."""
    if model.router is None:
        return model.text_likely(question)
    features = [route_features(model.text_likely(question), table, text)]
    return float(model.router.predict_proba(features)[0, 1])  # type: ignore[attr-defined]


def read_text(
    model: ReaderModel, question: str, passages: list[Passage], several: bool = False, words: bool = False
) -> Reading | None:
    """The span of the text the span model prefers; for a question that asks several values
    (`several`), the figures of its sentence when it prints two or more; for one that asks for
    words (`words`), the likeliest span that is more than a figure."""
    ranked = score_spans(model.fast_spans, question, passages, model.weights, model.figure_likely(question))
    if words:
        ranked = [(p, span) for p, span in ranked if not is_figure(span.text)]
    if not ranked:
        return None
    probability, best = ranked[0]
    start, end = sentence_around(best.passage.text, (best.start, best.end))
    support = min(1.0, sum(p for p, c in ranked if c.passage is best.passage and start <= c.start and c.end <= end))
    if several and len(figures := sentence_figures(best, len(Asked.of(question).years))) >= 2:
        return Reading(ops.MULTI_SPAN, 0.0, [], probability, spans=figures, text=best, support=support)
    return Reading(ops.SPAN, 0.0, [], probability, spans=[best.text], text=best, support=support)


def unsaid(model: ReaderModel, question: str, context: str, weighty: float = INFORMATIVE) -> float:
    """The share of the question's informative words (by learned weight) that the context does
    not say: a question about something the evidence does not name is not answered from it.
    `weighty`: the least weight of an informative word (0: every grounded word counts)."""
    asked = _informative(model, question, weighty)
    if not asked:
        return 0.0
    missing = _not_known(asked, context)
    return sum(model.weights(w) for w in missing) / sum(model.weights(w) for w in asked)


def unsaid_words(model: ReaderModel, question: str, context: str, weighty: float = INFORMATIVE) -> list[str]:
    """The question's informative words (stems) the context does not say."""
    return _not_known(_informative(model, question, weighty), context)


def _not_known(asked: list[str], context: str) -> list[str]:
    known = _known_words(context)
    return [w for w in asked if w not in known and not any(similar(w, k) for k in known)]


def _informative(model: ReaderModel, question: str, weighty: float = INFORMATIVE) -> list[str]:
    """The words that name what is asked: weighty, not a period, and words a question's
    evidence says when the question does (`ratio` or `respectively` describe the question).
    Memoised on the model: the guards and the verifier ask it of one question many times."""
    memo = model.__dict__.setdefault("_informative_memo", {})
    found = memo.get((question, weighty))
    if found is None:
        if len(memo) > 20_000:
            memo.clear()
        found = memo[(question, weighty)] = _informative_words(model, question, weighty)
    return found


def _informative_words(model: ReaderModel, question: str, weighty: float) -> list[str]:
    grounded = model.grounding.in_question(question) if model.grounding else {}
    when = _calendar_and_scale(question)
    return [
        w
        for w in letters_only(content_words(question))
        if w not in when and model.weights(w) >= weighty and grounded.get(w, 1.0) >= GROUNDED and period_year(w) is None
    ]


@lru_cache(maxsize=4096)
def _calendar_and_scale(question: str) -> frozenset[str]:
    """The question's words that say when or in what scale (`December`, `fiscal`, `FY`,
    `thousand`): a period's or a scale's words, read by the period and scale readers; they name
    no thing the evidence must print."""
    return frozenset(
        stem(w) for w in re.findall(r"[A-Za-z]+", question) if is_period_word(w) or read_scale(w) is not None
    )


@lru_cache(maxsize=50_000)  # a table's or passage's words, read once (the texts are the corpus's own)
def _known_words(context: str) -> frozenset[str]:
    return frozenset(letters_only(words(context)))


def classify(model: ReaderModel, question: str) -> tuple[str, float]:
    return operations(model, question)[0]


def operations(model: ReaderModel, question: str) -> list[tuple[str, float]]:
    """Every operation the model knows, with its probability for the question, likeliest first."""
    probabilities = model.fast_operators.predict_proba([question])[0]
    ranked = sorted(zip(model.fast_operators.classes_, probabilities), key=lambda cp: -cp[1])
    return [(str(op), float(p)) for op, p in ranked]


def read_tables(
    model: ReaderModel,
    question: str,
    tables: list[TableView],
    direction: str | None = None,
    operation: tuple[str, float] | None = None,
) -> Reading | None:
    """The best reading of the tables for the question, or None when no cell is evidence."""
    found = read_tables_as(model, question, tables, [operation or classify(model, question)], direction)
    return found[0] if found else None


def read_tables_as(
    model: ReaderModel,
    question: str,
    tables: list[TableView],
    operations: list[tuple[str, float]],
    direction: str | None = None,
) -> list[Reading]:
    """The tables read as each of `operations` (an operation and its probability) that gives a
    reading: the cells are scored once for them all."""
    asked = Asked.of(question, direction)
    ranked = score_cells(model.fast_cells, asked, tables, model.weights)
    if not ranked:
        return []
    found = []
    for op, op_p in operations:
        reading = _apply(model, op, asked, ranked)
        if reading is not None:
            reading.op_confidence = op_p
            found.append(reading)
    return found


def _apply(model: ReaderModel, op: str, asked: Asked, ranked: list[tuple[float, CellView]]) -> Reading | None:
    probability, top = ranked[0]
    row = _row_series(top)
    if op == ops.SPAN or op == ops.OTHER:
        return Reading(ops.SPAN, 0.0, [top], probability, spans=[top.raw])
    if op == ops.MULTI_SPAN:
        cells = _several(asked, ranked, row)
        return Reading(op, 0.0, cells, min(_p(ranked, c) for c in cells), spans=_items([c.raw for c in cells]))
    if op == ops.LIST_ROWS:
        passing = _passing(model, asked, _column_series(top)) if asked.figure is not None else []
        if passing:
            return Reading(op, 0.0, passing, probability, spans=[without_note_mark(c.item_label) for c in passing])
        # the rows that sum to the row the question names, or that its named heading heads
        made_up = _components(asked, ranked) or _under_heading(asked, ranked)
        if made_up is not None:
            total, items = made_up
            return Reading(op, 0.0, items, max(_p(ranked, c) for c in (total, *items)), spans=_item_names(items))
        rows = _section_rows(asked, ranked, top)
        cells = [next(c for c in top.table.row_cells(r) if c.value is not None) for r in rows]
        # the items are a run of the table's rows, found by its layout: the list is as sure as
        # its surest item (its weakest would make every long list doubtful)
        return Reading(op, 0.0, cells, max(_p(ranked, c) for c in cells), spans=_item_names(cells))
    if op == ops.LIST_PERIODS:
        series = _period_series(top)
        if asked.figure is not None:
            series = _passing(model, asked, [c for c in series if c.value is not None]) or series
        labels = list(dict.fromkeys(c.period_name for c in series))
        if not labels:
            return None
        return Reading(op, 0.0, series, probability, spans=labels)
    if op == ops.COUNT:
        if asked.figure is not None:  # "how many years did … exceed $40 million": the figures past it
            passing = _passing(model, asked, _series(top))
            return Reading(op, 0.0, passing or [top], probability, value=float(len(passing)))
        counted = {(id(c.table), c.row) for p, c in ranked if p >= EVIDENCE and c.table is top.table}
        return Reading(op, 0.0, [top], probability, value=float(len(counted) or 1))
    if op == ops.ARGMAX:
        series = [c for c in row if c.value is not None and cell_period(c) is not None]
        if len({cell_period(c) for c in series}) < 2:  # the periods run down the column
            series = [c for c in _column_periods(top) if c.value is not None and cell_period(c) is not None]
        if len({cell_period(c) for c in series}) < 2:
            return None
        pick = _extreme(model, asked, series)
        return Reading(op, 0.0, series, probability, spans=[pick.period_name])
    if op == ops.ARGMAX_ROW:
        column = _column_series(top)
        if len(column) < 2:
            return None
        pick = _extreme(model, asked, column)
        return Reading(op, 0.0, column, probability, spans=[without_note_mark(pick.item_label)])
    operands = _operands(model, op, asked, ranked, row)
    if operands is None:
        return None
    figures = [_figure(c) for c in operands]
    values = [v for v in figures if v is not None]
    if len(values) < len(figures):
        return None
    shown = [c.raw.strip() or format_number(v) for c, v in zip(operands, values)]
    if op == ops.CHANGE_RATIO and all(c.unit == "%" for c in operands):
        # the change of a rate is read in points: the kit's annotators compute "the percentage
        # change" of two percentages as their difference (7 of 8 dev questions)
        op = ops.DIFF
    value, text = _compute(op, values, shown)
    if value is None:
        return None
    confidence = min(_p(ranked, c) for c in operands)
    return Reading(op, 0.0, operands, confidence, value=round(value, 6), arithmetic=text)


_NIL = re.compile(r"^[$€£]?\s*[-—–−]$")  # a dash where a figure would be: nil


def _figure(cell: CellView) -> float | None:
    """The cell's figure for arithmetic; a printed dash is nil (0), as reports print it."""
    if cell.value is None and _NIL.match(cell.raw.strip()):
        return 0.0
    return cell.value


def asks_above(model: ReaderModel, question: str, direction: str | None = None) -> bool:
    """Whether a question naming a threshold asks for the figures above it ("exceed", "more
    than") or below it ("less than", "under"): the caller's direction ("max" or "min"), else the
    learned one."""
    return _wants_max(model, Asked.of(question, direction))


def _wants_max(model: ReaderModel, asked: Asked) -> bool:
    return (asked.direction or str(model.fast_direction.predict([asked.text])[0])) == "max"


def _extreme(model: ReaderModel, asked: Asked, cells: list[CellView]) -> CellView:
    return (max if _wants_max(model, asked) else min)(cells, key=lambda c: c.value or 0.0)


def _passing(model: ReaderModel, asked: Asked, cells: list[CellView]) -> list[CellView]:
    """The cells whose figure is past the figure the question names, on the side it asks for
    ("exceed", "less than": the learned direction)."""
    if asked.figure is None:
        return []
    figure = asked.figure
    if _wants_max(model, asked):
        return [c for c in cells if c.value is not None and c.value > figure]
    return [c for c in cells if c.value is not None and c.value < figure]


def _column(cell: CellView) -> list[CellView]:
    """The cells of the cell's column, in row order (its series when the periods are rows),
    under the cell's period heading where rows are printed under one (`June 30, 2019`)."""
    return [c for c in cell.table.cells if c.col == cell.col and c.period_heading == cell.period_heading]


def _column_periods(cell: CellView) -> list[CellView]:
    """The cells down the cell's column that are its item's at each period: the whole column
    where the periods are rows, the item's row under each period heading where rows are
    printed under one (`Money market funds` under `June 30, 2019` and under `June 30, 2018`)."""
    column = [c for c in cell.table.cells if c.col == cell.col]
    if cell.period_heading is None:
        return column
    return [c for c in column if c.period_heading is not None and c.item_label == cell.item_label]


def _column_series(cell: CellView) -> list[CellView]:
    """The figures of the cell's column, totals left out (the items a total sums)."""
    return [c for c in _column(cell) if c.value is not None and not c.is_total]


def _series(cell: CellView) -> list[CellView]:
    """The figures the cell is one of: its row over the periods, else its column over the rows."""
    periods = [c for c in _row_series(cell) if c.value is not None and cell_period(c) is not None]
    return periods if len(periods) >= 2 else _column_series(cell)


def _sure_rows(ranked: list[tuple[float, CellView]], top: CellView) -> list[int]:
    """The rows of the top cell's table the model is sure of (at least two), in table order."""
    rows = list(
        dict.fromkeys(c.row for p, c in ranked if p >= EVIDENCE and c.table is top.table and c.value is not None)
    )
    if len(rows) < 2:
        rows = list(dict.fromkeys(c.row for _, c in ranked if c.table is top.table and c.value is not None))[:2]
    return sorted(rows)


def _components(asked: Asked, ranked: list[tuple[float, CellView]]) -> tuple[CellView, list[CellView]] | None:
    """For "the components of operating profit", "the regions making up total revenue": a row
    the question names whose figures are the sum of the rows right above it (two or more, in
    every column where it has a figure, to the rounding of the printed figures) — its cell in
    the best-ranked column, and those rows' cells in that column. Found by arithmetic, whatever
    the labels say; None where no named row sums rows above it."""
    for table, r in _named_rows(asked, ranked):
        totals = {c.col: c for c in table.row_cells(r) if c.value is not None}
        if totals:
            items = _summed_rows(table, r, totals)
            if items:
                column = next((c.col for _, c in ranked if c.table is table and c.col in totals), min(totals))
                return totals[column], [table.cell(i, column) for i in items]
    return None


def _under_heading(asked: Asked, ranked: list[tuple[float, CellView]]) -> tuple[CellView, list[CellView]] | None:
    """For "the components under Non-current": the rows with figures right below a heading row
    (one without figures) the question names — the most words of it, where several are named
    (`Non-current` before `Current`) — up to the next heading, blank row or total. Its first
    item's cell stands for the heading."""
    for table, r in _named_rows(asked, ranked):
        if any(c.value is not None for c in table.row_cells(r)):
            continue
        items = []
        for below in range(r + 1, len(table.row_keys)):
            cells = table.row_cells(below)
            figured = [c for c in cells if c.value is not None]
            if not figured or any(c.is_total for c in cells):
                break
            items.append(figured[0])
        if len(items) >= 2:
            return items[0], items
    return None


def _named_rows(asked: Asked, ranked: list[tuple[float, CellView]]) -> Iterator[tuple[TableView, int]]:
    """The rows of the ranked tables (in the order ranked) whose label the question says every
    word of — in each table, the longest label first (`Non-current` before `Current`, both said
    by "non-current")."""
    said = set(asked.words)
    for table in {id(c.table): c.table for _, c in ranked}.values():
        named = sorted((-len(label), r) for r in range(len(table.row_keys)) if (label := _said_label(said, table, r)))
        for _, r in named:
            yield table, r


def _said_label(said: set[str], table: TableView, r: int) -> list[str]:
    """The words of row `r`'s label where the question says every one of them (or a near
    spelling of it), else none."""
    label = letters_only(words(" ".join(table.row_keys[r])))
    return label if label and all(w in said or any(similar(w, s) for s in said) for w in label) else []


def _summed_rows(table: TableView, row: int, totals: dict[int, CellView]) -> list[int]:
    """The fewest rows right above `row` (at least two, each with a figure in every column of
    `totals`) whose figures sum to its figures in each of those columns."""
    if not totals:
        return []
    sums = dict.fromkeys(totals, 0.0)
    above: list[int] = []
    for r in range(row - 1, -1, -1):
        cells = table.row_cells(r)
        figures = {col: _figure(cells[col]) for col in totals}
        if any(v is None for v in figures.values()) or any(c.is_total for c in cells):
            return []  # a heading, a blank row or another total: the run ends without summing
        above.append(r)
        for col, v in figures.items():
            sums[col] += v  # type: ignore[operator]
        if len(above) >= 2 and all(_sums_to(sums[col], total, len(above)) for col, total in totals.items()):
            return sorted(above)
    return []


def _sums_to(found: float, total: CellView, terms: int) -> bool:
    """`found` is `total`'s figure to the rounding of the `terms` printed figures summed."""
    unit = 10.0 ** -printed_decimals(total.raw)
    return total.value is not None and abs(found - total.value) <= max(1, terms / 2) * unit * 0.5 + 1e-9


def _section_rows(asked: Asked, ranked: list[tuple[float, CellView]], top: CellView) -> list[int]:
    """The items a list question asks for: the run of rows around the best item row that hold
    figures, are no total and do not repeat a label, less the rows the question names itself
    ("the components of restructuring reserves" are not the reserves)."""
    table = top.table
    said = set(asked.words)

    def named(r: int) -> bool:
        return bool(_said_label(said, table, r))

    def item(r: int) -> bool:
        cells = table.row_cells(r)
        return any(c.value is not None for c in cells) and not cells[0].is_total

    seed = next((c.row for _, c in ranked if c.table is table and item(c.row) and not named(c.row)), None)
    if seed is None:
        return _sure_rows(ranked, top)
    # the run stops at a label it has already met (the same items again are another block) and
    # at the row the question names: "the components of operating profit" are the rows above
    # `Operating profit`, not the finance costs and taxes below it
    label = {c.row: c.row_label for c in table.cells}
    run, seen = [seed], {label[seed]}
    for step in (-1, 1):
        r = seed + step
        while 0 <= r < len(table.row_keys) and item(r) and label[r] not in seen and not named(r):
            run.append(r)
            seen.add(label[r])
            r += step
    rows = sorted(run)
    return rows if len(rows) >= 2 else _sure_rows(ranked, top)


def _item_names(cells: list[CellView]) -> list[str]:
    """The items the cells are rows of, as a list names them: each once, without a note mark."""
    return list(dict.fromkeys(without_note_mark(c.item_label) for c in cells))


def _items(spans: list[str]) -> list[str]:
    """Several spans as a list gives them: each name once (a column that repeats `Annual
    Incentive Plan` row after row names one plan), each figure as often as printed (two years
    may print the same figure)."""
    seen: set[str] = set()
    kept = []
    for span in spans:
        key = span.strip().lower()
        if is_figure(span) or key not in seen:
            kept.append(span)
            seen.add(key)
    return kept


def _period_series(cell: CellView) -> list[CellView]:
    """The cells along the table's period axis through `cell`: its row where the periods are
    columns, its column where they are rows, else every dated cell of its table (the top cell
    of a question about the whole table, "What years are compared in the table?", may be a
    label)."""
    for line in (_row_series(cell), _column_periods(cell)):
        dated = [c for c in line if c.period]
        if len({c.period_name for c in dated}) >= 2:
            return dated
    return sorted((c for c in cell.table.cells if c.period), key=lambda c: (c.col, c.row))


def _p(ranked: list[tuple[float, CellView]], cell: CellView) -> float:
    return next((p for p, c in ranked if c is cell), 0.0)


def _row_series(cell: CellView) -> list[CellView]:
    """The cells of the cell's row (its series over the columns), in column order."""
    return cell.table.row_cells(cell.row)


def _at_years(row: list[CellView], years: list[int]) -> list[CellView] | None:
    by_year = {}
    for c in row:
        period = cell_period(c)
        if period is not None and period not in by_year:
            by_year[period] = c
    picked = [by_year.get(y) for y in years]
    return None if any(c is None for c in picked) else picked  # type: ignore[return-value]


def _at_asked_years(row: list[CellView], top: CellView, years: list[int]) -> list[CellView] | None:
    """The cells of the asked years along the top cell's row, or down its column where the
    periods are rows."""
    return _at_years(row, years) or _at_years(_column_periods(top), years)


def _several(asked: Asked, ranked: list[tuple[float, CellView]], row: list[CellView]) -> list[CellView]:
    """Several spans: the asked years of the top cell's row or column ("in 2019 and 2018
    respectively"), else the cells the model is sure of along the top cell's column (several
    rows' figures of one kind) or, failing that, its row, in table order."""
    top = ranked[0][1]
    if len(asked.years) >= 2:
        at = _at_asked_years(row, top, asked.years)
        if at:
            return at
    sure = [c for p, c in ranked if p >= EVIDENCE and c.table is top.table]
    for line in ([c for c in sure if c.col == top.col], [c for c in sure if c.row == top.row]):
        if len(line) >= 2:
            sure = line
            break
    if len(sure) < 2:
        sure = [c for _, c in ranked[:2]]
    return sorted(sure, key=lambda c: (c.row, c.col))


def _operands(model: ReaderModel, op: str, asked: Asked, ranked: list[tuple[float, CellView]], row: list[CellView]):
    top = ranked[0][1]
    years = sorted(asked.years, reverse=True)
    if op in TWO_OPERANDS:
        pair = _two(op, asked, ranked, row)
        if pair is None:
            return None
        if model.order is not None:
            return model.order.first(asked.text, op, *pair)
        return pair
    if op in (ops.AVERAGE, ops.SUM):
        if len(years) >= 2:
            at = _at_asked_years(row, top, years)
            if op == ops.AVERAGE and len(years) == 2 and _names_a_span(asked.text, years):
                # an average over a span of years is over each year of it, where the table has each
                at = _at_asked_years(row, top, list(range(years[0], years[1] - 1, -1))) or at
            if at:
                return at
        sure = [c for p, c in ranked if p >= EVIDENCE and c.table is top.table]
        across_rows = [c for c in sure if c.col == top.col]
        if len({c.row for c in across_rows}) >= 2:
            return across_rows
        series = [c for c in row if c.value is not None and cell_period(c) is not None]
        return series if len(series) >= 2 else None
    return None


_SPAN_BETWEEN = r"\s*(?:-|–|—|to|through|thru|until)\s*"


def _names_a_span(text: str, years: list[int]) -> bool:
    """The question names the years as the ends of a span ("2017-2019", "from 2017 to 2019",
    "between 2017 and 2019"), not as two years ("in 2019 and 2017")."""
    a, b = sorted(years)
    return bool(
        re.search(rf"\b{a}{_SPAN_BETWEEN}{b}\b", text)
        or re.search(rf"\bbetween\s+(?:\w+\s+)?{a}\s+and\s+(?:\w+\s+)?{b}\b", text, re.IGNORECASE)
    )


def _two(op: str, asked: Asked, ranked: list[tuple[float, CellView]], row: list[CellView]):
    """The two cells of a two-operand operation, the later period first where both have one:
    the asked years of the evidence row (or column, where the periods are rows); else the best
    cell and the next evidence cell that shares its row or column; else (a change) the row's two
    latest periods."""
    top = ranked[0][1]
    years = sorted(asked.years, reverse=True)
    if len(years) >= 2:
        at = _at_asked_years(row, top, years[:2])
        if at:
            return at
    other = _second_cell(ranked, top)
    if other is not None:
        return [top, other]
    if op in (ops.DIFF, ops.CHANGE_RATIO):
        periods = sorted({p for c in row if (p := cell_period(c)) is not None}, reverse=True)
        return _at_years(row, periods[:2]) if len(periods) >= 2 else None
    return None


def _second_cell(ranked: list[tuple[float, CellView]], top: CellView) -> CellView | None:
    """The best other cell with a figure that shares the top cell's row or column, when the
    model gives it at least `SECOND`."""
    for p, c in ranked[1:]:
        if p < SECOND:
            return None
        if (
            c.table is top.table
            and _figure(c) is not None
            and (c.col == top.col) != (c.row == top.row)
            and _is_percent(c) == _is_percent(top)  # `(33)` of a `$` column and `5.0%` are no pair
        ):
            return c
    return None


def _is_percent(cell: CellView) -> bool:
    """The cell's figure is a percentage (its unit, or its text, says so)."""
    return "%" in cell.raw or is_percent_unit(cell.unit)


def _compute(op: str, values: list[float], shown: list[str]) -> tuple[float | None, str]:
    if op == ops.DIFF:
        a, b = values[:2]
        return a - b, f"{shown[0]} − {shown[1]} = {format_number(round(a - b, 4))}"
    if op == ops.CHANGE_RATIO:
        a, b = values[:2]
        if b == 0:
            return None, ""
        # the change over the earlier figure as printed, sign and all, as the formula reads
        # ((a − b) / b): reports and their readers write it so even when b is a loss
        v = (a - b) / b * 100
        return v, f"({shown[0]} − {shown[1]}) / {shown[1]} = {format_number(round(v, 2))}%"
    if op == ops.AVERAGE:
        v = mean(values)
        return v, f"({' + '.join(shown)}) / {len(values)} = {format_number(round(v, 4))}"
    if op == ops.SUM:
        v = sum(values)
        return v, f"{' + '.join(shown)} = {format_number(round(v, 4))}"
    if op in (ops.DIVIDE, ops.PERCENT_OF):
        a, b = values[:2]
        if b == 0:
            return None, ""
        v = a / b * (100 if op == ops.PERCENT_OF else 1)
        suffix = " × 100" if op == ops.PERCENT_OF else ""
        return v, f"{shown[0]} / {shown[1]}{suffix} = {format_number(round(v, 4))}"
    return None, ""
