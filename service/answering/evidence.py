"""Which table cells a question's answer is read from (evidence tagging, as TagOp does).

Each cell gets a vector of features about the question and the cell's coordinates — how
much of its row label and column path the question says (by stem, typo-tolerant), string
similarity, how its row and column rank against the table's best, whether its period is an
asked year, whether it is a total or a sub-row, whether it holds a figure or a percentage —
and a gradient-boosted model, trained by `scripts/train_reader.py` on questions whose gold
answers name their cells, turns them into a probability. No feature says where a row sits
or how big its table is: those let the model remember tables rather than read them. How
the features combine is learned, not hand-set."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from ingest.periods import period_year
from service.answering.corpus import CellView, TableView
from service.answering.textmatch import WordWeights, fuzzy, letters_only, name_initials, overlap, similar, words

_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?!\d|\.\d)")
_FISCAL = re.compile(r"\bFY\s?'?(\d{2})\b", re.IGNORECASE)
# a figure standing alone in a question (`$2,000 million`, `2.0%`, `-10,000`), not part of a name (`Q4`, `FY19`)
_FIGURE = re.compile(r"(?<![\w.,])(-?)[$€£]?\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?%?(?![\w]|[.,]\d)")

FEATURES = (
    "row_label_said",  # share of the row label's weight the question says
    "row_question_said",  # share of the question's weight the row label says
    "row_partial",  # partial string ratio of row label and question
    "row_token_set",
    "row_best_gap",  # this row's label match minus the best row's in the table (0 for the best)
    "row_is_best",
    "col_label_said",
    "col_question_said",
    "col_partial",
    "year_asked",  # the cell's period is an asked year
    "year_other",  # the cell has a period, the question asks other years
    "no_year_asked",
    "latest_period",  # the cell's period is the table's latest
    "period_rank",  # 0 for the latest period, 1 for the one before…
    "has_value",
    "is_missing",
    "is_total_row",
    "asks_total",
    "header_row",  # the row's label is empty or names a period (a header repeated in the body)
    "table_said",  # share of the question's weight the caption and labels say
    "row_rank",  # 0 for the table's best-matching row, 1 for the next… (ties share a rank)
    "row_depth",  # how many section labels the row sits under (0 for a top-level row)
    "col_best_gap",  # this column's label match minus the table's best column's
    "cell_percent",  # the cell prints a percentage
    "asks_percent",  # the question says % or percent…
    "row_distinct",  # share of the question's words that tell the table's rows apart that this row says
    "col_distinct",  # … that tell its columns apart, that this column says
    "row_distinct_gap",  # row_distinct less the table's best row's
    "col_distinct_gap",
    "year_between",  # the cell's period lies between the first and last years asked ("from 2017 to 2019")
)


def asked_years(question: str) -> list[int]:
    """Years a question names: `2019`, `FY19`."""
    years = [int(y) for y in _YEAR.findall(question)]
    years += [2000 + int(y) for y in _FISCAL.findall(question)]
    return list(dict.fromkeys(years))


def asked_figure(question: str) -> float | None:
    """The last figure a question names that is not a year ("… exceed $2,000 million?" → 2000):
    the threshold of a "how many years did … exceed" question."""
    figures = [
        float(f"{sign}{whole.replace(',', '')}{fraction}")
        for sign, whole, fraction in _FIGURE.findall(question)
        if not (len(whole) == 4 and not fraction and 1900 <= int(whole) < 2100)
    ]
    return figures[-1] if figures else None


def cell_period(cell: CellView) -> int | None:
    return cell.years[0] if cell.years else None


def _labels(cell: CellView) -> tuple[str, str]:
    """(row label, column path) without the period coordinates."""
    row = " ".join(k for k in cell.row_keys if period_year(k) is None)
    col = " ".join(k for k in cell.column if period_year(k) is None)
    return row, col


@dataclass
class Asked:
    """A question read once for scoring many cells."""

    text: str
    words: list[str]
    years: list[int]
    asks_total: bool
    direction: str | None = None  # "max" or "min" when the caller knows which extreme is asked
    figure: float | None = None  # a figure the question names, not a year (a threshold)
    initials: list[str] = field(default_factory=list)  # of the names it spells out (`egdi`)
    _for_table: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, question: str, direction: str | None = None) -> Asked:
        tokens = letters_only(words(question))
        asked = cls(question, tokens, asked_years(question), says_total(tokens), direction, asked_figure(question))
        asked.initials = [a for a, _ in name_initials(question) if a not in tokens]
        return asked

    def words_for(self, table: TableView) -> list[str]:
        """The question's words, and the initials of a name it spells out where the table's
        labels print them (`E-Government Development Index` is the `EGDI` column)."""
        if not self.initials:
            return self.words
        found = self._for_table.get(table.id)  # asked of each table twice (rows, then cells)
        if found is None:
            labels = " ".join([*(" ".join(k) for k in table.row_keys), *(" ".join(c) for c in table.columns)])
            printed = set(letters_only(words(labels)))
            found = self._for_table[table.id] = self.words + [a for a in self.initials if a in printed]
        return found


def says_total(tokens: list[str]) -> bool:
    """The question's words ask about a total (`total`, `totals`, a typo of either)."""
    return any(similar(t, "total") for t in tokens)


def _row_matches(asked: Asked, table: TableView, weight: WordWeights) -> dict[int, tuple[float, float, float, float]]:
    """Per row: (share of its label said, share of the question said, partial ratio, token-set ratio)."""
    out = {}
    asked_words = asked.words_for(table)
    for r, keys in enumerate(table.row_keys):
        label = " ".join(k for k in keys if period_year(k) is None)
        said, q_said = overlap(asked_words, letters_only(words(label)), weight)
        partial, token_set = fuzzy(label, asked.text) if label else (0.0, 0.0)
        out[r] = (said, q_said, partial, token_set)
    return out


def _distinct_shares(asked_words: list[str], labels: list[str], weight: WordWeights) -> list[float]:
    """For each of a table's row (or column) labels, the share it says of the question's words
    that tell the labels apart: a word said by few of them counts much (`Federal` beside
    `State`), one said by all of them nothing (`income tax` in every row of a tax table)."""
    if not asked_words or len(labels) < 2:
        return [0.0] * len(labels)
    tokens = {label: set(letters_only(words(label))) for label in set(labels)}
    says = {
        label: {k for k, a in enumerate(asked_words) if any(similar(a, t) for t in found)}
        for label, found in tokens.items()
    }
    n = len(labels)
    count = [sum(k in says[label] for label in labels) for k in range(len(asked_words))]
    telling = {k: weight(a) * math.log(n / c) for k, (a, c) in enumerate(zip(asked_words, count)) if 0 < c < n}
    total = sum(telling.values())
    if not total:
        return [0.0] * n
    return [sum(v for k, v in telling.items() if k in says[label]) / total for label in labels]


def _row_score(match: tuple[float, float, float, float]) -> float:
    said, q_said, _, token_set = match
    return said + q_said + 0.5 * token_set


def table_features(
    asked: Asked, table: TableView, weight: WordWeights, best: float | None = None, rows=None
) -> tuple[list[list[float]], list[CellView]]:
    """One feature vector per cell of the table. `best`: the best row match over every table
    being read (a row is judged against the best row anywhere, not only in its own table)."""
    row_info = rows if rows is not None else _row_matches(asked, table, weight)
    row_scores = {r: _row_score(m) for r, m in row_info.items()}
    if best is None:
        best = max(row_scores.values(), default=0.0)
    periods = sorted({p for c in table.cells if (p := cell_period(c)) is not None}, reverse=True)
    context = " ".join([table.caption, *(" ".join(k) for k in table.row_keys), *(" ".join(c) for c in table.columns)])
    asked_words = asked.words_for(table)
    _, table_said = overlap(asked_words, letters_only(words(context)), weight)
    col_info: dict[int, tuple[float, float, float]] = {}
    for cell in table.cells:
        if cell.col not in col_info:
            _, col = _labels(cell)
            c_said, c_q_said = overlap(asked_words, letters_only(words(col)), weight)
            col_info[cell.col] = (c_said, c_q_said, fuzzy(col, asked.text)[0] if col else 0.0)
    col_scores = {k: c_said + c_q_said for k, (c_said, c_q_said, _) in col_info.items()}
    best_col = max(col_scores.values(), default=0.0)
    distinct = sorted(set(row_scores.values()), reverse=True)
    row_rank = {r: float(min(distinct.index(v), 10)) for r, v in row_scores.items()}
    asks_percent = float("%" in asked.text or any(w.startswith("percent") for w in asked.words))
    row_distinct = _distinct_shares(
        asked_words, [" ".join(k for k in keys if period_year(k) is None) for keys in table.row_keys], weight
    )
    col_distinct = _distinct_shares(
        asked_words, [" ".join(k for k in col if period_year(k) is None) for col in table.columns], weight
    )
    rows_out, cells_out = [], []
    for cell in table.cells:
        said, q_said, partial, token_set = row_info[cell.row]
        c_said, c_q_said, c_partial = col_info[cell.col]
        period = cell_period(cell)
        row_label = " ".join(cell.row_keys).strip()
        rows_out.append(
            [
                said,
                q_said,
                partial,
                token_set,
                row_scores[cell.row] - best,
                float(row_scores[cell.row] >= best),
                c_said,
                c_q_said,
                c_partial,
                float(period is not None and period in asked.years),
                float(period is not None and bool(asked.years) and period not in asked.years),
                float(not asked.years),
                float(bool(periods) and period == periods[0]),
                float(periods.index(period)) if period in periods else -1.0,
                float(cell.value is not None),
                float(cell.value is None and bool(cell.raw.strip())),
                float(cell.is_total),
                float(asked.asks_total),
                float(not row_label or period_year(row_label) is not None),
                table_said,
                row_rank[cell.row],
                float(len(cell.row_keys) - 1),
                col_scores[cell.col] - best_col,
                float("%" in cell.raw),
                asks_percent,
                row_distinct[cell.row],
                col_distinct[cell.col],
                row_distinct[cell.row] - max(row_distinct),
                col_distinct[cell.col] - max(col_distinct),
                float(period is not None and len(asked.years) >= 2 and min(asked.years) < period < max(asked.years)),
            ]
        )
        cells_out.append(cell)
    return rows_out, cells_out


def score_cells(model, asked: Asked, tables: list[TableView], weight: WordWeights) -> list[tuple[float, CellView]]:
    """Every cell of the tables with the model's probability that it is evidence, best first."""
    features: list[list[float]] = []
    cells: list[CellView] = []
    matches = [_row_matches(asked, table, weight) for table in tables]
    best = max((_row_score(m) for rows in matches for m in rows.values()), default=0.0)
    for table, rows in zip(tables, matches):
        f, c = table_features(asked, table, weight, best, rows)
        features += f
        cells += c
    if not cells:
        return []
    probabilities = model.predict_proba(np.asarray(features, dtype=np.float32))[:, 1]
    ranked = sorted(zip(probabilities.tolist(), cells), key=lambda pc: pc[0], reverse=True)
    return ranked
